package cli

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io/fs"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sailsync/sailsync/examples"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/isc"
	"github.com/sailsync/sailsync/internal/tenanttest"
	"github.com/sailsync/sailsync/internal/value"
)

// The secrets of these tests: an API client whose secret is not the emulator's default, the
// ${env:…} passwords of the example repository (tenanttest.Secrets), and every access token the
// tenant issued, captured from the requests.
const (
	secretsClientID     = "sailsync-ci-7c1e"
	secretsClientSecret = "client-S3cret-9f3Kq-wY"
)

// secretTenant serves the Acme demo tenant with a known client secret and records every bearer
// token that reaches it.
type secretTenant struct {
	emu *emulator.Emulator
	url string
	// caPEM is the CA that signed the server's certificate when it serves TLS.
	caPEM []byte

	mu     gosync.Mutex
	tokens map[string]bool
}

func startSecretTenant(t *testing.T, tlsServer bool) *secretTenant {
	t.Helper()
	st := &secretTenant{tokens: map[string]bool{}}
	opts := tenanttest.Options{
		Emulator: emulator.Options{Seed: examples.AcmeTenant, ClientID: secretsClientID, ClientSecret: secretsClientSecret},
		Contract: tenanttest.ContractIfAvailable,
		Handler: func(emu *emulator.Emulator) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && tok != "" {
					st.mu.Lock()
					st.tokens[tok] = true
					st.mu.Unlock()
				}
				emu.ServeHTTP(w, r)
			})
		},
	}
	if tlsServer {
		// Not httptest's built-in certificate, which every test server shares: a CA of our
		// own, as a corporate TLS proxy has, signs the server's certificate.
		ca, caKey := newCA(t, "Acme Corporate Proxy CA")
		leaf := signLeaf(t, ca, caKey)
		opts.TLS = &tls.Config{Certificates: []tls.Certificate{leaf}, MinVersion: tls.VersionTLS12}
		st.caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw})
	}
	tn := tenanttest.Start(t, opts)
	st.emu, st.url = tn.Emu, tn.URL
	return st
}

func (st *secretTenant) issued() []string {
	st.mu.Lock()
	defer st.mu.Unlock()
	var out []string
	for tok := range st.tokens {
		out = append(out, tok)
	}
	return out
}

// sailsyncBinary links the test binary as sailsync (TestMain then runs Main) in a directory of
// its own and returns the link.
func sailsyncBinary(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "sailsync")
	if err := os.Symlink(self, bin); err != nil {
		t.Fatal(err)
	}
	return bin
}

