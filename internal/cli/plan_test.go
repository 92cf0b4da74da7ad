package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/examples"
	"github.com/sailsync/sailsync/internal/contract"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/tenanttest"
)

// cliGoldenDir holds the exact output of the commands that talk to a tenant.
const cliGoldenDir = "internal/cli/testdata"

// runCLI runs sailsync in-process with args and stdin and maps the result to an exit status the
// way main does, including main's "sailsync: …" line on stderr. The run sees the test's
// environment only (setEnv, cleanEnv, setSecrets, startTenant), never the process's, and a
// rate limit the emulator keeps up with unless args give --rate-limit.
func runCLI(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, testDeps(t, strings.NewReader(stdin), &out, &errOut))
	return out.String(), errOut.String(), code
}

// testDeps is a run's dependencies in a test: t's environment as it is now, the streams given.
func testDeps(t *testing.T, stdin io.Reader, stdout, stderr io.Writer) *deps {
	vars := envOf(t)
	if _, ok := vars[EnvJournal]; !ok {
		// An apply's journal goes to the test's own directory, never into examples/.
		vars = maps.Clone(vars)
		vars[EnvJournal] = testJournal(t)
	}
	return &deps{
		lookupEnv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
		stdin:     stdin,
		stdout:    stdout,
		stderr:    stderr,
		now:       time.Now,
		rateLimit: testRateLimit,
	}
}

// testJournals holds each test's apply journal, by test name: one per test, kept across its
// runs as a checkout keeps its journal.
var testJournals sync.Map

// testJournal is t's apply journal file.
func testJournal(t *testing.T) string {
	if p, ok := testJournals.Load(t.Name()); ok {
		return p.(string)
	}
	p, loaded := testJournals.LoadOrStore(t.Name(), filepath.Join(t.TempDir(), "journal"))
	if !loaded {
		name := t.Name()
		t.Cleanup(func() { testJournals.Delete(name) })
	}
	return p.(string)
}

// testRateLimit is the tests' --rate-limit default: the emulator does not rate-limit, and the
// client's default would make every command wait 100 ms between requests.
const testRateLimit = "10000/10s"

// clientRate gives the client's own default rate limit, which plan-acme.txt's estimate shows.
const clientRate = "--rate-limit=100"

// noEnv is an empty environment.
func noEnv(string) (string, bool) { return "", false }

// testEnvs holds each test's environment by test name: what t.Setenv set in the process before,
// kept per test so that tests run in parallel. A test without variables of its own sees its
// parent's.
var testEnvs sync.Map // test name → map[string]string, copied on write

// envOf is t's environment, its own or its nearest ancestor's.
func envOf(t *testing.T) map[string]string {
	for name := t.Name(); ; {
		if m, ok := testEnvs.Load(name); ok {
			return m.(map[string]string)
		}
		i := strings.LastIndex(name, "/")
		if i < 0 {
			return map[string]string{}
		}
		name = name[:i]
	}
}

// editEnv replaces t's environment with a copy of it that edit changed, dropped when t ends.
func editEnv(t *testing.T, edit func(map[string]string)) {
	t.Helper()
	m := maps.Clone(envOf(t))
	edit(m)
	if _, loaded := testEnvs.Swap(t.Name(), m); !loaded {
		name := t.Name()
		t.Cleanup(func() { testEnvs.Delete(name) })
	}
}

// setEnv sets a variable of t's environment, as t.Setenv does the process's.
func setEnv(t *testing.T, key, value string) {
	t.Helper()
	editEnv(t, func(m map[string]string) { m[key] = value })
}

// childEnv is the environment of a process a test starts: the process's without the variables
// cleanEnv removes, and t's environment over it.
func childEnv(t *testing.T) []string {
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !slices.Contains(cleanedVars, k) {
			env = append(env, kv)
		}
	}
	vars := envOf(t)
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	if _, ok := vars[EnvJournal]; !ok {
		env = append(env, EnvJournal+"="+testJournal(t))
	}
	return env
}

// unsetEnv removes a variable from t's environment.
func unsetEnv(t *testing.T, key string) {
	t.Helper()
	editEnv(t, func(m map[string]string) { delete(m, key) })
}

// cleanEnv removes every variable that changes what the commands do and turns colour off. The
// process's environment never reaches runCLI; this clears what a parent test set.
func cleanEnv(t *testing.T) {
	t.Helper()
	editEnv(t, func(m map[string]string) {
		for _, k := range cleanedVars {
			delete(m, k)
		}
		m["NO_COLOR"] = "1"
	})
}

