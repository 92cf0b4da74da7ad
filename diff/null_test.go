package diff

import (
	"testing"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

// TestDeclaredNull: a null declared as a real tenant returns it (export writes deleteThreshold:
// null, managementWorkgroup: null) is no change against a live null or a field the tenant
// leaves out; against a value it is an update whose body carries the null, which the tenant
// takes back (it returned it); a value declared over a live null is an update too.
func TestDeclaredNull(t *testing.T) {
	t.Parallel()
	base := `"name": "S", "connector": "jdbc", "type": "JDBC"`
	tests := []struct {
		name, desired, live string
		action              Action
		paths               string
		body                map[string]any // the update's body fields checked, by name
	}{
		{"null, live null", `"deleteThreshold": null, "managementWorkgroup": null`, `"deleteThreshold": null, "managementWorkgroup": null`, ActionNoChange, "", nil},
		{"null, live absent", `"deleteThreshold": null, "managementWorkgroup": null, "passwordPolicies": null`, ``, ActionNoChange, "", nil},
		{"null, live value", `"deleteThreshold": null`, `"deleteThreshold": 10`, ActionUpdate, "deleteThreshold", map[string]any{"deleteThreshold": nil}},
		{"null reference, live reference", `"managementWorkgroup": null`, `"managementWorkgroup": {"type": "GOVERNANCE_GROUP", "id": "g"}`,
			ActionUpdate, "managementWorkgroup", map[string]any{"managementWorkgroup": nil}},
		{"value, live null", `"deleteThreshold": 10`, `"deleteThreshold": null`, ActionUpdate, "deleteThreshold", nil},
		{"empty connectorClass, live empty", `"connectorClass": ""`, `"connectorClass": ""`, ActionNoChange, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			join := func(extra string) string {
				if extra == "" {
					return `{` + base + `}`
				}
				return `{` + base + `, ` + extra + `}`
			}
			repo := config.NewRepo(&config.Source{Object: declare(t, config.KindSource, "s.yaml", join(tt.desired))})
			live := liveOf(liveState{Sources: map[string]*value.Object{"S": liveObject(t, join(tt.live))}})
			p, err := Compute(repo, live, Options{})
			if err != nil {
				t.Fatal(err)
			}
			c := p.Changes[0]
			if c.Action != tt.action || fieldPaths(c) != tt.paths {
				t.Fatalf("%s [%s], want %s [%s]", c.Action, fieldPaths(c), tt.action, tt.paths)
			}
			for k, want := range tt.body {
				got, ok := c.Op.Body.Get(k)
				if !ok || got != want {
					t.Errorf("body %s = %v (present %v), want %v", k, got, ok, want)
				}
			}
		})
	}
}
