package config_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/sailsync/sailsync/config"
)

// writeBenchRepo writes a repository of n sources, one file each holding the Source and one
// EntitlementSchema, plus two connectors: the shape of the performance scenario (issue 6).
func writeBenchRepo(b *testing.B, n int) string {
	b.Helper()
	dir := b.TempDir()
	for _, sub := range []string{"sources", "connectors"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			b.Fatal(err)
		}
	}
	for i := 1; i <= 2; i++ {
		doc := fmt.Sprintf("kind: Connector\nname: Bench Connector %d\nclassName: sailpoint.connector.OpenConnectorAdapter\ndirectConnect: true\nstatus: RELEASED\n", i)
		if err := os.WriteFile(filepath.Join(dir, "connectors", fmt.Sprintf("c%d.yaml", i)), []byte(doc), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	for i := 1; i <= n; i++ {
		doc := fmt.Sprintf(`kind: Source
name: Bench Source %05[1]d
description: "Bench source %[1]d (managed by sailsync)"
owner: {type: IDENTITY, id: 2c91808568c529c60168cca6f90c1313, name: Amelia Ortiz}
cluster: {type: CLUSTER, id: 2c9180866166b5b0016167c32ef31a66, name: Acme Primary VA Cluster}
connector: delimited-file
connectorClass: sailpoint.connector.DelimitedFileConnector
type: DelimitedFile
authoritative: false
deleteThreshold: 10
features: [DIRECT_PERMISSIONS, NO_RANDOM_ACCESS]
connectorAttributes:
  file: bench-%05[1]d.csv
  delimiter: ","
  hasHeader: true
  password: ${env:BENCH_PASSWORD}
---
kind: EntitlementSchema
source: Bench Source %05[1]d
name: group
attributes: [id, name, description]
`, i)
		if err := os.WriteFile(filepath.Join(dir, "sources", fmt.Sprintf("s%05d.yaml", i)), []byte(doc), 0o644); err != nil {
			b.Fatal(err)
		}
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
				if len(repo.Sources) != n || len(repo.Schemas) != n {
					b.Fatalf("loaded %d sources, %d schemas; want %d", len(repo.Sources), len(repo.Schemas), n)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/source")
		})
	}
}
