package cli

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/tenanttest"
)

// The attacks through what a pull request controls: every file of the repository, and
// nothing of the job that runs sailsync on it (its environment, its flags, its credentials).

// collector is a host of the pull request's author: it records every request it receives.
type collector struct {
	URL    string
	mu     sync.Mutex
	bodies []string
}

func newCollector(t *testing.T) *collector {
	t.Helper()
	c := &collector{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.bodies = append(c.bodies, r.Method+" "+r.URL.Path+" "+string(body))
		c.mu.Unlock()
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	c.URL = srv.URL
	return c
}

func (c *collector) received() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.bodies...)
}

// trustTransform is a repository's one object: enough for plan, drift and apply to connect.
const trustTransform = `kind: Transform
name: Lowercase Email
type: lower
attributes:
  input:
    type: accountAttribute
    attributes: {sourceName: HR Database, attributeName: email}
`

// TestRepositoryCannotChooseTheTenant: a pull request that points environments.prod.baseUrl
// at its own host, or deletes it, does not get the job's client secret (nor any request): the
// tenant is only ever the job's SAIL_BASE_URL or --base-url, unset or empty being an error that
// says what to set, before any request; the repository's baseUrl only checks the job's choice.
func TestRepositoryCannotChooseTheTenant(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	evil := newCollector(t)
	tenant := tenanttest.Start(t, tenanttest.Options{Emulator: emulator.Options{Seed: fstest.MapFS{}}})
	setEnv(t, "SAIL_CLIENT_ID", tenant.Emu.ClientID())

	hijacked := tenanttest.WriteDir(t, map[string]string{
		"sailsync.yaml": fmt.Sprintf("environments:\n  sandbox:\n    baseUrl: %s\n  prod:\n    baseUrl: %s\n", tenant.URL, evil.URL),
		"t.yaml":        trustTransform,
	})
	deleted := tenanttest.WriteDir(t, map[string]string{
		"sailsync.yaml": "environments:\n  sandbox: {}\n  prod: {}\n",
		"t.yaml":        trustTransform,
	})

	// With baseUrl deleted the job's tenant is used, unchecked as in a repository without
	// environments: the pull request chose nothing.
	setEnv(t, "SAIL_BASE_URL", tenant.URL)
	setEnv(t, "SAIL_CLIENT_SECRET", tenant.Emu.ClientSecret())
	planFile := filepath.Join(t.TempDir(), "prod.plan.json")
	stdout, stderr, code := runCLI(t, "", "plan", deleted, "--env", "prod", "--out", planFile)
	if code != exitChanges || !strings.Contains(stdout, "Tenant: "+tenant.URL+" (environment prod)") {
		t.Fatalf("plan with baseUrl deleted: exit %d\n%s%s", code, stdout, stderr)
	}

	const secret = "the-job-s-client-secret"
	setEnv(t, "SAIL_CLIENT_SECRET", secret)
	noTenant := "environment prod: no tenant given: set SAIL_BASE_URL (or --base-url) to the tenant of environment prod in the job"
	for _, tt := range []struct {
		name    string
		baseURL *string // SAIL_BASE_URL; nil: unset
		args    []string
		want    string
	}{
		{"plan, SAIL_BASE_URL unset", nil, []string{"plan", hijacked, "--env", "prod"},
			noTenant + "; the baseUrl at sailsync.yaml:5 only checks the one given, it is never used in its place: nothing was sent"},
		{"plan, SAIL_BASE_URL empty", ptr(""), []string{"plan", hijacked, "--env", "prod"}, noTenant},
		{"plan, SAIL_BASE_URL blank", ptr("  "), []string{"plan", hijacked, "--env", "prod"}, noTenant},
		{"drift, SAIL_BASE_URL unset", nil, []string{"drift", hijacked, "--env", "prod"}, noTenant},
		{"apply, SAIL_BASE_URL unset", nil, []string{"apply", hijacked, "--env", "prod", "--auto-approve"}, noTenant},
		{"apply --plan, SAIL_BASE_URL unset", nil, []string{"apply", deleted, "--plan", planFile, "--auto-approve"}, noTenant},
		{"export, SAIL_BASE_URL unset", nil, []string{"export", hijacked, "--env", "prod", "--force"}, noTenant},
		{"baseUrl deleted, SAIL_BASE_URL unset", nil, []string{"plan", deleted, "--env", "prod"}, noTenant + ": nothing was sent"},
		{"the job's tenant is not the repository's", &tenant.URL, []string{"plan", hijacked, "--env", "prod"},
			"environment prod belongs to tenant " + evil.URL + " (sailsync.yaml:5), but SAIL_BASE_URL names tenant " + tenant.URL + ": nothing was sent"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.baseURL == nil {
				unsetEnv(t, "SAIL_BASE_URL")
			} else {
				setEnv(t, "SAIL_BASE_URL", *tt.baseURL)
			}
			tenant.Emu.ResetLog()
			stdout, stderr, code := runCLI(t, "", tt.args...)
			if code != exitFailure || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, want 1 with %q\nstdout:\n%s\nstderr:\n%s", code, tt.want, stdout, stderr)
			}
			if got := evil.received(); len(got) > 0 {
				t.Errorf("the pull request's host received %d requests, the first %.200s", len(got), got[0])
			}
			if l := tenant.Emu.Log(); len(l) > 0 {
				t.Errorf("the tenant received %d requests before the refusal, the first %s %s", len(l), l[0].Method, l[0].Path)
			}
			if strings.Contains(stdout+stderr, secret) {
				t.Error("the client secret was printed")
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// TestExportWritesNothingThroughALink: export into a checkout whose files a pull request wrote
// (a link sources -> a directory outside, or a file the export will write linked to a file
// outside) writes nothing outside and overwrites no file a link leads to, also with --force;
// the refusal names the link and comes before the first file is written.
func TestExportWritesNothingThroughALink(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	startTenant(t)
	const victimText = "the victim's own file\n"
	for _, tt := range []struct {
		name  string
		link  string // the link in the export directory, slash-separated
		toDir bool   // the link leads to a directory outside (else to a file outside)
		gone  bool   // the file it leads to does not exist yet
		force bool
	}{
		{"a directory linked outside", "sources", true, false, false},
		{"a directory linked outside, --force", "sources", true, false, true},
		{"a file linked outside, --force", "sources/legacy-mainframe.yaml", false, false, true},
		{"a file linked outside", "sources/legacy-mainframe.yaml", false, false, false},
		{"a file linked to a new file outside", "sources/legacy-mainframe.yaml", false, true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir, outside := t.TempDir(), t.TempDir()
			victim := filepath.Join(outside, "victim.yaml")
			if err := os.WriteFile(victim, []byte(victimText), 0o644); err != nil {
				t.Fatal(err)
			}
			target := victim
			switch {
			case tt.toDir:
				target = outside
			case tt.gone:
				target = filepath.Join(outside, "new.yaml")
			}
			link := filepath.Join(dir, filepath.FromSlash(tt.link))
			if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, link); err != nil {
				t.Fatal(err)
			}
			args := []string{"export", dir}
			if tt.force {
				args = append(args, "--force")
			}
			stdout, stderr, code := runCLI(t, "", args...)
			want := link + " is a symbolic link: export writes nothing through a link"
			if code != exitFailure || !strings.Contains(stderr, want) {
				t.Errorf("exit %d, want 1 with %q\nstdout:\n%s\nstderr:\n%s", code, want, stdout, stderr)
			}
			if strings.Contains(stdout, "wrote") {
				t.Errorf("stdout claims writes: %s", stdout)
			}
			if got := exportedFiles(t, outside); len(got) != 1 || got[0] != "victim.yaml" {
				t.Errorf("files outside the export directory: %v", got)
			}
			if b, _ := os.ReadFile(victim); string(b) != victimText {
				t.Errorf("the file the link leads to was overwritten:\n%s", b)
			}
			if got := exportedFiles(t, dir); len(got) != 1 || got[0] != tt.link {
				t.Errorf("files in the export directory after the refusal: %v", got)
			}
		})
	}

	// A file where export needs a directory is refused before the first file, not after some.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "sources"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runCLI(t, "", "export", dir, "--force")
	if want := filepath.Join(dir, "sources") + " is not a directory"; code != exitFailure || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, want 1 with %q\n%s%s", code, want, stdout, stderr)
	}
	if got := exportedFiles(t, dir); len(got) != 1 {
		t.Errorf("files after the refusal: %v", got)
	}
}
