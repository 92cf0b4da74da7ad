package sync_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/examples"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/tenanttest"
	isync "github.com/sailsync/sailsync/sync"
)

// TestConnectorTombstoneOnlyDeletesUnusedCustom: a pull request that adds one Connector
// tombstone does not get a delete planned for a connector SailPoint provides (the built-in
// RELEASED JDBC), nor for a custom connector that a source the repository does not declare
// still uses: each is a violation at the tombstone, naming why (the sources that use it), and
// apply sends nothing. The sources are read whole for it: the Acme tenant's 3 sources cost one
// unfiltered page of GET /v3/sources.
func TestConnectorTombstoneOnlyDeletesUnusedCustom(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		custom bool // the tenant's Active Directory connector is custom
		doc    string
		want   string // in the violation's Live
		rule   string // in its Rule
	}{
		{"the built-in JDBC", false, "kind: Connector\nname: JDBC\nabsent: true\nreason: r\n",
			`the tenant's own connector (className "sailpoint.connector.JDBCConnector", type "JDBC")`, "deletes custom connectors only"},
		{"the built-in Active Directory", false, "kind: Connector\nname: Active Directory\nabsent: true\nreason: r\n",
			`the tenant's own connector`, "deletes custom connectors only"},
		{"a custom connector an undeclared source uses", true, "kind: Connector\nname: Active Directory\nabsent: true\nreason: r\n",
			`used by source "Corporate Directory"`, "cannot remove a connector a source still uses"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := emulator.Options{Seed: examples.AcmeTenant}
			if tt.custom {
				opts.Seed = customDirectorySeed(t)
			}
			emu, client := deleteHarnessWith(t, opts)
			repo := load(t, tenanttest.WriteDir(t, map[string]string{"c.yaml": tt.doc}))
			live, err := isync.Fetch(context.Background(), client(), repo, isync.FetchOptions{})
			if err != nil {
				t.Fatal(err)
			}
			pages := 0
			for _, e := range emu.Log() {
				if e.Method == "GET" && e.Path == "/v3/sources" {
					pages++
					if strings.Contains(e.Query, "filters") {
						t.Errorf("the sources were read by a filter (%s), not whole", e.Query)
					}
				}
			}
			if pages != 1 {
				t.Errorf("%d reads of GET /v3/sources, want 1 page", pages)
			}
			p, err := diff.Compute(repo, live, diff.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if p.Summary.Delete != 0 || len(p.Violations) != 1 {
				t.Fatalf("summary %+v, violations %+v; want one violation, no delete", p.Summary, p.Violations)
			}
			v := p.Violations[0]
			if v.File != "c.yaml" || v.Line != 2 || v.Path != "absent" || !strings.Contains(fmt.Sprint(v.Live), tt.want) || !strings.Contains(v.Rule, tt.rule) {
				t.Errorf("violation %+v, want at c.yaml:2 absent with %q and %q", v, tt.want, tt.rule)
			}
			emu.ResetLog()
			if _, err := isync.Apply(context.Background(), client(), repo, p, isync.ApplyOptions{Deletes: isync.DeletesAllowed}); err == nil {
				t.Error("apply of a plan with a violation did not fail")
			}
			if w := tenanttest.Writes(emu); len(w) > 0 {
				t.Errorf("apply wrote %v", w)
			}
		})
	}
}
