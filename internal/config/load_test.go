package config

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sailsync/sailsync/internal/tenanttest"
	"github.com/sailsync/sailsync/internal/value"
)

func loadOK(t *testing.T, dir string) *Repo {
	t.Helper()
	r, err := Load(dir)
	if err != nil {
		t.Fatalf("Load(%s): %v", dir, err)
	}
	return r
}

func TestLoadAcme(t *testing.T) {
	t.Parallel()
	r := loadOK(t, "../../examples/acme")

	names := func(objs []*Object) []string {
		var out []string
		for _, o := range objs {
			out = append(out, o.Name)
		}
		return out
	}
	var srcs, schemas []*Object
	for _, s := range r.Sources() {
		srcs = append(srcs, &s.Object)
	}
	for _, s := range r.Schemas() {
		schemas = append(schemas, &s.Object)
	}
	// Ordered by file path, then document order.
	if got, want := names(srcs), []string{"Acme HR Cloud", "Corporate Directory", "HR Database"}; !reflect.DeepEqual(got, want) {
		t.Errorf("sources %v, want %v", got, want)
	}
	if got, want := names(schemas), []string{"role", "group"}; !reflect.DeepEqual(got, want) {
		t.Errorf("schemas %v, want %v", got, want)
	}
	if len(r.Connectors()) != 1 || r.Connectors()[0].PinnedScriptName != "" || r.Connector("Acme HR") != r.Connectors()[0] {
		t.Fatalf("connectors: %+v", r.Connectors())
	}

	cd := r.Source("Corporate Directory")
	if cd == nil {
		t.Fatal("no Corporate Directory")
	}
	if _, ok := cd.Fields.Get("kind"); ok {
		t.Error("kind left in Fields")
	}
	if got := cd.Fields.Keys(); got[0] != "name" || got[len(got)-1] != "connectorAttributes" {
		t.Errorf("field order %v", got)
	}
	if v, _ := cd.Fields.Path("connectorAttributes.port"); v != json.Number("636") {
		t.Errorf("port = %#v, want json.Number 636", v)
	}
	if v, _ := cd.Fields.Path("connectorAttributes.useSSL"); v != true {
		t.Errorf("useSSL = %#v", v)
	}
	if v, _ := cd.Fields.Get("deleteThreshold"); v != json.Number("10") {
		t.Errorf("deleteThreshold = %#v", v)
	}
	dns, _ := cd.Fields.Path("connectorAttributes.searchDNs")
	list, ok := dns.([]any)
	if !ok || len(list) != 1 {
		t.Fatalf("searchDNs = %#v", dns)
	}
	if o, ok := list[0].(*value.Object); !ok || o.String("iterateSearchFilter") != "(objectclass=person)" {
		t.Errorf("searchDNs[0] = %#v", list[0])
	}
	for path, want := range map[string]Pos{
		"connectorAttributes.searchDNs": {File: "sources/corporate-directory.yaml", Line: 30, Col: 5},
		"connectorAttributes.password":  {File: "sources/corporate-directory.yaml", Line: 27, Col: 13},
		"features":                      {File: "sources/corporate-directory.yaml", Line: 13, Col: 3},
		"owner.type":                    {File: "sources/corporate-directory.yaml", Line: 5, Col: 15},
	} {
		if got := cd.PosOf(path); got != want {
			t.Errorf("PosOf(%s) = %v, want %v", path, got, want)
		}
	}
	if cd.Doc != (Pos{File: "sources/corporate-directory.yaml", Line: 2, Col: 1}) {
		t.Errorf("Doc = %v", cd.Doc)
	}

	hr := r.Source("HR Database")
	if _, ok := hr.Fields.Get("connectorFiles"); ok {
		t.Error("connectorFiles left in Fields")
	}
	if len(hr.ConnectorFiles) != 1 || hr.ConnectorFiles[0].Rel != "drivers/ojdbc8.jar" || !filepath.IsAbs(hr.ConnectorFiles[0].Path) ||
		hr.ConnectorFiles[0].Pos != (Pos{File: "sources/hr-database.yaml", Line: 21, Col: 5}) {
		t.Errorf("connector files %+v", hr.ConnectorFiles)
	}

	group := r.Schemas()[1]
	if group.Source != "Corporate Directory" || group.Template == nil || group.Template.Rel != "group.csv" {
		t.Errorf("group schema %+v", group)
	}
	if want := []string{"id", "name", "displayName", "description", "memberOf", "managedBy"}; !reflect.DeepEqual(group.Attributes, want) {
		t.Errorf("group attributes %v", group.Attributes)
	}
	if got := group.Fields.Keys(); !reflect.DeepEqual(got, []string{"name"}) {
		t.Errorf("schema Fields keys %v", got)
	}
	if role := r.Schemas()[0]; role.Template != nil || !reflect.DeepEqual(role.Attributes, []string{"id", "name", "description"}) {
		t.Errorf("role schema %+v", role)
	}
	if got, want := r.EnvVars(), []string{"ACME_HR_TOKEN", "AD_BIND_PASSWORD", "HR_DB_PASSWORD"}; !reflect.DeepEqual(got, want) {
		t.Errorf("EnvVars %v", got)
	}
	if len(r.Hash) != 64 {
		t.Errorf("hash %q", r.Hash)
	}
}

