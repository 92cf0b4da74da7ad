package diff

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sailsync/sailsync/config"
	"github.com/sailsync/sailsync/value"
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

// Rule texts carried by violations.
const (
	ruleImmutable   = "immutable: PUT /v3/sources/{id} rejects changes to %s (400)"
	ruleNoConnector = "POST /v3/sources refuses a connector the tenant does not have (400): name a connector of the tenant, " +
		"or declare it as a Connector and write ${connector:NAME}"
	ruleEmptySchema = "POST /v3/sources/{id}/schemas/entitlements reads the attributes from the template's header row and " +
		"refuses an empty one (400): declare the schema's attributes, or leave it as the tenant has it"
)

// PendingScriptName stands for the scriptName of a declared connector that the tenant does
// not have yet: the tenant chooses it on create by an undocumented rule, so a plan cannot
// know it; apply uses the one the create returns.
func PendingScriptName(connector string) string {
	return fmt.Sprintf("(scriptName of Connector %q, known after create)", connector)
}

// immutableSourceFields are the fields PUT /v3/sources/{id} refuses to change (400), from
// config's kind table.
var immutableSourceFields = func() map[string]bool {
	s, _ := config.KindInfo(config.KindSource)
	return setOf(s.Immutable)
}()

const noteConnectorFiles = "connector files already listed on a source are not re-uploaded: the tenant cannot return their contents to compare"

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
	nplain := 0
	for _, k := range config.PlainKinds() {
		c.plainCmp[k] = newComparison(k, rules)
		nplain += len(repo.Plain(k))
	}

	nfiles := 0
	for _, src := range repo.Sources {
		nfiles += len(src.ConnectorFiles)
	}
	// Sized at once: one change per declared object, and changes are large structs.
	changes := make([]planned, 0, len(repo.Connectors)+nplain+len(repo.Sources)+len(repo.Schemas)+nfiles)
	for _, con := range repo.Connectors {
		pl, err := c.connector(con)
		if err != nil {
			return nil, err
		}
		changes = append(changes, pl)
	}
	for _, k := range config.PlainKinds() {
		for _, o := range repo.Plain(k) {
			pl, err := c.plain(o)
			if err != nil {
				return nil, err
			}
			changes = append(changes, pl)
		}
	}
	// Sources are independent of one another and most of the work (a second of CPU for 10,000):
	// compared on every core, each into its own slot of changes, so the plan is the sequential
	// loop's and the error returned is the first one in repository order.
	srcPlans := changes[len(changes) : len(changes)+len(repo.Sources)]
	srcErrs := make([]error, len(repo.Sources))
	parallel(len(repo.Sources), func(i int) { srcPlans[i], srcErrs[i] = c.source(repo.Sources[i]) })
	for _, err := range srcErrs {
		if err != nil {
			return nil, err
		}
	}
	changes = changes[:len(changes)+len(srcPlans)]
	schemaPlans := changes[len(changes) : len(changes)+len(repo.Schemas)]
	parallel(len(repo.Schemas), func(i int) { schemaPlans[i] = c.schema(repo.Schemas[i]) })
	changes = changes[:len(changes)+len(schemaPlans)]
	listedFile := false
	for _, src := range repo.Sources {
		for _, f := range src.ConnectorFiles {
			pl := c.connectorFile(src, f)
			listedFile = listedFile || pl.change.Action == ActionNoChange
			changes = append(changes, pl)
		}
	}
	if opts.Drift {
		if live.AllSourcesListed {
			changes = append(changes, c.unmanagedAll(p)...)
		} else {
			p.Notes = append(p.Notes, noteNoUnmanaged)
		}
	}
	if listedFile {
		p.Notes = append(p.Notes, noteConnectorFiles)
	}
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
}

// level is k's dependency level in config's kind table.
func level(k config.Kind) int { return config.Level(k) }

