package diff

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

// Class is how a difference between the repository and the tenant came about, relative to a
// base revision of the repository (the target branch of a pull request, the last deployed commit).
type Class string

// The classes of a three-way comparison.
const (
	// ClassPending: the repository changed since the base, the tenant still has the base's value.
	ClassPending Class = "pending-change"
	// ClassDrift: the repository did not change, the tenant differs from the base.
	ClassDrift Class = "tenant-drift"
	// ClassConflict: both changed, differently.
	ClassConflict Class = "conflict"
	// ClassPendingCreate: the object was added to the repository since the base.
	ClassPendingCreate Class = "pending-create"
)

// rank orders classes by how much a reviewer must look: a change takes its worst field's class.
func (c Class) rank() int {
	switch c {
	case ClassConflict:
		return 3
	case ClassDrift:
		return 2
	case ClassPending, ClassPendingCreate:
		return 1
	}
	return 0
}

// Label is the class as output prints it: "tenant drift".
func (c Class) Label() string { return strings.ReplaceAll(string(c), "-", " ") }

// Base is the base of a three-way plan and what it found.
type Base struct {
	// Ref is the revision as given (--base); Commit is the commit it named.
	Ref    string `json:"ref"`
	Commit string `json:"commit"`
	// Counts by class: of the differing fields of existing objects, and of the objects to
	// create (a pending create, or tenant drift for one the base declared and the tenant lacks);
	// and of the objects no longer declared.
	PendingChanges   int `json:"pending_changes"`
	TenantDrift      int `json:"tenant_drift"`
	Conflicts        int `json:"conflicts"`
	PendingCreates   int `json:"pending_creates"`
	NoLongerDeclared int `json:"no_longer_declared"`
	// Removed are the objects the base declared and the repository no longer does. sailsync
	// deletes nothing: such an object stays in the tenant, unmanaged.
	Removed []Removed `json:"removed,omitempty"`
}

// Removed is an object declared at the base and no longer declared.
type Removed struct {
	Kind   config.Kind `json:"kind"`
	Name   string      `json:"name"`
	Source string      `json:"source,omitempty"`
	// File and Line are where the base declared it.
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
}

// ThreeWay classifies plan p (the repository now against live) against the repository at the
// base revision, read against the same live state: per declared field, a pending change (the
// repository changed, the tenant has the base's value), tenant drift (the repository did not
// change, the tenant differs), a conflict (both changed, differently); per object, a pending
// create (added since the base) and the objects no longer declared. It changes nothing else of
// the plan: what apply sends stays the same.
func ThreeWay(p *Plan, base *config.Repo, live *Live, ref, commit string) error {
	// The base's plan only tells which declared values the tenant differs from: no secret is
	// sent from it, so no environment variable is needed.
	bp, err := Compute(base, live, Options{Env: func(string) (string, bool) { return "(base)", true }})
	if err != nil {
		return fmt.Errorf("the repository at %s: %w", ref, err)
	}
	bc := make(map[string]*Change, len(bp.Changes))
	for i := range bp.Changes {
		bc[bp.Changes[i].Key()] = &bp.Changes[i]
	}
	b := &Base{Ref: ref, Commit: commit}
	now := map[string]bool{}
	for i := range p.Changes {
		ch := &p.Changes[i]
		switch ch.Action {
		case ActionUnmanaged:
			continue // not declared now: no longer declared, if the base declared it
		case ActionNoChange:
			now[ch.Key()] = true
			continue
		}
		now[ch.Key()] = true
		was := bc[ch.Key()]
		if ch.Fingerprint == nil {
			// An object to create: new since the base, or declared there and missing in the tenant.
			if was == nil {
				ch.Class = ClassPendingCreate
			} else {
				ch.Class = ClassDrift
			}
			continue
		}
		for j := range ch.Fields {
			f := &ch.Fields[j]
			f.Class = classify(f, was)
			if f.Class.rank() > ch.Class.rank() {
				ch.Class = f.Class
			}
		}
	}
	for i := range bp.Changes {
		c := &bp.Changes[i]
		if now[c.Key()] || c.Action == ActionUnmanaged {
			continue
		}
		b.Removed = append(b.Removed, Removed{Kind: c.Kind, Name: c.Name, Source: c.Source, File: c.File, Line: c.Line})
	}
	for _, ch := range p.Changes {
		if ch.Fingerprint == nil {
			// An object to create counts once.
			b.count(ch.Class)
			continue
		}
		for _, f := range ch.Fields {
			b.count(f.Class)
		}
	}
	b.NoLongerDeclared = len(b.Removed)
	p.Base = b
	return nil
}

// count adds one difference of class c to the counts.
func (b *Base) count(c Class) {
	switch c {
	case ClassPending:
		b.PendingChanges++
	case ClassDrift:
		b.TenantDrift++
	case ClassConflict:
		b.Conflicts++
	case ClassPendingCreate:
		b.PendingCreates++
	}
}

// classify tells how field f of change ch (the repository now against the tenant) came about,
// given the same object's change at the base (nil when the base did not declare it). A field
// the base's change lacks has the base's value in the tenant.
func classify(f *Field, was *Change) Class {
	if was == nil {
		return ClassPending // the object is new in the repository: all of it is the repository's change
	}
	var bf *Field
	for i := range was.Fields {
		if was.Fields[i].Path == f.Path {
			bf = &was.Fields[i]
			break
		}
	}
	if bf == nil {
		// The tenant has the base's value: the repository moved.
		return ClassPending
	}
	// A secret shows as Sensitive on both sides: both plans send it because the tenant lacks it.
	if sameShown(f.After, bf.After) {
		return ClassDrift
	}
	f.Base = bf.After
	return ClassConflict
}

// sameShown compares two shown values by their canonical JSON.
func sameShown(a, b any) bool {
	ja, errA := json.Marshal(value.ToPlain(a))
	jb, errB := json.Marshal(value.ToPlain(b))
	return errA == nil && errB == nil && string(ja) == string(jb)
}

// OverwritesDrift lists the changes of a three-way plan that would overwrite the tenant's own
// changes: tenant drift and conflicts, which a pull request's reviewer must see apart from the
// pull request's own change.
func OverwritesDrift(p *Plan) []Change {
	var out []Change
	for _, c := range p.Changes {
		if c.Class == ClassDrift || c.Class == ClassConflict {
			out = append(out, c)
		}
	}
	return out
}

// BaseLine is the summary of a three-way plan: "Since base main (1a2b3c4d): 1 pending change,
// 1 tenant drift, 1 conflict, 1 pending create, 1 no longer declared." "" without a base.
func BaseLine(p *Plan) string {
	b := p.Base
	if b == nil {
		return ""
	}
	commit := b.Commit
	if len(commit) > 12 {
		commit = commit[:12]
	}
	return fmt.Sprintf("Since base %s (%s): %s, %s, %s, %s, %s no longer declared.", b.Ref, commit,
		plural(b.PendingChanges, "pending change", "pending changes"), thousands(b.TenantDrift)+" tenant drift",
		plural(b.Conflicts, "conflict", "conflicts"), plural(b.PendingCreates, "pending create", "pending creates"),
		thousands(b.NoLongerDeclared))
}
