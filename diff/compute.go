package diff

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

// Options tune Compute.
type Options struct {
	// Env looks up ${env:…} variables; nil means os.LookupEnv. Compute only checks that the
	// variables a plan needs are set: values never enter a Plan.
	Env func(name string) (string, bool)
	// RotateSecrets plans secrets as (sensitive) updates for existing sources. Without it a secret
	// is sent only when the source is created or the live source lacks the key.
	RotateSecrets bool
	// Drift reports unmanaged sources: live sources the repository does not declare.
	Drift bool
	// Tenant names the tenant live was read from; the plan records it (Plan.Tenant).
	Tenant string
	// Unmanaged is what a drift report does with unmanaged objects; empty means UnmanagedReport.
	Unmanaged UnmanagedMode
	// Environment is the environment the repository was bound to (config.Repo.ForEnvironment);
	// the plan records it (Plan.Environment).
	Environment string
	// AllowUnsetEnv makes an unset variable the plan would send a warning, not an error: the
	// field shows SensitiveUnset and Plan.UnsetEnv lists it. Plan and drift set it, so that a
	// pull request's plan needs no secret of the deploy; apply never does.
	AllowUnsetEnv bool
}

// PendingScriptName stands for the scriptName of a declared connector that the tenant does
// not have yet: the tenant chooses it on create by an undocumented rule, so a plan cannot
// know it; apply uses the one the create returns.
func PendingScriptName(connector string) string {
	return fmt.Sprintf("(scriptName of Connector %q, known after create)", connector)
}

const noteNoUnmanaged = "unmanaged sources are not reported: the tenant's sources were not all listed"

// MissingEnv is one use of an unset environment variable the plan needs.
type MissingEnv struct {
	Var  string
	Kind config.Kind
	Name string
	// Path is the field holding the reference.
	Path string
	Pos  config.Pos
}

// MissingEnvError is returned by Compute when variables the plan would send are unset. It names
// every variable and each field that needs it, never a value.
type MissingEnvError struct {
	Missing []MissingEnv
}

// Error names every missing variable and the fields that need it, never a value.
func (e *MissingEnvError) Error() string {
	var vars []string
	uses := map[string][]string{}
	for _, m := range e.Missing {
		if _, ok := uses[m.Var]; !ok {
			vars = append(vars, m.Var)
		}
		uses[m.Var] = append(uses[m.Var], fmt.Sprintf("%s %q %s at %s", m.Kind, m.Name, m.Path, m.Pos))
	}
	parts := make([]string, len(vars))
	for i, v := range vars {
		parts[i] = v + " (needed by " + strings.Join(uses[v], "; ") + ")"
	}
	noun := "variable is"
	if len(vars) > 1 {
		noun = "variables are"
	}
	return fmt.Sprintf("%d environment %s unset or empty but needed for secrets this plan would send: %s",
		len(vars), noun, strings.Join(parts, ", "))
}

// secretValue stands for a declared value holding ${env:…}: it is write-only, never compared,
// and never shown. It keeps the variable names, never a value.
type secretValue struct {
	vars []string
}

// secretLeaf is where a secret sits in a declared object.
type secretLeaf struct {
	path []string
	vars []string
}

// Compute compares the desired state with the live state and returns the plan. It fails when
// a reference cannot be resolved or an environment variable the plan needs is unset
// (*MissingEnvError).
func Compute(repo *config.Repo, live *Live, opts Options) (*Plan, error) {
	return compute(repo, live, opts, Rules)
}

