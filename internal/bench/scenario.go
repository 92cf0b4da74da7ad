package main

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"testing/fstest"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/isc"
	"github.com/sailsync/sailsync/internal/tenanttest"
	"github.com/sailsync/sailsync/internal/value"
)

// The timed scenario, a large tenant's shape: a tenant of 2N sources, a repository declaring N of them (each with
// one entitlement schema the tenant does not have yet and a description that differs), plus
// connectorCount custom connectors, half of them not RELEASED, declared as they are in the
// tenant (connectors have no update endpoint, so a difference would block the apply).
//
// The declared sources are every other source of the tenant's list (the odd-numbered ones), so
// that each page of the listing holds some: no strategy can skip a page, and the minimum of
// minimum.go is a true lower bound. (Declaring the first N would let a client stop after the
// pages that hold them, which says more about the scenario than about the client.)
const connectorCount = 10

func sourceName(i int) string { return fmt.Sprintf("Bench Source %05d", i) }

// declared is the tenant index of the i-th declared source (1-based).
func declared(i int) int { return 2*i - 1 }

func connectorName(i int) string { return fmt.Sprintf("Bench Connector %02d", i) }

// released reports whether bench connector i is RELEASED (listed by GET /v3/connectors).
func released(i int) bool { return i <= connectorCount/2 }

func connectorStatus(i int) string {
	if released(i) {
		return "RELEASED"
	}
	return "DEVELOPMENT"
}

const (
	clusterID   = "2c9180866166b5b0016167c32ef31a66"
	clusterName = "Acme Primary VA Cluster"
	// identityCount identities are in the tenant, as in a real one (thousands); the sources
	// are owned by ownerCount of them and managed by workgroupCount governance groups, all
	// given by name in the repository, so that a plan resolves them per tenant.
	identityCount  = 2000
	ownerCount     = 5
	workgroupCount = 3
)

// identityName and identityID are identity i of the tenant (1-based); owner of source i is
// identity ownerOf(i).
func identityName(i int) string { return fmt.Sprintf("Bench Identity %04d", i) }
func identityID(i int) string   { return fmt.Sprintf("2c91808568c529c60168cca6f90%05d", i) }
func ownerOf(i int) int         { return i%ownerCount + 1 }

// workgroupName and workgroupID are governance group i (1-based); source i's is workgroupOf(i).
func workgroupName(i int) string { return fmt.Sprintf("Bench Admins %d", i) }
func workgroupID(i int) string   { return fmt.Sprintf("2c9180837ca6693d017ca8d0975%05d", i) }
func workgroupOf(i int) int      { return i%workgroupCount + 1 }

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
	o.Set("owner", ref("IDENTITY", identityID(ownerOf(i)), identityName(ownerOf(i))))
	o.Set("cluster", ref("CLUSTER", clusterID, clusterName))
	o.Set("managementWorkgroup", ref("GOVERNANCE_GROUP", workgroupID(workgroupOf(i)), workgroupName(workgroupOf(i))))
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
	var ids, wgs []any
	for i := 1; i <= identityCount; i++ {
		ids = append(ids, map[string]any{"id": identityID(i), "name": identityName(i)})
	}
	for i := 1; i <= workgroupCount; i++ {
		wgs = append(wgs, map[string]any{"id": workgroupID(i), "name": workgroupName(i)})
	}
	for file, v := range map[string]any{
		"identities/bench.json":       ids,
		"workgroups/bench.json":       wgs,
		"managed-clusters/bench.json": []any{map[string]any{"id": clusterID, "name": clusterName, "clientType": "CCG", "ccgVersion": "v01"}},
	} {
		data, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		seed[file] = &fstest.MapFile{Data: data}
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
// and its EntitlementSchema) and one per connector, the references given by name.
func writeRepo(dir string, n int) error {
	return tenanttest.WriteBenchRepo(dir, tenanttest.BenchRepo{Sources: n, Index: declared, Connectors: connectorCount,
		Refs: func(i int) string {
			return fmt.Sprintf("owner: {type: IDENTITY, name: %s}\ncluster: {type: CLUSTER, name: %s}\nmanagementWorkgroup: {type: GOVERNANCE_GROUP, name: %s}\n",
				identityName(ownerOf(i)), clusterName, workgroupName(workgroupOf(i)))
		}})
}

// namedLive is what a plan's lookups find for repo's references given by name, read from the
// tenant directly (no request), for the scenarios that compute their plan without a fetch.
func namedLive(emu *emulator.Emulator, repo *config.Repo) map[config.NamedRef][]*value.Object {
	collections := map[string]string{config.RefIdentity: "identities", config.RefCluster: "managed-clusters",
		config.RefGovernanceGroup: "workgroups", config.RefPasswordPolicy: "password-policies", config.RefRule: "connector-rules"}
	out := map[config.NamedRef][]*value.Object{}
	for _, u := range repo.NamedRefs() {
		if _, done := out[u.NamedRef]; done {
			continue
		}
		out[u.NamedRef] = nil
		for _, o := range emu.Directory(collections[u.Type]) {
			if o.String("name") == u.Name {
				out[u.NamedRef] = append(out[u.NamedRef], o)
			}
		}
	}
	return out
}