// cleanedVars are the variables cleanEnv removes.
var cleanedVars = []string{
	"SAIL_BASE_URL", "SAIL_CLIENT_ID", "SAIL_CLIENT_SECRET", "SAILSYNC_DEBUG", "SAILSYNC_ENV", "GITHUB_STEP_SUMMARY",
	"ACME_HR_TOKEN", "HR_DB_PASSWORD", "AD_BIND_PASSWORD",
	"ACME_HR_CLOUD_APITOKEN", "CORPORATE_DIRECTORY_PASSWORD", "HR_DATABASE_PASSWORD",
}

// setSecrets sets the example repository's secrets to tenanttest.Secrets.
func setSecrets(t *testing.T) {
	t.Helper()
	editEnv(t, func(m map[string]string) { maps.Copy(m, tenanttest.Secrets) })
}

// assertNoSecrets fails when any secret value shows in any of outputs.
func assertNoSecrets(t *testing.T, outputs ...string) {
	t.Helper()
	for _, o := range outputs {
		for name, v := range tenanttest.Secrets {
			if strings.Contains(o, v) {
				t.Errorf("the value of %s appears in the output:\n%s", name, o)
			}
		}
	}
}

// startTenant serves an emulated tenant seeded with the Acme example over real HTTP (behind the
// OpenAPI contract check when the document is available) and points SAIL_* at it, so that state
// persists across commands, unlike --emulator.
func startTenant(t *testing.T) (*emulator.Emulator, string) {
	t.Helper()
	return startTenantWith(t, emulator.Options{})
}

// startTenantWith is startTenant with emulator options (the Acme seed unless opts names one).
func startTenantWith(t *testing.T, opts emulator.Options) (*emulator.Emulator, string) {
	t.Helper()
	if opts.Seed == nil {
		opts.Seed = examples.AcmeTenant
	}
	tn := tenanttest.Start(t, tenanttest.Options{Emulator: opts, Contract: tenanttest.ContractIfAvailable})
	setEnv(t, "SAIL_BASE_URL", tn.URL)
	setEnv(t, "SAIL_CLIENT_ID", tn.Emu.ClientID())
	setEnv(t, "SAIL_CLIENT_SECRET", tn.Emu.ClientSecret())
	return tn.Emu, tn.URL
}

// defaultConn returns connection options with the flag defaults, in t's environment.
func defaultConn(t *testing.T) connOptions {
	var c connOptions
	c.bind(pflag.NewFlagSet("defaults", pflag.ContinueOnError), testDeps(t, nil, nil, nil))
	return c
}

// loopbackPort matches a test server's address, which changes from run to run.
var loopbackPort = regexp.MustCompile(`127\.0\.0\.1:[0-9]+`)

func checkCLIGolden(t *testing.T, name, got string) {
	t.Helper()
	compareGolden(t, cliGoldenDir, name, loopbackPort.ReplaceAllString(got, "127.0.0.1:PORT"))
}

// TestPlanGolden renders the Acme example's plan against the built-in emulator in every format.
// The output must be byte-for-byte stable: no generated ids, times or ports may leak into it.
func TestPlanGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ output, golden string }{
		{"text", "plan-acme.txt"},
		{"json", "plan-acme.json"},
		{"markdown", "plan-acme.md"},
		{"github", "plan-acme.github"},
	} {
		t.Run(tc.output, func(t *testing.T) {
			t.Parallel()
			cleanEnv(t)
			setSecrets(t)
			stdout, stderr, code := runCLI(t, "", "plan", "examples/acme", "--emulator", "--output", tc.output, clientRate)
			if code != exitChanges {
				t.Fatalf("exit %d, want 2 (changes)\nstderr: %s", code, stderr)
			}
			if stderr != "" {
				t.Errorf("stderr not empty with every secret set: %q", stderr)
			}
			assertNoSecrets(t, stdout, stderr)
			checkCLIGolden(t, tc.golden, stdout)
			if tc.output == "json" {
				var p diff.Plan
				if err := json.Unmarshal([]byte(stdout), &p); err != nil {
					t.Fatalf("--output json is not one JSON document: %v", err)
				}
				if p.FormatVersion != diff.FormatVersion || p.Summary.Create != 5 || p.Summary.Update != 3 {
					t.Errorf("json plan: format_version %d, summary %+v", p.FormatVersion, p.Summary)
				}
			}
		})
	}
}

