package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/tenanttest"
)

// Attacks issue 24 found held, kept held: what the job's configuration, the repository or the
// tenant names must not become a git option, a file outside the export directory, or a
// broader filter.

// TestHostileGitRefs: a ref for --changed-since or --base that git would take for an option
// (--output=FILE, --upload-pack=CMD, -h), a range, a path in a commit or a second line is refused
// naming it, before any request; git writes no file and runs no command.
func TestHostileGitRefs(t *testing.T) {
	emu := applyTenant(t)
	dir := gitRepo(t)
	replaceInFile(t, filepath.Join(dir, "sources/corporate-directory.yaml"), "deleteThreshold: 10", "deleteThreshold: 12")
	git(t, filepath.Dir(dir), "commit", "-q", "-am", "a second commit")
	out := t.TempDir()
	pwned := filepath.Join(out, "pwned")
	for _, ref := range []string{
		"--output=" + pwned,
		"--upload-pack=touch " + pwned,
		"-h",
		"HEAD~1..HEAD",
		"HEAD~1...HEAD",
		"HEAD:sources",
		"HEAD\n--output=" + pwned,
	} {
		for _, flag := range []string{"--changed-since", "--base"} {
			emu.ResetLog()
			_, stderr, code := runCLI(t, "", "plan", dir, flag, ref)
			if code != 1 || !strings.Contains(stderr, flag+" ") || !strings.Contains(stderr, "not a") && !strings.Contains(stderr, "no such revision") {
				t.Errorf("%s %q: exit %d, stderr %q", flag, ref, code, stderr)
			}
			for _, e := range emu.Log() {
				if e.Path != "/oauth/token" {
					t.Errorf("%s %q: a request was sent: %s %s", flag, ref, e.Method, e.Path)
				}
			}
			if entries, _ := os.ReadDir(out); len(entries) != 0 {
				t.Fatalf("%s %q: git wrote %s", flag, ref, entries[0].Name())
			}
		}
	}
}

// TestExportNamesCannotTraverse: a tenant's source names that spell paths ("../../evil",
// "/etc/cron.d/x", "a/../../b", "..") are exported to file names of their own inside DIR; nothing
// is written beside or above it.
func TestExportNamesCannotTraverse(t *testing.T) {
	emu := applyTenant(t)
	names := []string{"../../evil", "/etc/cron.d/x", "a/../../b", "..", `..\..\win`}
	for _, name := range names {
		src, ok := emu.SourceByName("Legacy Mainframe")
		if !ok {
			t.Fatal("no Legacy Mainframe in the seed")
		}
		src.Delete("id")
		src.Set("name", name)
		if _, err := emu.AddSource(src); err != nil {
			t.Fatal(err)
		}
	}
	parent := t.TempDir()
	dir := filepath.Join(parent, "a", "b", "export")
	stdout, stderr, code := runCLI(t, "", "export", dir)
	if code != exitOK {
		t.Fatalf("export: exit %d\n%s%s", code, stdout, stderr)
	}
	var outside []string
	err := filepath.WalkDir(parent, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir && !strings.HasPrefix(p, dir+string(filepath.Separator)) && !strings.HasPrefix(dir, p) {
			outside = append(outside, p)
		}
		return nil
	})
	if err != nil || len(outside) != 0 {
		t.Errorf("written outside %s: %v (%v)", dir, outside, err)
	}
	files := exportedFiles(t, dir)
	for _, f := range files {
		if strings.Contains(f, "..") || !strings.HasPrefix(f, "sources/") && !strings.HasPrefix(f, "schemas/") && !strings.HasPrefix(f, "transforms/") && !strings.HasPrefix(f, "connectors/") {
			t.Errorf("exported file %q", f)
		}
	}
	// Each name is exported, under a file of its own, and plans as it was.
	repo, err := os.ReadFile(filepath.Join(dir, "sources", "evil.yaml"))
	if err != nil || !strings.Contains(string(repo), `name: ../../evil`) {
		t.Errorf("sources/evil.yaml: %v\n%s\nfiles: %v", err, repo, files)
	}
	setExportedEnv(t, stdout)
	if stdout, stderr, code := runCLI(t, "", "plan", dir); code != exitOK {
		t.Errorf("plan of the export: exit %d\n%s%s", code, stdout, stderr)
	}
}

