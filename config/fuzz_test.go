package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad writes the input as a YAML file into a repository beside a valid source, a template
// and a connector file, and loads it. Load must never panic, and must return either a repository
// or Problems with positions inside the repository.
func FuzzLoad(f *testing.F) {
	for _, p := range []string{"../examples/acme/sources/corporate-directory.yaml", "../examples/acme/sources/hr-database.yaml",
		"../examples/acme/connectors/acme-hr.yaml", "../examples/acme/schemas/corporate-directory-group.yaml"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("kind: Source\nname: x\nowner: &o {type: IDENTITY}\nconnector: *o\n<<: {a: 1}\n"))
	f.Add([]byte("- [a, {b: c}]\n---\n~\n---\nkind: 1\n"))
	f.Add([]byte("kind: EntitlementSchema\nsource: Base\nname: g\ntemplate: t.csv\n---\nkind: EntitlementSchema\nsource: Base\nname: g\nattributes: [a, a]\n"))
	dir := f.TempDir()
	write(f, dir, map[string]string{
		"base.yaml": validSource + "connectorFiles: [d.jar]\n",
		"t.csv":     "id,name\n",
		"d.jar":     "jar",
	})
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, "fuzz.yaml"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		repo, err := Load(dir)
		if err == nil {
			if repo == nil || len(repo.Hash) != 64 {
				t.Fatalf("Load returned no error and repo %+v", repo)
			}
			return
		}
		var ps Problems
		if !errors.As(err, &ps) {
			t.Fatalf("Load: %v, want Problems", err)
		}
		for _, p := range ps {
			if p.Pos.Line < 1 || p.Pos.Col < 1 || strings.HasPrefix(p.Pos.File, "..") || p.Message == "" {
				t.Fatalf("bad problem %+v", p)
			}
		}
	})
}

// FuzzReadTemplateHeader: the CSV template reader never panics and never returns an empty or
// repeated attribute name.
func FuzzReadTemplateHeader(f *testing.F) {
	f.Add([]byte("id,name,displayName\n"))
	f.Add([]byte("\ufeff\"a\"\"b\",c\r\n1,2"))
	f.Add([]byte("\"unterminated\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		names, err := ReadTemplateHeader(strings.NewReader(string(data)))
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, n := range names {
			if n == "" || seen[n] {
				t.Fatalf("header %q gave names %q", data, names)
			}
			seen[n] = true
		}
	})
}
