package main

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"testing/fstest"

	"github.com/sailsync/sailsync/emulator"
	"github.com/sailsync/sailsync/isc"
	"github.com/sailsync/sailsync/tenanttest"
	"github.com/sailsync/sailsync/value"
)

// The scenario of issue 6: a tenant of 2N sources, a repository declaring N of them (each with
// one entitlement schema the tenant does not have yet and a description that differs), plus
// connectorCount custom connectors, half of them not RELEASED, declared as they are in the
// tenant (connectors have no update endpoint, so a difference would block the apply).
//
// The declared sources are every other source of the tenant's list (the odd-numbered ones), so
// that each page of the listing holds some: no strategy can skip a page, and the minimum of
// minimum.go is a true lower bound. (Declaring the first N would let a client stop after the
// pages that hold them, which says more about the scenario than about the client.)
const connectorCount = 10

func sourceName(i int) string { return tenanttest.BenchSourceName(i) }

// declared is the tenant index of the i-th declared source (1-based).
func declared(i int) int { return 2*i - 1 }

func connectorName(i int) string { return tenanttest.BenchConnectorName(i) }

// connectorStatus: the first half of the connectors are RELEASED (listed by GET /v3/connectors).
func connectorStatus(i int) string { return tenanttest.BenchConnectorStatus(i, connectorCount) }

const (
	ownerID   = tenanttest.BenchOwnerID
	clusterID = tenanttest.BenchClusterID
)

// liveSource is source i as an admin created it in the tenant before the repository existed.
func liveSource(i int) *value.Object {
	ref := func(typ, id, name string) *value.Object {
		o := value.NewObject()
		o.Set("type", typ)
		o.Set("id", id)
		o.Set("name", name)
		return o
	}
	o := value.NewObject()
	o.Set("name", sourceName(i))
	o.Set("description", fmt.Sprintf("Bench source %d (created in the UI)", i))
	o.Set("owner", ref("IDENTITY", ownerID, "Amelia Ortiz"))
	o.Set("cluster", ref("CLUSTER", clusterID, "Acme Primary VA Cluster"))
	o.Set("connector", "delimited-file")
	o.Set("connectorClass", "sailpoint.connector.DelimitedFileConnector")
	o.Set("type", "DelimitedFile")
	o.Set("authoritative", false)
	o.Set("deleteThreshold", json.Number("10"))
	o.Set("features", []any{"DIRECT_PERMISSIONS", "NO_RANDOM_ACCESS"})
	attrs := value.NewObject()
	attrs.Set("file", fmt.Sprintf("bench-%05d.csv", i))
	attrs.Set("delimiter", ",")
	attrs.Set("hasHeader", true)
	o.Set("connectorAttributes", attrs)
	return o
}

// liveConnector is bench connector i as GET /v3/connectors/{scriptName} returns it.
func liveConnector(i int) *value.Object {
	name := connectorName(i)
	o := value.NewObject()
	o.Set("name", name)
	o.Set("type", "custom "+name)
	o.Set("className", "sailpoint.connector.OpenConnectorAdapter")
	o.Set("scriptName", isc.ScriptName(name))
	o.Set("uploadedFiles", []any{})
	o.Set("fileUpload", false)
	o.Set("directConnect", true)
	o.Set("features", []any{})
	o.Set("connectorMetadata", value.NewObject())
	o.Set("status", connectorStatus(i))
	return o
}

// tenant is an emulated tenant of the scenario served over real HTTP on loopback.
type tenant struct {
	emu *emulator.Emulator
	srv *httptest.Server
}

func (t *tenant) close() { t.srv.Close() }

// newTenant seeds an emulator with the scenario's connectors and `sources` sources.
func newTenant(sources int, opts emulator.Options) (*tenant, error) {
	seed := fstest.MapFS{}
	for i := 1; i <= connectorCount; i++ {
		data, err := liveConnector(i).MarshalJSON()
		if err != nil {
			return nil, err
		}
		seed[fmt.Sprintf("connectors/bench-%02d.json", i)] = &fstest.MapFile{Data: data}
	}
	opts.Seed = seed
	emu, err := emulator.New(opts)
	if err != nil {
		return nil, err
	}
	for i := 1; i <= sources; i++ {
		if _, err := emu.AddSource(liveSource(i)); err != nil {
			return nil, err
		}
	}
	return &tenant{emu: emu, srv: httptest.NewServer(emu)}, nil
}

// writeRepo writes the repository of the scenario into dir: one file per source (the Source
// and its EntitlementSchema) and one per connector.
func writeRepo(dir string, n int) error {
	return tenanttest.WriteBenchRepo(dir, tenanttest.BenchRepo{Sources: n, Index: declared, Connectors: connectorCount})
}
