package diff

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/google/go-cmp/cmp"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

// Rule is one normalisation rule: a difference between the YAML and the tenant that is not a
// change. The rules are data (see Rules) so that each can be listed, documented and tested on its
// own.
type Rule struct {
	// Name identifies the rule in tests and documentation.
	Name string
	// Description says what the rule does and why the tenant makes it necessary.
	Description string
	// Kinds limits the rule to some kinds of object; nil means every kind.
	Kinds []config.Kind
	// Ignore, when set, reports whether the key of the object at parent (path segments; list
	// elements appear as "[i]") is left out of the comparison on both sides. declared tells
	// whether the YAML declares the key. parent is only valid during the call.
	Ignore func(parent []string, key string, declared bool) bool
	// IgnoreOf, when set, returns the Ignore of one kind: for a rule whose fields the kind
	// table gives per kind.
	IgnoreOf func(k config.Kind) func(parent []string, key string, declared bool) bool
	// Normalize, when set, rewrites the pair of projected values at path (plain values:
	// map[string]any, []any, json.Number, string, bool, nil) before they are compared. liveOK is
	// false when the live object lacks the key. path is only valid during the call.
	//
	// A Normalize must rewrite equal values alike (given equal desired and live values and
	// liveOK, it returns equal values and true) and treat the keys of a map independently:
	// Compare skips top-level fields whose values are already equal without projecting them.
	Normalize func(path []string, desired, live any, liveOK bool) (d, l any, lok bool)
}

