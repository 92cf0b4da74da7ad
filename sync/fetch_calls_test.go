package sync_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/isc"
	"github.com/sailsync/sailsync/internal/tenanttest"
	"github.com/sailsync/sailsync/internal/value"
	isync "github.com/sailsync/sailsync/sync"
)

// TestFetchCallsByTenantSize holds the fetch to the fewest requests for tenants of several sizes:
// the full listing when it is fewer calls (its pages requested together once the first tells
// the size, and no empty page after a full one), name filters when they are fewer, and one
// request more than that minimum (the first page, which tells the size) only when more than
// NamesPerFilter sources are declared and filters win.
func TestFetchCallsByTenantSize(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name          string
		tenant        int
		first, step   int // declared sources src-first, src-(first+step), …
		declared      int
		all           bool
		wantListing   int // GET /v3/sources requests
		wantAllListed bool
	}{
		{"300 spread over 1000: 4 pages beat filters", 1000, 1, 3, 300, false, 4, true},
		{"200 spread over exactly 500: 2 pages, no empty third", 500, 1, 2, 200, false, 2, true},
		{"300 of 1000, 250 on the first page: it and 1 filter", 1000, 1, 1, 300, false, 2, false},
		{"the first page holds every declared source", 3000, 1, 1, 100, false, 1, false},
		{"100 of 3000 past the first page: 1 page then 2 filters", 3000, 2901, 1, 100, false, 3, false},
		{"30 declared: one filter", 3000, 2901, 1, 30, false, 1, false},
		{"drift reads every page", 600, 1, 10, 60, true, 3, true},
		{"no declared source: no source request", 600, 1, 1, 0, false, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tn := tenanttest.Start(t, tenanttest.Options{Contract: tenanttest.ContractOff})
			emu, c := tn.Emu, tn.Client
			seedSources(t, emu, "src", tc.tenant)
			var names []string
			for k := range tc.declared {
				names = append(names, fmt.Sprintf("src-%04d", tc.first+k*tc.step))
			}
			var b strings.Builder
			for _, name := range names {
				fmt.Fprintf(&b, "---\nkind: Source\nname: %s\ndescription: declared\nowner: %s\nconnector: delimited-file\n", name, owner)
				fmt.Fprintf(&b, "---\nkind: EntitlementSchema\nsource: %s\nname: group\nattributes: [id, name]\n", name)
			}
			b.WriteString("---\nkind: Connector\nname: Lone\nclassName: sailpoint.connector.OpenConnectorAdapter\n")
			repo := load(t, tenanttest.WriteDir(t, map[string]string{"sources.yaml": b.String()}))
			var calls []int
			live, err := isync.Fetch(context.Background(), c, repo, isync.FetchOptions{
				AllSources: tc.all,
				Progress:   func(done, total int) { calls = append(calls, total) },
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range names {
				if live.Get(config.KindSource, "", name) == nil || !live.ListedOwners[config.KindEntitlementSchema][name] {
					t.Fatalf("source %s or its schemas not read", name)
				}
			}
			if tc.all && len(live.Objects[config.KindSource]) != tc.tenant {
				t.Errorf("drift read %d sources of %d", len(live.Objects[config.KindSource]), tc.tenant)
			}
			if live.Listed[config.KindSource] != tc.wantAllListed {
				t.Errorf("AllSourcesListed = %v, want %v", live.Listed[config.KindSource], tc.wantAllListed)
			}
			st := c.Stats()
			if got := st.ByEndpoint["GET /v3/sources"]; got != tc.wantListing {
				t.Errorf("%d source list requests, want %d", got, tc.wantListing)
			}
			if got := st.ByEndpoint["GET /v3/sources/{id}/schemas"]; got != tc.declared {
				t.Errorf("%d schema lists, want one per declared source (%d)", got, tc.declared)
			}
			// One connector declared, unpinned: found by name in the listing, else by the
			// common guess (a 404 here). A scriptName is never assumed without the listing.
			if st.ByEndpoint["GET /v3/connectors"] != 1 || st.ByEndpoint["GET /v3/connectors/{scriptName}"] != 1 {
				t.Errorf("connector requests %v, want one listing and one GET", st.ByEndpoint)
			}
			api := st.Requests - st.ByEndpoint["POST /oauth/token"]
			if n := len(calls); n != api || (n > 0 && calls[n-1] != api) {
				t.Errorf("progress reported %d calls (last total %v), the client made %d", n, calls, api)
			}
		})
	}
}

