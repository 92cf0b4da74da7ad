package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/emulator"
)

// TestApplyVerifyCLI: apply --verify exits 1 when a source it wrote fails its connection test,
// naming the source and the tenant's message in text, github and JSON, after every write; with
// passing tests it exits 0; its plan counts the tests in the estimate.
func TestApplyVerifyCLI(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	setSecrets(t)
	t.Run("a failing test", func(t *testing.T) {
		startTenantWith(t, emulator.Options{ConnectionTests: map[string]emulator.ConnectionTest{
			"Corporate Directory": {Outcome: emulator.ConnectionFail, Message: "LDAP bind failed: invalid credentials"}}})
		stdout, stderr, code := runCLI(t, "", "apply", "examples/acme", "--auto-approve", "--verify")
		if code != exitFailure {
			t.Fatalf("exit %d, want 1\n%s%s", code, stdout, stderr)
		}
		for _, want := range []string{
			`done      Source "Corporate Directory" (update); connection test FAILURE: LDAP bind failed: invalid credentials`,
			"1 source failed the connection test.",
			"apply: 16 requests",
		} {
			if !strings.Contains(stdout, want) {
				t.Errorf("stdout lacks %q:\n%s", want, stdout)
			}
		}
		if !strings.Contains(stderr, "everything planned was done, but 1 source failed its connection test") {
			t.Errorf("stderr: %s", stderr)
		}
	})
	t.Run("github and json", func(t *testing.T) {
		for _, output := range []string{"github", "json"} {
			startTenantWith(t, emulator.Options{ConnectionTests: map[string]emulator.ConnectionTest{
				"Corporate Directory": {Outcome: emulator.ConnectionFail, Message: "LDAP bind failed"}}})
			stdout, _, code := runCLI(t, "", "apply", "examples/acme", "--auto-approve", "--verify", "-o", output)
			if code != exitFailure {
				t.Fatalf("%s: exit %d\n%s", output, code, stdout)
			}
			if output == "github" && !strings.Contains(stdout, "::error title=sailsync apply%3A done::") {
				t.Errorf("github: no annotation for the failed test:\n%s", stdout)
			}
			if output == "json" {
				var doc struct {
					Report struct {
						Results []struct {
							Name   string `json:"name"`
							Verify *struct{ Status, Message string }
						} `json:"results"`
					} `json:"report"`
				}
				if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
					t.Fatal(err)
				}
				found := false
				for _, r := range doc.Report.Results {
					if r.Name == "Corporate Directory" && r.Verify != nil && r.Verify.Status == "FAILURE" && r.Verify.Message == "LDAP bind failed" {
						found = true
					}
				}
				if !found {
					t.Errorf("json: no failed verify on Corporate Directory:\n%s", stdout)
				}
			}
		}
	})
	t.Run("passing tests", func(t *testing.T) {
		startTenant(t)
		stdout, stderr, code := runCLI(t, "", "apply", "examples/acme", "--auto-approve", "--verify")
		if code != exitOK || !strings.Contains(stdout, "connection test passed") {
			t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
		}
	})
}