// TestPlanEmulatorSeed: --emulator-seed DIR seeds the emulated tenant from a directory; the
// example tenant's directory gives the same plan as the embedded copy.
func TestPlanEmulatorSeed(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	setSecrets(t)
	stdout, stderr, code := runCLI(t, "", "plan", "examples/acme", "--emulator", "--emulator-seed", filepath.Join("examples", "acme-tenant"), clientRate)
	if code != exitChanges {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	checkCLIGolden(t, "plan-acme.txt", stdout)
}

// TestPlanGitHubStepSummary: with --output github the markdown rendering is appended to
// $GITHUB_STEP_SUMMARY (earlier steps' content kept), identical to --output markdown.
func TestPlanGitHubStepSummary(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	setSecrets(t)
	markdown, _, code := runCLI(t, "", "plan", "examples/acme", "--emulator", "--output", "markdown")
	if code != exitChanges {
		t.Fatalf("markdown: exit %d", code)
	}
	summary := filepath.Join(t.TempDir(), "step-summary.md")
	const earlier = "## an earlier step\n"
	if err := os.WriteFile(summary, []byte(earlier), 0o644); err != nil {
		t.Fatal(err)
	}
	setEnv(t, "GITHUB_STEP_SUMMARY", summary)
	stdout, stderr, code := runCLI(t, "", "plan", "examples/acme", "--emulator", "--output", "github")
	if code != exitChanges {
		t.Fatalf("github: exit %d, stderr %s", code, stderr)
	}
	checkCLIGolden(t, "plan-acme.github", stdout)
	got, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	// Two runs, two emulated tenants on two ports.
	if loopbackPort.ReplaceAllString(string(got), "PORT") != loopbackPort.ReplaceAllString(earlier+markdown, "PORT") {
		t.Errorf("step summary is not the earlier content followed by the markdown plan:\n%s", got)
	}
	if strings.Contains(stdout, "<details>") {
		t.Error("the markdown went to stdout as well")
	}
}

// TestPlanViolations: the immutable example exits 1 and names each violation with its file,
// line and column, in every format.
func TestPlanViolations(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	setSecrets(t)
	stdout, stderr, code := runCLI(t, "", "plan", "examples/acme-immutable", "--emulator")
	if code != exitFailure {
		t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
	}
	checkCLIGolden(t, "plan-acme-immutable.txt", stdout)
	for _, want := range []string{
		"examples/acme-immutable/sources/corporate-directory.yaml:12:17: Source \"Corporate Directory\" connectorClass",
		"examples/acme-immutable/sources/corporate-directory.yaml:14:16: Source \"Corporate Directory\" authoritative",
		"2 violations",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("text output lacks %q", want)
		}
	}

	stdout, _, code = runCLI(t, "", "plan", "examples/acme-immutable", "--emulator", "-o", "github")
	if code != exitFailure {
		t.Errorf("github: exit %d, want 1", code)
	}
	if n := strings.Count(stdout, "::error file=examples/acme-immutable/sources/corporate-directory.yaml,line="); n != 2 {
		t.Errorf("github: %d error annotations on the declared file, want 2:\n%s", n, stdout)
	}

	stdout, _, code = runCLI(t, "", "plan", "examples/acme-immutable", "--emulator", "-o", "json")
	var p diff.Plan
	if err := json.Unmarshal([]byte(stdout), &p); err != nil || code != exitFailure {
		t.Fatalf("json: exit %d, %v", code, err)
	}
	if len(p.Violations) != 2 || p.Summary.Violations == 0 {
		t.Errorf("json: %d violations, summary %+v", len(p.Violations), p.Summary)
	}
	for _, v := range p.Violations {
		if v.File != "examples/acme-immutable/sources/corporate-directory.yaml" || v.Line == 0 || v.Rule == "" {
			t.Errorf("json violation without its place or rule: %+v", v)
		}
	}
}

