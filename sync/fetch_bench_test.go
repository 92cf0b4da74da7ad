package sync_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/isc"
	"github.com/sailsync/sailsync/internal/tenanttest"
	isync "github.com/sailsync/sailsync/sync"
)

// BenchmarkFetch is a plan's fetch of 2,000 declared sources with entitlement schemas from a
// tenant of 4,000 over HTTP: 16 listing pages (half of them of sources the repository does not
// declare) and 2,000 schema lists. The emulator's work is in the figures too.
func BenchmarkFetch(b *testing.B) {
	const tenant, declared = 4000, 2000
	tn := tenanttest.Start(b, tenanttest.Options{Contract: tenanttest.ContractOff})
	emu := tn.Emu
	for i := 1; i <= tenant; i++ {
		if _, err := emu.AddSource(tenanttest.LiveSource(fmt.Sprintf("src-%04d", i), "seeded")); err != nil {
			b.Fatal(err)
		}
	}
	var y strings.Builder
	for i := 1; i <= declared; i++ {
		fmt.Fprintf(&y, "---\nkind: Source\nname: src-%04d\ndescription: declared\nowner: %s\nconnector: delimited-file\n", i, owner)
		fmt.Fprintf(&y, "---\nkind: EntitlementSchema\nsource: src-%04d\nname: group\nattributes: [id, name]\n", i)
	}
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "sources.yaml"), []byte(y.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	repo, err := config.Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		c := tn.NewClient(b, isc.Config{RatePer10s: 1e9})
		live, err := isync.Fetch(context.Background(), c, repo, isync.FetchOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if len(live.Objects[config.KindSource]) != declared || c.Stats().Requests != 1+tenant/isync.PageSize+declared {
			b.Fatalf("%d sources, %d requests", len(live.Objects[config.KindSource]), c.Stats().Requests)
		}
	}
}
