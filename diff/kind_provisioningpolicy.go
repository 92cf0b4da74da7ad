package diff

import (
	"fmt"
	"slices"
	"sort"
	"strconv"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

func init() {
	registerPlanner(config.KindProvisioningPolicy, kindPlanner{
		plan: func(c *computer, out []planned) ([]planned, error) {
			for _, p := range c.repo.Policies() {
				pl, err := c.policy(p)
				if err != nil {
					return nil, err
				}
				out = append(out, pl)
			}
			return out, nil
		},
		live: func(c *computer, o *config.Object, source string) *value.Object {
			if c.live.Get(config.KindSource, "", source) == nil {
				return nil
			}
			return c.live.Get(config.KindProvisioningPolicy, source, o.Name)
		},
		unmanaged: (*computer).policiesUnmanaged,
	})
}

// policy plans a provisioning policy: a create (POST) of the declared fields, or a replace (PUT
// …/{usageType}) when the tenant's differs, its form's fields compared as a list in order.
func (c *computer) policy(p *config.ProvisioningPolicy) (planned, error) {
	if p.Absent {
		return c.tombstone(&p.Object, p.Source), nil
	}
	desired, _, err := c.resolve(&p.Object)
	if err != nil {
		return planned{}, err
	}
	ch := Change{Kind: config.KindProvisioningPolicy, Name: p.Name, Source: p.Source, File: p.Doc.File, Line: p.Doc.Line}
	if vs := c.policyRefs(p, desired); len(vs) > 0 {
		ch.Action, ch.Fields = ActionViolation, []Field{}
		return planned{change: ch, violations: vs}, nil
	}
	deps := []string{Change{Kind: config.KindSource, Name: p.Source}.Key()}
	var lv *value.Object
	if c.live.Get(config.KindSource, "", p.Source) != nil {
		lv = c.live.Get(config.KindProvisioningPolicy, p.Source, p.Name)
	}
	if lv == nil {
		ch.Action = ActionCreate
		ch.Fields = createFields(desired)
		ch.Op = &Operation{Body: p.Fields, Deps: deps}
		return planned{change: ch}, nil
	}
	ch.LiveID = p.Name
	fp := FingerprintOf(lv)
	ch.Fingerprint = &fp
	ch.Fields = policyFields(p, desired, lv)
	var ign []Ignored
	ch.Fields, ign = ignoreFields(c.repo.Settings.Ignore, config.KindProvisioningPolicy, p.Name, p.Source, ch.Fields)
	if len(ch.Fields) == 0 {
		ch.Action = ActionNoChange
		return planned{change: ch, ignored: ign}, nil
	}
	ch.Action = ActionUpdate
	ch.Op = &Operation{Body: p.Fields, Deps: deps}
	return planned{change: ch, ignored: ign}, nil
}

// policyFields compares a declared policy with the tenant's: its top-level fields as stored,
// and its form's fields as a list in order by name, each field moved shown as one move.
func policyFields(p *config.ProvisioningPolicy, desired, live *value.Object) []Field {
	var out []Field
	keys := map[string]bool{}
	for k := range desired.All() {
		keys[k] = true
	}
	for k := range live.All() {
		keys[k] = true
	}
	var top []string
	for k := range keys {
		if k != "fields" {
			top = append(top, k)
		}
	}
	sort.Strings(top)
	for _, k := range top {
		d, _ := desired.Get(k)
		l, _ := live.Get(k)
		if !sameValue(d, l) {
			out = append(out, Field{Path: k, Before: l, After: d, Line: p.PosOf(k).Line})
		}
	}
	dv, _ := desired.Get("fields")
	lvv, _ := live.Get("fields")
	return append(out, formFields(p, fieldList(dv), fieldList(lvv))...)
}

// formFields compares two lists of form fields by name: the fields added and removed, the
// fewest moves that turn the tenant's order into the declared one (the common fields outside a
// longest run kept in order), and the changed keys of each common field.
func formFields(p *config.ProvisioningPolicy, desired, live []*value.Object) []Field {
	var out []Field
	dIdx, lIdx := indexByName(desired), indexByName(live)
	for i, f := range desired {
		n := f.String("name")
		j, ok := lIdx[n]
		if !ok {
			out = append(out, Field{Path: "fields", After: f, Summary: fmt.Sprintf("added %q at %d", n, i+1), Line: fieldLine(p, i, "")})
			continue
		}
		for _, k := range unionKeys(f, live[j]) {
			d, _ := f.Get(k)
			l, _ := live[j].Get(k)
			if !sameValue(d, l) {
				out = append(out, Field{Path: "fields[" + n + "]." + k, Before: l, After: d, Line: fieldLine(p, i, k)})
			}
		}
	}
	for _, f := range live {
		if _, ok := dIdx[f.String("name")]; !ok {
			out = append(out, Field{Path: "fields", Before: f, Summary: fmt.Sprintf("removed %q", f.String("name"))})
		}
	}
	// The common fields in declared order, by their place in the tenant's: those outside a
	// longest increasing run moved.
	var common []int
	var names []string
	for _, f := range desired {
		if j, ok := lIdx[f.String("name")]; ok {
			common = append(common, j)
			names = append(names, f.String("name"))
		}
	}
	kept := longestIncreasing(common)
	for i, j := range common {
		if !kept[i] {
			n := names[i]
			out = append(out, Field{Path: "fields", Before: j + 1, After: dIdx[n] + 1,
				Summary: fmt.Sprintf("moved %q from %d to %d", n, j+1, dIdx[n]+1), Line: fieldLine(p, dIdx[n], "")})
		}
	}
	return out
}

// longestIncreasing marks the elements of a longest strictly increasing subsequence of s; of
// two as long, the one keeping more elements at their own place (s[i] == i), so that a field
// whose number does not change is not the one shown moved.
func longestIncreasing(s []int) []bool {
	n := len(s)
	length, fixed, prev := make([]int, n), make([]int, n), make([]int, n)
	better := func(l1, f1, l2, f2 int) bool { return l1 > l2 || l1 == l2 && f1 > f2 }
	best := -1
	for i := range s {
		self := 0
		if s[i] == i {
			self = 1
		}
		length[i], fixed[i], prev[i] = 1, self, -1
		for j := 0; j < i; j++ {
			if s[j] < s[i] && better(length[j]+1, fixed[j]+self, length[i], fixed[i]) {
				length[i], fixed[i], prev[i] = length[j]+1, fixed[j]+self, j
			}
		}
		if best < 0 || better(length[i], fixed[i], length[best], fixed[best]) {
			best = i
		}
	}
	kept := make([]bool, n)
	for i := best; i >= 0; i = prev[i] {
		kept[i] = true
	}
	return kept
}

// fieldLine is the YAML line of the i-th declared field (its key k when given).
func fieldLine(p *config.ProvisioningPolicy, i int, k string) int {
	path := "fields[" + strconv.Itoa(i) + "]"
	if k != "" {
		path += "." + k
	}
	return p.PosOf(path).Line
}

func fieldList(v any) []*value.Object {
	list, _ := v.([]any)
	out := make([]*value.Object, 0, len(list))
	for _, e := range list {
		if o, ok := e.(*value.Object); ok {
			out = append(out, o)
		}
	}
	return out
}

func indexByName(list []*value.Object) map[string]int {
	m := make(map[string]int, len(list))
	for i, o := range list {
		if _, dup := m[o.String("name")]; !dup {
			m[o.String("name")] = i
		}
	}
	return m
}

func unionKeys(a, b *value.Object) []string {
	var out []string
	for k := range a.All() {
		out = append(out, k)
	}
	for k := range b.All() {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// sameValue compares two values as stored: mappings by key whatever their order, lists in order.
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case *value.Object:
		y, ok := b.(*value.Object)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for k, v := range x.All() {
			w, ok := y.Get(k)
			if !ok || !sameValue(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameValue(x[i], y[i]) {
				return false
			}
		}
		return true
	default:
		return fmt.Sprint(a) == fmt.Sprint(b) && (a == nil) == (b == nil)
	}
}

// policyRefs returns a violation for each field whose transform references by name a transform
// that neither the repository declares nor the tenant has.
func (c *computer) policyRefs(p *config.ProvisioningPolicy, desired *value.Object) []Violation {
	declared := map[string]bool{}
	for _, t := range c.repo.ObjectsOf(config.KindTransform) {
		if !t.Absent {
			declared[t.Name] = true
		}
	}
	var vs []Violation
	fv, _ := desired.Get("fields")
	for i, f := range fieldList(fv) {
		t := f.Object("transform")
		if t == nil || t.String("type") != "reference" {
			continue
		}
		name := t.Object("attributes").String("id")
		if declared[name] || c.live.Get(config.KindTransform, "", name) != nil {
			continue
		}
		pos := p.PosOf("fields[" + strconv.Itoa(i) + "].transform")
		vs = append(vs, Violation{Kind: config.KindProvisioningPolicy, Name: p.Name, Path: "fields[" + f.String("name") + "].transform",
			File: pos.File, Line: pos.Line, Col: pos.Col, Desired: name,
			Rule: fmt.Sprintf("the transform %q is neither declared in the repository nor in the tenant", name)})
	}
	return vs
}

// policiesUnmanaged returns the tenant's policies of declared sources whose policies were listed
// that the repository does not declare, counting the kind's coverage.
func (c *computer) policiesUnmanaged(cov *Coverage) []unmanagedObject {
	listed := c.live.ListedOwners[config.KindProvisioningPolicy]
	if len(listed) == 0 {
		return nil
	}
	declared := map[Key]bool{}
	for _, p := range c.repo.Policies() {
		declared[Key{Owner: p.Source, Name: p.Name}] = true
	}
	var found []unmanagedObject
	var n Count
	for key, lv := range c.live.Objects[config.KindProvisioningPolicy] {
		if !listed[key.Owner] {
			continue
		}
		n.All++
		if declared[key] {
			n.Managed++
			continue
		}
		found = append(found, unmanagedObject{kind: config.KindProvisioningPolicy, name: key.Owner + " " + key.Name,
			id: key.Name, note: noteOf([]string{"source " + key.Owner}), fp: FingerprintOf(lv)})
	}
	sort.Slice(found, func(i, j int) bool { return found[i].name < found[j].name })
	if n.All == 0 {
		return found // managed sources without policies: nothing to cover
	}
	if cov.Kinds == nil {
		cov.Kinds = map[config.Kind]Count{}
	}
	cov.Kinds[config.KindProvisioningPolicy] = n
	return found
}
