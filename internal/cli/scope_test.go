package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/tenanttest"
)

// requests renders the emulator's log as "METHOD path?query" lines, the query decoded.
func requests(emu *emulator.Emulator) []string {
	var out []string
	for _, e := range emu.Log() {
		line := e.Method + " " + e.Path
		if e.Query != "" {
			q, _ := url.QueryUnescape(e.Query)
			line += "?" + q
		}
		out = append(out, line)
	}
	return out
}

// TestScopeSelectors: --source (a glob) and --kind read only what the scope needs, say so in
// every output, and a selector that matches nothing is an error before any request.
func TestScopeSelectors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		args  []string
		code  int
		out   []string // in the text output
		not   []string // not in the text output
		reqs  []string // the requests, in any order, exactly
		error string
	}{
		{
			name: "one source by glob",
			args: []string{"plan", "examples/acme", "--source", "HR*"},
			code: 2,
			out:  []string{`Scope: 1 of 9 objects (--source "HR*"); unscoped objects were not read.`},
			not:  []string{"Transform"},
			reqs: []string{"POST /oauth/token", `GET /v3/sources?count=true&filters=name in ("HR Database")&limit=250&offset=0`},
		},
		{
			name: "a source with its schema",
			args: []string{"plan", "examples/acme", "--source", "Corporate Directory"},
			code: 2,
			out:  []string{"Scope: 2 of 9 objects", `~ update Source "Corporate Directory"`, `~ update EntitlementSchema "group"`},
			reqs: []string{"POST /oauth/token", `GET /v3/sources?count=true&filters=name in ("Corporate Directory")&limit=250&offset=0`,
				"GET /v3/sources/2c9180835d191a86015d28455b4a2329/schemas"},
		},
		{
			name: "kind with its dependencies",
			args: []string{"plan", "examples/acme", "--kind", "Connector"},
			code: 2,
			out:  []string{`Scope: 1 of 9 objects (--kind "Connector")`, `+ create Connector "Acme HR"`},
			reqs: []string{"POST /oauth/token", "GET /v3/connectors?count=true&limit=250&offset=0", "GET /v3/connectors/acme-hr"},
		},
		{
			name: "transforms only",
			args: []string{"plan", "examples/acme", "--kind", "Transform"},
			code: 2,
			out: []string{`Scope: 3 of 9 objects (--kind "Transform")`, `+ create Transform "Employee Display Name"`, `~ update Transform "Hire Date ISO8601"`,
				"Plan: 1 to create, 1 to update."},
			not:  []string{"Source", "Connector"},
			reqs: []string{"POST /oauth/token", "GET /v3/transforms?count=true&limit=250&offset=0"},
		},
		{
			name: "drift of one source lists no other",
			args: []string{"drift", "examples/acme", "--source", "HR Database"},
			code: 2,
			out:  []string{"Scope: 1 of 9 objects", "unmanaged sources are not reported"},
			reqs: []string{"POST /oauth/token", `GET /v3/sources?count=true&filters=name in ("HR Database")&limit=250&offset=0`},
		},
		{name: "no such source", args: []string{"plan", "examples/acme", "--source", "Nope*"}, code: 1, error: `--source "Nope*" matches no Source declared`},
		{name: "no such kind", args: []string{"plan", "examples/acme", "--kind", "Sources"}, code: 1, error: "--kind Sources: not a kind"},
		{name: "scope beside a plan file", args: []string{"apply", "examples/acme", "--plan", "x.json", "--source", "HR*", "--auto-approve"}, code: 1, error: "do not go with --plan"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			emu := applyTenant(t)
			stdout, stderr, code := runCLI(t, "", tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tc.code, stdout, stderr)
			}
			for _, w := range tc.out {
				if !strings.Contains(stdout, w) {
					t.Errorf("output lacks %q:\n%s", w, stdout)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(stdout, w) {
					t.Errorf("output shows %q:\n%s", w, stdout)
				}
			}
			if tc.error != "" && !strings.Contains(stderr, tc.error) {
				t.Errorf("stderr %q, want %q", stderr, tc.error)
			}
			got := requests(emu)
			if strings.Join(sortedCopy(got), "\n") != strings.Join(sortedCopy(tc.reqs), "\n") {
				t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.reqs, "\n"))
			}
		})
	}
}