// runProcess runs bin in dir with exactly the variables of env (and the process's PATH) and
// returns what it wrote and its exit status.
func runProcess(t *testing.T, bin, dir string, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	if _, ok := env[EnvJournal]; !ok {
		cmd.Env = append(cmd.Env, EnvJournal+"="+testJournal(t))
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("sailsync %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errOut.String(), code
}

// listFiles returns every regular file below dir, relative to it.
func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// TestSecretsNeverPrinted runs every command — validate, plan in every format (github with a
// step summary, and a plan file), drift, apply (text and JSON, a failure included), export —
// with and without --debug, and requires that no known secret value appears in anything they
// write: stdout, stderr, the plan file, the step summary, the exported repository. It runs in
// an empty HOME, TMPDIR and working directory, and requires that the commands wrote no file
// besides the outputs asked for: tokens live in memory only. Each command is a process of its
// own (the test binary as sailsync), so that HOME, TMPDIR and the working directory are its.
func TestSecretsNeverPrinted(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	setSecrets(t)
	st := startSecretTenant(t, false)
	home, tmp, work := t.TempDir(), t.TempDir(), t.TempDir()
	repo := tenanttest.CopyDir(t, "examples/acme")
	repoFiles := listFiles(t, repo)
	setEnv(t, "HOME", home)
	setEnv(t, "XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	setEnv(t, "XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	setEnv(t, "TMPDIR", tmp)
	setEnv(t, "SAIL_BASE_URL", st.url)
	setEnv(t, "SAIL_CLIENT_ID", secretsClientID)
	setEnv(t, "SAIL_CLIENT_SECRET", secretsClientSecret)
	bin := sailsyncBinary(t)
	summary := filepath.Join(work, "step-summary.md")
	planFile := filepath.Join(work, "plan.json")
	exported := filepath.Join(work, "exported")

	type run struct {
		args  []string
		setup func()
		codes []int // acceptable exit statuses
	}
	var runs []run
	for _, output := range []string{"text", "json", "github"} {
		runs = append(runs, run{args: []string{"validate", repo, "-o", output}, codes: []int{0}})
	}
	for _, debug := range []bool{false, true} {
		var extra []string
		if debug {
			extra = append(extra, "--debug")
		}
		for _, output := range []string{"text", "json", "markdown", "github"} {
			args := append([]string{"plan", repo, "-o", output}, extra...)
			if output == "json" {
				args = append(args, "--out", planFile)
			}
			runs = append(runs, run{args: args, codes: []int{2}, setup: func() { setEnv(t, "GITHUB_STEP_SUMMARY", summary) }})
		}
		for _, output := range []string{"text", "json"} {
			runs = append(runs, run{args: append([]string{"drift", repo, "-o", output}, extra...), codes: []int{2}})
		}
	}
	runs = append(runs,
		// Applies the saved plan, logging every request.
		run{args: []string{"apply", repo, "--plan", planFile, "--auto-approve", "--debug"}, codes: []int{0}},
		// An admin edits a source in the UI; the next apply sends every secret again
		// (--rotate-secrets) and one PUT is refused, so the report carries a tenant error.
		run{
			args:  []string{"apply", repo, "--auto-approve", "--rotate-secrets", "-o", "json", "--debug"},
			codes: []int{1},
			setup: func() {
				for _, name := range []string{"Corporate Directory", "HR Database"} {
					if err := st.emu.UpdateSource(name, func(o *value.Object) { o.Set("description", "edited in the UI") }); err != nil {
						t.Fatal(err)
					}
				}
				st.emu.AddFault(emulator.Fault{Method: "PUT", Path: "^/v3/sources/2c9180845e3b1f0a015e3b8c7d9a0417$", Kind: emulator.FaultStatus, Status: 400, Times: 1})
			},
		},
		run{args: []string{"apply", repo, "--auto-approve", "--rotate-secrets", "-o", "text"}, codes: []int{0}},
		run{args: []string{"export", exported, "--debug"}, codes: []int{0}},
		// A wrong client secret: the refusal must not echo it.
		run{
			args:  []string{"plan", repo, "--debug"},
			codes: []int{1},
			setup: func() { setEnv(t, "SAIL_CLIENT_SECRET", "wrong-S3cret-4Rt8") },
		},
	)

	var outputs []string
	for _, r := range runs {
		if r.setup != nil {
			r.setup()
		}
		stdout, stderr, code := runProcess(t, bin, work, envOf(t), r.args...)
		if !contains(r.codes, code) {
			t.Errorf("sailsync %s: exit %d, want %v\nstdout: %s\nstderr: %s", strings.Join(r.args, " "), code, r.codes, stdout, stderr)
		}
		outputs = append(outputs, "sailsync "+strings.Join(r.args, " ")+" (stdout)\n"+stdout, "sailsync "+strings.Join(r.args, " ")+" (stderr)\n"+stderr)
	}

	// The runs did what they claim: debug lines were written, a failure reached the report,
	// the secrets went to the tenant.
	all := strings.Join(outputs, "\n")
	for _, want := range []string{"isc: PUT /v3/sources/", `"status": "failed"`, `"tracking_id"`, "invalid_client"} {
		if !strings.Contains(all, want) {
			t.Errorf("no run wrote %q: the check would prove less than it claims", want)
		}
	}
	if v, ok := st.emu.Secret("Corporate Directory", "password"); !ok || v != tenanttest.Secrets["AD_BIND_PASSWORD"] {
		t.Errorf("--rotate-secrets did not send the AD password (tenant has %q)", v)
	}

	secrets := map[string]string{"the client secret": secretsClientSecret, "the wrong client secret": "wrong-S3cret-4Rt8"}
	for name, v := range tenanttest.Secrets {
		secrets["${env:"+name+"}"] = v
	}
	tokens := st.issued()
	if len(tokens) < 2 {
		t.Fatalf("captured %d access tokens; every command gets its own", len(tokens))
	}
	for i, tok := range tokens {
		secrets["access token "+itoa(i)] = tok
	}

	// Everything written: the commands' output, and every file in the working directory (plan
	// file, step summary, exported repository), HOME and TMPDIR.
	texts := map[string]string{}
	for i, o := range outputs {
		texts["output "+itoa(i)] = o
	}
	for _, dir := range []string{work, home, tmp} {
		for _, f := range listFiles(t, dir) {
			b, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				t.Fatal(err)
			}
			texts[filepath.Join(dir, f)] = string(b)
		}
	}
	for where, text := range texts {
		for what, v := range secrets {
			if strings.Contains(text, v) {
				t.Errorf("%s appears in %s:\n%s", what, where, text)
			}
		}
	}
	for _, e := range st.emu.Log() {
		if strings.Contains(e.Query, secretsClientSecret) {
			t.Errorf("the client secret was sent in a URL: %s %s?%s", e.Method, e.Path, e.Query)
		}
	}

	// Nothing but the outputs asked for was written: no token cache, no log file.
	if f := listFiles(t, home); len(f) != 0 {
		t.Errorf("files written to HOME: %v", f)
	}
	if f := listFiles(t, tmp); len(f) != 0 {
		t.Errorf("files written to TMPDIR: %v", f)
	}
	for _, f := range listFiles(t, work) {
		if f != "plan.json" && f != "step-summary.md" && !strings.HasPrefix(f, "exported/") {
			t.Errorf("unexpected file in the working directory: %s", f)
		}
	}
	for _, want := range []string{"plan.json", "step-summary.md"} {
		if _, err := os.Stat(filepath.Join(work, want)); err != nil {
			t.Errorf("%s was not written: %v", want, err)
		}
	}
	if got := listFiles(t, repo); !reflect.DeepEqual(got, repoFiles) {
		t.Errorf("files of the config repository changed: %v, was %v", got, repoFiles)
	}
}

func contains(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// TestPlainHTTPRefused: plain http:// carries the client secret and the token in clear text, so
// it is refused for anything but a loopback host, before any connection is made.
func TestPlainHTTPRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url     string
		refused bool
	}{
		{"http://acme.api.identitynow.com", true},
		{"http://192.168.10.20:8080", true},
		{"http://localhost.attacker.example", true},
		{"http://tenant.localhost", true}, // resolved through DNS, which may send it anywhere
		{"http://127.0.0.1.nip.io", true},
		{"http://[::ffff:10.0.0.1]", true},
		{"http://127.0.0.1:8080", false},
		{"http://[::1]:8080", false},
		{"http://localhost:8080", false},
		{"http://[::ffff:127.0.0.1]:8080", false},
		{"https://acme.api.identitynow.com", false},
	} {
		t.Run(tc.url, func(t *testing.T) {
			t.Parallel()
			if !tc.refused {
				// Allowed: the client is made (New does not connect).
				if _, err := isc.New(isc.Config{BaseURL: tc.url, ClientID: secretsClientID, ClientSecret: secretsClientSecret}); err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			cleanEnv(t)
			setSecrets(t)
			setEnv(t, "SAIL_CLIENT_ID", secretsClientID)
			setEnv(t, "SAIL_CLIENT_SECRET", secretsClientSecret)
			stdout, stderr, code := runCLI(t, "", "plan", "examples/acme", "--base-url", tc.url)
			if code != exitFailure {
				t.Fatalf("exit %d, want 1; stderr: %s", code, stderr)
			}
			if !strings.Contains(stderr, "refusing plain http://") || !strings.Contains(stderr, "use https://") {
				t.Errorf("stderr does not refuse plain http and say what to do: %s", stderr)
			}
			if strings.Contains(stdout+stderr, secretsClientSecret) {
				t.Errorf("the client secret is in the output: %s", stderr)
			}
		})
	}
	t.Run("credentials in the URL", func(t *testing.T) {
		t.Parallel()
		cleanEnv(t)
		setSecrets(t)
		setEnv(t, "SAIL_CLIENT_ID", secretsClientID)
		setEnv(t, "SAIL_CLIENT_SECRET", secretsClientSecret)
		_, stderr, code := runCLI(t, "", "plan", "examples/acme", "--base-url", "https://admin:url-pa55-Q7z@acme.api.identitynow.com")
		if code != exitFailure || !strings.Contains(stderr, "must not contain credentials") || strings.Contains(stderr, "url-pa55-Q7z") {
			t.Errorf("exit %d, stderr %s: want a refusal that does not repeat the password", code, stderr)
		}
	})
}

// TestCACert: a tenant behind a TLS proxy whose CA the system does not trust works with
// --ca-cert FILE and fails with a certificate error without it; nothing turns verification off.
func TestCACert(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	setSecrets(t)
	st := startSecretTenant(t, true)
	setEnv(t, "SAIL_BASE_URL", st.url)
	setEnv(t, "SAIL_CLIENT_ID", secretsClientID)
	setEnv(t, "SAIL_CLIENT_SECRET", secretsClientSecret)

	caFile := filepath.Join(t.TempDir(), "proxy-ca.pem")
	if err := os.WriteFile(caFile, st.caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	otherCA := filepath.Join(t.TempDir(), "other-ca.pem")
	other, _ := newCA(t, "Some Other CA")
	if err := os.WriteFile(otherCA, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: other.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	notPEM := filepath.Join(t.TempDir(), "not.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	t.Run("with --ca-cert", func(t *testing.T) {
		stdout, stderr, code := runCLI(t, "", "plan", "examples/acme", "--ca-cert", caFile)
		if code != exitChanges {
			t.Fatalf("exit %d, want 2 (changes)\nstdout: %s\nstderr: %s", code, stdout, stderr)
		}
	})
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"without --ca-cert", nil, "certificate is not trusted; behind a TLS-inspecting proxy, trust the proxy's CA with --ca-cert FILE"},
		{"with another CA", []string{"--ca-cert", otherCA}, "x509: certificate signed by unknown authority"},
		{"with a file that is no certificate", []string{"--ca-cert", notPEM}, "no PEM certificate found"},
		{"with a missing file", []string{"--ca-cert", filepath.Join(t.TempDir(), "missing.pem")}, "CA certificate file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st.emu.ResetLog()
			args := append([]string{"plan", "examples/acme"}, tc.args...)
			_, stderr, code := runCLI(t, "", args...)
			if code != exitFailure {
				t.Fatalf("exit %d, want 1; stderr: %s", code, stderr)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr does not say %q: %s", tc.want, stderr)
			}
			if strings.Count(stderr, "\n") > 3 {
				t.Errorf("a certificate failure is not retried and reported once, got:\n%s", stderr)
			}
			if n := len(st.emu.Log()); n != 0 {
				t.Errorf("%d requests reached the tenant over an unverified connection", n)
			}
		})
	}

	t.Run("no option disables verification", func(t *testing.T) {
		// apply --verify (the connection test of the written sources) is the one "verify" allowed:
		// its usage must not be about TLS.
		forbidden := []string{"insecure", "skip-verify", "skipverify", "no-verify", "noverify", "tls-verify", "verify-tls", "tls", "cert-check"}
		var walk func(c *cobra.Command)
		walk = func(c *cobra.Command) {
			for _, fs := range []*pflag.FlagSet{c.Flags(), c.PersistentFlags()} {
				fs.VisitAll(func(f *pflag.Flag) {
					if f.Name == "verify" && (c.Name() != "apply" || !strings.Contains(f.Usage, "connection test") || strings.Contains(strings.ToLower(f.Usage), "certificate")) {
						t.Errorf("sailsync %s has a flag --verify that is not apply's connection test: %s", c.Name(), f.Usage)
					}
					for _, bad := range forbidden {
						if strings.Contains(strings.ToLower(f.Name), bad) {
							t.Errorf("sailsync %s has a flag --%s", c.Name(), f.Name)
						}
					}
				})
			}
			for _, sub := range c.Commands() {
				walk(sub)
			}
		}
		walk(newRootCmd(processDeps()))
		ct := reflect.TypeOf(isc.Config{})
		for i := 0; i < ct.NumField(); i++ {
			name := strings.ToLower(ct.Field(i).Name)
			if strings.Contains(name, "insecure") || strings.Contains(name, "verify") || ct.Field(i).Type == reflect.TypeOf(&struct{}{}) {
				t.Errorf("isc.Config has a field %s", ct.Field(i).Name)
			}
		}
	})
}

// newCA returns a fresh self-signed CA certificate and its key.
func newCA(t *testing.T, name string) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// signLeaf issues a server certificate for the loopback addresses, signed by ca.
func signLeaf(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "acme.api.identitynow.com"},
		DNSNames:     []string{"localhost", "acme.api.identitynow.com"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