// cmpChange orders the plan as apply runs it: by level, then (level 3) by owning source, then
// by name and kind.
func cmpChange(a, b *Change) int {
	if la, lb := level(a.Kind), level(b.Kind); la != lb {
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

func (c *computer) connectorByName(name string) *config.Connector {
	for _, con := range c.repo.Connectors {
		if con.Name == name {
			return con
		}
	}
	return nil
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
		if lv := c.live.Connectors[con.Name]; lv != nil {
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

func (c *computer) connector(con *config.Connector) (planned, error) {
	if con.Absent {
		return c.tombstone(&con.Object, ""), nil
	}
	desired, leaves, err := c.resolve(&con.Object)
	if err != nil {
		return planned{}, err
	}
	ch := Change{Kind: config.KindConnector, Name: con.Name, File: con.Doc.File, Line: con.Doc.Line}
	lv := c.live.Connectors[con.Name]
	bl := lv
	if b := c.live.Bundles[con.Name]; b != nil && lv != nil {
		bl = b // the bundle as the documented endpoints confirmed it; lv stays the fingerprinted detail
	}
	bundleFields, bundleReqs := c.bundle(con, bl)
	if lv == nil {
		ch.Action = ActionCreate
		ch.Fields = append(createFields(desired), bundleFields...)
		body := con.Fields.Clone()
		// The tenant chooses the scriptName: the create body has no such field.
		body.Delete("scriptName")
		ch.Op = &Operation{Body: body, Secrets: leafPaths(leaves), Pin: con.PinnedScriptName, Bundle: bundleReqs}
		return planned{change: ch, needs: needsOf(&con.Object, leaves)}, nil
	}
	ch.LiveID = lv.String("scriptName")
	fp := FingerprintOf(lv)
	ch.Fingerprint = &fp
	// Secrets of an existing connector are not compared: with no update endpoint nothing could
	// be sent for them.
	ch.Fields = c.compare(c.connectorCmp, desired, lv)
	sortFields(ch.Fields, desired)
	var ign []Ignored
	ch.Fields, ign = ignoreFields(c.repo.Settings.Ignore, config.KindConnector, con.Name, "", ch.Fields)
	var vs []Violation
	for i := range ch.Fields {
		f := &ch.Fields[i]
		f.Immutable = true
		pos := con.PosOf(f.Path)
		top, _, _ := strings.Cut(f.Path, ".")
		vs = append(vs, Violation{Kind: config.KindConnector, Name: con.Name, Path: f.Path, File: pos.File, Line: pos.Line,
			Col: pos.Col, Live: f.Before, Desired: f.After, Rule: ruleConnectorField(top)})
	}
	// The bundle is what the tenant lets change: its parts are updates, with requests of their own.
	ch.Fields = append(ch.Fields, bundleFields...)
	switch {
	case len(vs) > 0:
		ch.Action = ActionViolation
		return planned{change: ch, violations: vs, ignored: ign}, nil
	case len(bundleReqs) > 0:
		ch.Action = ActionUpdate
		ch.Op = &Operation{Bundle: bundleReqs}
	default:
		ch.Action = ActionNoChange
	}
	return planned{change: ch, ignored: ign}, nil
}

func (c *computer) source(src *config.Source) (planned, error) {
	if src.Absent {
		return c.tombstone(&src.Object, ""), nil
	}
	src = c.bindNames(src)
	desired, leaves, err := c.resolve(&src.Object)
	if err != nil {
		return planned{}, err
	}
	ch := Change{Kind: config.KindSource, Name: src.Name, File: src.Doc.File, Line: src.Doc.Line}
	lv := c.live.Sources[src.Name]
	if lv == nil {
		ch.Action = ActionCreate
		ch.Fields = createFields(desired)
		if conn := desired.String("connector"); c.live.MissingConnectors[conn] {
			// What POST would refuse is reported here, at the field, instead of as a 400 in
			// apply that also skips the source's schemas and files.
			ch.Action = ActionViolation
			pos := src.PosOf("connector")
			v := Violation{Kind: config.KindSource, Name: src.Name, Path: "connector", File: pos.File, Line: pos.Line,
				Col: pos.Col, Live: "(no such connector)", Desired: conn, Rule: ruleNoConnector}
			return planned{change: ch, violations: []Violation{v}}, nil
		}
		ch.Op = &Operation{Deps: c.sourceDeps(src), Body: src.Fields, Secrets: leafPaths(leaves)}
		return planned{change: ch, needs: needsOf(&src.Object, leaves)}, nil
	}
	ch.LiveID = lv.String("id")
	fp := FingerprintOf(lv)
	ch.Fingerprint = &fp
	desired, leaves = cipherLiterals(desired, leaves, lv)
	ch.Fields = c.compare(c.sourceCmp, desired, lv)
	var sent []secretLeaf
	for _, l := range leaves {
		_, present := getPath(lv, l.path)
		if present && !c.opts.RotateSecrets {
			continue
		}
		sent = append(sent, l)
		ch.Fields = append(ch.Fields, Field{Path: strings.Join(l.path, "."), Before: Sensitive, After: Sensitive, Sensitive: true})
	}
	sortFields(ch.Fields, desired)
	var ign []Ignored
	ch.Fields, ign = ignoreFields(c.repo.Settings.Ignore, config.KindSource, src.Name, "", ch.Fields)
	sent = leavesNotIgnored(sent, ign)
	for i := range ch.Fields {
		// Where the changed value is written, so that an annotation lands on it.
		ch.Fields[i].Line = src.PosOf(ch.Fields[i].Path).Line
	}

	vs := immutableViolations(&src.Object, ch.Fields, immutableSourceFields, func(top string) string { return fmt.Sprintf(ruleImmutable, top) })
	switch {
	case len(vs) > 0:
		// Never a delete-and-recreate: the user must decide what to do with the live source.
		ch.Action = ActionViolation
		return planned{change: ch, violations: vs, ignored: ign}, nil
	case len(ch.Fields) > 0:
		ch.Action = ActionUpdate
		// An ignored field is not in the body, so apply keeps the tenant's value.
		ch.Op = &Operation{Deps: c.sourceDeps(src), Body: withoutIgnored(src.Fields, lv, ign), Secrets: leafPaths(sent)}
	default:
		ch.Action = ActionNoChange
	}
	return planned{change: ch, needs: needsOf(&src.Object, sent), ignored: ign}, nil
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

// liveAttributeNames lists the attributes[].name of a live schema, in its order.
func liveAttributeNames(schema *value.Object) []string {
	v, _ := schema.Get("attributes")
	list, _ := v.([]any)
	names := make([]string, 0, len(list))
	for _, e := range list {
		if o, ok := e.(*value.Object); ok {
			if n := o.String("name"); n != "" {
				names = append(names, n)
			}
		}
	}
	return names
}

func stringsToAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func (c *computer) schema(s *config.EntitlementSchema) planned {
	if s.Absent {
		return c.tombstone(&s.Object, s.Source)
	}
	ch := Change{Kind: config.KindEntitlementSchema, Name: s.Name, Source: s.Source, File: s.Doc.File, Line: s.Doc.Line}
	declared := stringsToAny(s.Attributes)
	var ls *value.Object
	if c.live.Sources[s.Source] != nil {
		ls = c.live.Schemas[s.Source][s.Name]
	}
	if ls == nil {
		ch.Action = ActionCreate
		ch.Fields = []Field{{Path: "attributes", After: declared}}
		if len(s.Attributes) == 0 {
			return emptySchema(s, ch, "(no such schema)")
		}
		ch.Op = schemaUpload(s)
		return planned{change: ch}
	}
	ch.LiveID = ls.String("id")
	fp := FingerprintOf(ls)
	ch.Fingerprint = &fp
	liveNames := liveAttributeNames(ls)
	// The template's column order means nothing to the tenant: compare the names as sets.
	added := setMinus(s.Attributes, liveNames)
	removed := setMinus(liveNames, s.Attributes)
	if len(added) == 0 && len(removed) == 0 {
		ch.Action = ActionNoChange
		ch.Fields = []Field{}
		return planned{change: ch}
	}
	ch.Action = ActionUpdate
	// The attributes are declared by the list or by the template's path: either line is where
	// the change is made.
	where := "attributes"
	if s.Template != nil {
		where = "template"
	}
	ch.Fields = []Field{{Path: "attributes", Before: stringsToAny(liveNames), After: declared, Line: s.PosOf(where).Line}}
	var ign []Ignored
	if ch.Fields, ign = ignoreFields(c.repo.Settings.Ignore, config.KindEntitlementSchema, s.Name, s.Source, ch.Fields); len(ch.Fields) == 0 {
		ch.Action = ActionNoChange
		return planned{change: ch, ignored: ign}
	}
	var notes []string
	if len(added) > 0 {
		notes = append(notes, "adds "+strings.Join(added, ", "))
	}
	if len(removed) > 0 {
		notes = append(notes, "removes "+strings.Join(removed, ", "))
	}
	ch.Note = "re-upload: " + strings.Join(notes, "; ")
	if len(s.Attributes) == 0 {
		return emptySchema(s, ch, stringsToAny(liveNames))
	}
	ch.Op = schemaUpload(s)
	return planned{change: ch}
}

// emptySchema is the violation of an upload without attributes: a tenant holds such a schema
// (export writes `attributes: []`), but the upload, a template's header row, cannot make one.
func emptySchema(s *config.EntitlementSchema, ch Change, live any) planned {
	ch.Action, ch.Op = ActionViolation, nil
	ch.Fields[0].Immutable = true
	pos := s.PosOf("attributes")
	v := Violation{Kind: config.KindEntitlementSchema, Name: s.Name, Path: "attributes", File: pos.File, Line: pos.Line, Col: pos.Col,
		Live: live, Desired: []any{}, Rule: ruleEmptySchema}
	return planned{change: ch, violations: []Violation{v}}
}

// schemaUpload is the operation that uploads a schema: its template as written, or a header
// row rendered from its attributes.
func schemaUpload(s *config.EntitlementSchema) *Operation {
	up := &Upload{Name: s.Name + ".csv", Content: TemplateCSV(s.Attributes)}
	if s.Template != nil {
		up = &Upload{Name: path.Base(filepath.ToSlash(s.Template.Path)), Content: string(s.TemplateData)}
	}
	return &Operation{Deps: []string{Change{Kind: config.KindSource, Name: s.Source}.Key()}, Upload: up}
}

// TemplateCSV renders the header row of an entitlement schema template from attribute names,
// quoting names as CSV requires.
func TemplateCSV(attrs []string) string {
	quoted := make([]string, len(attrs))
	for i, n := range attrs {
		if strings.ContainsAny(n, ",\"\r\n") {
			n = `"` + strings.ReplaceAll(n, `"`, `""`) + `"`
		}
		quoted[i] = n
	}
	return strings.Join(quoted, ",") + "\n"
}

// sourceDeps are the keys of the connectors a source names with ${connector:…}.
func (c *computer) sourceDeps(src *config.Source) []string {
	v, _ := src.Fields.Get("connector")
	s, _ := v.(string)
	refs, _ := config.Refs(s)
	var keys []string
	for _, r := range refs {
		if r.Scheme == config.SchemeConnector {
			keys = append(keys, Change{Kind: config.KindConnector, Name: r.Name}.Key())
		}
	}
	return keys
}

// cipherLiterals makes a secret of every literal connectorAttributes value whose live value is
// cipher text: the tenant stores it encrypted, so it cannot be compared as text (every plan would
// show the literal beside the cipher text) and, like an ${env:…} value, it is sent only with
// --rotate-secrets. desired is copied, not changed: it may share the repository's objects.
func cipherLiterals(desired *value.Object, leaves []secretLeaf, live *value.Object) (*value.Object, []secretLeaf) {
	attrs, lattrs := desired.Object("connectorAttributes"), live.Object("connectorAttributes")
	var out *value.Object
	for k, v := range attrs.All() {
		if _, ok := v.(string); !ok || !config.IsCipherText(lattrs.String(k)) {
			continue
		}
		if out == nil {
			out = attrs.Clone()
		}
		out.Set(k, secretValue{})
		leaves = append(leaves, secretLeaf{path: []string{"connectorAttributes", k}})
	}
	if out == nil {
		return desired, leaves
	}
	d := value.NewObjectSize(desired.Len())
	for k, v := range desired.All() {
		if k == "connectorAttributes" {
			v = out
		}
		d.Set(k, v)
	}
	return d, leaves
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

// listedConnectorFiles returns the base names in a live source's connectorAttributes.connector_files,
// which the tenant keeps as a comma-separated string (a list is accepted too).
func listedConnectorFiles(src *value.Object) map[string]bool {
	out := map[string]bool{}
	v, _ := src.Path("connectorAttributes.connector_files")
	for _, n := range value.StringList(v) {
		out[path.Base(filepath.ToSlash(n))] = true
	}
	return out
}

func (c *computer) connectorFile(src *config.Source, f config.File) planned {
	base := path.Base(filepath.ToSlash(f.Rel))
	ch := Change{Kind: config.KindConnectorFile, Name: base, Source: src.Name, File: f.Pos.File, Line: f.Pos.Line, Fields: []Field{}}
	lv := c.live.Sources[src.Name]
	if lv != nil && listedConnectorFiles(lv)[base] {
		ch.Action = ActionNoChange
		return planned{change: ch}
	}
	ch.Action = ActionCreate
	ch.Fields = []Field{{Path: "file", After: f.Rel}}
	ch.Op = &Operation{Deps: []string{Change{Kind: config.KindSource, Name: src.Name}.Key()}, Upload: &Upload{Name: base, Path: f.Root}}
	return planned{change: ch}
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
