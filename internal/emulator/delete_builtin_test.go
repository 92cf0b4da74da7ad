package emulator_test

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sailsync/sailsync/examples"
	"github.com/sailsync/sailsync/internal/emulator"
)

// TestDeleteBuiltInConnectorRefused: DELETE /v3/connectors/{scriptName} is deleteCustomConnector:
// the tenant's own connector (JDBC) is refused with 400 even when no source uses it, and stays;
// a custom one nothing uses is deleted.
func TestDeleteBuiltInConnectorRefused(t *testing.T) {
	t.Parallel()
	seed := fstest.MapFS{}
	for _, p := range []string{"connectors/jdbc.json", "connectors/payroll-bridge.json"} {
		data, err := fs.ReadFile(examples.AcmeTenant, p)
		if err != nil {
			t.Fatal(err)
		}
		seed[p] = &fstest.MapFile{Data: data}
	}
	emu, err := emulator.New(emulator.Options{Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	tn := checked(t, emu)
	if r := tn.do("DELETE", "/v3/connectors/jdbc", nil); r.status != 400 || !strings.Contains(string(r.body), "not a custom connector") {
		t.Errorf("DELETE of the built-in JDBC: %d %s", r.status, r.body)
	}
	if _, ok := emu.Connector("jdbc"); !ok {
		t.Error("the built-in connector is gone")
	}
	if r := tn.do("DELETE", "/v3/connectors/payroll-bridge", nil); r.status != 204 {
		t.Errorf("DELETE of an unused custom connector: %d %s", r.status, r.body)
	}
}