// TestFetchConnectorsByName finds declared connectors by name under every scriptName rule the
// emulator plays: RELEASED ones in the listing, one in development through the live source that
// uses it, a pinned one by its pin; an unused, unpinned one in development only when the common
// guess happens to be the tenant's rule. Each GET is one the listing could not save.
func TestFetchConnectorsByName(t *testing.T) {
	t.Parallel()
	for _, rule := range emulator.ScriptNameRules {
		t.Run(string(rule), func(t *testing.T) {
			seed := fstest.MapFS{}
			for i, status := range []string{"RELEASED", "RELEASED", "DEVELOPMENT", "DEVELOPMENT", "DEVELOPMENT"} {
				name := fmt.Sprintf("Custom %d", i)
				seed[fmt.Sprintf("connectors/c%d.json", i)] = &fstest.MapFile{Data: []byte(fmt.Sprintf(
					`{"name":%q,"type":"custom %s","className":"sailpoint.connector.OpenConnectorAdapter","directConnect":true,"status":%q}`,
					name, name, status))}
			}
			tn := tenanttest.Start(t, tenanttest.Options{Emulator: emulator.Options{Seed: seed, ScriptNameRule: rule}, Contract: tenanttest.ContractOff})
			emu, c := tn.Emu, tn.Client
			script := map[string]string{}
			for _, o := range emu.Connectors() {
				script[o.String("name")] = o.String("scriptName")
			}
			// A live source uses Custom 2: it names the connector's scriptName and name.
			var body value.Object
			if err := body.UnmarshalJSON([]byte(fmt.Sprintf(`{"name":"Uses Custom 2","owner":%s,"connector":%q}`, `{"type":"IDENTITY","id":"2c91808568c529c60168cca6f90c1313","name":"Amelia Ortiz"}`, script["Custom 2"]))); err != nil {
				t.Fatal(err)
			}
			if _, err := c.CreateSource(context.Background(), &body, isc.CreateSourceOptions{}); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, name := range []string{"Custom 0", "Custom 2", "Custom 3", "Custom 4", "Custom 9"} {
				fmt.Fprintf(&b, "---\nkind: Connector\nname: %s\nclassName: sailpoint.connector.OpenConnectorAdapter\n", name)
				if name == "Custom 3" {
					fmt.Fprintf(&b, "scriptName: %s\n", script[name])
				}
			}
			fmt.Fprintf(&b, "---\nkind: Source\nname: Uses Custom 2\nowner: %s\nconnector: ${connector:Custom 2}\n", owner)
			repo := load(t, tenanttest.WriteDir(t, map[string]string{"repo.yaml": b.String()}))
			before := c.Stats()
			live, err := isync.Fetch(context.Background(), c, repo, isync.FetchOptions{})
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"Custom 0", "Custom 2", "Custom 3"}
			if rule == emulator.ScriptNameSlug || rule == emulator.ScriptNameDash {
				want = append(want, "Custom 4") // the guess is right for these names
			}
			for _, name := range want {
				o := live.Get(config.KindConnector, "", name)
				if o == nil || o.String("scriptName") != script[name] {
					t.Errorf("connector %q: found %v, want scriptName %q", name, o, script[name])
				}
			}
			if len(live.Objects[config.KindConnector]) != len(want) {
				t.Errorf("found %d connectors, want %d", len(live.Objects[config.KindConnector]), len(want))
			}
			st := c.Stats()
			if n := st.ByEndpoint["GET /v3/connectors"] - before.ByEndpoint["GET /v3/connectors"]; n != 1 {
				t.Errorf("%d listings, want 1", n)
			}
			// Custom 2 (its source's scriptName), 3 (pin), 4 and 9 (guesses): never one twice.
			if n := st.ByEndpoint["GET /v3/connectors/{scriptName}"] - before.ByEndpoint["GET /v3/connectors/{scriptName}"]; n != 4 {
				t.Errorf("%d GETs by scriptName, want 4", n)
			}
		})
	}
}
