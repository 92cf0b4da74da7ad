package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/tenanttest"
)

// TestEchoedSecretsNeverPrinted: a tenant or gateway that echoes the request back — the token
// request's client_secret, the Authorization header, a PUT body with a secret — gets none of it
// into any output: stdout, stderr, the --debug log, the step summary or a plan file, in every
// output format.
func TestEchoedSecretsNeverPrinted(t *testing.T) {
	t.Parallel()
	faults := []struct {
		name  string
		fault emulator.Fault
		cmd   string // plan or apply
	}{
		{"token endpoint 400", emulator.Fault{Method: "POST", Path: "^/oauth/token$", Kind: emulator.FaultEcho}, "plan"},
		{"source list 500", emulator.Fault{Method: "GET", Path: "^/v3/sources$", Kind: emulator.FaultEcho, Status: 500}, "plan"},
		{"source list HTML 502", emulator.Fault{Method: "GET", Path: "^/v3/sources$", Kind: emulator.FaultEchoHTML}, "plan"},
		{"source PUT 400", emulator.Fault{Method: "PUT", Path: "^/v3/sources/", Kind: emulator.FaultEcho}, "apply"},
		{"source POST 400", emulator.Fault{Method: "POST", Path: "^/v3/sources$", Kind: emulator.FaultEcho}, "apply"},
	}
	for _, f := range faults {
		for _, output := range []string{"text", "json", "markdown", "github"} {
			for _, debug := range []bool{false, true} {
				name := f.name + "/" + output
				if debug {
					name += "/debug"
				}
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					cleanEnv(t)
					setSecrets(t)
					emu, _ := startTenant(t)
					dir := t.TempDir()
					summary := filepath.Join(dir, "summary.md")
					setEnv(t, "GITHUB_STEP_SUMMARY", summary)
					emu.AddFault(f.fault)
					// One retry: a 5xx answer is retried, and the echo is what is under test.
					args := []string{f.cmd, "examples/acme", "--output", output, "--max-retries", "1"}
					if f.cmd == "apply" {
						args = append(args, "--auto-approve")
					} else {
						args = append(args, "--out", filepath.Join(dir, "plan.json"))
					}
					if debug {
						args = append(args, "--debug")
					}
					stdout, stderr, code := runCLI(t, "", args...)
					if code != exitFailure {
						t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, exitFailure, stdout, stderr)
					}
					outputs := map[string]string{"stdout": stdout, "stderr": stderr}
					for _, file := range []string{summary, filepath.Join(dir, "plan.json")} {
						if b, err := os.ReadFile(file); err == nil {
							outputs[filepath.Base(file)] = string(b)
						}
					}
					secrets := map[string]string{"client secret": emu.ClientSecret()}
					for name, v := range tenanttest.Secrets {
						secrets[name] = v
					}
					for i, tok := range emu.IssuedTokens() {
						secrets["token "+string(rune('0'+i))] = tok
					}
					echoed := false
					for where, out := range outputs {
						echoed = echoed || strings.Contains(out, "[REDACTED]")
						for name, v := range secrets {
							if strings.Contains(out, v) {
								t.Errorf("%s holds the %s:\n%s", where, name, out)
							}
						}
					}
					if !echoed {
						t.Errorf("the echo reached no output, so the test shows nothing:\nstdout: %s\nstderr: %s", stdout, stderr)
					}
				})
			}
		}
	}
}
