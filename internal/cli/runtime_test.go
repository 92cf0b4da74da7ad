package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/tenanttest"
	"github.com/sailsync/sailsync/internal/value"
)

// TestDriftRuntimeStateOnly: a tenant whose sources carry runtime state (an Entra source with
// delta tokens among the example's), exported: drift exits 0; after aggregations that rewrite
// only runtime state it still exits 0; a description changed in the UI exits 2. Under every
// way the tenant can return secrets.
func TestDriftRuntimeStateOnly(t *testing.T) {
	t.Parallel()
	for _, f := range emulator.CipherFormats() {
		for _, listedOnly := range []bool{false, true} {
			name := string(f)
			if listedOnly {
				name += ",listed-only"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				cleanEnv(t)
				emu, _ := startTenantWith(t, emulator.Options{CipherFormat: f, EncryptListedOnly: listedOnly})
				s := tenanttest.LiveSource("Entra", "Microsoft Entra ID")
				s.Set("connector", "azure-active-directory")
				attrs := value.NewObject()
				attrs.Set("domainName", "acme.onmicrosoft.com")
				attrs.Set("clientSecret", "cs1")
				attrs.Set("userDeltaToken", "u0")
				attrs.Set("groupsDeltaToken", "g0")
				attrs.Set("directoryRolesDeltaToken", "r0")
				s.Set("connectorAttributes", attrs)
				if _, err := emu.AddSource(s); err != nil {
					t.Fatal(err)
				}
				aggregateAll := func() {
					t.Helper()
					for _, src := range emu.Sources() {
						if err := emu.Aggregate(src.String("name")); err != nil {
							t.Fatal(err)
						}
					}
				}
				aggregateAll()
				dir := t.TempDir()
				stdout, stderr, code := runCLI(t, "", "export", dir)
				if code != exitOK {
					t.Fatalf("export: exit %d: %s", code, stderr)
				}
				if strings.Contains(stdout, "DELTATOKEN") {
					t.Errorf("export asks for delta tokens from the environment:\n%s", stdout)
				}
				entra, err := os.ReadFile(filepath.Join(dir, "sources", "entra.yaml"))
				if err != nil {
					t.Fatal(err)
				}
				for _, k := range []string{"DeltaToken", "cloudCacheUpdate", "processing", "recommendationStatus", "sourceConnected"} {
					if strings.Contains(string(entra), k) {
						t.Errorf("export writes %s:\n%s", k, entra)
					}
				}
				if _, stderr, code := runCLI(t, "", "drift", dir); code != exitOK {
					t.Fatalf("drift of the export: exit %d: %s", code, stderr)
				}
				aggregateAll()
				aggregateAll()
				if stdout, stderr, code := runCLI(t, "", "drift", dir); code != exitOK || !strings.Contains(stdout, "0 to create, 0 to update") {
					t.Errorf("drift after aggregations: exit %d, want 0\nstdout: %s\nstderr: %s", code, stdout, stderr)
				}
				if err := emu.UpdateSource("Entra", func(o *value.Object) { o.Set("description", "changed in the UI") }); err != nil {
					t.Fatal(err)
				}
				if stdout, _, code := runCLI(t, "", "drift", dir); code != exitChanges || !strings.Contains(stdout, "description") {
					t.Errorf("drift after a description change: exit %d, want 2\n%s", code, stdout)
				}
			})
		}
	}
}