func TestHashCoversEveryFile(t *testing.T) {
	t.Parallel()
	base := loadOK(t, "../../examples/acme").Hash
	if again := loadOK(t, "../../examples/acme").Hash; again != base {
		t.Fatal("hash not deterministic")
	}
	for _, change := range []string{"sources/drivers/ojdbc8.jar", "schemas/group.csv", "sources/hr-database.yaml"} {
		dir := tenanttest.CopyDir(t, "../../examples/acme")
		if h := loadOK(t, dir).Hash; h != base {
			t.Fatalf("copy hashes differently: %s vs %s", h, base)
		}
		f, err := os.OpenFile(filepath.Join(dir, change), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString("\n# changed\n")
		f.Close()
		if h := loadOK(t, dir).Hash; h == base {
			t.Errorf("changing %s did not change the hash", change)
		}
	}
}

// TestBrokenCorpus checks the loader on every broken repository: Problems (not another error),
// with positions, sorted. The exact lines are asserted by the validate golden test at the root.
func TestBrokenCorpus(t *testing.T) {
	t.Parallel()
	entries, err := os.ReadDir("testdata/broken")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Run(e.Name(), func(t *testing.T) {
			_, err := Load(filepath.Join("testdata/broken", e.Name()))
			var ps Problems
			if !errors.As(err, &ps) || len(ps) == 0 {
				t.Fatalf("Load: %v, want Problems", err)
			}
			if !sort.SliceIsSorted(ps, func(i, j int) bool {
				a, b := ps[i].Pos, ps[j].Pos
				return a.File < b.File || a.File == b.File && (a.Line < b.Line || a.Line == b.Line && a.Col <= b.Col)
			}) {
				t.Errorf("problems not sorted: %v", ps)
			}
			for _, p := range ps {
				if p.Pos.File == "" || p.Pos.Line < 1 || p.Pos.Col < 1 || p.Message == "" {
					t.Errorf("problem without a position or message: %+v", p)
				}
			}
		})
	}
}

func TestLoadUnreadable(t *testing.T) {
	t.Parallel()
	_, err := Load(filepath.Join(t.TempDir(), "missing"))
	var ps Problems
	if err == nil || errors.As(err, &ps) {
		t.Errorf("missing dir: %v, want a plain error", err)
	}
	f := filepath.Join(t.TempDir(), "file")
	os.WriteFile(f, nil, 0o644)
	if _, err := Load(f); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("file as repo: %v", err)
	}
}

func TestEmptyRepoAndSkippedFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, map[string]string{
		".github/workflows/ci.yml": "on: push\n",
		".golangci.yml":            "linters: {}\n",
		"sailsync.yaml":            "# no settings yet\n{}\n",
		"notes.txt":                "kind: nonsense",
		"empty.yaml":               "# nothing yet\n---\n",
	})
	r := loadOK(t, dir)
	if len(r.Sources())+len(r.Connectors())+len(r.Schemas()) != 0 {
		t.Errorf("objects from skipped files: %+v", r)
	}
}

func write(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// sparse makes a file of the given size without writing its bytes.
func sparse(t *testing.T, p string, size int64) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
}

const validSource = `kind: Source
name: HR Database
owner: {type: IDENTITY, id: 2c91808568c529c60168cca6f90c1313}
connector: jdbc
`

