package config_test

import (
	"fmt"
	"testing"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/tenanttest"
)

// writeBenchRepo writes a repository of n sources, one file each holding the Source and one
// EntitlementSchema, plus two connectors: the shape of bench's timed scenario.
func writeBenchRepo(b *testing.B, n int) string {
	b.Helper()
	dir := b.TempDir()
	if err := tenanttest.WriteBenchRepo(dir, tenanttest.BenchRepo{Sources: n, Connectors: 2}); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkLoad measures Load (walk, YAML parse, schema validation, references, hash) of
// repositories of 100, 1,000 and 10,000 sources; ns/op should grow linearly with n.
//
//	go test -run '^$' -bench Load -benchmem ./config/
func BenchmarkLoad(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("sources=%d", n), func(b *testing.B) {
			dir := writeBenchRepo(b, n)
			b.ReportAllocs()
			for b.Loop() {
				repo, err := config.Load(dir)
				if err != nil {
					b.Fatal(err)
				}
				if len(repo.Sources()) != n || len(repo.Schemas()) != n {
					b.Fatalf("loaded %d sources, %d schemas; want %d", len(repo.Sources()), len(repo.Schemas()), n)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/source")
		})
	}
}
