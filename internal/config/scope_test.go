package config

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// linkTo marks a test file as a symbolic link to the rest of its content.
const linkTo = "@link:"

// writeFiles writes files (slash paths; a content starting with linkTo is a symbolic link)
// under dir, replacing what is there.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for rel, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.RemoveAll(p); err != nil {
			t.Fatal(err)
		}
		var err error
		if to, ok := strings.CutPrefix(content, linkTo); ok {
			err = os.Symlink(to, p)
		} else {
			err = os.WriteFile(p, []byte(content), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func gitIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

const (
	testSource = "kind: Source\nname: S\nowner: {type: IDENTITY, id: 2c91808568c529c60168cca6f90c1313, name: A}\nconnector: delimited-file\n"
	testSchema = "kind: EntitlementSchema\nsource: S\nname: group\ntemplate: group.csv\n"
	twoTrans   = "kind: Transform\nname: A\ntype: lower\nattributes: {input: x}\n---\nkind: Transform\nname: B\ntype: lower\nattributes: {input: x}\n"
	connector  = "kind: Connector\nname: C\nclassName: sailpoint.connector.OpenConnectorAdapter\ntype: C\nsourceConfig: b/source-config.xml\n"
)

// TestChangedSinceReads: --changed-since maps a changed file to what the load read it for, by
// every path a change to it shows under in git: the file a linked YAML file leads to (compared
// document by document), each link on the way, a file read only as the commit had it (renamed
// or deleted), a YAML file that is also a connector file, a file git ignores; a link at the
// commit is not read as YAML; an emptied directory is no error. Each row failed before:
// widening to every object, erring, or (the connector file, the link, the ignored files)
// leaving a changed object out of the scope.
func TestChangedSinceReads(t *testing.T) {
	for _, tc := range []struct {
		name    string
		base    map[string]string
		edit    map[string]string // written after the commit
		remove  []string          // removed after the commit
		stage   bool              // git add -A after the edit
		keys    []string
		all     bool
		removed []string
	}{
		{
			name:   "template renamed",
			base:   map[string]string{"s.yaml": testSource, "schemas/g.yaml": testSchema, "schemas/group.csv": "id,name\n"},
			edit:   map[string]string{"schemas/g.yaml": strings.Replace(testSchema, "group.csv", "groups.csv", 1), "schemas/groups.csv": "id,name\n"},
			remove: []string{"schemas/group.csv"},
			keys:   []string{"EntitlementSchema/S/group"},
		},
		{
			name:   "template deleted for attributes",
			base:   map[string]string{"s.yaml": testSource, "schemas/g.yaml": testSchema, "schemas/group.csv": "id,name\n"},
			edit:   map[string]string{"schemas/g.yaml": strings.Replace(testSchema, "template: group.csv", "attributes: [id, name]", 1)},
			remove: []string{"schemas/group.csv"},
			keys:   []string{"EntitlementSchema/S/group"},
		},
		{
			name: "the target of a linked YAML file in a hidden directory",
			base: map[string]string{"transforms/t.yaml": linkTo + "../.shared/t.yaml", ".shared/t.yaml": twoTrans},
			edit: map[string]string{".shared/t.yaml": strings.Replace(twoTrans, "name: B\ntype: lower", "name: B\ntype: upper", 1)},
			keys: []string{"Transform/B"},
		},
		{
			name: "a document moved out of a linked file",
			base: map[string]string{"transforms/t.yaml": linkTo + "../.shared/t.yaml", ".shared/t.yaml": twoTrans},
			edit: map[string]string{".shared/t.yaml": strings.SplitAfter(twoTrans, "---\n")[0], "transforms/b.yaml": strings.SplitAfter(twoTrans, "---\n")[1]},
			keys: []string{"Transform/B"},
		},
		{
			name: "a template link retargeted",
			base: map[string]string{"s.yaml": testSource, "schemas/g.yaml": testSchema, "schemas/group.csv": linkTo + "../.shared/group.csv", ".shared/group.csv": "id,name\n"},
			edit: map[string]string{"schemas/group.csv": linkTo + "../.shared/g2.csv", ".shared/g2.csv": "id,name,owner\n"},
			keys: []string{"EntitlementSchema/S/group"},
		},
		{
			name: "a directory link on the way to a bundle retargeted",
			base: map[string]string{"connectors/c.yaml": connector, "connectors/b": linkTo + "../.bundles/b", ".bundles/b/source-config.xml": "<Form/>\n"},
			edit: map[string]string{"connectors/b": linkTo + "../.bundles/b2", ".bundles/b2/source-config.xml": "<Form name=\"x\"/>\n"},
			keys: []string{"Connector/C"},
		},
		{
			name: "a YAML file that is also a connector file",
			base: map[string]string{"s.yaml": testSource + "connectorFiles: [transforms/t.yaml]\n", "transforms/t.yaml": twoTrans},
			edit: map[string]string{"transforms/t.yaml": strings.Replace(twoTrans, "name: A\ntype: lower", "name: A\ntype: upper", 1)},
			keys: []string{"Source/S", "Transform/A"},
		},
		{
			// The commit's link text is a YAML document; what the loader read through the link
			// was another. Taking the text for the content planned "no change" for T.
			name: "a link replaced by the document its text spells",
			base: map[string]string{"t.yaml": linkTo + "{kind: Transform, name: T, type: lower, attributes: {input: x}}",
				"{kind: Transform, name: T, type: lower, attributes: {input: x}}": "kind: Transform\nname: T\ntype: upper\nattributes: {input: x}\n"},
			edit: map[string]string{"t.yaml": "{kind: Transform, name: T, type: lower, attributes: {input: x}}"},
			keys: []string{"Transform/T"},
		},
		{
			name: "the settings file a link into a hidden directory",
			base: map[string]string{"sailsync.yaml": linkTo + ".config/sailsync.yaml", ".config/sailsync.yaml": "# none yet\n", "transforms/t.yaml": twoTrans},
			edit: map[string]string{".config/sailsync.yaml": "# none yet, still\n"},
			all:  true,
		},
		{
			name: "a file git ignores",
			base: map[string]string{".gitignore": "local.yaml\n", "transforms/t.yaml": twoTrans},
			edit: map[string]string{"transforms/local.yaml": "kind: Transform\nname: C\ntype: lower\nattributes: {input: x}\n"},
			keys: []string{"Transform/C"},
		},
		{
			name: "a directory git ignores",
			base: map[string]string{".gitignore": "local/\n", "transforms/t.yaml": twoTrans},
			edit: map[string]string{"local/c.yaml": "kind: Transform\nname: C\ntype: lower\nattributes: {input: x}\n", "local/d.csv": "x\n"},
			keys: []string{"Transform/C"},
		},
		{
			name:    "every file deleted",
			base:    map[string]string{"transforms/t.yaml": twoTrans},
			remove:  []string{"transforms/t.yaml"},
			stage:   true,
			removed: []string{"Transform/A", "Transform/B"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			top := t.TempDir()
			dir := filepath.Join(top, "repo")
			writeFiles(t, dir, tc.base)
			gitIn(t, top, "init", "-q", "-b", "main")
			gitIn(t, top, "add", "-A")
			gitIn(t, top, "commit", "-q", "-m", "base")
			writeFiles(t, dir, tc.edit)
			for _, rel := range tc.remove {
				if err := os.Remove(filepath.Join(dir, filepath.FromSlash(rel))); err != nil {
					t.Fatal(err)
				}
			}
			if tc.stage {
				gitIn(t, top, "add", "-A")
			}
			repo, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			ch, err := ChangedSince(repo, "HEAD")
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for k := range ch.Keys {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			var removed []string
			for _, r := range ch.Removed {
				removed = append(removed, ObjectKey(r.Kind, r.Source, r.Name))
			}
			if !tc.all && !slices.Equal(keys, tc.keys) || ch.All != tc.all || len(ch.Widened) != 0 || !slices.Equal(removed, tc.removed) {
				t.Errorf("keys %q all %v widened %q removed %q; want keys %q all %v, nothing widened, removed %q",
					keys, ch.All, ch.Widened, removed, tc.keys, tc.all, tc.removed)
			}
		})
	}
}
