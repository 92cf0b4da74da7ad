package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/diff"
)

// TestDriftAcme: the demo tenant has drifted from the example and holds a source the repository
// does not declare: exit 2, and the unmanaged source is listed.
func TestDriftAcme(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	setSecrets(t)
	stdout, stderr, code := runCLI(t, "", "drift", "examples/acme", "--emulator")
	if code != exitChanges {
		t.Fatalf("exit %d, want 2\nstderr: %s", code, stderr)
	}
	checkCLIGolden(t, "drift-acme.txt", stdout)
	for _, want := range []string{`? unmanaged Source "Legacy Mainframe"`, `? unmanaged Source "Microsoft Entra ID"`, `? unmanaged Source "Contractors (NERM)"`, "3 unmanaged"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("drift output lacks %q", want)
		}
	}
	assertNoSecrets(t, stdout, stderr)

	stdout, _, code = runCLI(t, "", "drift", "examples/acme", "--emulator", "-o", "json")
	var p diff.Plan
	if err := json.Unmarshal([]byte(stdout), &p); err != nil || code != exitChanges {
		t.Fatalf("json: exit %d, %v", code, err)
	}
	var unmanaged []string
	for _, c := range p.Changes {
		if c.Action == diff.ActionUnmanaged {
			unmanaged = append(unmanaged, c.Name)
		}
	}
	// The sources only: the SaaS connectors two of them use are not custom connectors.
	if !p.Drift || p.Summary.Unmanaged != 3 || strings.Join(unmanaged, ",") != "Contractors (NERM),Legacy Mainframe,Microsoft Entra ID" {
		t.Errorf("json: drift %v, summary %+v, unmanaged %v", p.Drift, p.Summary, unmanaged)
	}
}

// TestDriftExitCodes: 0 in sync, 2 for drift (an unmanaged source alone only with
// --unmanaged=fail), 1 for errors.
func TestDriftExitCodes(t *testing.T) {
	t.Parallel()
	t.Run("in sync", func(t *testing.T) {
		t.Parallel()
		cleanEnv(t)
		startTenant(t)
		dir := t.TempDir()
		if _, stderr, code := runCLI(t, "", "export", dir); code != exitOK {
			t.Fatalf("export: exit %d: %s", code, stderr)
		}
		// In sync; the SaaS connectors the seed's Entra and NERM sources use are neither exported
		// nor unmanaged custom connectors.
		stdout, stderr, code := runCLI(t, "", "drift", dir)
		if code != exitOK || !strings.Contains(stdout, "No changes") ||
			strings.Contains(stdout, "? unmanaged ") || strings.Contains(stdout, "custom connectors") {
			t.Errorf("drift of an exported repository: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
		}
	})
	t.Run("unmanaged only", func(t *testing.T) {
		t.Parallel()
		cleanEnv(t)
		startTenant(t)
		dir := t.TempDir()
		if _, stderr, code := runCLI(t, "", "export", dir, "--source", "Legacy Mainframe"); code != exitOK {
			t.Fatalf("export: exit %d: %s", code, stderr)
		}
		if stdout, _, code := runCLI(t, "", "plan", dir); code != exitOK {
			t.Fatalf("plan: exit %d, want 0:\n%s", code, stdout)
		}
		// Unmanaged objects are listed and counted; only --unmanaged=fail makes them drift.
		for _, mode := range []struct {
			flag   string
			code   int
			listed bool
		}{{"", 0, true}, {"--unmanaged=report", 0, true}, {"--unmanaged=fail", 2, true}, {"--unmanaged=ignore", 0, false}} {
			args := []string{"drift", dir}
			if mode.flag != "" {
				args = append(args, mode.flag)
			}
			stdout, stderr, code := runCLI(t, "", args...)
			if code != mode.code {
				t.Fatalf("drift %s: exit %d, want %d: %s", mode.flag, code, mode.code, stderr)
			}
			for _, want := range []string{`? unmanaged Source "Corporate Directory"`, `? unmanaged Source "HR Database"`,
				`? unmanaged Source "Microsoft Entra ID"`, `? unmanaged Source "Contractors (NERM)"`, "4 unmanaged"} {
				if strings.Contains(stdout, want) != mode.listed {
					t.Errorf("drift %s: %q listed %v, want %v:\n%s", mode.flag, want, !mode.listed, mode.listed, stdout)
				}
			}
			if !strings.Contains(stdout, "Coverage: 1 of 5 sources (20 %) managed.") {
				t.Errorf("drift %s: no coverage:\n%s", mode.flag, stdout)
			}
			if strings.Contains(stdout, `"Legacy Mainframe"`) {
				t.Errorf("the declared, unchanged source is reported:\n%s", stdout)
			}
		}
		if _, stderr, code := runCLI(t, "", "drift", dir, "--unmanaged=maybe"); code != 1 || !strings.Contains(stderr, `--unmanaged "maybe"`) {
			t.Errorf("--unmanaged=maybe: exit %d: %s", code, stderr)
		}
	})
	t.Run("invalid repository", func(t *testing.T) {
		t.Parallel()
		cleanEnv(t)
		_, stderr, code := runCLI(t, "", "drift", filepath.Join("internal", "config", "testdata", "broken", "schema-violations"), "--emulator")
		if code != exitFailure || !strings.Contains(stderr, "is not valid") {
			t.Errorf("exit %d, want 1; stderr %s", code, stderr)
		}
	})
	t.Run("credentials rejected", func(t *testing.T) {
		t.Parallel()
		cleanEnv(t)
		_, url := startTenant(t)
		setEnv(t, "SAIL_CLIENT_ID", "nobody")
		_, stderr, code := runCLI(t, "", "drift", "examples/acme", "--base-url", url)
		if code != exitFailure || !strings.Contains(stderr, "401") {
			t.Errorf("exit %d, want 1; stderr %s", code, stderr)
		}
	})
}
