package diff

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

// TestTombstonePlans: a tombstone for an object the tenant has is a delete with its reason and
// its reverse dependencies; for one it lacks, no change; a connector a live source still uses
// (and no tombstone deletes) is a violation, not a delete.
func TestTombstonePlans(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"s.yaml": "kind: Source\nname: Old\nabsent: true\nreason: CHG-1\n",
		"g.yaml": "kind: EntitlementSchema\nsource: Old\nname: group\nabsent: true\nreason: CHG-1\n",
		"c.yaml": "kind: Connector\nname: Old Conn\nabsent: true\nreason: CHG-1\n---\nkind: Connector\nname: Busy Conn\nabsent: true\nreason: CHG-2\n",
		"x.yaml": "kind: Source\nname: Never\nabsent: true\nreason: gone\n",
		"k.yaml": "kind: Source\nname: Kept\nowner: {type: IDENTITY, id: 2c91808568c529c60168cca6f90c1313}\nconnector: busy-conn\n",
	}
	for p, c := range files {
		if err := os.WriteFile(filepath.Join(dir, p), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	repo, err := config.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	obj := func(kv ...string) *value.Object {
		o := value.NewObject()
		for i := 0; i < len(kv); i += 2 {
			o.Set(kv[i], kv[i+1])
		}
		return o
	}
	live := liveOf(liveState{
		Sources: map[string]*value.Object{
			"Old":  obj("id", "s1", "name", "Old", "connector", "old-conn"),
			"Kept": obj("id", "s2", "name", "Kept", "connector", "busy-conn"),
		},
		Schemas: map[string]map[string]*value.Object{"Old": {"group": obj("id", "g1", "name", "group")}},
		Connectors: map[string]*value.Object{
			"Old Conn":  obj("name", "Old Conn", "scriptName", "old-conn", "className", openConnectorClass),
			"Busy Conn": obj("name", "Busy Conn", "scriptName", "busy-conn", "className", openConnectorClass),
		},
		AllSourcesListed: true,
	})
	p, err := Compute(repo, live, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Change{}
	for _, c := range p.Changes {
		got[c.Key()] = c
	}
	for _, tc := range []struct {
		key    string
		action Action
		deps   []string
	}{
		{"EntitlementSchema/Old/group", ActionDelete, nil},
		{"Source/Old", ActionDelete, []string{"EntitlementSchema/Old/group"}},
		{"Connector/Old Conn", ActionDelete, []string{"Source/Old"}},
		{"Connector/Busy Conn", ActionViolation, nil},
		{"Source/Never", ActionNoChange, nil},
	} {
		c, ok := got[tc.key]
		if !ok || c.Action != tc.action {
			t.Errorf("%s: %+v, want %s", tc.key, c, tc.action)
			continue
		}
		if tc.action == ActionDelete {
			if c.Op == nil || len(c.Op.Deps) != len(tc.deps) || (len(tc.deps) > 0 && c.Op.Deps[0] != tc.deps[0]) || c.Note == "" {
				t.Errorf("%s: op %+v note %q, want deps %v and the reason", tc.key, c.Op, c.Note, tc.deps)
			}
		}
	}
	if p.Summary.Delete != 3 || len(p.Violations) != 1 || p.Violations[0].Rule != ruleConnectorInUse {
		t.Errorf("summary %+v, violations %+v", p.Summary, p.Violations)
	}
}