func (r Rule) appliesTo(k config.Kind) bool {
	if len(r.Kinds) == 0 {
		return true
	}
	for _, x := range r.Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// serverManagedFields are the fields the tenant sets and a comparison ignores, and
// serverManagedKinds the kinds that have any: config's kind table decides which (not `id`,
// which is also immutable: a declared id that differs is a violation to show, not noise).
var serverManagedFields, serverManagedKinds = fieldsOfKinds(config.KindSpec.IgnoredInComparison)

// setLikeFields are the top-level list fields whose order carries no meaning, compared as sets
// (config's kind table says which and why). Lists inside connectorAttributes are compared in
// order: connectors read some of them in order (searchDNs are searched in the order given), and
// a reordering the user made on purpose must show.
var setLikeFields, setLikeKinds = fieldsOfKinds(func(s config.KindSpec) []string { return s.SetLike })

// fieldsOfKinds gathers one list of fields of every kind in the table, with the kinds that have
// any. A rule's functions do not see the kind, so the rule is limited to those kinds and checks
// the union: exact while no two kinds list different fields of the same name.
func fieldsOfKinds(list func(config.KindSpec) []string) (map[string]bool, []config.Kind) {
	fields := map[string]bool{}
	var ks []config.Kind
	for _, k := range config.AllKinds() {
		s, _ := config.KindInfo(k)
		if l := list(s); len(l) > 0 {
			ks = append(ks, k)
			maps.Copy(fields, setOf(l))
		}
	}
	return fields, ks
}

// setOf turns a list of fields into a set.
func setOf(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, f := range list {
		m[f] = true
	}
	return m
}

// fieldNames lists a set of fields for a rule's description, sorted.
func fieldNames(fields map[string]bool) string {
	names := make([]string, 0, len(fields))
	for f := range fields {
		names = append(names, f)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// tenantAttributeKeys lists config's table of the connectorAttributes keys the tenant writes,
// the runtime ones or the others, for a rule's description.
func tenantAttributeKeys(runtime bool) string {
	s, _ := config.KindInfo(config.KindSource)
	var keys []string
	for _, a := range s.TenantAttributes {
		if a.Runtime == runtime {
			keys = append(keys, a.Key)
		}
	}
	return strings.Join(keys, ", ")
}

// Rules is the normalisation table applied to every comparison, in order. Each rule has its own
// test proving that the plan changes without it.
var Rules = []Rule{
	{
		Name: "server-managed fields ignored",
		Description: fieldNames(serverManagedFields) + " are set by the tenant; they are " +
			"not compared even when a YAML file (say, one exported from the tenant) declares them.",
		Kinds: serverManagedKinds,
		IgnoreOf: func(k config.Kind) func([]string, string, bool) bool {
			s, _ := config.KindInfo(k)
			fields := setOf(s.IgnoredInComparison())
			return func(parent []string, key string, _ bool) bool { return len(parent) == 0 && fields[key] }
		},
	},
	{
		Name: "server-added connectorAttributes keys ignored unless declared",
		Description: "the tenant adds keys to connectorAttributes, runtime state it rewrites on every aggregation or health check (" +
			tenantAttributeKeys(true) + ") and ids it sets at creation (" + tenantAttributeKeys(false) + "); " +
			"only the keys the YAML declares are compared, at every depth of connectorAttributes.",
		Ignore: func(parent []string, _ string, declared bool) bool {
			return !declared && len(parent) > 0 && parent[0] == "connectorAttributes"
		},
	},
	{
		Name: "declared-only comparison",
		Description: "a field the YAML does not declare is not a change: undeclared live fields (accountCorrelationConfig, " +
			"schemas, …) and undeclared keys of nested objects (owner.name, …) are left out.",
		Ignore: func(parent []string, _ string, declared bool) bool {
			return !declared && (len(parent) == 0 || parent[0] != "connectorAttributes")
		},
	},
	{
		Name:        "null, [] and missing are equal for lists",
		Description: "the tenant omits empty lists or returns null for them; an empty declared list equals a null or missing one.",
		Normalize: func(_ []string, d, l any, lok bool) (any, any, bool) {
			_, dl := d.([]any)
			_, ll := l.([]any)
			if !dl && !ll {
				return d, l, lok
			}
			if emptyList(d) && (!lok || emptyList(l)) {
				return []any{}, []any{}, true
			}
			return d, l, lok
		},
	},
	{
		Name: "null and missing are equal",
		Description: "a declared null (export writes the tenant's deleteThreshold: null, managementWorkgroup: null, …) equals a " +
			"field the tenant leaves out: both are no value, so neither is a change.",
		Normalize: func(_ []string, d, l any, lok bool) (any, any, bool) {
			if d == nil && !lok {
				return nil, nil, true
			}
			return d, l, lok
		},
	},
	{
		Name: "set-like lists compared without order",
		Description: fieldNames(setLikeFields) + " are sets: the tenant returns them in its own order. " +
			"Lists inside connectorAttributes keep their order.",
		Kinds: setLikeKinds,
		Normalize: func(path []string, d, l any, lok bool) (any, any, bool) {
			if len(path) != 1 || !setLikeFields[path[0]] {
				return d, l, lok
			}
			return sortedList(d), sortedList(l), lok
		},
	},
	{
		Name: "XML compared as XML",
		Description: "a connector bundle's XML (sourceConfig, sourceTemplate, correlationConfig) is compared as XML: white space " +
			"between elements and around text, attribute order, `<a></a>` against `<a/>`, entity spellings and the XML declaration " +
			"are not changes (the tenant re-serialises what it stores).",
		Kinds:     []config.Kind{config.KindConnector},
		Normalize: normaliseXML,
	},
	{
		Name: "translations compared by key",
		Description: "a connector's translations are compared as the key → value pairs they define: comments, blank lines, " +
			"order, separators (=, :, space) and escapes are not changes.",
		Kinds:     []config.Kind{config.KindConnector},
		Normalize: normaliseProperties,
	},
	{
		Name:        "numbers by value",
		Description: "numbers are compared by value: 10, 10.0 and 1e1 are equal (the YAML keeps the text written, the tenant its own).",
		Normalize: func(_ []string, d, l any, lok bool) (any, any, bool) {
			return canonicalNumbers(d), canonicalNumbers(l), lok
		},
	},
}

func emptyList(v any) bool {
	if v == nil {
		return true
	}
	l, ok := v.([]any)
	return ok && len(l) == 0
}

// sortedList returns a copy of a list sorted by each element's canonical JSON; other values are
// returned unchanged.
func sortedList(v any) any {
	l, ok := v.([]any)
	if !ok {
		return v
	}
	type keyed struct {
		key string
		v   any
	}
	ks := make([]keyed, len(l))
	for i, e := range l {
		ks[i] = keyed{key: string(canonicalJSON(e)), v: e}
	}
	sort.SliceStable(ks, func(i, j int) bool { return ks[i].key < ks[j].key })
	out := make([]any, len(l))
	for i, k := range ks {
		out[i] = k.v
	}
	return out
}

// canonicalNumbers rewrites every json.Number in a plain value to one spelling per value.
// The rule runs at every level of a projection, so a list or map whose numbers are already
// canonical is returned as it is rather than copied (copying made the rule quadratic in the
// depth); a nil list or map still becomes an empty one, as a copy did.
func canonicalNumbers(v any) any {
	out, _ := canonicalNumbersChanged(v)
	return out
}

// canonicalNumbersChanged is canonicalNumbers, also reporting whether the result differs from v.
func canonicalNumbersChanged(v any) (any, bool) {
	switch t := v.(type) {
	case json.Number:
		if plainInteger(string(t)) {
			// Already the canonical spelling; parsing it as a big.Rat was most of the rule's cost.
			return t, false
		}
		r, ok := new(big.Rat).SetString(string(t))
		if !ok {
			return t, false
		}
		c := json.Number(r.RatString())
		return c, c != t
	case []any:
		if t == nil {
			return []any{}, true
		}
		var out []any
		for i, e := range t {
			c, changed := canonicalNumbersChanged(e)
			if changed && out == nil {
				out = make([]any, len(t))
				copy(out, t[:i])
			}
			if out != nil {
				out[i] = c
			}
		}
		if out == nil {
			return t, false
		}
		return out, true
	case map[string]any:
		if t == nil {
			return map[string]any{}, true
		}
		var changes map[string]any
		for k, e := range t {
			if c, changed := canonicalNumbersChanged(e); changed {
				if changes == nil {
					changes = map[string]any{}
				}
				changes[k] = c
			}
		}
		if changes == nil {
			return t, false
		}
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = e
		}
		for k, c := range changes {
			out[k] = c
		}
		return out, true
	default:
		return v, false
	}
}

// plainInteger reports whether s is an integer as big.Rat.RatString writes it: an optional
// minus and digits without leading zeros ("0", "25", "-3"; not "-0", "007" or "1e3").
func plainInteger(s string) bool {
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || (digits[0] == '0' && (len(digits) > 1 || len(s) > 1)) {
		return false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return false
		}
	}
	return true
}

// comparison holds one desired/live comparison under a rule table, reduced to the rules that
// apply to its kind: a plan compares thousands of objects of two kinds, so the table is
// filtered once per kind rather than for every field.
type comparison struct {
	ignores    []func(parent []string, key string, declared bool) bool
	normalizes []func(path []string, desired, live any, liveOK bool) (d, l any, lok bool)
}

func newComparison(kind config.Kind, rules []Rule) *comparison {
	c := &comparison{}
	for _, r := range rules {
		if !r.appliesTo(kind) {
			continue
		}
		if r.Ignore != nil {
			c.ignores = append(c.ignores, r.Ignore)
		}
		if r.IgnoreOf != nil {
			c.ignores = append(c.ignores, r.IgnoreOf(kind))
		}
		if r.Normalize != nil {
			c.normalizes = append(c.normalizes, r.Normalize)
		}
	}
	return c
}

func (c *comparison) ignored(parent []string, key string, declared bool) bool {
	for _, ig := range c.ignores {
		if ig(parent, key, declared) {
			return true
		}
	}
	return false
}

func (c *comparison) normalize(path []string, d, l any, lok bool) (any, any, bool) {
	for _, n := range c.normalizes {
		d, l, lok = n(path, d, l, lok)
	}
	return d, l, lok
}

// project turns a desired value (resolved, secrets as secretValue) and the live value at the same
// path into plain values ready for cmp, applying the rule table. Secrets are left out of both
// sides: they are write-only and handled apart.
//
// path is a stack: children append their segment in place, so its backing array is shared and
// overwritten by siblings (a fresh slice per field was a third of projection's allocations).
func (c *comparison) project(path []string, d, l any, lok bool) (any, any, bool) {
	var dp, lp any
	lpok := lok
	switch dv := d.(type) {
	case *value.Object:
		lo, isObj := l.(*value.Object)
		dm := make(map[string]any, dv.Len())
		var lm map[string]any
		if lok && isObj {
			lm = make(map[string]any, lo.Len())
		}
		for k, v := range dv.All() {
			if c.ignored(path, k, true) {
				continue
			}
			if _, secret := v.(secretValue); secret {
				continue
			}
			var lv any
			var lvok bool
			if lm != nil {
				lv, lvok = lo.Get(k)
			}
			a, b, bok := c.project(append(path, k), v, lv, lvok)
			dm[k] = a
			if lm != nil && bok {
				lm[k] = b
			}
		}
		if lm != nil {
			for k, lv := range lo.All() {
				if _, declared := dv.Get(k); declared || c.ignored(path, k, false) {
					continue
				}
				lm[k] = value.ToPlain(lv)
			}
			dp, lp = dm, lm
		} else {
			dp, lp = dm, value.ToPlain(l)
		}
	case []any:
		ll, isList := l.([]any)
		if lok && isList && len(ll) == len(dv) {
			// Element by element, so that undeclared keys of objects inside lists are left out too.
			dl := make([]any, len(dv))
			pl := make([]any, len(dv))
			for i := range dv {
				a, b, _ := c.project(append(path, indexSegment(i)), dv[i], ll[i], true)
				dl[i], pl[i] = a, b
			}
			dp, lp = dl, pl
		} else {
			dp, lp = value.ToPlain(dv), value.ToPlain(l)
		}
	default:
		dp, lp = value.ToPlain(d), value.ToPlain(l)
	}
	return c.normalize(path, dp, lp, lpok)
}

// indexSegments are the path segments of the first list indices, spelled once.
var indexSegments = func() []string {
	out := make([]string, 64)
	for i := range out {
		out[i] = "[" + strconv.Itoa(i) + "]"
	}
	return out
}()

// indexSegment is the path segment of list element i: "[i]".
func indexSegment(i int) string {
	if i < len(indexSegments) {
		return indexSegments[i]
	}
	return "[" + strconv.Itoa(i) + "]"
}

// same reports whether the desired value d and the live value l at path project to equal
// values, without projecting them: same types, numbers as written, and objects with the same
// compared keys (declared keys the rules ignore left out on both sides, live keys the rules
// ignore allowed on the live side). Equal values project to equal values (see Rule.Normalize),
// so such a field cannot differ. A secret or any other type is reported not the same, leaving
// the decision to the projection.
func (c *comparison) same(path []string, d, l any) bool {
	switch x := d.(type) {
	case nil:
		return l == nil
	case string:
		y, ok := l.(string)
		return ok && x == y
	case json.Number:
		y, ok := l.(json.Number)
		return ok && x == y
	case bool:
		y, ok := l.(bool)
		return ok && x == y
	case *value.Object:
		y, ok := l.(*value.Object)
		if !ok || x == nil || y == nil {
			return false
		}
		for k, xv := range x.All() {
			if c.ignored(path, k, true) {
				continue
			}
			yv, ok := y.Get(k)
			if !ok || !c.same(append(path, k), xv, yv) {
				return false
			}
		}
		for k := range y.All() {
			if _, declared := x.Get(k); !declared && !c.ignored(path, k, false) {
				return false
			}
		}
		return true
	case []any:
		y, ok := l.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !c.same(append(path, indexSegment(i)), x[i], y[i]) {
				return false
			}
		}
		return true
	default:
		return false
	}
}

