package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/render"
	"github.com/sailsync/sailsync/internal/tenanttest"
)

// realTenantSeed is the Acme seed plus what a real tenant holds and the published document does
// not describe (testdata/realtenant: a Config Hub backup's shapes): an Identity Fusion NG source
// whose type and connector are its connector spec's id, with an empty connectorClass, features
// outside the published enum and the tenant's nulls, and its schemas: an account schema whose
// attributes have schema: null or a CONNECTOR_SCHEMA reference, a group schema without
// attributes whose identity and display attributes are null.
func realTenantSeed(t *testing.T) emulator.Options {
	t.Helper()
	dir := tenanttest.CopyDir(t, "examples/acme-tenant")
	// The quick start's own SaaS sources are left out: this test counts the fusion source's warnings.
	for _, f := range []string{"sources/microsoft-entra-id.json", "sources/nerm-contractors.json", "schemas/Microsoft Entra ID"} {
		if err := os.RemoveAll(filepath.Join(dir, filepath.FromSlash(f))); err != nil {
			t.Fatal(err)
		}
	}
	extra := tenanttest.CopyDir(t, "internal/cli/testdata/realtenant")
	for _, f := range []string{"sources/identity-fusion.json", "schemas/Identity Fusion/schemas.json"} {
		b, err := os.ReadFile(filepath.Join(extra, filepath.FromSlash(f)))
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
	return emulator.Options{Seed: os.DirFS(dir)}
}

var fusionWarning = regexp.MustCompile(`sources/identity-fusion\.yaml:(\d+):(\d+): warning: features\[(1|2)\]: "(AI_AGENT|MACHINE_IDENTITY)_AGGREGATION" is not one of the 33 values the API publishes`)

// TestRealTenantExport: export of a tenant holding a real tenant's shapes writes a repository
// that validate accepts (exit 0) with a warning per unpublished feature in every format; plan
// and drift of it are "No changes" and carry the warnings in every format; an apply of a change
// to the source sends the tenant's features and nulls back (the contract check passes them, the
// tenant keeps them) and the next plan is "No changes" again.
func TestRealTenantExport(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	emu, _ := startTenantWith(t, realTenantSeed(t))
	dir := t.TempDir()
	stdout, stderr, code := runCLI(t, "", "export", dir)
	if code != exitOK {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	setExportedEnv(t, stdout)
	b, err := os.ReadFile(filepath.Join(dir, "sources", "identity-fusion.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if want, err := os.ReadFile(realTenantExport); err != nil || string(b) != string(want) {
		t.Errorf("the exported source differs from %s (%v):\n%s", realTenantExport, err, b)
	}
	for _, want := range []string{"deleteThreshold: null\n", "connectorClass: \"\"\n", "managementWorkgroup: null\n",
		"connector: 1a2b3c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d\n", "idnProxyType: sp-connect\n", "  - AI_AGENT_AGGREGATION\n"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the exported source lacks %q:\n%s", want, b)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "schemas", "identity-fusion-group.yaml")); err != nil || !strings.Contains(string(b), "attributes: []\n") {
		t.Errorf("the exported group schema: %v\n%s", err, b)
	}

	// validate: exit 0 in every format, the warnings where each format puts them.
	stdout, stderr, code = runCLI(t, "", "validate", dir)
	if code != exitOK || stdout != "" || len(fusionWarning.FindAllString(stderr, -1)) != 2 || !strings.Contains(stderr, "(2 warnings)") {
		t.Errorf("validate: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	stdout, _, code = runCLI(t, "", "validate", dir, "-o", "github")
	if code != exitOK || strings.Count(stdout, "::warning file="+dir+"/sources/identity-fusion.yaml,line=") != 2 || strings.Contains(stdout, "::error") {
		t.Errorf("validate -o github: exit %d\n%s", code, stdout)
	}
	stdout, _, code = runCLI(t, "", "validate", dir, "-o", "json")
	var rep render.ValidateJSON
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || code != exitOK || !rep.Valid || len(rep.Problems) != 0 || len(rep.Warnings) != 2 ||
		rep.Warnings[0].Field != "features[1]" || rep.Warnings[0].File != dir+"/sources/identity-fusion.yaml" {
		t.Errorf("validate -o json: exit %d, %v\n%s", code, err, stdout)
	}

	// plan and drift: no changes (the SaaS connector the source uses is not a custom connector),
	// and the warnings in every format.
	for _, cmd := range []string{"plan", "drift"} {
		stdout, stderr, code = runCLI(t, "", cmd, dir)
		if code != exitOK || !strings.Contains(stdout, "No changes") ||
			len(fusionWarning.FindAllString(stdout, -1)) != 2 {
			t.Errorf("%s: exit %d\nstdout: %s\nstderr: %s", cmd, code, stdout, stderr)
		}
		stdout, _, code = runCLI(t, "", cmd, dir, "-o", "github")
		if code != exitOK || strings.Count(stdout, "::warning file="+dir+"/sources/identity-fusion.yaml,line=") != 2 {
			t.Errorf("%s -o github: exit %d\n%s", cmd, code, stdout)
		}
		stdout, _, code = runCLI(t, "", cmd, dir, "-o", "markdown")
		if code != exitOK || !strings.Contains(stdout, "### Warnings\n\n- <code>"+dir+"/sources/identity-fusion.yaml:") {
			t.Errorf("%s -o markdown: exit %d\n%s", cmd, code, stdout)
		}
		stdout, _, code = runCLI(t, "", cmd, dir, "-o", "json")
		var plan struct {
			Warnings []struct {
				File    string `json:"file"`
				Line    int    `json:"line"`
				Message string `json:"message"`
			} `json:"warnings"`
		}
		if err := json.Unmarshal([]byte(stdout), &plan); err != nil || code != exitOK || len(plan.Warnings) != 2 || plan.Warnings[0].Line == 0 {
			t.Errorf("%s -o json: exit %d, %v\n%s", cmd, code, err, stdout)
		}
	}

	// apply: a changed description goes out in a full-object PUT with the tenant's own values.
	p := filepath.Join(dir, "sources", "identity-fusion.yaml")
	changed := strings.Replace(string(b), "description: Identity Fusion NG\n", "description: Identity Fusion NG, reviewed\n", 1)
	if changed == string(b) {
		t.Fatal("no description to change")
	}
	if err := os.WriteFile(p, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	// Through a saved plan: the file carries the warnings, and apply --plan reads it back.
	file := filepath.Join(t.TempDir(), "plan.json")
	if stdout, stderr, code := runCLI(t, "", "plan", dir, "--out", file); code != exitChanges {
		t.Fatalf("plan --out: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if saved, err := os.ReadFile(file); err != nil || strings.Count(string(saved), `"AI_AGENT_AGGREGATION\" is not one of`) != 1 {
		t.Errorf("the plan file's warnings: %v\n%s", err, saved)
	}
	stdout, stderr, code = runCLI(t, "", "apply", dir, "--plan", file, "--auto-approve")
	if code != exitOK || !strings.Contains(stdout, `done      Source "Identity Fusion" (update)`) || len(fusionWarning.FindAllString(stdout, -1)) != 2 {
		t.Fatalf("apply: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	src, ok := emu.SourceByName("Identity Fusion")
	if !ok {
		t.Fatal("the source is gone")
	}
	features, _ := src.Get("features")
	dt, hasDT := src.Get("deleteThreshold")
	if src.String("description") != "Identity Fusion NG, reviewed" || !strings.Contains(jsonOf(t, features), "MACHINE_IDENTITY_AGGREGATION") ||
		!hasDT || dt != nil || src.String("connectorClass") != "" || src.String("connector") != "1a2b3c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d" {
		t.Errorf("the tenant's source after apply: %s", jsonOf(t, src))
	}
	stdout, stderr, code = runCLI(t, "", "plan", dir)
	if code != exitOK || !strings.Contains(stdout, "No changes") {
		t.Errorf("plan after apply: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	// apply's own formats carry the warnings too.
	for o, want := range map[string]string{"json": `"warnings": [`, "github": "::warning file=" + dir + "/sources/identity-fusion.yaml,line=",
		"markdown": "### Warnings"} {
		stdout, stderr, code = runCLI(t, "", "apply", dir, "--auto-approve", "-o", o)
		if code != exitOK || strings.Count(stdout, want) == 0 || !strings.Contains(stdout, "identity-fusion.yaml") {
			t.Errorf("apply -o %s: exit %d, no %q\nstdout: %s\nstderr: %s", o, code, want, stdout, stderr)
		}
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
