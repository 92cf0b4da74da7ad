package diff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/sailsync/sailsync/internal/value"
)

// Confirm holds a saved plan (a plan file: anything may have been edited in it) against fresh,
// the plan recomputed from the repository and the tenant's state now, and returns what apply
// may send: fresh's writes (creates, updates and deletes) that saved also holds, identical in
// object, action, fields, live id, fingerprint and operation. Anything else in the saved plan refuses the whole apply before
// any write, naming the entry: a write the recomputation does not imply (a forged live id,
// fingerprint or action, a change for an undeclared object, a tenant changed since the plan),
// a duplicate, or violations. Violations are the recomputation's, never the file's.
func Confirm(saved, fresh *Plan) (*Plan, error) {
	if saved.Tenant != fresh.Tenant {
		return nil, fmt.Errorf("the plan was made against tenant %s, not %s", saved.Tenant, fresh.Tenant)
	}
	if saved.RepoHash != fresh.RepoHash {
		return nil, fmt.Errorf("the plan was made from other repository content (plan %.12s, repository %.12s)", saved.RepoHash, fresh.RepoHash)
	}
	if len(saved.Violations) > 0 || len(fresh.Violations) > 0 {
		return nil, fmt.Errorf("the plan has immutable-field violations (%d in the file, %d now): nothing is applied", len(saved.Violations), len(fresh.Violations))
	}
	freshByKey := make(map[string]*Change, len(fresh.Changes))
	for i := range fresh.Changes {
		freshByKey[fresh.Changes[i].Key()] = &fresh.Changes[i]
	}
	seen := make(map[string]bool, len(saved.Changes))
	writes := map[string]bool{}
	for i, c := range saved.Changes {
		key := c.Key()
		entry := fmt.Sprintf("changes[%d] (%s %s)", i, c.Action, key)
		if seen[key] {
			return nil, fmt.Errorf("%s: a second entry for the same object", entry)
		}
		seen[key] = true
		switch c.Action {
		case ActionCreate, ActionUpdate, ActionDelete:
		case ActionNoChange, ActionUnmanaged:
			continue
		default:
			return nil, fmt.Errorf("%s: a plan file holds no such action to apply", entry)
		}
		f, ok := freshByKey[key]
		if !ok {
			return nil, fmt.Errorf("%s: the repository declares no such object", entry)
		}
		same, err := sameChange(&c, f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", entry, err)
		}
		if !same {
			return nil, fmt.Errorf("%s: not what the repository and the tenant imply now (%s %s): the file was edited or the tenant changed since the plan; run plan again", entry, f.Action, key)
		}
		writes[key] = true
	}
	out := *fresh
	out.Changes = make([]Change, 0, len(fresh.Changes))
	for _, c := range fresh.Changes {
		if c.Op != nil && !writes[c.Key()] {
			// A write (create, update or delete) implied now but not reviewed: not sent.
			continue
		}
		out.Changes = append(out.Changes, c)
	}
	out.Summary = summarize(&out)
	return &out, nil
}

// sameChange compares two changes as a plan file writes them, so that every field counts; the
// order of an object's keys does not (an editor or a tool may rewrite it).
func sameChange(a, b *Change) (bool, error) {
	// Whether a secret's variable was set where the plan was made is not what was reviewed:
	// a pull request's plan, made without the deploy's secrets, holds for an apply with them.
	a, b = withSecretsSet(a), withSecretsSet(b)
	ja, err := sortedJSON(a)
	if err != nil {
		return false, err
	}
	jb, err := sortedJSON(b)
	if err != nil {
		return false, err
	}
	return bytes.Equal(ja, jb), nil
}

// withSecretsSet returns c, or a copy of it whose Unset fields read as set secrets.
func withSecretsSet(c *Change) *Change {
	if !slices.ContainsFunc(c.Fields, func(f Field) bool { return f.Unset }) {
		return c
	}
	cp := *c
	cp.Fields = slices.Clone(c.Fields)
	for i := range cp.Fields {
		if f := &cp.Fields[i]; f.Unset {
			f.Unset, f.After = false, Sensitive
		}
	}
	return &cp
}

// sortedJSON encodes v as fingerprints are: object keys sorted at every level, numbers as
// written.
func sortedJSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	plain, err := value.Decode(b)
	if err != nil {
		return nil, err
	}
	return canonicalJSON(plain), nil
}