// TestHostileRepositories: each hostile input yields a Problem naming the file and line, within
// bounded time, never a panic.
func TestHostileRepositories(t *testing.T) {
	t.Parallel()
	billionLaughs := "kind: Source\nname: lol\nowner: {type: IDENTITY, id: x}\nconnector: jdbc\nconnectorAttributes:\n" +
		"  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		billionLaughs += "  " + n + ": &" + n + " [" + strings.TrimSuffix(strings.Repeat("*"+prev+",", 9), ",") + "]\n"
		prev = n
	}
	deepBlock := "kind: Source\nname: deep\nowner: {type: IDENTITY, id: x}\nconnector: jdbc\nconnectorAttributes:\n"
	for i := 0; i < 100; i++ {
		deepBlock += strings.Repeat("  ", i+1) + "k:\n"
	}
	deepBlock += strings.Repeat("  ", 101) + "v: 1\n"

	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  string // file:line:col prefix of a problem
		msg   string // substring of that problem's message
	}{
		{"1 GB YAML file", func(t *testing.T, dir string) {
			sparse(t, filepath.Join(dir, "big.yaml"), 1<<30)
		}, "big.yaml:1:1", "1024 MiB; a YAML file may be at most 10 MiB"},
		{"YAML file just over the limit", func(t *testing.T, dir string) {
			sparse(t, filepath.Join(dir, "big.yaml"), MaxYAMLFileSize+1)
		}, "big.yaml:1:1", "at most 10 MiB"},
		{"oversize connector file", func(t *testing.T, dir string) {
			write(t, dir, map[string]string{"s.yaml": validSource + "connectorFiles: [big.jar]\n"})
			sparse(t, filepath.Join(dir, "big.jar"), MaxConnectorFileSize+1)
		}, "s.yaml:5:18", "a connector file may be at most 100 MiB"},
		{"oversize template", func(t *testing.T, dir string) {
			write(t, dir, map[string]string{"s.yaml": validSource + "---\nkind: EntitlementSchema\nsource: HR Database\nname: group\ntemplate: t.csv\n"})
			sparse(t, filepath.Join(dir, "t.csv"), MaxTemplateSize+1)
		}, "s.yaml:9:11", "a template may be at most 1 MiB"},
		{"deeply nested flow YAML", func(t *testing.T, dir string) {
			write(t, dir, map[string]string{"deep.yaml": "kind: Source\nx: " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "\n"})
		}, "deep.yaml:", "max depth"},
		{"deeply nested block YAML", func(t *testing.T, dir string) {
			write(t, dir, map[string]string{"deep.yaml": deepBlock})
		}, "deep.yaml:", "nested deeper than 64 levels"},
		{"billion laughs", func(t *testing.T, dir string) {
			write(t, dir, map[string]string{"lol.yaml": billionLaughs})
		}, "lol.yaml:7:", "YAML aliases (*a) are not supported"},
		{"alias cycle", func(t *testing.T, dir string) {
			write(t, dir, map[string]string{"cycle.yaml": validSource + "connectorAttributes: &x {self: *x}\n"})
		}, "cycle.yaml:", "alias"},
		{"non-UTF-8", func(t *testing.T, dir string) {
			write(t, dir, map[string]string{"latin1.yaml": validSource + "description: \"caf\xe9\"\n"})
		}, "latin1.yaml:5:18", "not valid UTF-8"},
		{"UTF-16", func(t *testing.T, dir string) {
			write(t, dir, map[string]string{"utf16.yaml": "\xff\xfek\x00i\x00n\x00d\x00"})
		}, "utf16.yaml:1:1", "not valid UTF-8"},
		{"duplicate keys", func(t *testing.T, dir string) {
			write(t, dir, map[string]string{"dup.yaml": validSource + "connector: jdbc2\n"})
		}, "dup.yaml:5:1", "duplicate key: connector is already set at line 4"},
		{"symlink to /etc/passwd as a connector file", func(t *testing.T, dir string) {
			write(t, dir, map[string]string{"s.yaml": validSource + "connectorFiles: [passwd.jar]\n"})
			if err := os.Symlink("/etc/passwd", filepath.Join(dir, "passwd.jar")); err != nil {
				t.Skip(err)
			}
		}, "s.yaml:5:18", "symbolic link that leads outside the repository"},
		{"../ path", func(t *testing.T, dir string) {
			write(t, dir, map[string]string{"sub/s.yaml": validSource + "connectorFiles: [../../x.jar]\n"})
		}, "sub/s.yaml:5:18", "outside the repository"},
		{"YAML file symlinked from outside", func(t *testing.T, dir string) {
			outside := filepath.Join(t.TempDir(), "o.yaml")
			os.WriteFile(outside, []byte(validSource), 0o644)
			if err := os.Symlink(outside, filepath.Join(dir, "o.yaml")); err != nil {
				t.Skip(err)
			}
		}, "o.yaml:1:1", "leads outside the repository"},
		{"FIFO named like YAML", func(t *testing.T, dir string) {
			if err := syscall.Mkfifo(filepath.Join(dir, "pipe.yaml"), 0o644); err != nil {
				t.Skip(err)
			}
		}, "pipe.yaml:1:1", "not a regular file"},
		{"too many documents", func(t *testing.T, dir string) {
			write(t, dir, map[string]string{"many.yaml": strings.Repeat("---\nkind: Nothing\n", MaxDocuments+1)})
		}, "many.yaml:", "too many documents"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, dir)
			start := time.Now()
			_, err := Load(dir)
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("Load: %v, want Problems", err)
			}
			found := false
			for _, p := range ps {
				if strings.HasPrefix(p.String(), tt.want) && strings.Contains(p.Message, tt.msg) {
					found = true
				}
			}
			if !found {
				t.Errorf("no problem at %s containing %q; got:\n%s", tt.want, tt.msg, problemLines(ps))
			}
			// Not a timing assertion on the result, only a guard against a runaway: every case
			// is bounded by a limit, so even a slow CI machine is far below this.
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