// TestPlanExitCodes: 0 no changes, 2 changes, 1 for every error and violation — an error never
// exits 2.
func TestPlanExitCodes(t *testing.T) {
	t.Parallel()
	broken := filepath.Join("internal", "config", "testdata", "broken", "schema-violations")
	for _, tc := range []struct {
		name   string
		setup  func(t *testing.T) []string // returns the arguments after "plan"
		code   int
		stdout []string // substrings expected on stdout
		stderr []string // substrings expected on stderr
	}{
		{
			name:   "changes",
			setup:  func(t *testing.T) []string { setSecrets(t); return []string{"examples/acme", "--emulator"} },
			code:   exitChanges,
			stdout: []string{"Plan: 5 to create, 3 to update."},
		},
		{
			name: "invalid repository",
			setup: func(t *testing.T) []string {
				return []string{broken, "--emulator"}
			},
			code:   exitFailure,
			stderr: []string{"is not valid", "run sailsync validate", "internal/config/testdata/broken/schema-violations/other.yaml:1:1: className"},
		},
		{
			name:   "missing repository",
			setup:  func(t *testing.T) []string { return []string{filepath.Join(t.TempDir(), "nope"), "--emulator"} },
			code:   exitFailure,
			stderr: []string{"sailsync: "},
		},
		{
			name: "needed secret unset against a tenant",
			setup: func(t *testing.T) []string {
				_, url := startTenant(t)
				unsetEnv(t, "SAIL_BASE_URL")
				setEnv(t, "HR_DB_PASSWORD", tenanttest.Secrets["HR_DB_PASSWORD"])
				return []string{"examples/acme", "--base-url", url}
			},
			// A plan needs no secret (a pull request's read-only job has none): it shows the
			// secret as not set and warns; apply refuses (TestUnsetSecretPlanWarnsApplyRefuses).
			code:   exitChanges,
			stdout: []string{"apiToken: (sensitive, not set)", "warning: 1 environment variable is unset", "ACME_HR_TOKEN", "sources/acme-hr-cloud.yaml:15"},
		},
		{
			name: "no tenant",
			setup: func(t *testing.T) []string {
				setSecrets(t)
				return []string{"examples/acme"}
			},
			code:   exitFailure,
			stderr: []string{"SAIL_BASE_URL", "--emulator"},
		},
		{
			name: "wrong credentials",
			setup: func(t *testing.T) []string {
				setSecrets(t)
				startTenant(t)
				setEnv(t, "SAIL_CLIENT_SECRET", "not-the-secret")
				return []string{"examples/acme"}
			},
			code: exitFailure,
			// Reported once as a token failure, not against whichever request asked first.
			stderr: []string{"sailsync: get access token: POST /oauth/token: 401"},
		},
		{
			name: "plain http to a remote host",
			setup: func(t *testing.T) []string {
				setSecrets(t)
				return []string{"examples/acme", "--base-url", "http://acme.api.identitynow.com"}
			},
			code:   exitFailure,
			stderr: []string{"http://"},
		},
		{
			name: "emulator seed missing",
			setup: func(t *testing.T) []string {
				return []string{"examples/acme", "--emulator", "--emulator-seed", filepath.Join(t.TempDir(), "nope")}
			},
			code:   exitFailure,
			stderr: []string{"--emulator-seed", "no such file"},
		},
		{
			name: "emulator seed is a file",
			setup: func(t *testing.T) []string {
				return []string{"examples/acme", "--emulator", "--emulator-seed", "main.go"}
			},
			code:   exitFailure,
			stderr: []string{"--emulator-seed main.go: not a directory"},
		},
		{
			name:   "unknown output",
			setup:  func(t *testing.T) []string { return []string{"examples/acme", "--emulator", "-o", "yaml"} },
			code:   exitFailure,
			stderr: []string{"--output"},
		},
		{
			name: "no changes",
			setup: func(t *testing.T) []string {
				startTenant(t)
				return []string{legacyMainframeRepo(t)}
			},
			code:   exitOK,
			stdout: []string{"No changes"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cleanEnv(t)
			args := append([]string{"plan"}, tc.setup(t)...)
			stdout, stderr, code := runCLI(t, "", args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, stdout, stderr)
			}
			if (code == exitFailure) != strings.Contains(stderr, "sailsync: ") {
				t.Errorf("exit %d with stderr %q: an error, and only an error, is reported there", code, stderr)
			}
			for _, want := range tc.stdout {
				if !strings.Contains(stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout)
				}
			}
			for _, want := range tc.stderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			assertNoSecrets(t, stdout, stderr)
			if strings.Contains(stderr, "not-the-secret") || strings.Contains(stderr, emulator.DefaultClientSecret) {
				t.Errorf("a client secret appears on stderr: %s", stderr)
			}
		})
	}
}

