package diff

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/tenanttest"
	"github.com/sailsync/sailsync/internal/value"
)

// TestIsCustomConnector: the API has no field that says "custom", so each mark the tenant may
// give counts (the open connector class, a "custom …" type, a custom-connector/ storage path),
// in any of the variants a tenant may answer with; a connector without any, the tenant's own
// ones and one whose fields are missing, is not custom.
func TestIsCustomConnector(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		fields string
		custom bool
	}{
		{`{"className": "sailpoint.connector.OpenConnectorAdapter"}`, true},
		{`{"className": "sailpoint.connector.OpenConnectorAdapter", "type": "Payroll"}`, true},
		{`{"className": "com.acme.Other", "type": "custom Payroll Bridge"}`, true},
		{`{"type": "Custom Payroll Bridge"}`, true},
		{`{"className": "com.acme.Other", "s3Location": "custom-connector/payroll"}`, true},
		{`{"s3Location": "/custom-connector/payroll"}`, true},
		{`{"className": "sailpoint.connector.JDBCConnector", "type": "JDBC", "s3Location": "connector/jdbc", "status": "RELEASED"}`, false},
		{`{"className": "sailpoint.connector.ADLDAPConnector", "type": "Active Directory - Direct"}`, false},
		{`{"type": "customer portal"}`, false},
		{`{"scriptName": "jdbc", "name": "JDBC"}`, false},
		{`{}`, false},
	} {
		v, err := value.Decode([]byte(tt.fields))
		if err != nil {
			t.Fatal(err)
		}
		if got := IsCustomConnector(v.(*value.Object)); got != tt.custom {
			t.Errorf("IsCustomConnector(%s) = %v, want %v", tt.fields, got, tt.custom)
		}
	}
	if IsCustomConnector(nil) {
		t.Error("IsCustomConnector(nil) = true")
	}
}

// TestConnectorDeleteNamesItsUsers: a custom connector's tombstone is a violation naming every
// live source that uses it (up to ten, then a count), whether or not the repository declares
// them; when the tenant's sources were not all read, it is a violation too, never a delete
// that hopes.
func TestConnectorDeleteNamesItsUsers(t *testing.T) {
	t.Parallel()
	repo, err := config.Load(tenanttest.WriteDir(t, map[string]string{"c.yaml": "kind: Connector\nname: Bridge\nabsent: true\nreason: r\n"}))
	if err != nil {
		t.Fatal(err)
	}
	conn := value.NewObject()
	conn.Set("name", "Bridge")
	conn.Set("scriptName", "bridge")
	conn.Set("type", "custom Bridge")
	sources := func(n int) map[string]*value.Object {
		m := map[string]*value.Object{}
		for i := range n {
			o := value.NewObject()
			o.Set("id", fmt.Sprint(i))
			o.Set("name", fmt.Sprintf("S%02d", i))
			o.Set("connector", "bridge")
			m[o.String("name")] = o
		}
		return m
	}
	for _, tt := range []struct {
		name   string
		users  int
		listed bool
		want   string // the violation's Live; "" for a delete
	}{
		{"unused", 0, true, ""},
		{"one user", 1, true, `used by source "S00"`},
		{"three users", 3, true, `used by 3 sources: "S00", "S01", "S02"`},
		{"twelve users", 12, true, `used by 12 sources: "S00", "S01", "S02", "S03", "S04", "S05", "S06", "S07", "S08", "S09" and 2 more`},
		{"sources not read whole", 0, false, "the sources that use it are not known"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			live := liveOf(liveState{Sources: sources(tt.users), AllSourcesListed: tt.listed, Connectors: map[string]*value.Object{"Bridge": conn}})
			p, err := Compute(repo, live, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" {
				if p.Summary.Delete != 1 || len(p.Violations) != 0 {
					t.Errorf("summary %+v, violations %+v, want a delete", p.Summary, p.Violations)
				}
				return
			}
			if p.Summary.Delete != 0 || len(p.Violations) != 1 || !strings.Contains(fmt.Sprint(p.Violations[0].Live), tt.want) {
				t.Errorf("summary %+v, violations %+v, want one with %q", p.Summary, p.Violations, tt.want)
			}
		})
	}
}
