package cli

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/isc"
	"github.com/sailsync/sailsync/internal/tenanttest"
)

// TestEmulatorCommand starts `sailsync emulator` by hand (on a free port), points the
// environment at it from the lines it prints, exports the tenant and validates the export, then
// stops it through its context.
func TestEmulatorCommand(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		err := runEmulator(ctx, &emulatorOptions{Addr: "127.0.0.1:0", stdout: pw, stderr: &stderr})
		pw.CloseWithError(io.EOF)
		done <- err
	}()

	// The five lines are printed once the listener is up; reading them is the synchronisation.
	env := map[string]string{}
	var printed []string
	sc := bufio.NewScanner(pr)
	for len(printed) < 5 && sc.Scan() {
		line := sc.Text()
		printed = append(printed, line)
		if rest, ok := strings.CutPrefix(line, "export "); ok {
			k, v, _ := strings.Cut(rest, "=")
			env[k] = v
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if len(printed) < 5 {
		cancel()
		t.Fatalf("emulator printed %q, then: %v", printed, <-done)
	}
	if !strings.HasPrefix(env["SAIL_BASE_URL"], "http://127.0.0.1:") || strings.HasSuffix(env["SAIL_BASE_URL"], ":0") {
		t.Errorf("SAIL_BASE_URL %q is not the listening address", env["SAIL_BASE_URL"])
	}
	if env["SAIL_CLIENT_ID"] != emulator.DefaultClientID || env["SAIL_CLIENT_SECRET"] != emulator.DefaultClientSecret {
		t.Errorf("printed credentials %q / %q", env["SAIL_CLIENT_ID"], env["SAIL_CLIENT_SECRET"])
	}
	if !strings.Contains(printed[0], "Acme example tenant") || !strings.Contains(printed[4], "Ctrl-C") {
		t.Errorf("header or footer missing: %q", printed)
	}
	for k, v := range env {
		setEnv(t, k, v)
	}

	dir := t.TempDir()
	// The export's transport is the test's, to close its connections before the emulator stops:
	// a connection dialled but never used would hold the graceful shutdown for its 5 s.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	var out, exportErr bytes.Buffer
	d := testDeps(t, strings.NewReader(""), &out, &exportErr)
	d.httpClient = &http.Client{Transport: tr}
	code := run(context.Background(), []string{"export", dir}, d)
	tr.CloseIdleConnections()
	if stdout, errOut := out.String(), exportErr.String(); code != exitOK || !strings.Contains(stdout, "wrote") {
		t.Fatalf("export against the emulator command: exit %d\nstdout: %s\nstderr: %s", code, stdout, errOut)
	}
	if _, errOut, code := runCLI(t, "", "validate", dir); code != exitOK || !strings.Contains(errOut, "valid: 0 connectors, 2 transforms, 5 sources, 2 entitlement schemas, 0 provisioning policies (3 warnings)") {
		t.Errorf("validate of the export: exit %d: %s", code, errOut)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("runEmulator after cancel: %v", err)
	}
	if !strings.Contains(stderr.String(), "emulator stopped") {
		t.Errorf("stderr: %q", stderr.String())
	}
	// Stopped means stopped: the address no longer accepts connections.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := client.Get(env["SAIL_BASE_URL"] + "/v3/sources"); err == nil {
		resp.Body.Close()
		t.Errorf("the emulator still answers after stopping: %s", resp.Status)
	}
}

// TestEmulatorCommandErrors: bad flags are errors before anything listens.
func TestEmulatorCommandErrors(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"missing seed", []string{"emulator", "--addr", "127.0.0.1:0", "--seed", "does/not/exist"}, "--seed"},
		{"seed is a file", []string{"emulator", "--addr", "127.0.0.1:0", "--seed", "main.go"}, "not a directory"},
		{"negative rate limit", []string{"emulator", "--addr", "127.0.0.1:0", "--rate-limit", "-1"}, "--rate-limit"},
		{"unknown cipher format", []string{"emulator", "--addr", "127.0.0.1:0", "--cipher-format", "rot13"}, "--cipher-format: unknown cipher format \"rot13\""},
		{"bad address", []string{"emulator", "--addr", "127.0.0.1:99999"}, "emulator"},
		{"arguments", []string{"emulator", "extra"}, "unknown command"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runCLI(t, "", tc.args...)
			if code != exitFailure || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want 1 mentioning %q", code, stderr, tc.want)
			}
		})
	}
}

