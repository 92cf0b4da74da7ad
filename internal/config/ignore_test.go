package config

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestIgnoreSettings: ignore and unmanaged rules are read with the position of each rule, and
// what the schema cannot check (kinds, dates, expiry) is a problem at its file:line:col.
func TestIgnoreSettings(t *testing.T) {
	t.Parallel()
	future := time.Now().AddDate(1, 0, 0).Format(time.DateOnly)
	today := time.Now().UTC().Format(time.DateOnly)
	tests := []struct {
		name     string
		settings string
		want     []string
	}{
		{"valid", "ignore:\n  - kind: Source\n    name: \"HR *\"\n    fields: [description]\n    reason: HR owns it\n    until: " + future +
			"\nunmanaged:\n  - name: Legacy*\n    reason: retired soon\n", nil},
		{"until today is still valid", "ignore:\n  - {kind: Source, fields: [description], reason: r, until: " + today + "}\n", nil},
		{"reason required", "ignore:\n  - kind: Source\n    fields: [description]\n",
			[]string{"sailsync.yaml:2:5: ignore[0].reason: required field is missing"}},
		{"fields required", "ignore:\n  - {kind: Source, reason: r, fields: []}\n",
			[]string{"sailsync.yaml:2:39: ignore[0].fields: must list at least 1 item(s)"}},
		{"expired", "ignore:\n  - kind: Source\n    fields: [description]\n    reason: INC-1\n    until: 2001-01-31\n",
			[]string{"sailsync.yaml:5:12: ignore[0].until: the rule expired on 2001-01-31 (INC-1): review it, then extend until or remove the rule"}},
		{"not a date", "ignore:\n  - {kind: Source, fields: [a], reason: r, until: 2030-13-01}\n",
			[]string{`sailsync.yaml:2:51: ignore[0].until: "2030-13-01" is not a date (YYYY-MM-DD)`}},
		{"unknown kind", "ignore:\n  - {kind: ConnectorFile, fields: [a], reason: r}\n",
			[]string{`sailsync.yaml:2:12: ignore[0].kind: "ConnectorFile" is not a kind: use Connector, Transform, Source, EntitlementSchema or ProvisioningPolicy`}},
		{"unmanaged needs a reason", "unmanaged:\n  - name: x\n",
			[]string{"sailsync.yaml:2:5: unmanaged[0].reason: required field is missing"}},
		{"unknown rule key", "unmanaged:\n  - {name: x, reason: r, why: y}\n",
			[]string{"sailsync.yaml:2:26: unmanaged[0].why: unknown key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, map[string]string{"sailsync.yaml": tt.settings, "s.yaml": validSource})
			repo, err := Load(dir)
			var ps Problems
			if err != nil && !errors.As(err, &ps) {
				t.Fatalf("Load: %v", err)
			}
			var got []string
			for _, p := range ps {
				got = append(got, p.String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if tt.name == "valid" {
				r := repo.Settings.Ignore[0]
				if r.Kind != KindSource || r.Name != "HR *" || r.Reason != "HR owns it" || r.Pos != (Pos{File: "sailsync.yaml", Line: 2, Col: 5}) {
					t.Errorf("rule %+v", r)
				}
				u := repo.Settings.Unmanaged[0]
				if u.Name != "Legacy*" || u.Pos.Line != 8 || !u.Matches(KindSource, "Legacy Mainframe") || u.Matches(KindSource, "HR") {
					t.Errorf("unmanaged rule %+v", u)
				}
			}
		})
	}
}

// TestGlob: * is any run (slashes included), ? one character, the rest literal.
func TestGlob(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"HR *", "HR Database", true},
		{"HR *", "HR", false},
		{"HR*", "HR", true},
		{"*", "", true},
		{"a/*", "a/b/c", true},
		{"?R DB", "HR DB", true},
		{"?R DB", "HHR DB", false},
		{"*Mainframe", "Legacy Mainframe", true},
		{"*a*b*c", "xxaxxbxxbxc", true},
		{"[HR]", "H", false},
		{"[HR]", "[HR]", true},
		{"Ünïcode *", "Ünïcode x", true},
	}
	for _, tt := range tests {
		if got := Glob(tt.pattern, tt.name); got != tt.want {
			t.Errorf("Glob(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}

// TestLoadRevision: the repository at a git revision is loaded through Load, from a
// subdirectory of the work tree, and a missing revision, a directory outside git or one
// that did not exist at the revision is a clear error.
func TestLoadRevision(t *testing.T) {
	t.Parallel()
	top := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", top}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q", "-b", "main")
	git("config", "user.name", "Test")
	git("config", "user.email", "test@example.com")
	git("config", "commit.gpgsign", "false")
	write(t, top, map[string]string{"README": "x", "cfg/sources/hr.yaml": validSource + "description: at base\n", "cfg/sailsync.yaml": "{}\n"})
	git("add", ".")
	git("commit", "-q", "-m", "base")
	git("tag", "v1")
	write(t, top, map[string]string{"cfg/sources/hr.yaml": validSource + "description: now\n", "cfg/sources/new.yaml": strings.Replace(validSource, "HR Database", "New", 1)})
	git("add", ".")
	git("commit", "-q", "-m", "second")

	dir := filepath.Join(top, "cfg")
	repo, commit, err := LoadRevision(dir, "v1")
	if err != nil {
		t.Fatal(err)
	}
	if len(commit) != 40 || len(repo.Sources()) != 1 || repo.Sources()[0].Fields.String("description") != "at base" ||
		repo.Sources()[0].Doc.File != "sources/hr.yaml" {
		t.Fatalf("commit %q, sources %+v", commit, repo.Sources())
	}
	now, _, err := LoadRevision(dir, "HEAD")
	if err != nil || len(now.Sources()) != 2 {
		t.Fatalf("HEAD: %v, %+v", err, now)
	}

	for _, tt := range []struct{ dir, ref, want string }{
		{dir, "nosuch", "--base nosuch: no such revision in the git repository at "},
		{dir, "--output=x", `--base "--output=x": not a git revision`},
		{t.TempDir(), "HEAD", "is not in a git work tree"},
	} {
		_, _, err := LoadRevision(tt.dir, tt.ref)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("LoadRevision(%s, %s): %v, want %q", tt.dir, tt.ref, err, tt.want)
		}
	}
	git("mv", "cfg", "config")
	git("commit", "-q", "-m", "moved")
	if _, _, err := LoadRevision(filepath.Join(top, "config"), "v1"); err == nil || !strings.Contains(err.Error(), "did not exist at v1") {
		t.Errorf("a directory new since the revision: %v", err)
	}
}
