package diff

import (
	"fmt"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

func init() {
	for _, k := range config.PlainKinds() {
		registerPlanner(k, kindPlanner{
			plan: func(c *computer, out []planned) ([]planned, error) {
				for _, o := range c.repo.ObjectsOf(k) {
					pl, err := c.plain(o)
					if err != nil {
						return nil, err
					}
					out = append(out, pl)
				}
				return out, nil
			},
			live:      func(c *computer, o *config.Object, _ string) *value.Object { return c.live.Get(o.Kind, "", o.Name) },
			unmanaged: func(c *computer, cov *Coverage) []unmanagedObject { return c.plainUnmanaged(k, cov) },
		})
	}
}

// plain plans an object of a plain kind (config.API) from its table row alone: a create of the
// declared fields, or an update compared field by field with the row's rules, whose body apply
// lays over a fresh read (a full-object PUT keeps every undeclared field).
func (c *computer) plain(o *config.Object) (planned, error) {
	spec, _ := config.KindInfo(o.Kind)
	if lv := c.live.Get(o.Kind, "", o.Name); lv != nil && spec.API.Vendors(lv) {
		// The vendor's own object has the name: the tenant refuses to change or delete it, and
		// a create under its name would be refused as a duplicate.
		ch := Change{Kind: o.Kind, Name: o.Name, File: o.Doc.File, Line: o.Doc.Line, Action: ActionViolation, Fields: []Field{}}
		pos := o.PosOf("name")
		rule := fmt.Sprintf("the tenant's own %s %q (%s: true) has this name: it cannot be changed, and another with its name would be refused; choose another name",
			o.Kind, lv.String("name"), spec.API.Vendor)
		if o.Absent {
			rule = fmt.Sprintf("the tenant's own %s %q (%s: true) cannot be deleted: remove the tombstone", o.Kind, lv.String("name"), spec.API.Vendor)
		}
		return planned{change: ch, violations: []Violation{{Kind: o.Kind, Name: o.Name, Path: "name", File: pos.File, Line: pos.Line,
			Col: pos.Col, Live: lv.String("name"), Desired: o.Name, Rule: rule}}}, nil
	}
	if o.Absent {
		return c.tombstone(o, ""), nil
	}
	// Plain kinds hold no secret and no connector reference (the loader refuses them): resolve
	// only undoes the $${ escapes.
	desired, _, err := c.resolve(o)
	if err != nil {
		return planned{}, err
	}
	ch := Change{Kind: o.Kind, Name: o.Name, File: o.Doc.File, Line: o.Doc.Line}
	lv := c.live.Get(o.Kind, "", o.Name)
	if lv == nil {
		ch.Action = ActionCreate
		ch.Fields = createFields(desired)
		ch.Op = &Operation{Body: o.Fields}
		return planned{change: ch}, nil
	}
	ch.LiveID = lv.String("id")
	fp := FingerprintOf(lv)
	ch.Fingerprint = &fp
	ch.Fields = c.compare(c.plainCmp[o.Kind], desired, lv)
	sortFields(ch.Fields, desired)
	var ign []Ignored
	ch.Fields, ign = ignoreFields(c.repo.Settings.Ignore, o.Kind, o.Name, "", ch.Fields)
	for i := range ch.Fields {
		ch.Fields[i].Line = o.PosOf(ch.Fields[i].Path).Line
	}
	vs := immutableViolations(o, ch.Fields, setOf(spec.Immutable), func(top string) string {
		if top == "name" {
			// Found under a name that differs only in case or the like (sync's name key): the
			// tenant may take the two for one, so a create could be refused as a duplicate.
			live, _ := lv.Get("name")
			return fmt.Sprintf("the tenant has this %s as %q and may compare names without case: write the name as the tenant has it", o.Kind, live)
		}
		return fmt.Sprintf("immutable: PUT %s/{id} rejects changes to %s (400)", spec.API.Path, top)
	})
	switch {
	case len(vs) > 0:
		ch.Action = ActionViolation
		return planned{change: ch, violations: vs, ignored: ign}, nil
	case len(ch.Fields) > 0:
		ch.Action = ActionUpdate
		ch.Op = &Operation{Body: withoutIgnored(o.Fields, lv, ign)}
	default:
		ch.Action = ActionNoChange
	}
	return planned{change: ch, ignored: ign}, nil
}

// plainUnmanaged returns the objects of plain kind k that the repository does not declare, when
// its listing was read whole, counting the kind's coverage.
func (c *computer) plainUnmanaged(k config.Kind, cov *Coverage) []unmanagedObject {
	if !c.live.Listed[k] {
		return nil
	}
	declared := map[string]bool{}
	for _, o := range c.repo.ObjectsOf(k) {
		declared[o.Name] = true
	}
	var found []unmanagedObject
	var n Count
	for key, lv := range c.live.Objects[k] {
		name := key.Name
		n.All++
		if declared[name] {
			n.Managed++
			continue
		}
		var what []string
		if t := lv.String("type"); t != "" {
			what = append(what, "type "+t)
		}
		found = append(found, unmanagedObject{kind: k, name: name, id: lv.String("id"), note: noteOf(what), fp: FingerprintOf(lv)})
	}
	if cov.Kinds == nil {
		cov.Kinds = map[config.Kind]Count{}
	}
	cov.Kinds[k] = n
	return found
}
