package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/render"
)

var update = flag.Bool("update", false, "rewrite golden files")

// brokenDir holds one broken config repository per problem class; goldenDir the exact output of
// `sailsync validate` on each.
const (
	brokenDir = "internal/config/testdata/broken"
	goldenDir = "internal/config/testdata/golden"
)

func validateOutput(t *testing.T, dir, output string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := runValidate(context.Background(), validateOptions{Dir: dir, Output: output, Stdout: &out, Stderr: &errOut, deps: testDeps(t, nil, nil, nil)})
	code, msg := exitStatus(err)
	errOut.WriteString(msg)
	return out.String(), errOut.String(), code
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	compareGolden(t, goldenDir, name, got)
}

// compareGolden compares got with dir/name, or rewrites that file with -update.
func compareGolden(t *testing.T, dir, name, got string) {
	t.Helper()
	golden := filepath.Join(dir, name)
	if *update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it)\n--- got\n%s--- want\n%s", golden, got, want)
	}
}

// TestValidateBrokenGolden runs validate on every broken repository and compares its exact
// problem lines with the golden file; every one must exit 1.
func TestValidateBrokenGolden(t *testing.T) {
	t.Parallel()
	entries, err := os.ReadDir(brokenDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 15 {
		t.Fatalf("only %d broken repositories in %s", len(entries), brokenDir)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			stdout, stderr, code := validateOutput(t, filepath.ToSlash(filepath.Join(brokenDir, e.Name())), "text")
			if code != exitFailure {
				t.Errorf("exit code %d, want 1 (stderr %q)", code, stderr)
			}
			if stdout == "" {
				t.Error("no problems printed")
			}
			for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
				if !strings.HasPrefix(line, brokenDir+"/"+e.Name()+"/") {
					t.Errorf("line does not start with the file's path: %q", line)
				}
			}
			checkGolden(t, e.Name()+".txt", stdout)
		})
	}
}

func TestValidateExamples(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{"examples/acme", "examples/acme-immutable"} {
		stdout, stderr, code := validateOutput(t, dir, "text")
		if code != exitOK || stdout != "" {
			t.Errorf("validate %s: exit %d, stdout %q, stderr %q", dir, code, stdout, stderr)
		}
		if !strings.Contains(stderr, "valid") {
			t.Errorf("validate %s: no summary on stderr: %q", dir, stderr)
		}
	}
}

func TestValidateOutputs(t *testing.T) {
	t.Parallel()
	dir := brokenDir + "/schema-violations"
	stdout, _, code := validateOutput(t, dir, "github")
	if code != exitFailure {
		t.Errorf("github: exit %d", code)
	}
	checkGolden(t, "schema-violations.github", stdout)

	stdout, _, code = validateOutput(t, dir, "json")
	if code != exitFailure {
		t.Errorf("json: exit %d", code)
	}
	var rep render.ValidateJSON
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("json output: %v\n%s", err, stdout)
	}
	text, _, _ := validateOutput(t, dir, "text")
	if rep.Valid || len(rep.Problems) != strings.Count(text, "\n") {
		t.Errorf("json: valid=%v with %d problems; text has %d lines", rep.Valid, len(rep.Problems), strings.Count(text, "\n"))
	}
	first := rep.Problems[0]
	if want := strings.SplitN(text, "\n", 2)[0]; want != first.File+":"+itoa(first.Line)+":"+itoa(first.Col)+": "+first.Message {
		t.Errorf("json first problem %+v does not match text line %q", first, want)
	}

	stdout, _, code = validateOutput(t, "examples/acme", "json")
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || code != exitOK || !rep.Valid || rep.Objects == nil || rep.Objects["sources"] != 3 || len(rep.Hash) != 64 {
		t.Errorf("json on examples/acme: exit %d, err %v, report %+v", code, err, rep)
	}

	// Unreadable: exit 1 in every format.
	for _, o := range []string{"text", "json", "github"} {
		if _, _, code := validateOutput(t, filepath.Join(t.TempDir(), "missing"), o); code != exitFailure {
			t.Errorf("%s on a missing directory: exit %d, want 1", o, code)
		}
	}
	if err := runValidate(context.Background(), validateOptions{Dir: ".", Output: "yaml", Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, deps: testDeps(t, nil, nil, nil)}); err == nil {
		t.Error("--output yaml accepted")
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestSchemaCommand(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"", "Source", "connector", "EntitlementSchema"} {
		var out bytes.Buffer
		if err := runSchema(context.Background(), schemaOptions{Kind: kind, Stdout: &out}); err != nil {
			t.Fatalf("schema %q: %v", kind, err)
		}
		var v map[string]any
		if err := json.Unmarshal(out.Bytes(), &v); err != nil {
			t.Fatalf("schema %q: not JSON: %v", kind, err)
		}
		if v["$schema"] == nil {
			t.Errorf("schema %q: no $schema", kind)
		}
	}
	if err := runSchema(context.Background(), schemaOptions{Kind: "Sorce", Stdout: &bytes.Buffer{}}); err == nil {
		t.Error("unknown kind accepted")
	}
}

// TestEmptyRepositoryIsAnError: a directory that declares no objects (a mistyped directory: in
// CI) fails validate, plan, drift and apply with an error naming it, in every output, and sends
// nothing; --allow-empty accepts it.
func TestEmptyRepositoryIsAnError(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	// Only settings and a YAML file without documents: still nothing declared.
	if err := os.WriteFile(filepath.Join(dir, "sailsync.yaml"), []byte("# settings\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.yaml"), []byte("# nothing yet\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const want = "declares no objects"
	for _, args := range [][]string{
		{"validate", dir}, {"validate", dir, "-o", "json"}, {"validate", dir, "-o", "github"},
		{"plan", dir, "--emulator"}, {"plan", dir, "--emulator", "-o", "json"}, {"plan", dir, "--emulator", "-o", "github"},
		{"drift", dir, "--emulator"}, {"apply", dir, "--emulator", "--auto-approve"},
	} {
		t.Run(strings.Join(args[:1], " ")+" "+strings.Join(args[2:], " "), func(t *testing.T) {
			stdout, stderr, code := runCLI(t, "", args...)
			if code != exitFailure || !strings.Contains(stdout+stderr, want) || !strings.Contains(stdout+stderr, "--allow-empty") {
				t.Errorf("exit %d, want 1 saying %q and naming --allow-empty:\n%s\n%s", code, want, stdout, stderr)
			}
			if strings.Contains(stdout+stderr, "No changes") {
				t.Errorf("an empty repository planned as No changes:\n%s", stdout)
			}
			stdout, stderr, code = runCLI(t, "", append(args, "--allow-empty")...)
			if code != exitOK || strings.Contains(stdout+stderr, want) {
				t.Errorf("--allow-empty: exit %d, want 0:\n%s\n%s", code, stdout, stderr)
			}
		})
	}
}

// TestValidateJSONFormatVersion: validate's JSON carries the format_version of every JSON
// sailsync writes, valid or not.
func TestValidateJSONFormatVersion(t *testing.T) {
	cleanEnv(t)
	for _, dir := range []string{"examples/acme", "examples/acme-immutable", t.TempDir()} {
		stdout, _, _ := runCLI(t, "", "validate", dir, "-o", "json")
		var doc map[string]any
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
			t.Fatalf("%s: %v\n%s", dir, err, stdout)
		}
		if v, ok := doc["format_version"].(float64); !ok || int(v) != diff.FormatVersion {
			t.Errorf("%s: format_version %v, want %d", dir, doc["format_version"], diff.FormatVersion)
		}
	}
}
