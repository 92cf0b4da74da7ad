package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/tenanttest"
)

// TestUnsetSecretPlanWarnsApplyRefuses: a pull request's plan runs with a read-only API client
// and none of the deploy's secrets. plan and drift then show each secret they cannot check as
// "(sensitive, not set)" with a warning at the line that references it, and exit as the plan
// is (2); apply, the deploy's job, still refuses before any write, naming the variable and the
// file:line:col. Against the emulator over HTTP.
func TestUnsetSecretPlanWarnsApplyRefuses(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	emu, _ := startTenant(t)
	setEnv(t, "HR_DB_PASSWORD", tenanttest.Secrets["HR_DB_PASSWORD"]) // ACME_HR_TOKEN unset

	stdout, stderr, code := runCLI(t, "", "plan", "examples/acme")
	if code != exitChanges || !strings.Contains(stdout, "+ connectorAttributes.apiToken: (sensitive, not set)") ||
		!strings.Contains(stdout, "ACME_HR_TOKEN (needed by Source \"Acme HR Cloud\" connectorAttributes.apiToken at examples/acme/sources/acme-hr-cloud.yaml:15:13)") {
		t.Errorf("plan: exit %d\n%s\n%s", code, stdout, stderr)
	}
	stdout, _, code = runCLI(t, "", "plan", "examples/acme", "-o", "github")
	if code != exitChanges || !strings.Contains(stdout, "::warning file=examples/acme/sources/acme-hr-cloud.yaml,line=15,title=sailsync%3A secret not set::Source \"Acme HR Cloud\" connectorAttributes.apiToken: ${env:ACME_HR_TOKEN} is not set") {
		t.Errorf("plan -o github: exit %d\n%s", code, stdout)
	}
	stdout, _, code = runCLI(t, "", "plan", "examples/acme", "-o", "json")
	if code != exitChanges || !strings.Contains(stdout, `"after": "(sensitive, not set)"`) || !strings.Contains(stdout, `"unset": true`) {
		t.Errorf("plan -o json: exit %d\n%s", code, stdout)
	}
	if _, _, code = runCLI(t, "", "drift", "examples/acme"); code != exitChanges {
		t.Errorf("drift: exit %d, want %d", code, exitChanges)
	}

	before := len(emu.Sources())
	stdout, stderr, code = runCLI(t, "", "apply", "examples/acme", "--auto-approve")
	if code != exitFailure || !strings.Contains(stderr, "ACME_HR_TOKEN (needed by Source \"Acme HR Cloud\" connectorAttributes.apiToken at examples/acme/sources/acme-hr-cloud.yaml:15:13)") {
		t.Errorf("apply: exit %d, want 1 naming the variable and its place\n%s\n%s", code, stdout, stderr)
	}
	if len(emu.Sources()) != before {
		t.Errorf("apply wrote: %d sources, were %d", len(emu.Sources()), before)
	}
	if _, ok := emu.SourceByName("Acme HR Cloud"); ok {
		t.Error("apply created the source whose secret is not set")
	}

	// The pull request's plan file, made without the secret, holds for the deploy's apply with
	// it: whether a variable was set is not part of what was reviewed.
	planFile := filepath.Join(t.TempDir(), "plan.json")
	if _, stderr, code := runCLI(t, "", "plan", "examples/acme", "--out", planFile); code != exitChanges {
		t.Fatalf("plan --out: exit %d\n%s", code, stderr)
	}
	setEnv(t, "ACME_HR_TOKEN", tenanttest.Secrets["ACME_HR_TOKEN"])
	if stdout, stderr, code := runCLI(t, "", "apply", "examples/acme", "--plan", planFile, "--auto-approve"); code != exitOK {
		t.Fatalf("apply --plan: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if got, ok := emu.Secret("Acme HR Cloud", "apiToken"); !ok || got != tenanttest.Secrets["ACME_HR_TOKEN"] {
		t.Errorf("apply --plan: the secret is %q, %v", got, ok)
	}
}
