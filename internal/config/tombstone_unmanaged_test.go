package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/tenanttest"
)

// TestTombstoneOfAnUnmanagedObject: a pull request that adds a tombstone for an object the
// repository's `unmanaged:` rules say it does not manage (someone else's source, connector or
// transform) does not get a routine delete planned: validate refuses it at the tombstone's
// file:line, naming the rule. A rule of another kind or name, or a schema's tombstone under a
// kindless rule (schemas are not drift's unmanaged objects), is no reason to refuse.
func TestTombstoneOfAnUnmanagedObject(t *testing.T) {
	t.Parallel()
	const rules = `unmanaged:
  - name: "Legacy *"
    reason: retired next quarter (CHG-118)
  - kind: Connector
    name: Payroll Bridge
    reason: owned by the payroll team
  - kind: Transform
    name: Team*
    reason: the team's own
`
	for _, tt := range []struct {
		name string
		doc  string
		want string // "" when the repository loads
	}{
		{"a source under a kindless glob", "kind: Source\nname: Legacy LDAP\nabsent: true\nreason: r\n",
			`t.yaml:2:7: absent: Source "Legacy LDAP" cannot be deleted: unmanaged[0] at sailsync.yaml:2:5 (name "Legacy *": retired next quarter (CHG-118)) says the repository does not manage it`},
		{"a connector under a Connector rule", "kind: Connector\nname: Payroll Bridge\nabsent: true\nreason: r\n",
			`t.yaml:2:7: absent: Connector "Payroll Bridge" cannot be deleted: unmanaged[1] at sailsync.yaml:4:5`},
		{"a transform under a Transform glob", "kind: Transform\nname: Team Lower\nabsent: true\nreason: r\n",
			`absent: Transform "Team Lower" cannot be deleted: unmanaged[2]`},
		{"a connector under the kindless glob", "kind: Connector\nname: Legacy Bridge\nabsent: true\nreason: r\n",
			`absent: Connector "Legacy Bridge" cannot be deleted: unmanaged[0]`},
		{"a source another kind's rule names", "kind: Source\nname: Payroll Bridge\nabsent: true\nreason: r\n", ""},
		{"a source no rule names", "kind: Source\nname: Old LDAP\nabsent: true\nreason: r\n", ""},
		{"a schema, whose name the kindless glob matches", "kind: Source\nname: HR\nowner: {type: IDENTITY, id: 2c91808568c529c60168cca6f90c1313}\nconnector: jdbc\n" +
			"---\nkind: EntitlementSchema\nsource: HR\nname: Legacy groups\nabsent: true\nreason: r\n", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(tenanttest.WriteDir(t, map[string]string{"sailsync.yaml": rules, "t.yaml": tt.doc}))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				return
			}
			var ps Problems
			if !errors.As(err, &ps) || len(ps) != 1 || !strings.Contains(ps[0].String(), tt.want) || ps[0].Field != "absent" {
				t.Errorf("Load: %v, want one problem at absent with %q", err, tt.want)
			}
		})
	}
}
