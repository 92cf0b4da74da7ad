package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/tenanttest"
	"github.com/sailsync/sailsync/internal/value"
)

// gitIn runs git in dir with a fixed identity and dates (so that commit ids are the same on
// every run) and no user or system configuration; it returns the trimmed output.
func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null",
		"GIT_AUTHOR_DATE=2026-01-02T03:04:05Z", "GIT_COMMITTER_DATE=2026-01-02T03:04:05Z")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// initGit makes top a git repository with a local identity and commits everything in it.
func initGit(t *testing.T, top, message string) {
	t.Helper()
	gitIn(t, top, "init", "-q", "-b", "main")
	gitIn(t, top, "config", "user.name", "sailsync test")
	gitIn(t, top, "config", "user.email", "test@sailsync.example")
	gitIn(t, top, "config", "commit.gpgsign", "false")
	commitAll(t, top, message)
}

func commitAll(t *testing.T, top, message string) {
	t.Helper()
	gitIn(t, top, "add", "-A")
	gitIn(t, top, "commit", "-q", "-m", message)
}

// editFile replaces the line of file that starts with prefix by line.
func editFile(t *testing.T, file, prefix, line string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	found := false
	for i, l := range lines {
		if strings.HasPrefix(l, prefix) {
			lines[i], found = line, true
		}
	}
	if !found {
		t.Fatalf("%s has no line starting with %q", file, prefix)
	}
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// threeWayScenario exports the seed tenant into a git repository (the base commit, tagged
// "deployed"), commits a change on top and changes the tenant behind Git's back, so that each
// class appears once:
//   - pending change: Corporate Directory's description, changed in Git only;
//   - tenant drift: HR Database's description, changed in the tenant only;
//   - conflict: HR Database's deleteThreshold, changed in both, differently (20 in Git, 30 in the tenant);
//   - pending create: the source New Feed, added in Git;
//   - no longer declared: Legacy Mainframe, removed from Git (still in the tenant).
func threeWayScenario(t *testing.T) (emu *emulator.Emulator, top, dir string) {
	t.Helper()
	cleanEnv(t)
	emu, _ = startTenant(t)
	top = t.TempDir()
	dir = filepath.Join(top, "sailsync")
	stdout, stderr, code := runCLI(t, "", "export", dir)
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	setExportedEnv(t, stdout)
	initGit(t, top, "the deployed configuration")
	gitIn(t, top, "tag", "deployed")

	editFile(t, filepath.Join(dir, "sources", "corporate-directory.yaml"), "description:", "description: Changed in Git.")
	editFile(t, filepath.Join(dir, "sources", "hr-database.yaml"), "deleteThreshold:", "deleteThreshold: 20")
	legacy, err := os.ReadFile(filepath.Join(dir, "sources", "legacy-mainframe.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	feed := strings.Replace(string(legacy), "name: Legacy Mainframe", "name: New Feed", 1)
	if err := os.WriteFile(filepath.Join(dir, "sources", "new-feed.yaml"), []byte(feed), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "sources", "legacy-mainframe.yaml")); err != nil {
		t.Fatal(err)
	}
	commitAll(t, top, "a change on top")

	if err := emu.UpdateSource("HR Database", func(o *value.Object) {
		o.Set("description", "Changed in the UI.")
		o.Set("deleteThreshold", json.Number("30"))
	}); err != nil {
		t.Fatal(err)
	}
	return emu, top, dir
}

var (
	hexHash    = regexp.MustCompile(`"(hash|repo_hash)": "[0-9a-f]{64}"`)
	modifiedAt = regexp.MustCompile(`"modified": "[^"]*"`)
	commitID   = regexp.MustCompile(`\b[0-9a-f]{40}\b|\(([0-9a-f]{12})\)`)
)

// stable replaces what changes from run to run in a three-way output: the repository's
// temporary directory, commit ids, the tenant's timestamps and hashes.
func stable(out, dir string) string {
	out = strings.ReplaceAll(out, filepath.ToSlash(dir), "REPO")
	out = hexHash.ReplaceAllString(out, `"$1": "HASH"`)
	out = modifiedAt.ReplaceAllString(out, `"modified": "TIME"`)
	return commitID.ReplaceAllStringFunc(out, func(s string) string {
		if strings.HasPrefix(s, "(") {
			return "(COMMIT)"
		}
		return "COMMIT"
	})
}

// TestThreeWay: with --base, plan and drift classify every difference against the repository
// at the base — each of the four classes and the objects no longer declared, in every output
// format — and the plan lists the tenant drift its apply would overwrite in its own section.
func TestThreeWay(t *testing.T) {
	t.Parallel()
	_, _, dir := threeWayScenario(t)
	for _, tc := range []struct {
		command, output, golden string
		code                    int
	}{
		{"plan", "text", "threeway-plan.txt", 2},
		{"plan", "json", "threeway-plan.json", 2},
		{"plan", "markdown", "threeway-plan.md", 2},
		{"plan", "github", "threeway-plan.github", 2},
		{"drift", "text", "threeway-drift.txt", 2},
		{"drift", "json", "threeway-drift.json", 2},
		{"drift", "markdown", "threeway-drift.md", 2},
		{"drift", "github", "threeway-drift.github", 2},
	} {
		t.Run(tc.command+"/"+tc.output, func(t *testing.T) {
			stdout, stderr, code := runCLI(t, "", tc.command, dir, "--base", "deployed", "--output", tc.output)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstderr: %s", code, tc.code, stderr)
			}
			checkCLIGolden(t, tc.golden, stable(stdout, dir))
		})
	}

	stdout, _, _ := runCLI(t, "", "plan", dir, "--base", "deployed", "--output", "json")
	var p diff.Plan
	if err := json.Unmarshal([]byte(stdout), &p); err != nil {
		t.Fatal(err)
	}
	classes := map[string]diff.Class{}
	for _, c := range p.Changes {
		for _, f := range c.Fields {
			if f.Class != "" {
				classes[c.Name+" "+f.Path] = f.Class
			}
		}
		if c.Action == diff.ActionCreate {
			classes[c.Name] = c.Class
		}
	}
	want := map[string]diff.Class{
		"Corporate Directory description": diff.ClassPending,
		"HR Database description":         diff.ClassDrift,
		"HR Database deleteThreshold":     diff.ClassConflict,
		"New Feed":                        diff.ClassPendingCreate,
	}
	for k, v := range want {
		if classes[k] != v {
			t.Errorf("%s: class %q, want %q (all: %v)", k, classes[k], v, classes)
		}
	}
	if p.Base == nil || p.Base.Ref != "deployed" || len(p.Base.Commit) != 40 || len(p.Base.Removed) != 1 || p.Base.Removed[0].Name != "Legacy Mainframe" {
		t.Errorf("base %+v", p.Base)
	}

	// Without --base, the output is as before: no class anywhere.
	stdout, _, code := runCLI(t, "", "plan", dir)
	if code != 2 || strings.Contains(stdout, "tenant drift") || strings.Contains(stdout, "Since base") || strings.Contains(stdout, "pending") {
		t.Errorf("plan without --base: exit %d\n%s", code, stdout)
	}
}

// TestThreeWayDriftStatus: with --base, drift exits 2 only for what the tenant changed; the
// repository's own pending changes are not drift (without --base every difference is).
func TestThreeWayDriftStatus(t *testing.T) {
	t.Parallel()
	emu, _, dir := threeWayScenario(t)
	// The tenant's description back as deployed: the conflict on deleteThreshold stays.
	if err := emu.UpdateSource("HR Database", func(o *value.Object) {
		o.Set("description", "Oracle HR database (HRPROD): the authoritative source of employees.")
	}); err != nil {
		t.Fatal(err)
	}
	if _, _, code := runCLI(t, "", "drift", dir, "--base", "deployed"); code != 2 {
		t.Errorf("a conflict: exit %d, want 2", code)
	}
	// And deleteThreshold back as deployed: only the repository's changes are left.
	if err := emu.UpdateSource("HR Database", func(o *value.Object) { o.Set("deleteThreshold", json.Number("10")) }); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runCLI(t, "", "drift", dir, "--base", "deployed")
	if code != 0 {
		t.Errorf("pending changes only: exit %d, want 0\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"(pending change)", "[pending create]", "2 pending changes, 0 tenant drift, 0 conflicts", `Source "Legacy Mainframe"`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("drift lacks %q:\n%s", want, stdout)
		}
	}
	if _, _, code := runCLI(t, "", "drift", dir); code != 2 {
		t.Errorf("the same without --base: exit %d, want 2", code)
	}
}

// TestThreeWayErrors: --base outside a git work tree, or naming no revision, is a clear error
// (exit 1) before the tenant is contacted.
func TestThreeWayErrors(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	emu, _ := startTenant(t)
	plain := tenanttest.CopyDir(t, "examples/acme")
	setSecrets(t)
	_, stderr, code := runCLI(t, "", "plan", plain, "--base", "main")
	if code != 1 || !strings.Contains(stderr, "is not in a git work tree") {
		t.Errorf("not a work tree: exit %d: %s", code, stderr)
	}
	top := t.TempDir()
	repo := filepath.Join(top, "cfg")
	if err := os.Rename(tenanttest.CopyDir(t, "examples/acme"), repo); err != nil {
		t.Fatal(err)
	}
	initGit(t, top, "base")
	_, stderr, code = runCLI(t, "", "drift", repo, "--base", "no-such-branch", "--output", "json")
	if code != 1 || !strings.Contains(stderr, "--base no-such-branch: no such revision") {
		t.Errorf("no such revision: exit %d: %s", code, stderr)
	}
	stdout, _, _ := runCLI(t, "", "drift", repo, "--base", "no-such-branch", "--output", "json")
	if !strings.Contains(stdout, `"error": "--base no-such-branch: no such revision in the git repository at `) {
		t.Errorf("json error: %s", stdout)
	}
	if w := tenanttest.Writes(emu); len(w) != 0 {
		t.Errorf("writes: %v", w)
	}
	for _, e := range emu.Log() {
		if e.Path != "/oauth/token" {
			t.Errorf("a request before the base was read: %s %s", e.Method, e.Path)
		}
	}
}
