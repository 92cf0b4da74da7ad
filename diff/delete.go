package diff

import (
	"slices"

	"github.com/sailsync/sailsync/internal/config"
)

// ActionDelete deletes an object a tombstone names (`absent: true`) and the tenant has.
const ActionDelete Action = "delete"

// tombstone plans a tombstone: no change when the tenant does not have the object, else a
// delete that waits for the deletes of what depends on it (reverse dependency order; see
// deleteDeps), unless the kind's planner refuses it.
func (c *computer) tombstone(o *config.Object, owner string) planned {
	ch := Change{Kind: o.Kind, Name: o.Name, Source: owner, File: o.Doc.File, Line: o.Doc.Line, Fields: []Field{}}
	if o.Reason != "" {
		ch.Note = "reason: " + o.Reason
	}
	pl := planners[o.Kind]
	live := pl.live(c, o, owner)
	if live == nil {
		ch.Action = ActionNoChange
		return planned{change: ch}
	}
	ch.LiveID = live.String(config.LiveIDField(o.Kind))
	ch.Action = ActionDelete
	ch.Op = &Operation{Deps: c.deleteDeps(o, ch.LiveID)}
	if pl.refuseDelete != nil {
		if shown, rule, refused := pl.refuseDelete(c, o, live, ch.LiveID); refused {
			ch.Action, ch.Op = ActionViolation, nil
			pos := o.PosOf("name")
			v := Violation{Kind: o.Kind, Name: o.Name, Path: "absent", File: pos.File, Line: pos.Line, Col: pos.Col,
				Live: shown, Desired: true, Rule: rule}
			return planned{change: ch, violations: []Violation{v}}
		}
	}
	return planned{change: ch}
}

// deleteDeps are the keys of the deletes that must be done before o's (its LiveID id): those of
// the tombstoned objects the tenant has that belong to o (a source's schemas: the table's Owner)
// or that name it in a field (the sources that use a connector: the table's Uses).
func (c *computer) deleteDeps(o *config.Object, id string) []string {
	var keys []string
	for _, k := range config.AllKinds() {
		spec, _ := config.KindInfo(k)
		var fields []string
		for _, u := range spec.Uses {
			if u.Kind == o.Kind {
				fields = append(fields, u.Field)
			}
		}
		if spec.Owner != o.Kind && len(fields) == 0 {
			continue
		}
		for _, d := range c.repo.ObjectsOf(k) {
			if !d.Absent || spec.Owner == o.Kind && d.Owner != o.Name {
				continue
			}
			lv := planners[k].live(c, d, d.Owner)
			if lv == nil {
				continue
			}
			if spec.Owner != o.Kind && !slices.ContainsFunc(fields, func(f string) bool { return lv.String(f) == id }) {
				continue
			}
			keys = append(keys, Change{Kind: k, Source: d.Owner, Name: d.Name}.Key())
		}
	}
	return keys
}