// TestNameFilterInjection: a declared name (or a name reference) holding quotes and filter
// syntax is sent quoted: it matches no other object, so the plan creates that source and
// touches no other, and a reference by such a name finds nothing.
func TestNameFilterInjection(t *testing.T) {
	emu := applyTenant(t)
	const hostile = `HR" or name eq "Corporate Directory`
	dir := tenanttest.WriteDir(t, map[string]string{"s.yaml": "kind: Source\nname: '" + hostile + "'\n" +
		"owner: {type: IDENTITY, id: 2c91808568c529c60168cca6f90c1313, name: Amelia Ortiz}\nconnector: delimited-file\n"})
	stdout, stderr, code := runCLI(t, "", "plan", dir, "--output", "json")
	if code != exitChanges || !strings.Contains(stdout, `"action": "create"`) || strings.Contains(stdout, `"action": "update"`) {
		t.Fatalf("exit %d, want one create\n%s%s", code, stdout, stderr)
	}
	if !slices.ContainsFunc(requests(emu), func(r string) bool { return strings.Contains(r, `name in ("HR\" or name eq \"Corporate Directory")`) }) {
		t.Errorf("the filter was not quoted: %v", requests(emu))
	}
	ref := tenanttest.WriteDir(t, map[string]string{"s.yaml": "kind: Source\nname: Badge\n" +
		"owner: {type: IDENTITY, name: '" + `Amelia Ortiz" or name sw "A` + "'}\nconnector: delimited-file\n"})
	_, stderr, code = runCLI(t, "", "plan", ref)
	if code != exitFailure || !strings.Contains(stderr, `owner: the tenant has no IDENTITY named "Amelia Ortiz\" or name sw \"A"`) {
		t.Errorf("a reference by a hostile name: exit %d, stderr %q", code, stderr)
	}
	if w := tenanttest.Writes(emu); len(w) != 0 {
		t.Errorf("writes %v", w)
	}
}

// TestEnvironmentBindingHeld: the environment's baseUrl names the tenant only as scheme, host
// and port. One that differs in port, carries credentials or a path, or names the same host
// over plain http, stops the job's plan before any request, as does a job's SAIL_BASE_URL
// holding credentials.
func TestEnvironmentBindingHeld(t *testing.T) {
	emu := applyTenant(t)
	url := envOf(t)["SAIL_BASE_URL"]
	host := strings.TrimPrefix(url, "http://")
	hostname, _, _ := strings.Cut(host, ":")
	for _, tc := range []struct{ name, baseURL, job, want string }{
		{"another port", "http://" + hostname + ":1", url, "environment prod belongs to tenant http://" + hostname + ":1 (sailsync.yaml:3), but SAIL_BASE_URL names tenant " + url + ": nothing was sent"},
		{"credentials in the repository's URL", "http://user:pw@" + host, url, "sailsync.yaml:3:14: environment prod: baseUrl: tenant base URL must not contain credentials"},
		{"a path in the repository's URL", url + "/v3", url, "must not include the API version (/v3)"},
		{"another scheme", "https://" + host, url, "environment prod belongs to tenant https://" + host},
		{"credentials in the job's URL", url, "http://user:pw@" + host, "SAIL_BASE_URL: tenant base URL must not contain credentials"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			emu.ResetLog()
			dir := tenanttest.WriteDir(t, map[string]string{
				"sailsync.yaml": "environments:\n  prod:\n    baseUrl: " + tc.baseURL + "\n",
				"t.yaml":        "kind: Transform\nname: X\ntype: lower\nattributes: {input: x}\n"})
			setEnv(t, "SAIL_BASE_URL", tc.job)
			stdout, stderr, code := runCLI(t, "", "plan", dir, "--env", "prod")
			if code != exitFailure || !strings.Contains(stderr, tc.want) || strings.Contains(stdout+stderr, "pw@") {
				t.Errorf("exit %d, want 1 with %q and without the password\n%s%s", code, tc.want, stdout, stderr)
			}
			if l := emu.Log(); len(l) != 0 {
				t.Errorf("%d requests, the first %s %s", len(l), l[0].Method, l[0].Path)
			}
		})
	}
}

