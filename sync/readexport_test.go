package sync_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/isc"
	"github.com/sailsync/sailsync/internal/tenanttest"
	"github.com/sailsync/sailsync/internal/value"
	isync "github.com/sailsync/sailsync/sync"
)

// exportedRepo is a realistic tenant of n sources and the repository export writes of it.
func exportedRepo(t *testing.T, n int, opts emulator.Options) (*tenanttest.Tenant, *config.Repo) {
	t.Helper()
	opts.Seed = emulator.RealisticTenant(n, 7)
	tn := tenanttest.Start(t, tenanttest.Options{Emulator: opts})
	exp, err := isync.Export(context.Background(), tn.Client, isync.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range exp.Files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return tn, load(t, dir)
}

// planJSON is the plan of repo against live as its JSON, the read notes left out.
func planJSON(t *testing.T, repo *config.Repo, live *diff.Live) string {
	t.Helper()
	p, err := diff.Compute(repo, live, diff.Options{Env: func(string) (string, bool) { return "", false }, AllowUnsetEnv: true})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReadExport: the schemas of a realistic tenant's sources read from one configuration
// export make the same plan as reads per source, in a handful of requests; every way the export
// fails or falls short (no scope, no endpoint, a FAILED job, one slower than the bound, sources
// without embedded schemas, embedded schemas without ids) falls back to per-source reads for
// exactly the sources affected, with a note, and never to a wrong "no changes".
func TestReadExport(t *testing.T) {
	t.Parallel()
	const n = 60
	for _, tc := range []struct {
		name      string
		opts      emulator.Options
		mode      isync.ReadMode
		wait      time.Duration
		exported  bool // the schemas came from the export
		fallbacks bool // every source with schemas was read per object after the export
		note      string
	}{
		{"export", emulator.Options{ExportPolls: 2}, isync.ReadExport, 0, true, false, "from one configuration export (4 requests)"},
		{"auto, many sources", emulator.Options{}, isync.ReadAuto, 0, true, false, "from one configuration export (3 requests)"},
		{"no scope", emulator.Options{Export: emulator.ExportForbidden}, isync.ReadExport, 0, false, true, "403"},
		{"no endpoint", emulator.Options{Export: emulator.ExportMissing}, isync.ReadExport, 0, false, true, "404"},
		{"job failed", emulator.Options{Export: emulator.ExportFailed}, isync.ReadExport, 0, false, true, "ended FAILED"},
		{"job too slow", emulator.Options{ExportPolls: 50}, isync.ReadExport, 30 * time.Millisecond, false, true, "not complete after"},
		{"no embedded schemas", emulator.Options{Export: emulator.ExportNoChildren}, isync.ReadExport, 0, false, true, "did not give whole"},
		{"schemas without ids", emulator.Options{Export: emulator.ExportPartialSchemas}, isync.ReadExport, 0, false, true, "did not give whole"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tn, repo := exportedRepo(t, n, tc.opts)
			// An admin empties one schema behind Git's back: both reads must see it.
			es := repo.Schemas()[0]
			for _, s := range repo.Schemas() {
				if len(s.Attributes) > 0 {
					es = s
					break
				}
			}
			if err := tn.Emu.UpdateSchema(es.Source, es.Name, func(s *value.Object) { s.Set("attributes", []any{}) }); err != nil {
				t.Fatal(err)
			}
			perObject, err := isync.Fetch(context.Background(), tn.Client, repo, isync.FetchOptions{})
			if err != nil {
				t.Fatal(err)
			}
			c := tn.NewClient(t, isc.Config{})
			live, err := isync.Fetch(context.Background(), c, repo, isync.FetchOptions{Read: tc.mode, ExportPoll: time.Millisecond, ExportWait: tc.wait})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := planJSON(t, repo, live), planJSON(t, repo, perObject); got != want {
				t.Errorf("the plan differs from the per-object plan:\n%s\nwant:\n%s", got, want)
			}
			if p := planJSON(t, repo, live); !strings.Contains(p, `"action":"update"`) {
				t.Errorf("the plan misses the schema changed in the tenant:\n%s", p)
			}
			if len(live.Notes) != 1 || !strings.Contains(live.Notes[0], tc.note) {
				t.Errorf("notes %q, want one saying %q", live.Notes, tc.note)
			}
			st := c.Stats()
			perSource := st.ByEndpoint["GET /v3/sources/{id}/schemas"]
			sources := map[string]bool{}
			for _, es := range repo.Schemas() {
				if perObject.Get(config.KindSource, "", es.Source) != nil {
					sources[es.Source] = true
				}
			}
			withSchemas := len(sources)
			switch {
			case tc.exported && perSource != 0:
				t.Errorf("%d schema reads per source beside the export", perSource)
			case tc.fallbacks && perSource != withSchemas:
				t.Errorf("%d schema reads per source, want %d (every source the export did not give)", perSource, withSchemas)
			}
			if tc.fallbacks && live.ExportFallbacks != withSchemas {
				t.Errorf("%d fallbacks counted, want %d", live.ExportFallbacks, withSchemas)
			}
			if w := tenanttest.Writes(tn.Emu); len(w) != 0 {
				t.Errorf("a read wrote %v", w)
			}
		})
	}
}