// diffPaths compares the projections and returns the paths of the differing values. A difference
// inside a list is reported at the list: a reviewer wants "features: [a b] → [a c]", not index
// noise.
func diffPaths(live, desired map[string]any) [][]string {
	if live != nil && desired != nil {
		// cmp walks by reflection, half of a source's comparison; most fields are equal, so cmp
		// gets only the top-level fields that are not plainly equal. Its paths are the same:
		// each starts at a top-level key and cmp visits the keys in sorted order either way.
		equal := 0
		for k, lv := range live {
			if dv, ok := desired[k]; ok && plainEqual(lv, dv) {
				equal++
			}
		}
		if equal == len(live) && equal == len(desired) {
			return nil
		}
		if equal > 0 {
			// Copied only when something is left out: compare hands over only the fields it
			// found to differ, nearly always all differing still.
			lm, dm := map[string]any{}, map[string]any{}
			for k, lv := range live {
				if dv, ok := desired[k]; !ok || !plainEqual(lv, dv) {
					lm[k] = lv
					if ok {
						dm[k] = dv
					}
				}
			}
			for k, dv := range desired {
				if _, ok := live[k]; !ok {
					dm[k] = dv
				}
			}
			live, desired = lm, dm
		}
	}
	return cmpPaths(live, desired)
}

