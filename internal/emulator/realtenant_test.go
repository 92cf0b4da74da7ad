package emulator_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/tenanttest"
	"github.com/sailsync/sailsync/internal/value"
)

const fusionID = "2c9180867a5e3c5b017a5f1b2c3d0001"

// realTenant is the Acme tenant plus a real tenant's shapes (../cli/testdata/realtenant).
func realTenant(t *testing.T) *emulator.Emulator {
	t.Helper()
	dir := tenanttest.CopyDir(t, "../../examples/acme-tenant")
	for _, f := range []string{"sources/identity-fusion.json", "schemas/Identity Fusion/schemas.json"} {
		b, err := os.ReadFile(filepath.Join("..", "cli", "testdata", "realtenant", filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	emu, err := emulator.New(emulator.Options{Seed: os.DirFS(dir)})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	return emu
}

// TestRealTenantShapes: the emulator, as a real tenant does, holds and serves features outside
// the published enum, a UUID connector, an empty connectorClass and nulls, schemas without
// attributes or with null identity attributes, and takes them back in a PUT and a POST; every
// request and answer passes the official document as FixDocument corrects it.
func TestRealTenantShapes(t *testing.T) {
	t.Parallel()
	emu := realTenant(t)
	tn := checked(t, emu)
	got := tn.do("GET", "/v3/sources/"+fusionID, nil)
	if got.status != 200 {
		t.Fatalf("GET: %d %s", got.status, got.body)
	}
	src := got.object(t)
	if schemas := tn.do("GET", "/v3/sources/"+fusionID+"/schemas", nil); schemas.status != 200 || len(schemas.objects(t)) != 2 {
		t.Fatalf("schemas: %d %s", schemas.status, schemas.body)
	}

	src.Set("description", "reviewed")
	put := tn.do("PUT", "/v3/sources/"+fusionID, src)
	if put.status != 200 {
		t.Fatalf("PUT as GET returned it: %d %s", put.status, put.body)
	}
	stored, _ := emu.SourceByName("Identity Fusion")
	for path, want := range map[string]any{"description": "reviewed", "connectorClass": "", "deleteThreshold": nil, "managementWorkgroup": nil,
		"connector": "1a2b3c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d", "connectorAttributes.idnProxyType": "sp-connect"} {
		if v, ok := stored.Path(path); !ok || v != want {
			t.Errorf("stored %s = %v (present %v), want %v", path, v, ok, want)
		}
	}
	if f, _ := stored.Get("features"); strings.Join(value.StringList(f), ",") != "DISCOVER_SCHEMA,AI_AGENT_AGGREGATION,MACHINE_IDENTITY_AGGREGATION,NO_RANDOM_ACCESS" {
		t.Errorf("stored features %v", f)
	}

	body := mustJSON(t, newSource)
	body.Set("features", []any{"AI_AGENT_AGGREGATION"})
	body.Set("deleteThreshold", nil)
	body.Set("managerCorrelationMapping", nil)
	if r := tn.do("POST", "/v3/sources", body); r.status != 201 {
		t.Fatalf("POST with a real tenant's values: %d %s", r.status, r.body)
	}
}
