package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/sailsync/sailsync/internal/tenanttest"
)

// TestSettings: the settings file is read and validated. It is valid when empty (or an empty
// mapping) and every key it does not define is an error at its file:line:col.
func TestSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		want  []string // every problem, as path:line:col: message; nil for a valid repository
	}{
		{"empty file", map[string]string{"sailsync.yaml": ""}, nil},
		{"comments only", map[string]string{"sailsync.yaml": "# settings come later\n"}, nil},
		{"empty mapping", map[string]string{"sailsync.yaml": "{}\n"}, nil},
		{"empty documents", map[string]string{"sailsync.yaml": "---\n---\n"}, nil},
		{"null", map[string]string{"sailsync.yaml": "~\n"}, nil},
		{"yml spelling", map[string]string{"sailsync.yml": "{}\n"}, nil},
		{"unknown key", map[string]string{"sailsync.yaml": "# settings\nenvironment: {}\n"},
			[]string{"sailsync.yaml:2:1: environment: unknown key (did you mean environments?)"}},
		{"unknown keys", map[string]string{"sailsync.yaml": "exclude: [a]\nsettings:\n  x: 1\n"},
			[]string{"sailsync.yaml:1:1: exclude: unknown key", "sailsync.yaml:2:1: settings: unknown key"}},
		{"unknown key in sailsync.yml", map[string]string{"sailsync.yml": "x: 1\n"},
			[]string{"sailsync.yml:1:1: x: unknown key"}},
		{"a list", map[string]string{"sailsync.yaml": "- environments\n"},
			[]string{"sailsync.yaml:1:1: sailsync.yaml holds a mapping of settings (key: value), not a list"}},
		{"not YAML", map[string]string{"sailsync.yaml": "this is not a settings file\n"},
			[]string{`sailsync.yaml:1:1: sailsync.yaml holds a mapping of settings (key: value), not the value "this is not a settings file"`}},
		{"syntax error", map[string]string{"sailsync.yaml": "a: {b\n"},
			[]string{"sailsync.yaml:2:1: YAML syntax error: did not find expected ',' or '}'"}},
		{"tab", map[string]string{"sailsync.yaml": "a:\n\tb: 1\n"},
			[]string{"sailsync.yaml:2:1: YAML syntax error: found a tab character where an indentation space is expected (YAML indents with spaces, not tabs)"}},
		{"not UTF-8", map[string]string{"sailsync.yaml": "a: caf\xe9\n"},
			[]string{"sailsync.yaml:1:7: the file is not valid UTF-8: save it as UTF-8"}},
		{"two documents", map[string]string{"sailsync.yaml": "{}\n---\n{}\n"},
			[]string{"sailsync.yaml:3:1: a second YAML document: sailsync.yaml holds one mapping of settings"}},
		{"duplicate key", map[string]string{"sailsync.yaml": "a: 1\na: 2\n"},
			[]string{"sailsync.yaml:1:1: a: unknown key", "sailsync.yaml:2:1: a: duplicate key: a is already set at line 1"}},
		{"alias", map[string]string{"sailsync.yaml": "a: &x 1\nb: *x\n"},
			[]string{"sailsync.yaml:1:1: a: unknown key", "sailsync.yaml:2:1: b: unknown key", "sailsync.yaml:2:4: b: YAML aliases (*x) are not supported: write the value out"}},
		{"both spellings", map[string]string{"sailsync.yaml": "{}\n", "sailsync.yml": "{}\n"},
			[]string{"sailsync.yml:1:1: the settings file is sailsync.yaml, which also exists: keep one of them"}},
		{"problems beside object problems", map[string]string{"sailsync.yaml": "x: 1\n", "s.yaml": validSource + "deleteThreshold: 250\n"},
			[]string{"s.yaml:5:18: deleteThreshold: must be between 0 and 100, not 250", "sailsync.yaml:1:1: x: unknown key"}},
		{"only at the root", map[string]string{"sub/sailsync.yaml": "x: 1\n"},
			[]string{"sub/sailsync.yaml:1:1: kind: missing: every document starts with kind: Connector, Transform, Source, EntitlementSchema or ProvisioningPolicy"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, tt.files)
			repo, err := Load(dir)
			var ps Problems
			if err != nil && !errors.As(err, &ps) {
				t.Fatalf("Load: %v, want Problems", err)
			}
			var got []string
			for _, p := range ps {
				got = append(got, p.String())
			}
			if len(got) != len(tt.want) {
				t.Fatalf("problems:\n%s\nwant %q", problemLines(ps), tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("problem %d:\n got %s\nwant %s", i, got[i], tt.want[i])
				}
			}
			if tt.want == nil && (repo == nil || !reflect.DeepEqual(repo.Settings, Settings{})) {
				t.Errorf("repo %+v", repo)
			}
		})
	}
}

// TestSettingsSymlinkOutside: the settings file gets the checks of every YAML file.
func TestSettingsSymlinkOutside(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "settings.yaml")
	if err := os.WriteFile(outside, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, SettingsFile)); err != nil {
		t.Skip(err)
	}
	_, err := Load(dir)
	var ps Problems
	if !errors.As(err, &ps) || len(ps) != 1 || ps[0].String() != "sailsync.yaml:1:1: is a symbolic link that leads outside the repository" {
		t.Errorf("Load: %v", err)
	}
}

// TestSettingsInHash: the settings file is part of the desired state (later settings change what
// a plan does), so changing it changes Repo.Hash, even by a comment, as for every YAML file.
func TestSettingsInHash(t *testing.T) {
	t.Parallel()
	dir := tenanttest.CopyDir(t, "../../examples/acme")
	without := loadOK(t, dir).Hash
	hashes := map[string]bool{without: true}
	for _, body := range []string{"", "{}\n", "# settings\n{}\n"} {
		if err := os.WriteFile(filepath.Join(dir, SettingsFile), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		h := loadOK(t, dir).Hash
		if hashes[h] {
			t.Errorf("settings %q: hash %s seen before", body, h)
		}
		hashes[h] = true
	}
}