// legacyMainframeRepo writes a repository declaring the seed tenant's Legacy Mainframe source
// exactly as it is.
func legacyMainframeRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "sources"), 0o755); err != nil {
		t.Fatal(err)
	}
	const y = `kind: Source
name: Legacy Mainframe
owner: {type: IDENTITY, id: 2c91808568c529c60168cca6f90c1313, name: Amelia Ortiz}
connector: delimited-file
type: DelimitedFile
deleteThreshold: 10
features: [NO_RANDOM_ACCESS, DIRECT_PERMISSIONS]
connectorAttributes:
  delimiter: ","
  hasHeader: true
`
	if err := os.WriteFile(filepath.Join(dir, "sources", "legacy-mainframe.yaml"), []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestPlanOutFile: plan --out writes a plan file that holds fingerprints and no secrets.
func TestPlanOutFile(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	setSecrets(t)
	startTenant(t)
	file := filepath.Join(t.TempDir(), "plan.json")
	_, stderr, code := runCLI(t, "", "plan", "examples/acme", "--out", file, "--rotate-secrets")
	if code != exitChanges {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	assertNoSecrets(t, string(b))
	pf, err := readPlanFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !pf.RotateSecrets {
		t.Error("the plan file does not record --rotate-secrets")
	}
	p := pf.Plan
	var withFingerprint int
	for _, c := range p.Changes {
		if c.Fingerprint != nil && c.Fingerprint.Hash != "" {
			withFingerprint++
		}
		if strings.HasPrefix(c.File, "examples/") {
			t.Errorf("plan file path %q is not relative to the repository", c.File)
		}
	}
	if withFingerprint == 0 || p.RepoHash == "" {
		t.Errorf("plan file has %d fingerprints and repo hash %q", withFingerprint, p.RepoHash)
	}
}

// TestPlanProgress: without a terminal, plan says every progressEvery how far its reads are,
// so that a long plan is never silent in a CI log; stdout is the plan alone.
func TestPlanProgress(t *testing.T) {
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
	opts := &planOptions{Dir: "examples/acme", Output: "text", Conn: defaultConn(t), stdout: &stdout, stderr: &stderr, progressEvery: 10 * time.Millisecond}
	opts.Conn.Parallelism = 1 // one request at a time: the reads take long enough to tick
	if err := runPlan(context.Background(), opts); err == nil || !strings.Contains(stdout.String(), "Plan: ") {
		t.Fatalf("plan: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	line := regexp.MustCompile(`^reading the tenant: (\d+) of (\d+) requests$`)
	last := 0
	for _, l := range lines {
		m := line.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("unexpected stderr line %q:\n%s", l, stderr.String())
		}
		done, _ := strconv.Atoi(m[1])
		total, _ := strconv.Atoi(m[2])
		if done < last || done > total {
			t.Errorf("line %q after %d done", l, last)
		}
		last = done
	}
	if len(lines) < 2 || last == 0 {
		t.Errorf("want periodic progress lines, got:\n%s", stderr.String())
	}
	if strings.Contains(stdout.String(), "reading the tenant") {
		t.Errorf("progress on stdout:\n%s", stdout.String())
	}
}

// TestPlanInterruptedSaysNothingSent: Ctrl-C during a plan's reads (of plan, drift, or apply
// before its first write) says "interrupted: nothing was sent", not the request's "context
// canceled", and exits 1; the tenant got no write.
func TestPlanInterruptedSaysNothingSent(t *testing.T) {
	cleanEnv(t)
	setSecrets(t)
	for _, command := range []string{"plan", "drift", "apply"} {
		t.Run(command, func(t *testing.T) {
			emu, err := emulator.New(emulator.Options{Seed: examples.AcmeTenant})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var writes atomic.Int32
			// Ctrl-C arrives with the first read of the sources: that read is answered, no other starts.
			hooked := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodGet && r.URL.Path != "/oauth/token" {
					writes.Add(1)
				}
				if strings.HasPrefix(r.URL.Path, "/v3/sources") {
					cancel()
				}
				emu.ServeHTTP(w, r)
			})
			srv := httptest.NewServer(contract.Middleware(t, hooked))
			defer srv.Close()
			setEnv(t, "SAIL_BASE_URL", srv.URL)
			setEnv(t, "SAIL_CLIENT_ID", emu.ClientID())
			setEnv(t, "SAIL_CLIENT_SECRET", emu.ClientSecret())
			args := []string{command, "examples/acme"}
			if command == "apply" {
				args = append(args, "--auto-approve")
			}
			var stdout, stderr bytes.Buffer
			code := run(ctx, args, testDeps(t, strings.NewReader(""), &stdout, &stderr))
			if code != exitFailure || !strings.Contains(stderr.String(), "sailsync: interrupted: nothing was sent\n") {
				t.Errorf("exit %d, want 1 saying interrupted: nothing was sent:\n%s%s", code, stdout.String(), stderr.String())
			}
			if strings.Contains(stdout.String()+stderr.String(), "context canceled") {
				t.Errorf("the output says context canceled:\n%s%s", stdout.String(), stderr.String())
			}
			if n := writes.Load(); n != 0 {
				t.Errorf("%d writes reached the tenant", n)
			}
		})
	}
}