func compute(repo *config.Repo, live *Live, opts Options, rules []Rule) (*Plan, error) {
	if repo == nil {
		return nil, errors.New("diff: no repository")
	}
	if live == nil {
		live = &Live{}
	}
	env := opts.Env
	if env == nil {
		env = os.LookupEnv
	}
	c := &computer{repo: repo, live: live, opts: opts,
		sourceCmp: newComparison(config.KindSource, rules), connectorCmp: newComparison(config.KindConnector, rules)}
	p := &Plan{FormatVersion: FormatVersion, Tenant: opts.Tenant, Environment: opts.Environment, RepoHash: repo.Hash,
		Changes: []Change{}, Violations: []Violation{}, Drift: opts.Drift, Lookups: live.Lookups, Warnings: warningsOf(repo)}
	if err := c.checkNames(); err != nil {
		return nil, err
	}
	c.plainCmp = map[config.Kind]*comparison{}
	for _, k := range config.PlainKinds() {
		c.plainCmp[k] = newComparison(k, rules)
	}
	// Sized at once for one change per declared object (changes are large structs); kinds
	// derived from another's fields (connector files) grow it.
	changes := make([]planned, 0, repo.Count())
	for _, kinds := range config.Levels() {
		for _, k := range kinds {
			var err error
			if changes, err = planners[k].plan(c, changes); err != nil {
				return nil, err
			}
		}
	}
	if opts.Drift {
		if live.Listed[config.KindSource] {
			changes = append(changes, c.unmanagedAll(p)...)
		} else {
			p.Notes = append(p.Notes, noteNoUnmanaged)
		}
	}
	p.Notes = append(p.Notes, c.notes...)
	if n := lookupNote(repo, live); n != "" {
		p.Notes = append(p.Notes, n)
	}

	// The order is found on indices and the changes copied once in it: a sort moving the
	// changes themselves (large structs) cost more than the comparisons.
	order := make([]int, len(changes))
	nviolations := 0
	for i := range order {
		order[i] = i
		nviolations += len(changes[i].violations)
	}
	slices.SortStableFunc(order, func(i, j int) int { return cmpChange(&changes[i].change, &changes[j].change) })
	p.Changes = make([]Change, 0, len(changes))
	p.Violations = make([]Violation, 0, nviolations)
	var missing []MissingEnv
	for _, i := range order {
		pl := &changes[i]
		p.Changes = append(p.Changes, pl.change)
		p.Violations = append(p.Violations, pl.violations...)
		p.Ignored = append(p.Ignored, pl.ignored...)
		for _, n := range pl.needs {
			if v, ok := env(n.Var); !ok || v == "" {
				missing = append(missing, n)
			}
		}
	}
	if len(missing) > 0 && !opts.AllowUnsetEnv {
		return nil, &MissingEnvError{Missing: missing}
	}
	if len(missing) > 0 {
		markUnset(p, missing)
	}
	p.Summary = summarize(p)
	return p, nil
}

// markUnset marks the fields whose secrets are not set and says so in a note, the warning every
// output shows: apply's error, followed by what it means for the plan.
func markUnset(p *Plan, missing []MissingEnv) {
	p.UnsetEnv = missing
	type key struct {
		kind       config.Kind
		name, path string
	}
	unset := map[key]bool{}
	for _, m := range missing {
		unset[key{m.Kind, m.Name, m.Path}] = true
	}
	for i := range p.Changes {
		c := &p.Changes[i]
		for j := range c.Fields {
			if f := &c.Fields[j]; f.Sensitive && unset[key{c.Kind, c.Name, f.Path}] {
				f.Unset, f.After = true, SensitiveUnset
			}
		}
	}
	p.Notes = append(p.Notes, UnsetEnvNote(missing))
}

// UnsetEnvNote is the plan's note on the secrets whose variables are not set.
func UnsetEnvNote(missing []MissingEnv) string {
	msg := (&MissingEnvError{Missing: missing}).Error()
	return "warning: " + msg + "; they show as " + SensitiveUnset + ", and apply refuses to run until they are set"
}

// parallel calls fn(0) … fn(n-1) on every core and returns when all have returned. fn only
// reads shared state and writes its own slot. A panic in fn is raised again on the caller's
// goroutine once all have returned: on a worker it would end the process with exit status 2,
// which CI reads as "changes", where main's recover makes it exit 1.
func parallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	var panicked atomic.Pointer[string]
	call := func(i int) {
		defer func() {
			if r := recover(); r != nil {
				msg := fmt.Sprintf("%v\n%s", r, debug.Stack())
				panicked.CompareAndSwap(nil, &msg)
			}
		}()
		fn(i)
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				call(i)
			}
		}()
	}
	wg.Wait()
	if msg := panicked.Load(); msg != nil {
		panic("on a worker goroutine: " + *msg)
	}
}

