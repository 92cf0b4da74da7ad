package config

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad loads the input as a YAML file of a repository beside a valid source and the files
// a document may reference (a template, a connector file, bundle XML and translations). Load must
// never panic, and must return either a repository or Problems with positions inside the
// repository.
//
// The YAML files are given to the loader with their content (what the walk and the read would
// find is TestHostileRepositories' part), so an execution writes and walks nothing; referenced
// files are read from disk as always. The seeds are small documents of each kind, not the
// example's files: the fuzzer minimises each new input it finds, which costs in proportion
// to the seed's size.
func FuzzLoad(f *testing.F) {
	for _, seed := range []string{
		"kind: Source\nname: S\nowner: {type: IDENTITY, id: x}\nconnector: ${connector:C}\nconnectorAttributes: {user: u, password: '${env:P}'}\nconnectorFiles: [d.jar]\n",
		"kind: Connector\nname: C\nclassName: X\nsourceConfig: x.xml\ntranslations: {en: m.properties}\nconnectorMetadata: {a: 1}\n",
		"kind: EntitlementSchema\nsource: HR Database\nname: g\nattributes: [id, name]\n",
		"kind: Transform\nname: T\ntype: lower\nattributes: {input: x}\n",
		"kind: Source\nname: x\nowner: &o {type: IDENTITY}\nconnector: *o\n<<: {a: 1}\n",
		"- [a, {b: c}]\n---\n~\n---\nkind: 1\n",
		"kind: EntitlementSchema\nsource: Base\nname: g\ntemplate: t.csv\n---\nkind: EntitlementSchema\nsource: Base\nname: g\nattributes: [a, a]\n",
	} {
		f.Add([]byte(seed))
	}
	base := validSource + "connectorFiles: [d.jar]\n"
	dir := f.TempDir()
	write(f, dir, map[string]string{
		"base.yaml":    base,
		"t.csv":        "id,name\n",
		"d.jar":        "jar",
		"x.xml":        "<!DOCTYPE Form PUBLIC \"sailpoint.dtd\" \"sailpoint.dtd\">\n<Form><Field name=\"a\"/></Form>\n",
		"m.properties": "a=b\nc: d\n",
	})
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		files := []yamlFile{
			{rel: "base.yaml", path: filepath.Join(root, "base.yaml"), content: []byte(base)},
			{rel: "fuzz.yaml", path: filepath.Join(root, "fuzz.yaml"), content: append([]byte{}, data...)},
		}
		repo, _, err := newLoader(context.Background(), root).load(dir, files)
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