// TestScopeInEveryOutput: json, markdown and github say the plan is scoped too.
func TestScopeInEveryOutput(t *testing.T) {
	t.Parallel()
	applyTenant(t)
	for output, want := range map[string]string{
		"json":     `"selector": "--source \"HR*\""`,
		"markdown": "Scope: 1 of 9 objects (--source &#34;HR&#42;&#34;); unscoped objects were not read.",
		"github":   `Scope: 1 of 9 objects (--source "HR*"); unscoped objects were not read.`,
	} {
		stdout, stderr, code := runCLI(t, "", "plan", "examples/acme", "--source", "HR*", "--output", output)
		if code != 2 || !strings.Contains(stdout, want) {
			t.Errorf("%s: exit %d, want 2 and %q in:\n%s%s", output, code, want, stdout, stderr)
		}
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// git runs git in dir and fails the test on error.
func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// gitRepo copies the example into a new git repository (in a subdirectory, as a config
// repository often is) with one commit, and returns the config directory.
func gitRepo(t *testing.T) string {
	t.Helper()
	top := t.TempDir()
	dir := filepath.Join(top, "sailsync")
	if err := os.Rename(tenanttest.CopyDir(t, "examples/acme"), dir); err != nil {
		t.Fatal(err)
	}
	git(t, top, "init", "-q", "-b", "main")
	git(t, top, "config", "user.name", "sailsync test")
	git(t, top, "config", "user.email", "test@sailsync.invalid")
	git(t, top, "add", "-A")
	git(t, top, "commit", "-q", "-m", "the example")
	return dir
}

func replaceInFile(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s has no %q", path, old)
	}
	if err := os.WriteFile(path, bytes.Replace(b, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestChangedSince: with a real git repository, --changed-since scopes the plan to the objects
// whose documents changed (a comment is no change), were added, or whose template changed;
// a document removed since the commit is reported, never deleted. The plan reads only the
// scope; apply --changed-since and a saved scoped plan write only the scope.
func TestChangedSince(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	setSecrets(t)
	dir := gitRepo(t)
	replaceInFile(t, filepath.Join(dir, "sources/corporate-directory.yaml"), "deleteThreshold: 10", "deleteThreshold: 12")
	replaceInFile(t, filepath.Join(dir, "sources/acme-hr-cloud.yaml"), "# The scriptName", "# A comment only. The scriptName")
	replaceInFile(t, filepath.Join(dir, "schemas/group.csv"), "memberOf", "memberOf,owner")
	if err := os.Remove(filepath.Join(dir, "sources/hr-database.yaml")); err != nil {
		t.Fatal(err)
	}
	added := "kind: Source\nname: Badge System\nowner: {type: IDENTITY, id: 2c91808568c529c60168cca6f90c1313, name: A}\nconnector: delimited-file\n"
	if err := os.WriteFile(filepath.Join(dir, "sources/badge.yaml"), []byte(added), 0o644); err != nil {
		t.Fatal(err)
	}

	emu := applyTenant(t)
	planFile := filepath.Join(t.TempDir(), "plan.json")
	stdout, stderr, code := runCLI(t, "", "plan", dir, "--changed-since", "HEAD", "--output", "json", "--out", planFile)
	if code != 2 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	var plan struct {
		Changes []struct{ Kind, Name, Action string }
		Scope   struct {
			Selector       string
			Objects, Total int
			Removed        []struct{ Kind, Name, File string }
		}
		Notes []string
	}
	if err := json.Unmarshal([]byte(stdout), &plan); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range plan.Changes {
		got = append(got, c.Kind+" "+c.Name+" "+c.Action)
	}
	want := []string{"Source Badge System create", "Source Corporate Directory update", "EntitlementSchema group update"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if plan.Scope.Objects != 3 || plan.Scope.Total != 9 || plan.Scope.Selector != `--changed-since "HEAD"` {
		t.Errorf("scope %+v", plan.Scope)
	}
	if len(plan.Scope.Removed) != 1 || plan.Scope.Removed[0].Name != "HR Database" || plan.Scope.Removed[0].File != "sources/hr-database.yaml" {
		t.Errorf("removed %+v, want HR Database", plan.Scope.Removed)
	}
	if !strings.Contains(strings.Join(plan.Notes, "\n"), `Source "HR Database" (sources/hr-database.yaml) was removed from the repository`) {
		t.Errorf("notes %q", plan.Notes)
	}
	wantReqs := []string{"POST /oauth/token",
		`GET /v3/sources?count=true&filters=name in ("Badge System","Corporate Directory")&limit=250&offset=0`,
		"GET /v3/sources/2c9180835d191a86015d28455b4a2329/schemas",
		"GET /v3/connectors/delimited-file"}
	if got := requests(emu); strings.Join(sortedCopy(got), "\n") != strings.Join(sortedCopy(wantReqs), "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantReqs, "\n"))
	}

	// The saved scoped plan applies its scope only.
	emu.ResetLog()
	stdout, stderr, code = runCLI(t, "", "apply", dir, "--plan", planFile, "--auto-approve")
	if code != 0 {
		t.Fatalf("apply --plan: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, w := range tenanttest.Writes(emu) {
		if !strings.Contains(w, "/v3/sources") {
			t.Errorf("write outside the scope: %s", w)
		}
	}
	if _, ok := emu.SourceByName("Badge System"); !ok {
		t.Error("the added source was not created")
	}
	if s, _ := emu.SourceByName("HR Database"); s == nil {
		t.Error("the removed document's source was deleted")
	}
	if _, ok := emu.SourceByName("Acme HR Cloud"); ok {
		t.Error("an unchanged object was applied")
	}

	// apply --changed-since: what is left in the scope is in sync now.
	emu.ResetLog()
	stdout, stderr, code = runCLI(t, "", "apply", dir, "--changed-since", "HEAD", "--auto-approve")
	if code != 0 || !strings.Contains(stdout, "No changes") || len(tenanttest.Writes(emu)) != 0 {
		t.Errorf("apply --changed-since: exit %d, writes %v\n%s%s", code, tenanttest.Writes(emu), stdout, stderr)
	}

	// A tombstone added since the commit is in scope: its delete is planned.
	tomb := "kind: Source\nname: Legacy Mainframe\nabsent: true\nreason: decommissioned in CHG-1234\n"
	if err := os.WriteFile(filepath.Join(dir, "sources/legacy.yaml"), []byte(tomb), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code = runCLI(t, "", "plan", dir, "--changed-since", "HEAD")
	if code != 2 || !strings.Contains(stdout, `- delete Source "Legacy Mainframe"`) || !strings.Contains(stdout, "Plan: 0 to create, 0 to update, 1 to delete.") {
		t.Errorf("tombstone in scope: exit %d\n%s%s", code, stdout, stderr)
	}

	// Not a commit: an error before any request.
	emu.ResetLog()
	_, stderr, code = runCLI(t, "", "plan", dir, "--changed-since", "no-such-ref")
	if code != 1 || !strings.Contains(stderr, "--changed-since no-such-ref: not a commit") || len(emu.Log()) != 0 {
		t.Errorf("bad ref: exit %d, %d requests, stderr %q", code, len(emu.Log()), stderr)
	}
}

// TestDeletesCLI: a tombstone plans as "- delete" with its reason, counted on its own; apply
// without a terminal needs --allow-delete besides --auto-approve; at a terminal a separate
// "delete" answer; a tombstone whose source a schema still names is refused by validate.
func TestDeletesCLI(t *testing.T) {
	t.Parallel()
	repo := func(t *testing.T) string {
		dir := t.TempDir()
		tomb := "kind: Source\nname: Legacy Mainframe\nabsent: true\nreason: decommissioned in CHG-1234\n"
		if err := os.WriteFile(filepath.Join(dir, "legacy.yaml"), []byte(tomb), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	t.Run("plan", func(t *testing.T) {
		t.Parallel()
		applyTenant(t)
		stdout, stderr, code := runCLI(t, "", "plan", repo(t))
		if code != 2 {
			t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
		}
		for _, w := range []string{"Plan: 0 to create, 0 to update, 1 to delete.", `- delete Source "Legacy Mainframe"`, "reason: decommissioned in CHG-1234", "apply: 3 requests"} {
			if !strings.Contains(stdout, w) {
				t.Errorf("plan lacks %q:\n%s", w, stdout)
			}
		}
	})
	t.Run("no terminal needs --allow-delete", func(t *testing.T) {
		t.Parallel()
		emu := applyTenant(t)
		stdout, stderr, code := runCLI(t, "", "apply", repo(t), "--auto-approve")
		if code != 1 || !strings.Contains(stderr, "pass --allow-delete") || len(tenanttest.Writes(emu)) != 0 {
			t.Errorf("exit %d, writes %v\n%s%s", code, tenanttest.Writes(emu), stdout, stderr)
		}
		emu.ResetLog()
		stdout, stderr, code = runCLI(t, "", "apply", repo(t), "--auto-approve", "--allow-delete")
		if code != 0 || !strings.Contains(stdout, "the tenant accepted the deletion") {
			t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
		}
		if w := tenanttest.Writes(emu); len(w) != 1 || !strings.HasPrefix(w[0], "DELETE /v3/sources/") {
			t.Errorf("writes %v, want the one DELETE", w)
		}
		if _, ok := emu.SourceByName("Legacy Mainframe"); ok {
			t.Error("the source is still in the tenant")
		}
		stdout, _, code = runCLI(t, "", "plan", repo(t))
		if code != 0 || !strings.Contains(stdout, "No changes") {
			t.Errorf("after the delete: exit %d\n%s", code, stdout)
		}
	})
	for _, tc := range []struct {
		answers string
		deleted bool
	}{{"yes\nno\n", false}, {"yes\n", false}, {"yes\ndelete\n", true}} {
		t.Run("terminal "+strings.ReplaceAll(tc.answers, "\n", " "), func(t *testing.T) {
			t.Parallel()
			emu := applyTenant(t)
			var stdout, stderr bytes.Buffer
			opts := &applyOptions{Dir: repo(t), Output: "text", Conn: defaultConn(t),
				stdin: strings.NewReader(tc.answers), stdout: &stdout, stderr: &stderr, interactive: true}
			err := runApply(context.Background(), opts)
			if !strings.Contains(stderr.String(), "The plan DELETES 1 object from tenant") || !strings.Contains(stderr.String(), `- Source "Legacy Mainframe"`) {
				t.Errorf("no delete prompt: %q", stderr.String())
			}
			_, still := emu.SourceByName("Legacy Mainframe")
			if tc.deleted != !still || tc.deleted != (err == nil) {
				t.Errorf("answers %q: err %v, source still there %v", tc.answers, err, still)
			}
			if !tc.deleted && len(tenanttest.Writes(emu)) != 0 {
				t.Errorf("writes %v", tenanttest.Writes(emu))
			}
		})
	}
	t.Run("refused reference", func(t *testing.T) {
		t.Parallel()
		emu := applyTenant(t)
		dir := repo(t)
		schema := "kind: EntitlementSchema\nsource: Legacy Mainframe\nname: group\nattributes: [id]\n"
		if err := os.WriteFile(filepath.Join(dir, "group.yaml"), []byte(schema), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"validate", dir}, {"plan", dir}} {
			stdout, stderr, code := runCLI(t, "", args...)
			if code != 1 || !strings.Contains(stdout+stderr, `legacy.yaml:2:7: absent: Source "Legacy Mainframe" cannot be deleted: EntitlementSchema "group" at group.yaml:3:7 still belongs to it`) {
				t.Errorf("%s: exit %d, stderr %q", args[0], code, stderr)
			}
		}
		if len(emu.Log()) != 0 {
			t.Errorf("requests %v", requests(emu))
		}
	})
}

// TestChangedSinceBundleAndUnknownFiles: a pull request that edits only a connector bundle file
// plans the connector (the seed has none: a create; it planned "No changes", 0 of 9, while apply's full plan updated
// it); a changed file no object is known to read widens the scope to every object, with a note;
// a directory git does not track is an error naming it, not "0 of 9".
func TestChangedSinceBundleAndUnknownFiles(t *testing.T) {
	t.Parallel()
	emu := applyTenant(t)
	type planJSON struct {
		Changes []struct{ Kind, Name, Action string }
		Scope   struct {
			Objects, Total int
			Widened        []string
		}
		Notes []string
	}
	plan := func(dir string) (planJSON, int) {
		t.Helper()
		stdout, stderr, code := runCLI(t, "", "plan", dir, "--changed-since", "HEAD", "--output", "json")
		var p planJSON
		if err := json.Unmarshal([]byte(stdout), &p); err != nil {
			t.Fatalf("exit %d: %v\n%s%s", code, err, stdout, stderr)
		}
		return p, code
	}

	dir := gitRepo(t)
	replaceInFile(t, filepath.Join(dir, "connectors/acme-hr/source-config.xml"), "administrator fills in", "admin fills in")
	p, code := plan(dir)
	var got []string
	for _, c := range p.Changes {
		got = append(got, c.Kind+" "+c.Name+" "+c.Action)
	}
	if code != 2 || !slices.Contains(got, "Connector Acme HR create") || p.Scope.Objects != 1 || len(p.Scope.Widened) != 0 {
		t.Errorf("bundle file: exit %d, changes %q, scope %+v", code, got, p.Scope)
	}

	dir = gitRepo(t)
	if err := os.WriteFile(filepath.Join(dir, "NOTES.txt"), []byte("anything\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, code = plan(dir)
	if code != 2 || p.Scope.Objects != 9 || !slices.Equal(p.Scope.Widened, []string{"NOTES.txt"}) ||
		!strings.Contains(strings.Join(p.Notes, "\n"), "NOTES.txt changed and feeds no object sailsync can name") {
		t.Errorf("unknown file: exit %d, scope %+v, notes %q", code, p.Scope, p.Notes)
	}

	emu.ResetLog()
	top := t.TempDir()
	git(t, top, "init", "-q", "-b", "main")
	git(t, top, "config", "user.name", "sailsync test")
	git(t, top, "config", "user.email", "test@sailsync.invalid")
	if err := os.WriteFile(filepath.Join(top, ".gitignore"), []byte("sailsync/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, top, "add", "-A")
	git(t, top, "commit", "-q", "-m", "ignore")
	ignored := filepath.Join(top, "sailsync")
	if err := os.Rename(tenanttest.CopyDir(t, "examples/acme"), ignored); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runCLI(t, "", "plan", ignored, "--changed-since", "HEAD")
	if code != 1 || !strings.Contains(stderr, ignored+" has no file tracked by git") || len(emu.Log()) != 0 {
		t.Errorf("ignored directory: exit %d, %d requests, stderr %q", code, len(emu.Log()), stderr)
	}
}