// planned is one change with what it brings to the plan.
type planned struct {
	change     Change
	violations []Violation
	// needs are the environment variables an apply of this change sends.
	needs []MissingEnv
	// ignored are the differences an ignore rule took out of the change.
	ignored []Ignored
}

type computer struct {
	repo *config.Repo
	live *Live
	opts Options
	// The rule table reduced to each kind compared, once per plan.
	sourceCmp, connectorCmp *comparison
	plainCmp                map[config.Kind]*comparison
	// notes are the planners' remarks for the plan (Plan.Notes), in level order.
	notes []string
}

// cmpChange orders the plan as apply runs it: by level, then (level 3) by owning source, then
// by name and kind.
func cmpChange(a, b *Change) int {
	if la, lb := config.Level(a.Kind), config.Level(b.Kind); la != lb {
		return cmp.Compare(la, lb)
	}
	if a.Source != b.Source {
		return strings.Compare(a.Source, b.Source)
	}
	if a.Name != b.Name {
		return strings.Compare(a.Name, b.Name)
	}
	return strings.Compare(string(a.Kind), string(b.Kind))
}

// resolve expands ${connector:…} references in a declared object and replaces every value
// holding ${env:…} with a secretValue. Secrets are recognised on the value as written, before any
// expansion, so that an escaped "$${env:X}" stays a literal.
func (c *computer) resolve(o *config.Object) (*value.Object, []secretLeaf, error) {
	var leaves []secretLeaf
	expandRef := func(r config.Ref) (string, error) {
		if r.Scheme != config.SchemeConnector {
			return "", fmt.Errorf("unexpected reference %s", r)
		}
		con := c.connectorByName(r.Name)
		if con == nil {
			return "", fmt.Errorf("%s: no Connector named %q is declared", r, r.Name)
		}
		if lv := c.live.Get(config.KindConnector, "", con.Name); lv != nil {
			return lv.String("scriptName"), nil
		}
		return PendingScriptName(con.Name), nil
	}
	// p is a stack shared by the whole walk; a leaf keeps a copy.
	var walk func(path []string, v any) (any, error)
	walk = func(p []string, v any) (any, error) {
		if !holdsRef(v) {
			// No reference, so neither a secret nor anything to expand: v shared with the
			// repository, not copied, as live values are shared with the tenant's objects.
			return v, nil
		}
		if _, isObj := v.(*value.Object); !isObj && config.IsSecret(v) {
			vars, err := envVars(v)
			if err != nil {
				return nil, err
			}
			leaves = append(leaves, secretLeaf{path: append([]string(nil), p...), vars: vars})
			return secretValue{vars: vars}, nil
		}
		switch t := v.(type) {
		case *value.Object:
			out := value.NewObjectSize(t.Len())
			for k, e := range t.All() {
				x, err := walk(append(p, k), e)
				if err != nil {
					return nil, err
				}
				out.Set(k, x)
			}
			return out, nil
		default:
			return config.ExpandValue(v, expandRef)
		}
	}
	if o.Fields != nil && !holdsRef(o.Fields) {
		return o.Fields, nil, nil
	}
	// Sized at once: every declared object is resolved, so growing key by key adds up.
	out := value.NewObjectSize(o.Fields.Len())
	path := make([]string, 1, 8)
	for k, v := range o.Fields.All() {
		path[0] = k
		x, err := walk(path, v)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %s %q field %s: %w", o.PosOf(k), o.Kind, o.Name, k, err)
		}
		out.Set(k, x)
	}
	return out, leaves, nil
}

// holdsRef reports whether a declared value holds "${" anywhere: a reference, or an escaped
// "$${" that expansion rewrites.
func holdsRef(v any) bool {
	switch t := v.(type) {
	case string:
		return strings.Contains(t, "${")
	case []any:
		for _, e := range t {
			if holdsRef(e) {
				return true
			}
		}
	case *value.Object:
		for _, e := range t.All() {
			if holdsRef(e) {
				return true
			}
		}
	}
	return false
}

