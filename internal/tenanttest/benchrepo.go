package tenanttest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The repository of the performance scenario (README "Performance", go run ./bench), which the
// benchmarks of config and diff load too.

// BenchOwnerID and BenchClusterID are the owner and cluster every bench source refers to.
const (
	BenchOwnerID   = "2c91808568c529c60168cca6f90c1313"
	BenchClusterID = "2c9180866166b5b0016167c32ef31a66"
)

// BenchSourceName is the name of bench source i.
func BenchSourceName(i int) string { return fmt.Sprintf("Bench Source %05d", i) }

// BenchConnectorName is the name of bench connector i.
func BenchConnectorName(i int) string { return fmt.Sprintf("Bench Connector %02d", i) }

// BenchConnectorStatus is the status of bench connector i of n: the first half are RELEASED
// (listed by GET /v3/connectors), the others not.
func BenchConnectorStatus(i, n int) string {
	if i <= n/2 {
		return "RELEASED"
	}
	return "DEVELOPMENT"
}

// BenchRepo describes a generated bench repository.
type BenchRepo struct {
	// Sources is how many sources are declared, each with one EntitlementSchema, one file each.
	Sources int
	// Index is the number of the k-th declared source (1-based); nil declares 1 to Sources.
	Index func(k int) int
	// Connectors is how many custom connectors are declared, as BenchConnectorStatus says.
	Connectors int
	// Refs, when set, writes the reference lines of source i (owner, cluster, …) instead of
	// BenchOwnerID's and BenchClusterID's: the bench gives them by name, resolved per tenant.
	Refs func(i int) string
}

// WriteBenchRepo writes the repository r describes into dir.
func WriteBenchRepo(dir string, r BenchRepo) error {
	for _, sub := range []string{"sources", "connectors"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return err
		}
	}
	for i := 1; i <= r.Connectors; i++ {
		name := BenchConnectorName(i)
		doc := fmt.Sprintf("kind: Connector\nname: %s\nclassName: sailpoint.connector.OpenConnectorAdapter\ntype: custom %s\ndirectConnect: true\nstatus: %s\n",
			name, name, BenchConnectorStatus(i, r.Connectors))
		if err := os.WriteFile(filepath.Join(dir, "connectors", fmt.Sprintf("bench-%02d.yaml", i)), []byte(doc), 0o644); err != nil {
			return err
		}
	}
	var b strings.Builder
	for k := 1; k <= r.Sources; k++ {
		i := k
		if r.Index != nil {
			i = r.Index(k)
		}
		refs := fmt.Sprintf("owner: {type: IDENTITY, id: %s, name: Amelia Ortiz}\ncluster: {type: CLUSTER, id: %s, name: Acme Primary VA Cluster}\n",
			BenchOwnerID, BenchClusterID)
		if r.Refs != nil {
			refs = r.Refs(i)
		}
		b.Reset()
		fmt.Fprintf(&b, `kind: Source
name: %[1]s
description: "Bench source %[2]d (managed by sailsync)"
%[3]sconnector: delimited-file
connectorClass: sailpoint.connector.DelimitedFileConnector
type: DelimitedFile
authoritative: false
deleteThreshold: 10
features: [DIRECT_PERMISSIONS, NO_RANDOM_ACCESS]
connectorAttributes:
  file: bench-%05[2]d.csv
  delimiter: ","
  hasHeader: true
---
kind: EntitlementSchema
source: %[1]s
name: group
attributes: [id, name, description]
`, BenchSourceName(i), i, refs)
		if err := os.WriteFile(filepath.Join(dir, "sources", fmt.Sprintf("bench-%05d.yaml", i)), []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}