// TestEmulatorSecretFlags: --cipher-format and --encrypt-listed-only reach the tenant the
// command serves: the example's apiToken, applied, is stored as that format's cipher text and
// exported as ${env:…}, or, where the tenant encrypts only what the encrypted list names, kept
// and exported in plain text.
func TestEmulatorSecretFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		format     string
		listedOnly bool
		stored     string // how the tenant's apiToken starts
		want       string // the exported apiToken line
	}{
		{"acp", false, "1:ACP:", "apiToken: ${env:ACME_HR_CLOUD_APITOKEN}"},
		{"bare", false, "2:", "apiToken: ${env:ACME_HR_CLOUD_APITOKEN}"}, // and not 2:ENC-, checked below
		{"enc", true, tenanttest.Secrets["ACME_HR_TOKEN"], "apiToken: " + tenanttest.Secrets["ACME_HR_TOKEN"]},
	} {
		t.Run(tc.format, func(t *testing.T) {
			t.Parallel()
			cleanEnv(t)
			setSecrets(t)
			pr, pw := io.Pipe()
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				err := runEmulator(ctx, &emulatorOptions{Addr: "127.0.0.1:0", CipherFormat: tc.format, EncryptListedOnly: tc.listedOnly,
					stdout: pw, stderr: io.Discard})
				pw.CloseWithError(io.EOF)
				done <- err
			}()
			defer func() { cancel(); <-done }()
			sc := bufio.NewScanner(pr)
			for n := 0; n < 5 && sc.Scan(); n++ {
				if rest, ok := strings.CutPrefix(sc.Text(), "export "); ok {
					k, v, _ := strings.Cut(rest, "=")
					setEnv(t, k, v)
				}
			}
			go func() { _, _ = io.Copy(io.Discard, pr) }()
			if _, stderr, code := runCLI(t, "", "apply", "examples/acme", "--auto-approve"); code != exitOK {
				t.Fatalf("apply: exit %d: %s", code, stderr)
			}
			c, err := isc.New(isc.Config{BaseURL: envOf(t)["SAIL_BASE_URL"], ClientID: envOf(t)["SAIL_CLIENT_ID"],
				ClientSecret: envOf(t)["SAIL_CLIENT_SECRET"], RatePer10s: 1e6})
			if err != nil {
				t.Fatal(err)
			}
			srcs, err := c.ListSources(context.Background(), "")
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range srcs {
				if tok := s.Object("connectorAttributes").String("apiToken"); s.String("name") == "Acme HR Cloud" &&
					(!strings.HasPrefix(tok, tc.stored) || tc.format == "bare" && strings.HasPrefix(tok, emulator.CipherPrefix)) {
					t.Errorf("the tenant stores apiToken as %q, want it to start with %q", tok, tc.stored)
				}
			}
			dir := t.TempDir()
			if _, stderr, code := runCLI(t, "", "export", dir); code != exitOK {
				t.Fatalf("export: exit %d: %s", code, stderr)
			}
			got, err := os.ReadFile(filepath.Join(dir, "sources", "acme-hr-cloud.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(got), tc.want) {
				t.Errorf("export lacks %q:\n%s", tc.want, got)
			}
		})
	}
}

// TestEmulatorStopsOnSignal runs `sailsync emulator` as a process (the test binary standing in,
// see TestMain) and stops it with SIGTERM, as containers and CI runners do, and with SIGINT:
// both shut the server down cleanly and exit 0.
func TestEmulatorStopsOnSignal(t *testing.T) {
	t.Parallel()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "sailsync")
	if err := os.Symlink(self, bin); err != nil {
		t.Fatal(err)
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(bin, "emulator", "--addr", "127.0.0.1:0")
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(stdout)
			base := ""
			for base == "" && sc.Scan() {
				if v, ok := strings.CutPrefix(sc.Text(), "export SAIL_BASE_URL="); ok {
					base = v
				}
			}
			go func() { _, _ = io.Copy(io.Discard, stdout) }()
			if base == "" {
				_ = cmd.Process.Kill()
				t.Fatalf("no SAIL_BASE_URL line; stderr: %s", stderr.String())
			}
			if resp, err := http.Get(base + "/v3/sources"); err != nil {
				t.Fatalf("emulator not serving: %v", err)
			} else {
				resp.Body.Close()
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("exit: %v; stderr: %s", err, stderr.String())
				}
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatalf("still running 10 s after %v", sig)
			}
			if !strings.Contains(stderr.String(), "emulator stopped") {
				t.Errorf("stderr %q, want the clean-stop line", stderr.String())
			}
			if _, err := http.Get(base + "/v3/sources"); err == nil {
				t.Error("still serving after it exited")
			}
		})
	}
}