// TestActionHostileInputs: the action's inputs and the repository's directory name reach its
// script as data: a $(…), a `…` or a ; in the directory, the environment, the base ref or the
// flags runs nothing.
func TestActionHostileInputs(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatalf("the action's script needs bash: %v", err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cleanEnv(t)
	setSecrets(t)
	emu, url := startTenant(t)
	bin := t.TempDir()
	for _, name := range []string{"sailsync", "gh"} {
		if err := os.Symlink(self, filepath.Join(bin, name)); err != nil {
			t.Fatal(err)
		}
	}
	work := t.TempDir()
	const payload = "$(touch PWNED1)`touch PWNED2`;touch PWNED3;"
	dir := filepath.Join(work, "cfg"+payload)
	if err := os.CopyFS(dir, os.DirFS("examples/acme")); err != nil {
		t.Fatal(err)
	}
	// The environment input selects sailsync.yaml's environment: the example has none, so the
	// hostile name is refused (as data), and drift runs without one to reach its issue.
	for _, run := range []struct{ command, flags, env string }{
		{"plan", "--rate-limit=10000/10s", "prod" + payload},
		{"drift", "--rate-limit=10000/10s", ""},
		{"plan", "--rate-limit=10000/10s " + payload + " $(touch PWNED4)", "prod" + payload},
	} {
		command := run.command
		cmd := exec.Command("bash", filepath.Join(mustAbs(t, "ci"), "action.sh"))
		cmd.Dir = work
		cmd.Env = append(os.Environ(),
			"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
			"SAIL_BASE_URL="+url, "SAIL_CLIENT_ID="+emu.ClientID(), "SAIL_CLIENT_SECRET="+emu.ClientSecret(),
			"SAILSYNC_BIN=sailsync", "SAILSYNC_COMMAND="+command, "SAILSYNC_DIRECTORY="+dir,
			"SAILSYNC_ENVIRONMENT="+run.env, "SAILSYNC_BASE_REF=main"+payload, "SAILSYNC_FLAGS="+run.flags,
			"SAILSYNC_DRIFT_ISSUE=true", "SAILSYNC_PR=7", "SAILSYNC_COMMENT=true",
			"GITHUB_REPOSITORY=acme/idm", "GITHUB_RUN_ID=42", "GITHUB_STEP_SUMMARY="+filepath.Join(work, "summary.md"),
			"GITHUB_OUTPUT="+filepath.Join(work, "outputs"), "RUNNER_TEMP="+work, "FAKE_GH_STATE="+filepath.Join(work, "gh.json"))
		out, _ := cmd.CombinedOutput()
		err := filepath.WalkDir(work, func(p string, d os.DirEntry, err error) error {
			if err == nil && strings.HasPrefix(d.Name(), "PWNED") {
				t.Errorf("%s: the script ran a command of its input: %s\n%s", command, p, out)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if st := readGHState(t, filepath.Join(work, "gh.json")); len(st.Comments) == 0 || len(st.Issues) == 0 {
		t.Errorf("the script posted %d comments and %d issues: the inputs did not reach them", len(st.Comments), len(st.Issues))
	}
	if w := tenanttest.Writes(emu); len(w) != 0 {
		t.Errorf("writes %v", w)
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
