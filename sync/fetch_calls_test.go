package sync_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sailsync/sailsync/emulator"
	"github.com/sailsync/sailsync/isc"
	isync "github.com/sailsync/sailsync/sync"
)

// TestFetchCallsByTenantSize holds the fetch to the fewest requests for tenants of several sizes:
// the full listing when it is fewer calls (its pages requested together once the first tells
// the size, and no empty page after a full one), name filters when they are fewer, and one
// request more than that minimum (the first page, which tells the size) only when more than
// NamesPerFilter sources are declared and filters win.
func TestFetchCallsByTenantSize(t *testing.T) {
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
			emu, err := emulator.New(emulator.Options{})
			if err != nil {
				t.Fatal(err)
			}
			seedSources(t, emu, "src", tc.tenant)
			srv := httptest.NewServer(emu)
			defer srv.Close()
			c, err := isc.New(isc.Config{BaseURL: srv.URL, ClientID: emu.ClientID(), ClientSecret: emu.ClientSecret(), RatePer10s: 1e6})
			if err != nil {
				t.Fatal(err)
			}
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
			repo := load(t, writeRepo(t, map[string]string{"sources.yaml": b.String()}))
			var calls []int
			live, err := isync.Fetch(context.Background(), c, repo, isync.FetchOptions{
				AllSources: tc.all,
				Progress:   func(done, total int) { calls = append(calls, total) },
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range names {
				if live.Sources[name] == nil || live.Schemas[name] == nil {
					t.Fatalf("source %s or its schemas not read", name)
				}
			}
			if tc.all && len(live.Sources) != tc.tenant {
				t.Errorf("drift read %d sources of %d", len(live.Sources), tc.tenant)
			}
			if live.AllSourcesListed != tc.wantAllListed {
				t.Errorf("AllSourcesListed = %v, want %v", live.AllSourcesListed, tc.wantAllListed)
			}
			st := c.Stats()
			if got := st.ByEndpoint["GET /v3/sources"]; got != tc.wantListing {
				t.Errorf("%d source list requests, want %d", got, tc.wantListing)
			}
			if got := st.ByEndpoint["GET /v3/sources/{id}/schemas"]; got != tc.declared {
				t.Errorf("%d schema lists, want one per declared source (%d)", got, tc.declared)
			}
			// One connector declared: its GET (a 404 here) is cheaper than the listing.
			if st.ByEndpoint["GET /v3/connectors"] != 0 || st.ByEndpoint["GET /v3/connectors/{scriptName}"] != 1 {
				t.Errorf("connector requests %v, want one GET", st.ByEndpoint)
			}
			api := st.Requests - st.ByEndpoint["POST /oauth/token"]
			if n := len(calls); n != api || (n > 0 && calls[n-1] != api) {
				t.Errorf("progress reported %d calls (last total %v), the client made %d", n, calls, api)
			}
		})
	}
}

// TestFetchConnectorsListedAndUnlisted: several declared connectors cost one listing (RELEASED
// only) plus a GET for each declared connector the listing does not show.
func TestFetchConnectorsListedAndUnlisted(t *testing.T) {
	seed := fstest.MapFS{}
	for i, status := range []string{"RELEASED", "RELEASED", "DEVELOPMENT", "DEVELOPMENT", "DEVELOPMENT"} {
		name := fmt.Sprintf("Custom %d", i)
		seed[fmt.Sprintf("connectors/c%d.json", i)] = &fstest.MapFile{Data: []byte(fmt.Sprintf(
			`{"name":%q,"type":"custom %s","className":"sailpoint.connector.OpenConnectorAdapter","scriptName":%q,"directConnect":true,"status":%q}`,
			name, name, isc.ScriptName(name), status))}
	}
	emu, err := emulator.New(emulator.Options{Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	defer srv.Close()
	c, err := isc.New(isc.Config{BaseURL: srv.URL, ClientID: emu.ClientID(), ClientSecret: emu.ClientSecret(), RatePer10s: 1e6})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	// Declared: one released, two in development, one the tenant lacks.
	for _, name := range []string{"Custom 0", "Custom 2", "Custom 3", "Custom 9"} {
		fmt.Fprintf(&b, "---\nkind: Connector\nname: %s\nclassName: sailpoint.connector.OpenConnectorAdapter\n", name)
	}
	repo := load(t, writeRepo(t, map[string]string{"connectors.yaml": b.String()}))
	live, err := isync.Fetch(context.Background(), c, repo, isync.FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, sn := range []string{"custom-0", "custom-2", "custom-3"} {
		if live.Connectors[sn] == nil {
			t.Errorf("connector %s not read", sn)
		}
	}
	if live.Connectors["custom-9"] != nil {
		t.Error("a connector the tenant lacks was found")
	}
	st := c.Stats()
	if st.ByEndpoint["GET /v3/connectors"] != 1 || st.ByEndpoint["GET /v3/connectors/{scriptName}"] != 3 || st.ByEndpoint["GET /v3/sources"] != 0 {
		t.Errorf("requests %v, want 1 listing and 3 GETs, no source listing", st.ByEndpoint)
	}
}
