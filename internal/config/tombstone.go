package config

import (
	"fmt"
)

// A tombstone is a document that asks for an object to be deleted:
//
//	kind: Source
//	name: Legacy LDAP
//	absent: true
//	reason: decommissioned in CHG-1234
//
// It is the only way to delete: a document removed from the repository deletes nothing (no
// prune), so every deletion is visible, with its reason, in the change that asks for it.

// tombstone moves a tombstone's `absent` and `reason` out of its fields into the object, so that
// Fields holds what identifies the object and nothing is ever sent from them.
func tombstone(o *Object) {
	v, ok := o.Fields.Get("absent")
	if !ok {
		return
	}
	o.Absent = v == true
	o.Reason = o.Fields.String("reason")
	o.Fields.Delete("absent")
	o.Fields.Delete("reason")
}

// checkTombstones refuses a tombstone for an object that other declared objects still need: the
// owner of a declared object (a Source that a declared EntitlementSchema belongs to), an object
// a declared object uses (a Connector that a declared Source names with ${connector:…}).
// Deleting it would leave them pointing at nothing.
func (l *loader) checkTombstones(repo *Repo) {
	l.checkUnmanagedTombstones(repo)
	absent := map[Kind]map[string]*Object{}
	for _, o := range repo.Objects() {
		if o.Absent && o.Name != "" && o.Owner == "" {
			if absent[o.Kind] == nil {
				absent[o.Kind] = map[string]*Object{}
			}
			absent[o.Kind][o.Name] = o
		}
	}
	if len(absent) == 0 {
		return
	}
	refuse := func(t *Object, by *Object, what string) {
		l.add(Problem{Pos: t.PosOf("name"), Field: "absent", Message: fmt.Sprintf("absent: %s %q cannot be deleted: %s %q at %s still %s it; delete or change that first",
			t.Kind, t.Name, by.Kind, by.Name, by.PosOf("name"), what)})
	}
	for _, o := range repo.Objects() {
		if o.Absent {
			continue
		}
		spec := row(o.Kind)
		if t := absent[spec.Owner][o.Owner]; spec.Owner != "" && t != nil {
			refuse(t, o, "belongs to")
		}
		for _, u := range spec.Uses {
			if len(absent[u.Kind]) == 0 {
				continue
			}
			for _, name := range UsedNames(o, u) {
				if t := absent[u.Kind][name]; t != nil {
					refuse(t, o, "uses")
				}
			}
		}
	}
}

// checkUnmanagedTombstones refuses a tombstone for an object an `unmanaged:` rule says the
// repository does not manage: the rule is the repository's word that someone else owns it, and
// a delete of it (in a pull request that adds one document) must not pass as routine.
func (l *loader) checkUnmanagedTombstones(repo *Repo) {
	rules := repo.Settings.Unmanaged
	if len(rules) == 0 {
		return
	}
	for _, o := range repo.Objects() {
		if !o.Absent || o.Name == "" {
			continue
		}
		if spec := row(o.Kind); spec == nil || !spec.Unmanaged {
			continue // an empty rule kind means the kinds drift reports, not a schema
		}
		for i, r := range rules {
			if !r.Matches(o.Kind, o.Name) {
				continue
			}
			l.add(Problem{Pos: o.PosOf("name"), Field: "absent", Message: fmt.Sprintf(
				"absent: %s %q cannot be deleted: unmanaged[%d] at %s (name %q: %s) says the repository does not manage it; remove it from that rule first, or drop the tombstone",
				o.Kind, o.Name, i, r.Pos, r.Name, r.Reason)})
			break
		}
	}
}

// Tombstones returns the repository's tombstones, in kind order, then repository order.
func (r *Repo) Tombstones() []*Object {
	var out []*Object
	for _, o := range r.Objects() {
		if o.Absent {
			out = append(out, o)
		}
	}
	return out
}