// envVars lists the ${env:…} variables in v.
func envVars(v any) ([]string, error) {
	var vars []string
	var walk func(v any) error
	walk = func(v any) error {
		switch t := v.(type) {
		case string:
			refs, err := config.Refs(t)
			if err != nil {
				return err
			}
			for _, r := range refs {
				if r.Scheme == config.SchemeEnv {
					vars = append(vars, r.Name)
				}
			}
		case []any:
			for _, e := range t {
				if err := walk(e); err != nil {
					return err
				}
			}
		case *value.Object:
			for _, e := range t.All() {
				if err := walk(e); err != nil {
					return err
				}
			}
		}
		return nil
	}
	err := walk(v)
	return vars, err
}

func needsOf(o *config.Object, leaves []secretLeaf) []MissingEnv {
	var out []MissingEnv
	for _, l := range leaves {
		p := strings.Join(l.path, ".")
		for _, v := range l.vars {
			out = append(out, MissingEnv{Var: v, Kind: o.Kind, Name: o.Name, Path: p, Pos: o.PosOf(p)})
		}
	}
	return out
}

// createFields lists every declared field of an object to create: nested objects down to their
// leaves, lists whole, secrets as Sensitive.
func createFields(desired *value.Object) []Field {
	fields := []Field{}
	var walk func(prefix string, o *value.Object)
	walk = func(prefix string, o *value.Object) {
		for k, v := range o.All() {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			switch t := v.(type) {
			case secretValue:
				fields = append(fields, Field{Path: p, Before: Sensitive, After: Sensitive, Sensitive: true})
			case *value.Object:
				if t.Len() > 0 {
					walk(p, t)
					continue
				}
				fields = append(fields, Field{Path: p, After: t})
			default:
				fields = append(fields, Field{Path: p, After: v})
			}
		}
	}
	walk("", desired)
	return fields
}

// shown returns a desired value as it may be shown: secrets replaced by Sensitive.
func shown(v any) any {
	switch t := v.(type) {
	case secretValue:
		return Sensitive
	case *value.Object:
		out := value.NewObject()
		for k, e := range t.All() {
			out.Set(k, shown(e))
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = shown(e)
		}
		return out
	default:
		return v
	}
}

func getPath(o *value.Object, segs []string) (any, bool) {
	var cur any = o
	for _, s := range segs {
		obj, ok := cur.(*value.Object)
		if !ok {
			return nil, false
		}
		cur, ok = obj.Get(s)
		if !ok {
			return nil, false
		}
	}
	return cur, true
}

// declaredOrder maps every declared path (objects walked to their leaves) to its rank in the
// YAML, so that field changes are listed in the order the user wrote them.
func declaredOrder(desired *value.Object) map[string]int {
	order := map[string]int{}
	var walk func(prefix string, o *value.Object)
	walk = func(prefix string, o *value.Object) {
		for k, v := range o.All() {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			order[p] = len(order)
			if sub, ok := v.(*value.Object); ok {
				walk(p, sub)
			}
		}
	}
	walk("", desired)
	return order
}

// sortFields orders fields as desired declares them. With fewer than two fields there is
// nothing to order, and most changes have one: the declared order is not computed for them.
func sortFields(fields []Field, desired *value.Object) {
	if len(fields) < 2 {
		return
	}
	order := declaredOrder(desired)
	rank := func(p string) int {
		for q := p; q != ""; {
			if r, ok := order[q]; ok {
				return r
			}
			i := strings.LastIndexByte(q, '.')
			if i < 0 {
				break
			}
			q = q[:i]
		}
		return len(order)
	}
	sort.SliceStable(fields, func(i, j int) bool {
		ri, rj := rank(fields[i].Path), rank(fields[j].Path)
		if ri != rj {
			return ri < rj
		}
		return fields[i].Path < fields[j].Path
	})
}

