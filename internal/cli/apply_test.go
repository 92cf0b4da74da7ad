package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/examples"
	"github.com/sailsync/sailsync/internal/contract"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/render"
	"github.com/sailsync/sailsync/internal/tenanttest"
	"github.com/sailsync/sailsync/internal/value"
	isync "github.com/sailsync/sailsync/sync"
)

const declaredDescription = "Acme's Active Directory forest (corp.acme.example): employees and contractors."

// applyTenant starts an emulated tenant with every secret of the example set.
func applyTenant(t *testing.T) *emulator.Emulator {
	t.Helper()
	return applyTenantWith(t, emulator.Options{})
}

// applyTenantWith is applyTenant with emulator options.
func applyTenantWith(t *testing.T, opts emulator.Options) *emulator.Emulator {
	t.Helper()
	cleanEnv(t)
	setSecrets(t)
	emu, _ := startTenantWith(t, opts)
	return emu
}

func description(t *testing.T, emu *emulator.Emulator, source string) string {
	t.Helper()
	s, ok := emu.SourceByName(source)
	if !ok {
		t.Fatalf("no source %q in the tenant", source)
	}
	return s.String("description")
}

// TestApplyRefusesWithoutTerminal: no terminal and no --auto-approve → exit 1 before anything
// reaches the tenant.
func TestApplyRefusesWithoutTerminal(t *testing.T) {
	t.Parallel()
	emu := applyTenant(t)
	stdout, stderr, code := runCLI(t, "yes\n", "apply", "examples/acme")
	if code != exitFailure {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(stderr, "--auto-approve") {
		t.Errorf("stderr does not say how to proceed: %q", stderr)
	}
	if stdout != "" {
		t.Errorf("stdout: %q", stdout)
	}
	if log := emu.Log(); len(log) != 0 {
		t.Errorf("%d requests sent, want none: %+v", len(log), log)
	}
}

// TestApplyThenPlan: apply the example, then plan shows no changes and a second apply sends no
// write request, under every scriptName rule the emulator plays.
func TestApplyThenPlan(t *testing.T) {
	t.Parallel()
	for _, rule := range emulator.ScriptNameRules {
		t.Run(string(rule), func(t *testing.T) { t.Parallel(); applyThenPlan(t, rule) })
	}
}

func applyThenPlan(t *testing.T, rule emulator.ScriptNameRule) {
	emu := applyTenantWith(t, emulator.Options{ScriptNameRule: rule})
	stdout, stderr, code := runCLI(t, "", "apply", "examples/acme", "--auto-approve")
	if code != exitOK {
		t.Fatalf("apply: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if rule == emulator.ScriptNameSlug {
		// The report names the scriptName the tenant chose, which differs per rule.
		checkCLIGolden(t, "apply-acme.txt", stdout)
	}
	assertNoSecrets(t, stdout, stderr)
	for _, want := range []string{
		`done      Connector "Acme HR" (create): the tenant gave it scriptName "`,
		`done      Source "Acme HR Cloud" (create)`,
		`done      Source "Corporate Directory" (update)`,
		`done      EntitlementSchema "role" of source "Acme HR Cloud" (create)`,
		`done      EntitlementSchema "group" of source "Corporate Directory" (update)`,
		`done      ConnectorFile "ojdbc8.jar" of source "HR Database" (create)`,
		"Apply: 8 done, 0 failed, 0 skipped, 0 stale, 0 cancelled.",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("apply report lacks %q", want)
		}
	}
	if got := description(t, emu, "Corporate Directory"); got != declaredDescription {
		t.Errorf("Corporate Directory description in the tenant: %q", got)
	}
	if got, ok := emu.Secret("Acme HR Cloud", "apiToken"); !ok || got != tenanttest.Secrets["ACME_HR_TOKEN"] {
		t.Errorf("Acme HR Cloud apiToken in the tenant: %q, %v", got, ok)
	}

	stdout, stderr, code = runCLI(t, "", "plan", "examples/acme")
	if code != exitOK || !strings.Contains(stdout, "No changes") {
		t.Fatalf("plan after apply: exit %d, want 0 with No changes\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}

	emu.ResetLog()
	stdout, stderr, code = runCLI(t, "", "apply", "examples/acme", "--auto-approve")
	if code != exitOK || !strings.Contains(stdout, "No changes") {
		t.Fatalf("second apply: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if w := tenanttest.Writes(emu); len(w) != 0 {
		t.Errorf("the second apply sent write requests: %v", w)
	}
	if strings.Contains(stdout, "Apply report") {
		t.Errorf("a report for an apply with nothing to do:\n%s", stdout)
	}
}

// TestApplyPlanFile: apply --plan applies exactly the saved plan; it refuses, before any write,
// one made from other repository content, against another tenant, or no longer what the
// repository and the tenant imply (the tenant changed since).
func TestApplyPlanFile(t *testing.T) {
	t.Parallel()
	t.Run("applies", func(t *testing.T) {
		t.Parallel()
		emu := applyTenant(t)
		file := filepath.Join(t.TempDir(), "plan.json")
		if _, stderr, code := runCLI(t, "", "plan", "examples/acme", "--out", file); code != exitChanges {
			t.Fatalf("plan: exit %d: %s", code, stderr)
		}
		emu.ResetLog()
		stdout, stderr, code := runCLI(t, "", "apply", "examples/acme", "--plan", file, "--auto-approve")
		if code != exitOK || !strings.Contains(stdout, "Apply: 8 done") {
			t.Fatalf("apply --plan: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
		}
		if got := description(t, emu, "Corporate Directory"); got != declaredDescription {
			t.Errorf("description in the tenant: %q", got)
		}
		// apply --plan reads what the plan read (to recompute it), then sends the plan's
		// "apply: N requests", whose token it already has.
		pf, err := readPlanFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var sent []string
		for _, e := range emu.Log() {
			sent = append(sent, e.Method+" "+e.Path)
		}
		// The token, the sources' name filter, the connector listing, the transforms' first page,
		// a schema list and the connector's GET by the common guess.
		const planReads = 6
		if reads := len(sent) - (pf.APICalls - 1); reads != planReads {
			t.Errorf("the plan announced %d requests, apply --plan sent %d: %v", pf.APICalls, len(sent), sent)
		}
		if _, stderr, code := runCLI(t, "", "plan", "examples/acme"); code != exitOK {
			t.Errorf("plan after apply --plan: exit %d: %s", code, stderr)
		}
	})
	t.Run("repository changed", func(t *testing.T) {
		t.Parallel()
		emu := applyTenant(t)
		dir := tenanttest.CopyDir(t, "examples/acme")
		file := filepath.Join(t.TempDir(), "plan.json")
		if _, stderr, code := runCLI(t, "", "plan", dir, "--out", file); code != exitChanges {
			t.Fatalf("plan: exit %d: %s", code, stderr)
		}
		yml := filepath.Join(dir, "sources", "corporate-directory.yaml")
		b, err := os.ReadFile(yml)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(yml, bytes.Replace(b, []byte("deleteThreshold: 10"), []byte("deleteThreshold: 15"), 1), 0o644); err != nil {
			t.Fatal(err)
		}
		emu.ResetLog()
		_, stderr, code := runCLI(t, "", "apply", dir, "--plan", file, "--auto-approve")
		if code != exitFailure || !strings.Contains(stderr, "other repository content") {
			t.Errorf("exit %d, want 1 naming the content change; stderr %s", code, stderr)
		}
		if log := emu.Log(); len(log) != 0 {
			t.Errorf("%d requests sent for a refused plan", len(log))
		}
	})
	t.Run("tenant changed", func(t *testing.T) {
		t.Parallel()
		emu := applyTenant(t)
		file := filepath.Join(t.TempDir(), "plan.json")
		if _, stderr, code := runCLI(t, "", "plan", "examples/acme", "--out", file); code != exitChanges {
			t.Fatalf("plan: exit %d: %s", code, stderr)
		}
		if err := emu.UpdateSource("Corporate Directory", func(o *value.Object) { o.Set("description", "edited in the UI") }); err != nil {
			t.Fatal(err)
		}
		emu.ResetLog()
		stdout, stderr, code := runCLI(t, "", "apply", "examples/acme", "--plan", file, "--auto-approve")
		if code != exitFailure || !strings.Contains(stderr, `(update Source/Corporate Directory): not what the repository and the tenant imply now`) {
			t.Fatalf("exit %d, want 1 naming the entry\nstdout: %s\nstderr: %s", code, stdout, stderr)
		}
		// The reviewed plan no longer holds: nothing at all is sent, not even its other writes.
		if w := tenanttest.Writes(emu); len(w) != 0 {
			t.Errorf("writes sent for a plan that no longer holds: %v", w)
		}
		if got := description(t, emu, "Corporate Directory"); got != "edited in the UI" {
			t.Errorf("the tenant's edit was overwritten: %q", got)
		}
	})
	t.Run("another tenant", func(t *testing.T) {
		t.Parallel()
		// A plan saved against tenant A and applied to tenant B: refused before any request,
		// naming both tenants; neither tenant hears a thing.
		a := applyTenant(t)
		aURL := envOf(t)["SAIL_BASE_URL"]
		file := filepath.Join(t.TempDir(), "plan.json")
		if _, stderr, code := runCLI(t, "", "plan", "examples/acme", "--out", file); code != exitChanges {
			t.Fatalf("plan: exit %d: %s", code, stderr)
		}
		a.ResetLog()
		b, bURL := startTenant(t)
		stdout, stderr, code := runCLI(t, "", "apply", "examples/acme", "--plan", file, "--auto-approve")
		if code != exitFailure || !strings.Contains(stderr, "made against tenant "+aURL) || !strings.Contains(stderr, "talks to "+bURL) {
			t.Errorf("exit %d, want 1 naming both tenants\nstdout: %s\nstderr: %s", code, stdout, stderr)
		}
		if len(a.Log()) != 0 || len(b.Log()) != 0 {
			t.Errorf("requests sent: %d to the plan's tenant, %d to the other", len(a.Log()), len(b.Log()))
		}
		// The same tenant under another spelling is the same tenant.
		setEnv(t, "SAIL_BASE_URL", strings.ToUpper(aURL)+"/")
		if _, stderr, code := runCLI(t, "", "apply", "examples/acme", "--plan", file, "--auto-approve"); code != exitOK {
			t.Errorf("apply to the plan's own tenant spelled differently: exit %d: %s", code, stderr)
		}
	})
	t.Run("unreadable plan file", func(t *testing.T) {
		t.Parallel()
		emu := applyTenant(t)
		file := filepath.Join(t.TempDir(), "plan.json")
		if err := os.WriteFile(file, []byte(`{"format_version": 99}`), 0o644); err != nil {
			t.Fatal(err)
		}
		_, stderr, code := runCLI(t, "", "apply", "examples/acme", "--plan", file, "--auto-approve")
		if code != exitFailure || !strings.Contains(stderr, "format_version") {
			t.Errorf("exit %d, stderr %s", code, stderr)
		}
		if len(emu.Log()) != 0 {
			t.Error("requests sent for an unreadable plan file")
		}
	})
}

// TestApplyJSON: --output json writes one JSON document with the plan and the report, and
// nothing else on stdout.
func TestApplyJSON(t *testing.T) {
	t.Parallel()
	applyTenant(t)
	stdout, stderr, code := runCLI(t, "", "apply", "examples/acme", "--auto-approve", "-o", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var out struct {
		Plan   *diff.Plan    `json:"plan"`
		Report *isync.Report `json:"report"`
		Error  string        `json:"error"`
	}
	dec := json.NewDecoder(strings.NewReader(stdout))
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	if dec.More() {
		t.Error("more than one JSON document on stdout")
	}
	if out.Plan == nil || out.Plan.Summary.Create != 5 || out.Plan.Summary.Update != 3 {
		t.Errorf("plan: %+v", out.Plan)
	}
	if out.Report == nil || len(out.Report.Results) != 8 || !out.Report.OK() || out.Error != "" {
		t.Errorf("report %+v, error %q", out.Report, out.Error)
	}
	assertNoSecrets(t, stdout, stderr)
}

// TestApplyViolation: a plan with a violation sends no write request and exits 1, in either
// output format.
func TestApplyViolation(t *testing.T) {
	t.Parallel()
	for _, output := range []string{"text", "json"} {
		t.Run(output, func(t *testing.T) {
			t.Parallel()
			emu := applyTenant(t)
			stdout, stderr, code := runCLI(t, "", "apply", "examples/acme-immutable", "--auto-approve", "-o", output)
			if code != exitFailure {
				t.Fatalf("exit %d, want 1", code)
			}
			if w := tenanttest.Writes(emu); len(w) != 0 {
				t.Errorf("write requests sent: %v", w)
			}
			if output == "json" {
				var out render.ApplyJSON
				if err := json.Unmarshal([]byte(stdout), &out); err != nil || out.Plan == nil || len(out.Plan.Violations) != 2 || out.Error == "" {
					t.Errorf("json: %v\n%s", err, stdout)
				}
				return
			}
			if !strings.Contains(stderr, "violations: nothing was sent") || !strings.Contains(stdout, "2 violations") {
				t.Errorf("stdout: %s\nstderr: %s", stdout, stderr)
			}
		})
	}
}

// TestApplyConfirmation: on a terminal apply asks, and only "yes" goes ahead.
func TestApplyConfirmation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		answer  string
		applied bool
	}{
		{"no\n", false},
		{"y\n", false},
		{"", false}, // end of input
		{"yes\n", true},
		{"  yes  \n", true},
	} {
		t.Run(strings.TrimSpace(tc.answer), func(t *testing.T) {
			t.Parallel()
			emu := applyTenant(t)
			var stdout, stderr bytes.Buffer
			opts := &applyOptions{
				Dir: "examples/acme", Output: "text", Conn: defaultConn(t),
				stdin: strings.NewReader(tc.answer), stdout: &stdout, stderr: &stderr, interactive: true,
			}
			err := runApply(context.Background(), opts)
			// The prompt names the tenant, so that nobody approves a plan for the wrong one.
			if !strings.Contains(stderr.String(), "Apply these changes to tenant "+envOf(t)["SAIL_BASE_URL"]+"? Only 'yes' is accepted") {
				t.Errorf("no prompt on stderr: %q", stderr.String())
			}
			if !strings.Contains(stdout.String(), "Plan: 5 to create, 3 to update.") {
				t.Errorf("the plan was not shown before the prompt:\n%s", stdout.String())
			}
			if !tc.applied {
				if code, msg := exitStatus(err); code != exitFailure || !strings.Contains(msg, "cancelled") {
					t.Errorf("answer %q: err %v, want a cancellation", tc.answer, err)
				}
				if w := tenanttest.Writes(emu); len(w) != 0 {
					t.Errorf("answer %q: write requests sent: %v", tc.answer, w)
				}
				return
			}
			if err != nil {
				t.Fatalf("answer %q: %v\n%s", tc.answer, err, stderr.String())
			}
			if got := description(t, emu, "Corporate Directory"); got != declaredDescription {
				t.Errorf("not applied: description %q", got)
			}
		})
	}
}

// TestApplyPlanFileSecrets: apply --plan sends secrets exactly as the plan showed them. A plan
// made without --rotate-secrets does not show existing secrets, so apply must not send them even
// when given --rotate-secrets; a plan made with it shows them, so apply sends them.
func TestApplyPlanFileSecrets(t *testing.T) {
	t.Parallel()
	t.Run("plan without rotation", func(t *testing.T) {
		t.Parallel()
		emu := applyTenant(t)
		before, ok := emu.Secret("Corporate Directory", "password")
		if !ok || before == tenanttest.Secrets["AD_BIND_PASSWORD"] {
			t.Fatalf("seed password %q, %v", before, ok)
		}
		file := filepath.Join(t.TempDir(), "plan.json")
		if _, stderr, code := runCLI(t, "", "plan", "examples/acme", "--out", file); code != exitChanges {
			t.Fatalf("plan: exit %d: %s", code, stderr)
		}
		emu.ResetLog()
		_, stderr, code := runCLI(t, "", "apply", "examples/acme", "--plan", file, "--rotate-secrets", "--auto-approve")
		if code != exitFailure || !strings.Contains(stderr, "--rotate-secrets") {
			t.Errorf("exit %d, want 1 naming --rotate-secrets; stderr %s", code, stderr)
		}
		if got, _ := emu.Secret("Corporate Directory", "password"); got != before {
			t.Error("apply --plan sent a secret the plan did not show")
		}
		if len(emu.Log()) != 0 {
			t.Errorf("requests sent: %v", emu.Log())
		}
	})
	t.Run("plan with rotation", func(t *testing.T) {
		t.Parallel()
		emu := applyTenant(t)
		file := filepath.Join(t.TempDir(), "plan.json")
		stdout, stderr, code := runCLI(t, "", "plan", "examples/acme", "--rotate-secrets", "--out", file)
		if code != exitChanges || !strings.Contains(stdout, "~ connectorAttributes.password: (sensitive)") {
			t.Fatalf("plan: exit %d: %s\n%s", code, stderr, stdout)
		}
		// The flag the plan was made with is given again: a plan file alone cannot ask for it.
		if stdout, stderr, code := runCLI(t, "", "apply", "examples/acme", "--plan", file, "--rotate-secrets", "--auto-approve"); code != exitOK {
			t.Fatalf("apply: exit %d\n%s\n%s", code, stdout, stderr)
		}
		for _, tc := range []struct{ source, attr, env string }{
			{"Corporate Directory", "password", "AD_BIND_PASSWORD"},
			{"HR Database", "password", "HR_DB_PASSWORD"},
		} {
			if got, _ := emu.Secret(tc.source, tc.attr); got != tenanttest.Secrets[tc.env] {
				t.Errorf("%s %s not rotated as the plan showed", tc.source, tc.attr)
			}
		}
	})
}

// TestApplyProgress: without a terminal, apply says how far it is on stderr at the end of each
// level and every progressEvery, so that a long apply is never silent in a CI log.
func TestApplyProgress(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	setSecrets(t)
	emu, err := emulator.New(emulator.Options{Seed: examples.AcmeTenant, Latency: 30 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(contract.Middleware(t, emu))
	defer srv.Close()
	setEnv(t, "SAIL_BASE_URL", srv.URL)
	setEnv(t, "SAIL_CLIENT_ID", emu.ClientID())
	setEnv(t, "SAIL_CLIENT_SECRET", emu.ClientSecret())
	var stdout, stderr bytes.Buffer
	opts := &applyOptions{Dir: "examples/acme", AutoApprove: true, Output: "text", Conn: defaultConn(t),
		stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, progressEvery: 10 * time.Millisecond}
	opts.Conn.Parallelism = 1 // one request at a time: the apply takes long enough to tick
	if err := runApply(context.Background(), opts); err != nil {
		t.Fatalf("apply: %v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	// The three levels: 1 connector and 2 transforms, 2 sources, 3 uploads.
	for _, want := range []string{"applied 3 of 8, 0 failed", "applied 5 of 8, 0 failed", "applied 8 of 8, 0 failed"} {
		if !slices.Contains(lines, want) {
			t.Errorf("stderr lacks the level line %q:\n%s", want, stderr.String())
		}
	}
	if len(lines) <= 3 {
		t.Errorf("no periodic line besides the level lines:\n%s", stderr.String())
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "applied ") {
			t.Errorf("unexpected stderr line %q", l)
		}
	}
}

// TestApplyInterruptedSaysStopped: an apply interrupted with nothing failed says what was done
// and what was not started, and that a re-run finishes the job, not "fix the failures".
func TestApplyInterruptedSaysStopped(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	setSecrets(t)
	emu, err := emulator.New(emulator.Options{Seed: examples.AcmeTenant})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var once sync.Once
	// Ctrl-C arrives as the first write reaches the tenant: that write finishes, nothing else starts.
	hooked := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.URL.Path != "/oauth/token" {
			once.Do(cancel)
		}
		emu.ServeHTTP(w, r)
	})
	srv := httptest.NewServer(contract.Middleware(t, hooked))
	defer srv.Close()
	setEnv(t, "SAIL_BASE_URL", srv.URL)
	setEnv(t, "SAIL_CLIENT_ID", emu.ClientID())
	setEnv(t, "SAIL_CLIENT_SECRET", emu.ClientSecret())
	var stdout, stderr bytes.Buffer
	opts := &applyOptions{Dir: "examples/acme", AutoApprove: true, Output: "text", Conn: defaultConn(t),
		stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr}
	opts.Conn.Parallelism = 1
	err = runApply(ctx, opts)
	var ec *exitError
	if !errors.As(err, &ec) || ec.code != exitFailure || ec.err == nil {
		t.Fatalf("err %v, want exit 1 with a message", err)
	}
	if got, want := ec.err.Error(), "stopped: 1 done, 7 not started; run apply again to finish"; got != want {
		t.Errorf("message %q, want %q\nstdout:\n%s", got, want, stdout.String())
	}
	// The progress counts only what was done (it said "applied 8 of 8").
	if lines := strings.Split(strings.TrimSpace(stderr.String()), "\n"); lines[len(lines)-1] != "applied 1 of 8, 0 failed, 7 not started" {
		t.Errorf("the last progress line is %q, want applied 1 of 8, 0 failed, 7 not started:\n%s", lines[len(lines)-1], stderr.String())
	}
}