// cmpPaths has go-cmp compare the projections and returns the paths its Reporter saw differ.
func cmpPaths(live, desired map[string]any) [][]string {
	r, ok := pathReporters.Get().(*pathReporter)
	if !ok {
		r = newPathReporter()
	}
	cmp.Equal(live, desired, r.option)
	paths := r.paths
	r.paths = nil
	clear(r.seen)
	r.steps = r.steps[:0]
	pathReporters.Put(r)
	return paths
}

// pathReporters are reused across comparisons with their cmp option: a reporter, its map, its
// path stack and the option wrapping it were a tenth of a source's comparison.
var pathReporters = sync.Pool{New: func() any { return newPathReporter() }}

func newPathReporter() *pathReporter {
	r := &pathReporter{seen: map[string]bool{}}
	r.option = cmp.Reporter(r)
	return r
}

// plainEqual reports whether a and b are equal as cmp.Equal sees them (nil maps and slices
// differ from empty ones), for the plain values a projection holds. Any other type is reported
// unequal, which only leaves the decision to cmp.
func plainEqual(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case json.Number:
		y, ok := b.(json.Number)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || (x == nil) != (y == nil) || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !plainEqual(xv, yv) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || (x == nil) != (y == nil) || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !plainEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	default:
		return false
	}
}

