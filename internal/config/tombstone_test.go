package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/tenanttest"
)

const tombSource = "kind: Source\nname: Legacy LDAP\nabsent: true\nreason: decommissioned in CHG-1234\n"

const presentSource = `kind: Source
name: Kept
owner: {type: IDENTITY, id: 2c91808568c529c60168cca6f90c1313, name: A}
connector: ${connector:Old Connector}
`

// TestTombstones: a tombstone loads as an absent object holding its identity and reason; its
// shape is checked by the tombstone schema; a tombstone for an object other declared objects
// still need is a validate error at the tombstone's file and line.
func TestTombstones(t *testing.T) {
	t.Parallel()
	t.Run("loads", func(t *testing.T) {
		r := loadOK(t, tenanttest.WriteDir(t, map[string]string{
			"a.yaml": tombSource + "---\nkind: EntitlementSchema\nsource: Legacy LDAP\nname: group\nabsent: true\nreason: with its source\n" +
				"---\nkind: Connector\nname: Old Connector\nabsent: true\nreason: unused\n",
		}))
		if len(r.Sources()) != 1 || !r.Sources()[0].Absent || r.Sources()[0].Reason != "decommissioned in CHG-1234" {
			t.Fatalf("source %+v", r.Sources()[0].Object)
		}
		if keys := r.Sources()[0].Fields.Keys(); strings.Join(keys, ",") != "name" {
			t.Errorf("fields %v, want only name", keys)
		}
		if len(r.Tombstones()) != 3 || !r.Schemas()[0].Absent || r.Schemas()[0].Source != "Legacy LDAP" || !r.Connectors()[0].Absent {
			t.Errorf("tombstones %v", r.Tombstones())
		}
	})
	for _, tt := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"no reason", map[string]string{"a.yaml": "kind: Source\nname: X\nabsent: true\n"}, []string{"a.yaml:1:1: reason: required field is missing"}},
		{"absent false", map[string]string{"a.yaml": "kind: Source\nname: X\nabsent: false\nreason: r\n"}, []string{"a.yaml:3:9: absent: must be true"}},
		{"other fields", map[string]string{"a.yaml": tombSource + "description: d\n"}, []string{"a.yaml:5:1: description: unknown field"}},
		{"schema without source", map[string]string{"a.yaml": "kind: EntitlementSchema\nname: g\nabsent: true\nreason: r\n"}, []string{"a.yaml:1:1: source: required field is missing"}},
		{"source names a source", map[string]string{"a.yaml": tombSource + "source: Y\n"}, []string{"only an EntitlementSchema or ProvisioningPolicy tombstone names a source"}},
		{"source still has a schema", map[string]string{
			"s.yaml": tombSource,
			"g.yaml": "kind: EntitlementSchema\nsource: Legacy LDAP\nname: group\nattributes: [id]\n",
		}, []string{`s.yaml:2:7: absent: Source "Legacy LDAP" cannot be deleted: EntitlementSchema "group" at g.yaml:3:7 still belongs to it`}},
		{"connector still used", map[string]string{
			"c.yaml": "kind: Connector\nname: Old Connector\nabsent: true\nreason: r\n",
			"s.yaml": presentSource,
		}, []string{`c.yaml:2:7: absent: Connector "Old Connector" cannot be deleted: Source "Kept" at s.yaml:2:7 still uses it`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tenanttest.WriteDir(t, tt.files))
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("err %v, want problems", err)
			}
			var got []string
			for _, p := range ps {
				got = append(got, p.String())
			}
			all := strings.Join(got, "\n")
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("problems:\n%s\nwant %q", all, w)
				}
			}
		})
	}
}
