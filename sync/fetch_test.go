package sync_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/tenanttest"
	isync "github.com/sailsync/sailsync/sync"
)

const owner = "{type: IDENTITY, id: 2c91808568c529c60168cca6f90c1313, name: Amelia Ortiz}"

// seedSources adds n sources named prefix-0001… to the emulator.
func seedSources(t *testing.T, emu *emulator.Emulator, prefix string, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		if _, err := emu.AddSource(tenanttest.LiveSource(fmt.Sprintf("%s-%04d", prefix, i), "seeded")); err != nil {
			t.Fatal(err)
		}
	}
}

// declare writes a repository declaring the named sources, each with one entitlement schema.
func declare(t *testing.T, prefix string, n int, withSchemas bool) *config.Repo {
	t.Helper()
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "---\nkind: Source\nname: %s-%04d\ndescription: declared\nowner: %s\nconnector: delimited-file\n", prefix, i, owner)
		if withSchemas {
			fmt.Fprintf(&b, "---\nkind: EntitlementSchema\nsource: %s-%04d\nname: group\nattributes: [id, name]\n", prefix, i)
		}
	}
	return load(t, tenanttest.WriteDir(t, map[string]string{"sources.yaml": b.String()}))
}

// TestFetchMakesTheMinimumOfCalls counts the requests of a plan's fetch and holds them to the
// fewest the API allows: the sources by whichever of the full paged list and name-filtered
// lists is fewer calls, one schema list per declared source with schemas, one token.
func TestFetchMakesTheMinimumOfCalls(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name              string
		tenant, declared  int
		schemas           bool
		wantSourceListing int
	}{
		{"300 declared of 300, with schemas", 300, 300, true, 2}, // 2 pages of 250 beat 6 filters of 50
		{"3 declared of 600", 600, 3, true, 1},                   // one name filter beats 3 pages
		{"50 declared of 600, no schemas", 600, 50, false, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tn := tenanttest.Start(t, tenanttest.Options{})
			emu, c := tn.Emu, tn.Client
			seedSources(t, emu, "src", tc.tenant)
			repo := declare(t, "src", tc.declared, tc.schemas)
			live, err := isync.Fetch(context.Background(), c, repo, isync.FetchOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(live.Objects[config.KindSource]) < tc.declared {
				t.Fatalf("fetched %d sources, want at least the %d declared", len(live.Objects[config.KindSource]), tc.declared)
			}
			want := tc.wantSourceListing
			if tc.schemas {
				want += tc.declared
			}
			st := c.Stats()
			api := st.Requests - st.ByEndpoint["POST /oauth/token"]
			if api != want {
				t.Errorf("fetch made %d API requests %v, want the minimum %d", api, st.ByEndpoint, want)
			}
			if got := st.ByEndpoint["POST /oauth/token"]; got > 1 {
				t.Errorf("%d token requests, want 1", got)
			}
		})
	}
}