// TestEmulatorSeedNotASeed: --seed and --emulator-seed refuse a directory that is not a seed
// (a config repository, a directory of other files) instead of serving an empty tenant.
func TestEmulatorSeedNotASeed(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "notes.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"config repository as --seed", []string{"emulator", "--addr", "127.0.0.1:0", "--seed", "examples/acme"}, "--seed examples/acme: not a seed: it holds YAML"},
		{"other files as --seed", []string{"emulator", "--addr", "127.0.0.1:0", "--seed", other}, "not a seed: no JSON objects"},
		{"config repository as --emulator-seed", []string{"plan", "examples/acme", "--emulator", "--emulator-seed", "examples/acme"}, "--emulator-seed examples/acme: not a seed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runCLI(t, "", tt.args...)
			if code != 1 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 1 and %q", code, stderr, tt.want)
			}
		})
	}
}

// TestCompletion: shell completion offers each command's --output values, the kind names of
// `schema`, and directories for [DIR].
func TestCompletion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"plan", "--output", ""}, []string{"text", "json", "markdown", "github"}},
		{[]string{"apply", "-o", ""}, []string{"text", "json", "markdown", "github"}},
		{[]string{"validate", "--output", ""}, []string{"text", "json", "github"}},
		{[]string{"schema", ""}, []string{"Connector", "Source", "EntitlementSchema"}},
		{[]string{"plan", ""}, []string{":" + itoa(int(cobra.ShellCompDirectiveFilterDirs))}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			stdout, stderr, code := runCLI(t, "", append([]string{cobra.ShellCompRequestCmd}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			lines := strings.Split(strings.TrimSpace(stdout), "\n")
			for _, w := range tt.want {
				if !slices.Contains(lines, w) {
					t.Errorf("completions %q lack %q", lines, w)
				}
			}
		})
	}
}

// TestEmulatorRemoteBind: a listen address beyond loopback needs --allow-remote;
// with it the emulator warns, and the SAIL_BASE_URL it prints is one sailsync accepts and
// reaches (127.0.0.1 when bound to every interface).
func TestEmulatorRemoteBind(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0"} {
		_, stderr, code := runCLI(t, "", "emulator", "--addr", addr)
		if code != 1 || !strings.Contains(stderr, "--allow-remote") {
			t.Errorf("--addr %s: exit %d, stderr %q; want a refusal naming --allow-remote", addr, code, stderr)
		}
	}

	pr, pw := io.Pipe()
	var stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		err := runEmulator(ctx, &emulatorOptions{Addr: "0.0.0.0:0", AllowRemote: true, stdout: pw, stderr: &stderr})
		pw.CloseWithError(io.EOF)
		done <- err
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	base := ""
	sc := bufio.NewScanner(pr)
	for base == "" && sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "export SAIL_BASE_URL="); ok {
			base = v
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("SAIL_BASE_URL %q, want http://127.0.0.1:PORT", base)
	}
	if !strings.Contains(stderr.String(), "warning: the emulator listens on") {
		t.Errorf("no warning on stderr: %q", stderr.String())
	}
	c, err := isc.New(isc.Config{BaseURL: base, ClientID: emulator.DefaultClientID, ClientSecret: emulator.DefaultClientSecret})
	if err != nil {
		t.Fatalf("sailsync refuses the printed SAIL_BASE_URL: %v", err)
	}
	if _, err := c.ListSources(context.Background(), ""); err != nil {
		t.Errorf("the printed SAIL_BASE_URL does not reach the emulator: %v", err)
	}
}

// syncBuffer is a bytes.Buffer safe for the emulator goroutine writing and the test reading.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
