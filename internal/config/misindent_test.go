package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMisindentedYAML: a mis-indented line is reported at that line (yaml.v3 names the line its
// block starts at), and a reference to an object of the file that failed to parse is not
// reported as a second problem.
func TestMisindentedYAML(t *testing.T) {
	t.Parallel()
	const source = "kind: Source\nname: HR Database\ndescription: HR\ntype: JDBC\n%sconnector: jdbc\nconnectorClass: sailpoint.connector.JDBCConnector\n"
	const schema = "kind: EntitlementSchema\nsource: HR Database\nname: group\nattributes: [id, name]\n"
	for _, tc := range []struct {
		name, file, want string
	}{
		// yaml.v3 said line 1 (the document's mapping) for this one.
		{"a key indented after a flow mapping", "# HR\nkind: Source\nname: HR Database\nowner: {type: IDENTITY, name: A}\ncluster: {type: CLUSTER, name: B}\n  connector: jdbc\ntype: JDBC\n",
			"sources/hr.yaml:6:3: YAML syntax error: did not find expected key (this line is indented unlike the keys of the block that starts at line 2)"},
		{"a key indented in a nested block after a flow mapping", "kind: Source\nname: HR Database\nconnectorAttributes:\n  url: x\n  pool: {min: 1}\n    user: y\n  driver: d\n",
			"sources/hr.yaml:6:5: YAML syntax error: did not find expected key (this line is indented unlike the keys of the block that starts at line 4)"},
		{"a key indented under a scalar", strings.Replace(source, "%s", "  ", 1), "sources/hr.yaml:5:1: YAML syntax error: mapping values are not allowed in this context"},
		{"a sequence item out of line", "kind: Source\nname: HR Database\nfeatures:\n  - A\n  - B\n - C\n", "sources/hr.yaml:6:2: YAML syntax error: did not find expected key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for p, content := range map[string]string{"sources/hr.yaml": tc.file, "schemas/hr-group.yaml": schema} {
				if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, p), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Load(dir)
			var problems Problems
			if !errors.As(err, &problems) {
				t.Fatalf("Load: %v, want problems", err)
			}
			if len(problems) != 1 || !strings.HasPrefix(problems[0].String(), tc.want) || strings.Contains(problems.Error(), "more problem") {
				t.Errorf("problems:\n%v\nwant one, starting %q", problems, tc.want)
			}
		})
	}
}

// TestProblemsErrorCounts: "and 1 more problem", not "1 more problems".
func TestProblemsErrorCounts(t *testing.T) {
	t.Parallel()
	p := Problem{Pos: Pos{File: "a.yaml", Line: 1, Col: 1}, Message: "x"}
	for n, want := range map[int]string{1: "a.yaml:1:1: x", 2: "a.yaml:1:1: x (and 1 more problem)", 3: "a.yaml:1:1: x (and 2 more problems)"} {
		ps := make(Problems, n)
		for i := range ps {
			ps[i] = p
		}
		if got := ps.Error(); got != want {
			t.Errorf("%d problems: %q, want %q", n, got, want)
		}
	}
}

// TestVarDidYouMean: a ${var:} no environment defines, one edit away from one that is, is
// suggested.
func TestVarDidYouMean(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"sailsync.yaml":   "environments:\n  prod:\n    vars:\n      hrFeedUrl: https://hr.example/feed.csv\n",
		"sources/hr.yaml": "kind: Source\nname: HR\nowner: {type: IDENTITY, id: 2c91808568c529c60168cca6f90c1313, name: Amelia Ortiz}\ntype: DelimitedFile\nconnector: delimited-file\nconnectorClass: sailpoint.connector.DelimitedFileConnector\nconnectorAttributes:\n  feedUrl: ${var:hrFeedURL}\n",
	}
	for p, content := range files {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := Load(dir)
	var problems Problems
	if !errors.As(err, &problems) {
		t.Fatalf("Load: %v, want problems", err)
	}
	found := false
	for _, p := range problems {
		found = found || strings.HasSuffix(p.Message, `${var:hrFeedURL} is not defined in environment "prod" (sailsync.yaml:3) (did you mean ${var:hrFeedUrl}?)`)
	}
	if !found {
		t.Errorf("problems:\n%q\nwant ${var:hrFeedURL} not defined, hrFeedUrl suggested", problems)
	}
}