func problemLines(ps Problems) string {
	var b strings.Builder
	for i, p := range ps {
		if i == 20 {
			b.WriteString("…\n")
			break
		}
		b.WriteString(p.String() + "\n")
	}
	return b.String()
}

// TestEnvValueNotExpandedTwice: a resolved ${env:…} value that itself looks like a reference is
// sent as it is, never expanded again.
func TestEnvValueNotExpandedTwice(t *testing.T) {
	t.Parallel()
	r := loadOK(t, "../../examples/acme")
	src := r.Source("Corporate Directory")
	got, err := ExpandValue(src.Fields, func(ref Ref) (string, error) {
		if ref.Scheme == SchemeEnv {
			return "${connector:Acme HR}${env:HR_DB_PASSWORD}", nil
		}
		return "acme-hr", nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := got.(*value.Object).Path("connectorAttributes.password"); v != "${connector:Acme HR}${env:HR_DB_PASSWORD}" {
		t.Errorf("password expanded to %#v", v)
	}
}

func TestScalars(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, map[string]string{"s.yaml": validSource + `connectorAttributes:
  exact: 1.50
  exp: 1e3
  under: 1_000
  hex: 0x1F
  octal: 0o17
  plus: +5
  plusf: +1.5
  big: 123456789012345678901234567890
  neg: -7
  null1: ~
  null2:
  yes: yes
  bool: True
  date: 2021-09-28
  quoted: "636"
  tagged: !!str 10
  empty: ""
  key with space: v
  1: numeric key
`})
	r := loadOK(t, dir)
	ca := r.Sources()[0].Fields.Object("connectorAttributes")
	want := map[string]any{
		"exact": json.Number("1.50"), "exp": json.Number("1e3"), "under": json.Number("1000"), "hex": json.Number("31"),
		"octal": json.Number("15"), "plus": json.Number("5"), "plusf": json.Number("1.5"),
		"big": json.Number("123456789012345678901234567890"), "neg": json.Number("-7"), "null1": nil, "null2": nil,
		"yes": "yes", "bool": true, "date": "2021-09-28", "quoted": "636", "tagged": "10", "empty": "",
		"key with space": "v", "1": "numeric key",
	}
	for k, w := range want {
		if got, ok := ca.Get(k); !ok || got != w {
			t.Errorf("%s = %#v (present %v), want %#v", k, got, ok, w)
		}
	}
	if ca.Len() != len(want) {
		t.Errorf("%d keys, want %d: %v", ca.Len(), len(want), ca.Keys())
	}
}

func TestSchemaErrorPositions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, map[string]string{"s.yaml": validSource + `features:
  - PROVISIONING
  - SERCH
schemas:
  - {type: CONNECTOR_SCHEMA, name: account, id: s0}
  - {type: SCHEMA, name: group, id: s1}
passwordPolicies: null
managerCorrelationMapping: {accountAttribute: manager, identityAttributeName: manager, accountAtribute: x}
`})
	_, warnings, err := LoadWarnings(context.Background(), dir)
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Load: %v", err)
	}
	// features is an open enum: a value outside it is a warning at its position.
	if len(warnings) != 1 || !strings.HasPrefix(warnings[0].String(), "s.yaml:7:5: features[1]: \"SERCH\" is not one of the 33 values the API publishes (did you mean SEARCH?)") ||
		warnings[0].Field != "features[1]" {
		t.Errorf("warnings: %v", warnings)
	}
	got := problemLines(ps)
	for _, want := range []string{
		"s.yaml:10:12: schemas[1].type: must be CONNECTOR_SCHEMA",
		"s.yaml:12:88: managerCorrelationMapping.accountAtribute: unknown field (did you mean accountAttribute?)",
	} {
		if !strings.Contains(got, want+"\n") {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if len(ps) != 2 {
		t.Errorf("%d problems, want 2:\n%s", len(ps), got)
	}
	if ps[0].Field != "schemas[1].type" {
		t.Errorf("Field = %q", ps[0].Field)
	}
}

func TestConnectorScriptName(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, map[string]string{"c.yaml": `kind: Connector
name: Acme HR (v2)
className: sailpoint.connector.OpenConnectorAdapter
---
kind: Connector
name: Pinned
scriptName: pinned-name
className: sailpoint.connector.OpenConnectorAdapter
`})
	r := loadOK(t, dir)
	// Nothing is derived: the tenant's rule is undocumented, so only a pin is known offline.
	if r.Connectors()[0].PinnedScriptName != "" || r.Connectors()[1].PinnedScriptName != "pinned-name" {
		t.Errorf("pinned script names %q %q", r.Connectors()[0].PinnedScriptName, r.Connectors()[1].PinnedScriptName)
	}
	if v, _ := r.Connectors()[1].Fields.Get("scriptName"); v != "pinned-name" {
		t.Errorf("scriptName not kept in Fields: %v", v)
	}
}

func TestReadTemplateHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
		err  string
	}{
		{"id,name\n1,2\n", []string{"id", "name"}, ""},
		{"\ufeffid,name,\"display,Name\"\r\n", []string{"id", "name", "display,Name"}, ""},
		{"id, name\n", nil, `column 2 of the header row (" name") has leading or trailing space`},
		{"id,name \n", nil, "leading or trailing space"},
		{"id,na\x00me\n", nil, "column 2 of the header row (\"na\\x00me\") holds the control character U+0000"},
		{"id,\xffname\n", nil, "column 2 of the header row is not valid UTF-8"},
		{"id,\"a\x1b[2Jb\"\n", nil, "U+001B"},
		{"", nil, "is empty"},
		{"id,,name\n", nil, "column 2"},
		{"id,name,id\n", nil, `"id" twice`},
		{"\"unterminated\n", nil, "header row"},
	}
	for _, tt := range tests {
		got, err := ReadTemplateHeader(strings.NewReader(tt.in))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: err %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

// TestHashFromReadBytes pins Repo.Hash to the computation that read every file again from disk:
// the YAML files are now hashed from the bytes the loader parsed, and a plan's repoHash must not
// change because of it. The reference hashes every file of the repository (all of them are part
// of the desired state here: YAML files, the settings file, a connector file and a template),
// framed by path and length, in path order.
func TestHashFromReadBytes(t *testing.T) {
	t.Parallel()
	dir := tenanttest.CopyDir(t, "../../examples/acme")
	if err := os.WriteFile(filepath.Join(dir, SettingsFile), []byte("# settings\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, dir, want string }{
		// The value the re-reading implementation gave for the example repository.
		{"acme", "../../examples/acme", "a17177efa87ff34fb84aa54455eb4956537eadb07a46e438ac52ccfd7b72bc3d"},
		{"acme with settings", dir, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.want
			if want == "" {
				want = rereadHash(t, tc.dir)
			}
			if got := loadOK(t, tc.dir).Hash; got != want {
				t.Errorf("hash %s, want %s", got, want)
			}
			if tc.want != "" {
				if ref := rereadHash(t, tc.dir); ref != tc.want {
					t.Errorf("reference hash %s, want %s", ref, tc.want)
				}
			}
		})
	}
}

// rereadHash is the former Repo.Hash computation over every regular file below dir.
func rereadHash(t *testing.T, dir string) string {
	t.Helper()
	var rels []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rels = append(rels, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(rels)
	h := sha256.New()
	for _, r := range rels {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(r)))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", r, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TestLoadContextCancelled: a load whose context is done (SIGTERM, Ctrl-C) stops with the
// context's error instead of reading and checking the rest of the repository: a 1 MiB
// translations file of repeated keys once kept validate busy for a minute after SIGTERM.
func TestLoadContextCancelled(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := bundleFiles()
	files["connectors/bundle/messages_en.properties"] = strings.Repeat("k=v\n", MaxBundleFileSize/8)
	write(t, dir, files)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	repo, err := LoadContext(ctx, dir)
	if !errors.Is(err, context.Canceled) || repo != nil {
		t.Fatalf("LoadContext: %v, %v; want context.Canceled", repo, err)
	}
	if _, err := LoadContext(context.Background(), dir); err != nil {
		t.Fatalf("LoadContext, not cancelled: %v", err)
	}
}
