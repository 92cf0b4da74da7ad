package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// invalidRepo writes a repository with n sources whose deleteThreshold is out of range.
func writeInvalidRepo(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	for i := range n {
		doc := fmt.Sprintf("kind: Source\nname: S%d\nowner: {type: IDENTITY, id: x, name: y}\nconnector: jdbc\ndeleteThreshold: 250\n", i)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("s%02d.yaml", i)), []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestFailureOutput: plan, drift and apply that fail before they have a plan report the failure
// in the machine formats: each validation problem as an ::error on its file and line (at most
// 10) and the step summary saying what failed, or a JSON document carrying the problems; an
// error without a position as one ::error line.
func TestFailureOutput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       func(dir string) []string
		problems   int
		wantStdout []string
		wantErrors int // ::error lines (github)
		wantJSON   int // problems in the JSON document (json)
	}{
		{name: "plan github, 2 problems", problems: 2, args: func(d string) []string { return []string{"plan", d, "--output", "github"} },
			wantStdout: []string{"/s00.yaml,line=5,col=18,title=sailsync plan failed::deleteThreshold: must be between 0 and 100, not 250"}, wantErrors: 2},
		{name: "drift github, 12 problems capped", problems: 12, args: func(d string) []string { return []string{"drift", d, "--output", "github"} },
			wantStdout: []string{"… and 3 more problems, not annotated", "/s11.yaml:5: deleteThreshold"}, wantErrors: 10},
		{name: "apply github", problems: 1, args: func(d string) []string { return []string{"apply", d, "--output", "github", "--auto-approve"} },
			wantStdout: []string{"title=sailsync apply failed::"}, wantErrors: 1},
		{name: "plan json", problems: 3, args: func(d string) []string { return []string{"plan", d, "--output", "json"} }, wantJSON: 3},
		{name: "apply json", problems: 1, args: func(d string) []string { return []string{"apply", d, "--output", "json", "--auto-approve"} }, wantJSON: 1},
		{name: "no tenant: one ::error line", problems: 0, args: func(d string) []string { return []string{"plan", d, "--output", "github"} },
			wantStdout: []string{"::error title=sailsync plan failed::no tenant: set SAIL_BASE_URL"}, wantErrors: 1},
		{name: "no tenant json", problems: 0, args: func(d string) []string { return []string{"drift", d, "--output", "json"} }, wantJSON: 0,
			wantStdout: []string{`"error": "no tenant: set SAIL_BASE_URL`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cleanEnv(t)
			summary := filepath.Join(t.TempDir(), "summary.md")
			setEnv(t, "GITHUB_STEP_SUMMARY", summary)
			dir := "examples/acme"
			if tt.problems > 0 {
				dir = writeInvalidRepo(t, tt.problems)
			}
			stdout, stderr, code := runCLI(t, "", tt.args(dir)...)
			if code != 1 {
				t.Fatalf("exit %d, want 1\nstdout: %s\nstderr: %s", code, stdout, stderr)
			}
			for _, want := range tt.wantStdout {
				if !strings.Contains(stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout)
				}
			}
			format := tt.args(dir)[3]
			if format == "github" {
				if n := strings.Count(stdout, "::error "); n != tt.wantErrors {
					t.Errorf("%d ::error lines, want %d:\n%s", n, tt.wantErrors, stdout)
				}
				sum, err := os.ReadFile(summary)
				if err != nil || !strings.Contains(string(sum), "## sailsync "+tt.args(dir)[0]+" failed") {
					t.Errorf("step summary does not say what failed (%v):\n%s", err, sum)
				}
				return
			}
			var doc struct {
				FormatVersion int    `json:"format_version"`
				Error         string `json:"error"`
				Problems      []struct {
					File    string `json:"file"`
					Line    int    `json:"line"`
					Message string `json:"message"`
				} `json:"problems"`
			}
			if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
				t.Fatalf("not one JSON document: %v\n%s", err, stdout)
			}
			if doc.Error == "" || len(doc.Problems) != tt.wantJSON || doc.FormatVersion == 0 {
				t.Errorf("json: %+v, want an error and %d problems", doc, tt.wantJSON)
			}
			for _, p := range doc.Problems {
				if p.Line != 5 || !strings.HasSuffix(p.File, ".yaml") || !strings.Contains(p.Message, "deleteThreshold") {
					t.Errorf("problem %+v", p)
				}
			}
		})
	}
}

// TestStepSummaryUnwritable: a step summary that cannot be written is a warning; the plan's exit
// status and output are what they would be without it.
func TestStepSummaryUnwritable(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	setSecrets(t)
	setEnv(t, "GITHUB_STEP_SUMMARY", filepath.Join(t.TempDir(), "missing", "summary.md"))
	stdout, stderr, code := runCLI(t, "", "plan", "examples/acme", "--emulator", "--output", "github")
	if code != 2 {
		t.Fatalf("exit %d, want 2 (changes)\nstderr: %s", code, stderr)
	}
	if !strings.Contains(stdout, "::warning title=sailsync::cannot write the step summary") {
		t.Errorf("no warning:\n%s", stdout)
	}
}

// TestApplyStepSummary: apply --output github and markdown write the plan and the report to the
// step summary.
func TestApplyStepSummary(t *testing.T) {
	t.Parallel()
	for _, output := range []string{"github", "markdown"} {
		t.Run(output, func(t *testing.T) {
			t.Parallel()
			applyTenant(t)
			summary := filepath.Join(t.TempDir(), "summary.md")
			setEnv(t, "GITHUB_STEP_SUMMARY", summary)
			stdout, stderr, code := runCLI(t, "", "apply", "examples/acme", "--auto-approve", "--output", output)
			if code != 0 {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
			}
			assertNoSecrets(t, stdout, stderr)
			sum, err := os.ReadFile(summary)
			if err != nil {
				t.Fatal(err)
			}
			assertNoSecrets(t, string(sum))
			for _, want := range []string{"## sailsync plan", "## sailsync apply", "**Apply: 8 done, 0 failed, 0 skipped, 0 stale, 0 cancelled.**",
				"| done | Source Acme HR Cloud | create |  |"} {
				if !strings.Contains(string(sum), want) {
					t.Errorf("step summary lacks %q:\n%s", want, sum)
				}
			}
			if output == "github" && !strings.Contains(stdout, "::notice file=examples/acme/sources/corporate-directory.yaml,line=4,") {
				t.Errorf("no annotation of the update on its changed line:\n%s", stdout)
			}
			if output == "markdown" && !strings.Contains(stdout, "## sailsync apply") {
				t.Errorf("markdown report not on stdout:\n%s", stdout)
			}
		})
	}
}