// compare returns the declared fields of an existing object that differ from the live object.
//
// It is the comparison of the whole projections (cmpn.project(nil, desired, live, true) handed
// to diffPaths), done field by field: a top-level field whose values are already the same is
// neither projected nor handed to cmp, and cmp only sees the fields whose projections differ.
// Most declared fields of a plan are unchanged, so projecting only the differing ones saves
// most of the work.
func (c *computer) compare(cmpn *comparison, desired, live *value.Object) []Field {
	fields := []Field{}
	var dm, lm map[string]any
	var maps *projection
	defer func() {
		if maps != nil {
			clear(maps.desired)
			clear(maps.live)
			projectionMaps.Put(maps)
		}
	}()
	newMaps := func() {
		var ok bool
		if maps, ok = projectionMaps.Get().(*projection); !ok {
			maps = &projection{desired: map[string]any{}, live: map[string]any{}}
		}
		dm, lm = maps.desired, maps.live
	}
	path := make([]string, 1, 8)
	for k, v := range desired.All() {
		if cmpn.ignored(nil, k, true) {
			continue
		}
		if _, secret := v.(secretValue); secret {
			continue
		}
		lv, lok := live.Get(k)
		path[0] = k
		if lok && cmpn.same(path, v, lv) {
			continue
		}
		a, b, bok := cmpn.project(path, v, lv, lok)
		if dm == nil {
			newMaps()
		}
		dm[k] = a
		if bok {
			lm[k] = b
		}
	}
	for k, lv := range live.All() {
		if _, declared := desired.Get(k); declared || cmpn.ignored(nil, k, false) {
			continue
		}
		if dm == nil {
			newMaps()
		}
		lm[k] = value.ToPlain(lv)
	}
	if dm == nil {
		return fields
	}
	d, l, _ := cmpn.normalize(nil, dm, lm, true)
	dmn, _ := d.(map[string]any)
	lmn, _ := l.(map[string]any)
	for _, segs := range diffPaths(lmn, dmn) {
		before, _ := getPath(live, segs)
		after, _ := getPath(desired, segs)
		fields = append(fields, Field{Path: strings.Join(segs, "."), Before: before, After: shown(after)})
	}
	return fields
}

// projectionMaps hold the pairs of maps compare projects the differing fields into, reused
// because they are dropped once cmp has compared them (the fields shown are read from the objects).
var projectionMaps sync.Pool

// projection is the desired and live projections of an object's differing fields.
type projection struct {
	desired, live map[string]any
}

// immutableViolations marks the fields of o's update whose top-level field is immutable and
// returns a violation for each, at the YAML position of its value, with rule(top) as its rule.
func immutableViolations(o *config.Object, fields []Field, immutable map[string]bool, rule func(top string) string) []Violation {
	var vs []Violation
	for i := range fields {
		f := &fields[i]
		top, _, _ := strings.Cut(f.Path, ".")
		if f.Sensitive || !immutable[top] {
			continue
		}
		f.Immutable = true
		pos := o.PosOf(f.Path)
		vs = append(vs, Violation{Kind: o.Kind, Name: o.Name, Path: f.Path, File: pos.File, Line: pos.Line,
			Col: pos.Col, Live: f.Before, Desired: f.After, Rule: rule(top)})
	}
	return vs
}

func stringsToAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// leafPaths are the dotted paths of secret leaves.
func leafPaths(leaves []secretLeaf) []string {
	var out []string
	for _, l := range leaves {
		out = append(out, strings.Join(l.path, "."))
	}
	return out
}

// setMinus returns the elements of a not in b, in a's order.
func setMinus(a, b []string) []string {
	in := make(map[string]bool, len(b))
	for _, s := range b {
		in[s] = true
	}
	var out []string
	for _, s := range a {
		if !in[s] {
			out = append(out, s)
		}
	}
	return out
}

func summarize(p *Plan) Summary {
	var s Summary
	for _, c := range p.Changes {
		switch c.Action {
		case ActionCreate:
			s.Create++
		case ActionUpdate:
			s.Update++
		case ActionNoChange:
			s.NoChange++
		case ActionUnmanaged:
			s.Unmanaged++
		case ActionDelete:
			s.Delete++
		}
	}
	s.Violations = len(p.Violations)
	s.Ignored = len(p.Ignored)
	return s
}
