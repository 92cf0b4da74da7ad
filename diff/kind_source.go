package diff

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

func init() {
	registerPlanner(config.KindSource, kindPlanner{
		// Sources are independent of one another and most of the work (a second of CPU for
		// 10,000): compared on every core, each into its own slot of out, so the plan is the
		// sequential loop's and the error returned is the first one in repository order.
		plan: func(c *computer, out []planned) ([]planned, error) {
			srcs := c.repo.Sources()
			out = slices.Grow(out, len(srcs))
			plans := out[len(out) : len(out)+len(srcs)]
			errs := make([]error, len(srcs))
			parallel(len(srcs), func(i int) { plans[i], errs[i] = c.source(srcs[i]) })
			for _, err := range errs {
				if err != nil {
					return nil, err
				}
			}
			return out[:len(out)+len(srcs)], nil
		},
		live: func(c *computer, o *config.Object, _ string) *value.Object {
			return c.live.Get(config.KindSource, "", o.Name)
		},
		unmanaged: unmanagedSources,
	})
}

// Rule texts carried by a source's violations.
const (
	ruleImmutable   = "immutable: PUT /v3/sources/{id} rejects changes to %s (400)"
	ruleNoConnector = "POST /v3/sources refuses a connector the tenant does not have (400): name a connector of the tenant, " +
		"or declare it as a Connector and write ${connector:NAME}"
)

// immutableSourceFields are the fields PUT /v3/sources/{id} refuses to change (400), from
// config's kind table.
var immutableSourceFields = func() map[string]bool {
	s, _ := config.KindInfo(config.KindSource)
	return setOf(s.Immutable)
}()

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
	lv := c.live.Get(config.KindSource, "", src.Name)
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

// unmanagedSources returns the tenant's sources that the repository does not declare, counting
// them in cov.Sources.
func unmanagedSources(c *computer, cov *Coverage) []unmanagedObject {
	declared := map[string]bool{}
	for _, s := range c.repo.Sources() {
		declared[s.Name] = true
	}
	var found []unmanagedObject
	for key, lv := range c.live.Objects[config.KindSource] {
		name := key.Name
		if lv == nil {
			continue
		}
		cov.Sources.All++
		if declared[name] {
			cov.Sources.Managed++
			continue
		}
		var what []string
		if con := lv.String("connector"); con != "" {
			what = append(what, "connector "+con)
		}
		if t := lv.String("type"); t != "" {
			what = append(what, "type "+t)
		}
		found = append(found, unmanagedObject{kind: config.KindSource, name: name, id: lv.String("id"), note: noteOf(what), fp: FingerprintOf(lv)})
	}
	return found
}
