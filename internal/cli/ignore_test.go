package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/tenanttest"
	"github.com/sailsync/sailsync/internal/value"
)

// exportTenant exports the running tenant (all sources, or the named ones) into a new
// directory and sets the variables the export asks for.
func exportTenant(t *testing.T, sources ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	args := []string{"export", dir}
	for _, s := range sources {
		args = append(args, "--source", s)
	}
	stdout, stderr, code := runCLI(t, "", args...)
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	setExportedEnv(t, stdout)
	return dir
}

func writeSettings(t *testing.T, dir, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "sailsync.yaml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestIgnoreRules: differences an ignore rule covers are not changes and not drift, are counted
// in every output and listed with their rule in JSON, and apply does not send them: the tenant's
// value survives while the other differences of the same source are applied.
func TestIgnoreRules(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	emu, _ := startTenant(t)
	dir := exportTenant(t)
	until := time.Now().AddDate(0, 6, 0).Format(time.DateOnly)
	writeSettings(t, dir, `ignore:
  - kind: Source
    name: "HR *"
    fields: [description, connectorAttributes.user]
    reason: the HR team edits these in the UI (INC-4411)
    until: `+until+`
  - kind: Source
    name: Corporate*
    fields: [description]
    reason: owned by the directory team
`)
	if err := emu.UpdateSource("HR Database", func(o *value.Object) {
		o.Set("description", "Tuned in the UI.")
		o.Set("deleteThreshold", json.Number("40"))
		o.Object("connectorAttributes").Set("user", "hr_ui_user")
	}); err != nil {
		t.Fatal(err)
	}
	if err := emu.UpdateSource("Corporate Directory", func(o *value.Object) { o.Set("description", "Directory team's words.") }); err != nil {
		t.Fatal(err)
	}

	const counted = "3 differences ignored by 2 rules"
	for _, output := range []string{"text", "markdown", "github", "json"} {
		stdout, stderr, code := runCLI(t, "", "drift", dir, "--output", output)
		if code != 2 {
			t.Fatalf("drift %s: exit %d, want 2 (deleteThreshold drifted): %s", output, code, stderr)
		}
		if output != "json" && !strings.Contains(stdout, counted) {
			t.Errorf("drift %s does not count the ignored differences:\n%s", output, stdout)
		}
		if output == "text" && (strings.Contains(stdout, "~ description") || strings.Contains(stdout, "~ connectorAttributes.user")) {
			t.Errorf("drift shows an ignored difference as a change:\n%s", stdout)
		}
	}
	stdout, _, _ := runCLI(t, "", "plan", dir, "--output", "json")
	var p diff.Plan
	if err := json.Unmarshal([]byte(stdout), &p); err != nil {
		t.Fatal(err)
	}
	if p.Summary.Ignored != 3 || p.Summary.Update != 1 || len(p.Ignored) != 3 {
		t.Fatalf("summary %+v, ignored %+v", p.Summary, p.Ignored)
	}
	for _, ig := range p.Ignored {
		wantRule := 0
		if ig.Name == "Corporate Directory" {
			wantRule = 1
		}
		if ig.Rule.Index != wantRule || ig.Rule.Line != 2+4*wantRule+wantRule || ig.Rule.Reason == "" || !strings.HasSuffix(ig.Rule.File, "sailsync.yaml") {
			t.Errorf("ignored %+v", ig)
		}
	}
	for _, c := range p.Changes {
		if c.Name == "HR Database" {
			if len(c.Fields) != 1 || c.Fields[0].Path != "deleteThreshold" {
				t.Errorf("HR Database fields %+v", c.Fields)
			}
			if _, sent := c.Op.Body.Get("description"); sent {
				t.Errorf("the ignored description is in apply's body")
			}
		}
	}

	stdout, stderr, code := runCLI(t, "", "apply", dir, "--auto-approve")
	if code != 0 {
		t.Fatalf("apply: exit %d\n%s%s", code, stdout, stderr)
	}
	hr, _ := emu.SourceByName("HR Database")
	user, _ := hr.Path("connectorAttributes.user")
	threshold, _ := hr.Get("deleteThreshold")
	if hr.String("description") != "Tuned in the UI." || user != "hr_ui_user" || threshold != json.Number("10") {
		t.Errorf("after apply: description %q, user %v, deleteThreshold %v", hr.String("description"), user, threshold)
	}
	if cd, _ := emu.SourceByName("Corporate Directory"); cd.String("description") != "Directory team's words." {
		t.Errorf("Corporate Directory's description was overwritten: %q", cd.String("description"))
	}
	stdout, _, code = runCLI(t, "", "drift", dir)
	if code != 0 || !strings.Contains(stdout, counted) {
		t.Errorf("drift after apply: exit %d, want 0 with the ignored differences counted:\n%s", code, stdout)
	}
}

// TestIgnoreRuleExpired: an expired rule fails validate (and plan) at its file:line.
func TestIgnoreRuleExpired(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	dir := tenanttest.CopyDir(t, "examples/acme")
	writeSettings(t, dir, "ignore:\n  - kind: Source\n    fields: [description]\n    reason: INC-1\n    until: 2020-01-31\n")
	want := "sailsync.yaml:5:12: ignore[0].until: the rule expired on 2020-01-31 (INC-1)"
	for _, args := range [][]string{{"validate", dir}, {"plan", dir, "--emulator"}} {
		stdout, stderr, code := runCLI(t, "", args...)
		if code != 1 || !strings.Contains(stdout+stderr, want) {
			t.Errorf("%s: exit %d, want 1 and %q:\n%s%s", args[0], code, want, stdout, stderr)
		}
	}
}

// TestDriftPartlyManaged: on a tenant only partly in Git, drift with the default --unmanaged
// exits 0 while the managed objects are in sync, reports the coverage and lists the unmanaged
// sources and custom connectors; those an `unmanaged:` rule accepts are counted, not listed.
func TestDriftPartlyManaged(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	emu, _ := startTenant(t)
	// A source on the custom connector Payroll Bridge, which is in development: the connector
	// listing does not show it, the source names it.
	src := value.NewObject()
	for k, v := range map[string]any{"name": "Payroll Feed", "connector": "payroll-bridge", "connectorName": "Payroll Bridge",
		"type": "custom Payroll Bridge", "description": "payroll"} {
		src.Set(k, v)
	}
	owner := value.NewObject()
	owner.Set("type", "IDENTITY")
	owner.Set("id", "2c91808568c529c60168cca6f90c1313")
	src.Set("owner", owner)
	if _, err := emu.AddSource(src); err != nil {
		t.Fatal(err)
	}
	dir := exportTenant(t, "HR Database")
	// Export declares the custom connectors the exported sources use: none here.
	stdout, stderr, code := runCLI(t, "", "drift", dir)
	if code != 0 {
		t.Fatalf("drift: exit %d, want 0\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{
		`? unmanaged Source "Corporate Directory"`, `? unmanaged Source "Legacy Mainframe"`, `? unmanaged Source "Payroll Feed"`,
		`? unmanaged Connector "Payroll Bridge"`, "Coverage: 1 of 6 sources (16 %), 0 of 1 custom connectors (0 %) managed.",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("drift lacks %q:\n%s", want, stdout)
		}
	}

	writeSettings(t, dir, "unmanaged:\n  - name: Legacy *\n    reason: retired next quarter\n  - kind: Connector\n    name: Payroll Bridge\n    reason: owned by the payroll team\n")
	stdout, _, code = runCLI(t, "", "drift", dir)
	if code != 0 || strings.Contains(stdout, `? unmanaged Source "Legacy Mainframe"`) || strings.Contains(stdout, `? unmanaged Connector "Payroll Bridge"`) ||
		!strings.Contains(stdout, `accepted: Source "Legacy Mainframe": "retired next quarter"`) ||
		!strings.Contains(stdout, "2 unmanaged accepted by") || !strings.Contains(stdout, `? unmanaged Source "Payroll Feed"`) {
		t.Errorf("with unmanaged rules: exit %d\n%s", code, stdout)
	}
	stdout, _, _ = runCLI(t, "", "drift", dir, "--output", "json")
	var p diff.Plan
	if err := json.Unmarshal([]byte(stdout), &p); err != nil {
		t.Fatal(err)
	}
	if p.Coverage == nil || p.Coverage.Sources != (diff.Count{Managed: 1, All: 6}) || len(p.Coverage.Accepted) != 2 || p.Coverage.Mode != diff.UnmanagedReport {
		t.Errorf("coverage %+v", p.Coverage)
	}
	if _, _, code := runCLI(t, "", "drift", dir, "--unmanaged=fail"); code != 2 {
		t.Errorf("--unmanaged=fail: exit %d, want 2", code)
	}
}