// pathReporter is a cmp.Reporter collecting the path of every differing leaf.
type pathReporter struct {
	steps cmp.Path
	paths [][]string
	seen  map[string]bool
	// option is cmp.Reporter(r), made once.
	option cmp.Option
	// key is scratch for the key of a path in seen.
	key []byte
}

// PushStep enters a step of cmp's walk.
func (r *pathReporter) PushStep(ps cmp.PathStep) { r.steps = append(r.steps, ps) }

// PopStep leaves the step entered last.
func (r *pathReporter) PopStep() { r.steps = r.steps[:len(r.steps)-1] }

// Report records the path of a difference cmp found.
func (r *pathReporter) Report(rs cmp.Result) {
	if rs.Equal() {
		return
	}
	var segs []string
steps:
	for _, st := range r.steps {
		switch s := st.(type) {
		case cmp.MapIndex:
			k := s.Key()
			if k.Kind() == reflect.String {
				segs = append(segs, k.String())
			} else {
				segs = append(segs, fmt.Sprint(k.Interface()))
			}
		case cmp.SliceIndex:
			break steps
		}
	}
	if len(segs) == 0 {
		return
	}
	r.key = r.key[:0]
	for i, sg := range segs {
		if i > 0 {
			r.key = append(r.key, 0)
		}
		r.key = append(r.key, sg...)
	}
	if r.seen[string(r.key)] {
		return
	}
	r.seen[string(r.key)] = true
	r.paths = append(r.paths, segs)
}
