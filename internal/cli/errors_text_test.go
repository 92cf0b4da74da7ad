package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/render"
	"github.com/sailsync/sailsync/internal/tenanttest"
)

// TestErrorsPrintLineBreaks: an error of several lines (cobra's suggestions, the list of names
// the tenant does not resolve) is printed with real line breaks, never a literal \n or \t.
func TestErrorsPrintLineBreaks(t *testing.T) {
	cleanEnv(t)
	setSecrets(t)
	dir := tenanttest.CopyDir(t, "examples/acme")
	p := filepath.Join(dir, "sources", "hr-database.yaml")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	owner := "owner: {type: IDENTITY, id: 2c91808568c529c60168cca6f90c1313, name: Amelia Ortiz}"
	if !strings.Contains(string(b), owner) {
		t.Fatalf("%s lacks %q", p, owner)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(b), owner, "owner: {type: IDENTITY, name: Nobody Here}", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"valdate"}, "sailsync: unknown command \"valdate\" for \"sailsync\"\n\nDid you mean this?\n  validate\n"},
		{[]string{"xyzzy"}, "sailsync: unknown command \"xyzzy\" for \"sailsync\"\n"},
		{[]string{"emulator", "extra"}, "sailsync: unknown command \"extra\" for \"sailsync emulator\"\n"},
		{[]string{"plan", dir, "--emulator"}, "sailsync: 1 reference given by name does not resolve to one object of the tenant:\n" +
			"  " + filepath.ToSlash(dir) + "/sources/hr-database.yaml:5:31: Source \"HR Database\" owner: the tenant has no IDENTITY named \"Nobody Here\"\n"},
	} {
		t.Run(strings.Join(tc.args[:1], " "), func(t *testing.T) {
			_, stderr, code := runCLI(t, "", tc.args...)
			if code != exitFailure {
				t.Errorf("exit %d, want %d", code, exitFailure)
			}
			if !strings.HasSuffix(stderr, tc.want) {
				t.Errorf("stderr ends\n%q\nwant\n%q", stderr, tc.want)
			}
			if strings.Contains(stderr, `\n`) || strings.Contains(stderr, `\t`) {
				t.Errorf("stderr holds a literal \\n or \\t:\n%s", stderr)
			}
		})
	}
}

// TestErrorLinesEscapeEachLine: a value holding a line break inside a multi-line error (a file
// name of a pull request) stays on its line, escaped, and starts no workflow command.
func TestErrorLinesEscapeEachLine(t *testing.T) {
	t.Parallel()
	u := diff.UnresolvedName{NamedRef: config.NamedRef{Type: "IDENTITY", Name: "x\n::error::forged"}, Kind: config.KindSource,
		Object: "S", Field: "owner", Pos: config.Pos{File: "evil\n::warning::forged.yaml", Line: 1, Col: 2}}
	err := fmt.Errorf("plan: %w", &diff.UnresolvedNamesError{Names: []diff.UnresolvedName{u}})
	lines := errorLines(err, err.Error())
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "plan: 1 reference given by name") {
		t.Fatalf("lines %q, want the heading (with its prefix) and one name", lines)
	}
	for _, l := range lines {
		if strings.ContainsAny(l, "\n\r") || strings.HasPrefix(strings.TrimSpace(l), "::") {
			t.Errorf("line %q breaks or starts a command", l)
		}
	}
	if !strings.Contains(lines[1], `evil\n::warning::forged.yaml`) {
		t.Errorf("the file name is not escaped in %q", lines[1])
	}
	if got := errorLines(fmt.Errorf("a\nb"), "a\nb"); len(got) != 1 || got[0] != `a\nb` {
		t.Errorf("a plain error with a line break: %q, want one escaped line", got)
	}
}

// TestLocatedFailuresEveryOutput: a failure located in a file (a name the tenant does not
// resolve; a secret apply would send whose variable is unset) names the file relative to the
// working directory, as validate does, in every output: main's line, one ::error annotation on
// its line in github, and a problem in json.
func TestLocatedFailuresEveryOutput(t *testing.T) {
	cleanEnv(t)
	work := t.TempDir()
	repo := filepath.Join(work, "repo")
	if err := os.CopyFS(repo, os.DirFS("examples/acme")); err != nil {
		t.Fatal(err)
	}
	unresolved := filepath.Join(work, "unresolved")
	if err := os.CopyFS(unresolved, os.DirFS("examples/acme")); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(unresolved, "sources", "hr-database.yaml")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	const owner = "owner: {type: IDENTITY, id: 2c91808568c529c60168cca6f90c1313, name: Amelia Ortiz}"
	if err := os.WriteFile(p, []byte(strings.Replace(string(b), owner, "owner: {type: IDENTITY, name: Nobody Here}", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	startTenant(t) // apply's case: a real tenant, where unset secrets get no placeholder
	t.Chdir(work)
	for _, tc := range []struct {
		name string
		args []string
		file string // file:line:col of the problem, relative to work
	}{
		{"unresolved name", []string{"plan", "unresolved", "--emulator"}, "unresolved/sources/hr-database.yaml:5:31"},
		{"unset secret", []string{"apply", "repo", "--auto-approve"}, "repo/sources/acme-hr-cloud.yaml:15:13"},
	} {
		for _, output := range []string{"text", "github", "json"} {
			t.Run(tc.name+" "+output, func(t *testing.T) {
				stdout, stderr, code := runCLI(t, "", append(tc.args, "--output", output)...)
				if code != exitFailure {
					t.Fatalf("exit %d, want 1\n%s%s", code, stdout, stderr)
				}
				if !strings.Contains(stderr, "sailsync: ") || !strings.Contains(stderr, tc.file) {
					t.Errorf("stderr lacks %s:\n%s", tc.file, stderr)
				}
				file, line, _ := strings.Cut(tc.file, ":")
				line, col, _ := strings.Cut(line, ":")
				switch output {
				case "github":
					if want := fmt.Sprintf("::error file=%s,line=%s,col=%s,", file, line, col); !strings.Contains(stdout, want) {
						t.Errorf("no annotation %s…:\n%s", want, stdout)
					}
				case "json":
					var doc render.FailureJSON
					if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
						t.Fatalf("%v:\n%s", err, stdout)
					}
					if len(doc.Problems) == 0 || doc.Problems[0].File != file || fmt.Sprint(doc.Problems[0].Line) != line {
						t.Errorf("problems %+v, want one at %s", doc.Problems, tc.file)
					}
				}
			})
		}
	}
}

// TestSmallMessages: the rough edges of messages a new user hit.
func TestSmallMessages(t *testing.T) {
	cleanEnv(t)
	broken := tenanttest.CopyDir(t, "examples/acme")
	p := filepath.Join(broken, "sources", "hr-database.yaml")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(b), "deleteThreshold: 10", "deleteThreshold: 250", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	tomb := tenanttest.CopyDir(t, "examples/acme")
	if err := os.WriteFile(filepath.Join(tomb, "sources", "old.yaml"), []byte("kind: Source\nname: Old Source\nabsent: true\nreason: retired\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runCLI(t, "", "validate", tomb)
	if want := ": valid: 1 connector, 3 transforms, 3 sources, 2 entitlement schemas, 0 provisioning policies, 1 tombstone\n"; code != exitOK || !strings.HasSuffix(stderr, want) {
		t.Errorf("validate with a tombstone: exit %d, stderr %q, want it to end %q", code, stderr, want)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"one problem, not one problems", []string{"plan", broken, "--emulator"}, "is not valid: 1 problem (run sailsync validate)\n"},
		{"an unknown flag suggests the closest", []string{"plan", "examples/acme", "--rate-limt", "50"}, "sailsync: unknown flag: --rate-limt (did you mean --rate-limit?)\n"},
		{"an unknown flag of validate", []string{"validate", "--alow-empty"}, "sailsync: unknown flag: --alow-empty (did you mean --allow-empty?)\n"},
		{"--base-url with --emulator", []string{"plan", "examples/acme", "--emulator", "--base-url", "https://acme.api.identitynow.com"},
			"sailsync: --base-url https://acme.api.identitynow.com and --emulator do not go together"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := runCLI(t, "", tc.args...)
			if code != exitFailure || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, want 1 with %q:\n%s%s", code, tc.want, stdout, stderr)
			}
		})
	}
}

// TestHelpExamples: plan and apply --help show examples, each a command line whose flags the
// command accepts; the root help names every kind sailsync keeps.
func TestHelpExamples(t *testing.T) {
	root := newRootCmd(testDeps(t, nil, nil, nil))
	for _, name := range []string{"plan", "apply"} {
		cmd, _, err := root.Find([]string{name})
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(cmd.Example, "\n")
		if len(lines) < 3 {
			t.Errorf("%s: %d examples, want several", name, len(lines))
		}
		for _, l := range lines {
			line, _, _ := strings.Cut(l, "#")
			words := strings.Fields(line)
			if len(words) < 2 || words[0] != "sailsync" || words[1] != name {
				t.Errorf("%s: example %q does not run sailsync %s", name, l, name)
				continue
			}
			// Quotes as a shell would remove them: the examples quote only globs and names.
			var args []string
			for _, w := range words[2:] {
				args = append(args, strings.Trim(w, "'"))
			}
			fresh, _, _ := newRootCmd(testDeps(t, nil, nil, nil)).Find([]string{name})
			if err := fresh.ParseFlags(args); err != nil {
				t.Errorf("%s: example %q: %v", name, l, err)
			}
		}
	}
	stdout, _, _ := runCLI(t, "", "--help")
	for _, kind := range []string{"sources", "connectors", "entitlement schemas", "transforms"} {
		if !strings.Contains(stdout, kind) {
			t.Errorf("sailsync --help does not name %s:\n%s", kind, stdout)
		}
	}
}

// TestDidYouMeanScope: a mistyped --kind or --source suggests the closest one.
func TestDidYouMeanScope(t *testing.T) {
	cleanEnv(t)
	for _, tc := range []struct{ flag, value, want string }{
		{"--kind", "Sourse", "--kind Sourse: not a kind (did you mean Source?)"},
		{"--source", "HR Databse", `--source "HR Databse" matches no Source declared in the repository (did you mean "HR Database"?)`},
	} {
		_, stderr, code := runCLI(t, "", "plan", "examples/acme", "--emulator", tc.flag, tc.value)
		if code != exitFailure || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s %s: exit %d, want 1 with %q:\n%s", tc.flag, tc.value, code, tc.want, stderr)
		}
	}
}

// TestKindCompletion: the shell completion offers the kinds as --kind's values (README
// "Commands"), for plan, drift and apply.
func TestKindCompletion(t *testing.T) {
	for _, command := range []string{"plan", "drift", "apply"} {
		stdout, _, code := runCLI(t, "", "__complete", command, "--kind", "")
		if code != exitOK {
			t.Errorf("%s: exit %d", command, code)
		}
		for _, k := range config.UserKinds() {
			if !strings.Contains(stdout, string(k)+"\n") {
				t.Errorf("%s --kind completion lacks %s:\n%s", command, k, stdout)
			}
		}
	}
}

// TestShowPlanFile: show renders a saved plan as plan rendered it (the same objects, fields and
// summary; files relative to the repository, as the plan file keeps them) without a tenant, in
// every format; a missing or foreign file is an error.
func TestShowPlanFile(t *testing.T) {
	cleanEnv(t)
	setSecrets(t)
	file := filepath.Join(t.TempDir(), "plan.json")
	planOut, _, code := runCLI(t, "", "plan", "examples/acme", "--emulator", "--out", file)
	if code != exitChanges {
		t.Fatalf("plan: exit %d", code)
	}
	showOut, stderr, code := runCLI(t, "", "show", file)
	if code != exitOK {
		t.Fatalf("show: exit %d\n%s", code, stderr)
	}
	heads := func(s string) []string {
		var out []string
		for _, l := range strings.Split(s, "\n") {
			if strings.HasPrefix(l, "+ ") || strings.HasPrefix(l, "~ ") || strings.HasPrefix(l, "! ") || strings.HasPrefix(l, "Plan: ") {
				l, _, _ = strings.Cut(l, " (")
				l, _, _ = strings.Cut(l, " Tenant: ")
				out = append(out, l)
			}
		}
		return out
	}
	if p, s := heads(planOut), heads(showOut); len(p) < 5 || strings.Join(p, "\n") != strings.Join(s, "\n") {
		t.Errorf("show's objects and summary differ from plan's:\n%s\n---\n%s", strings.Join(p, "\n"), strings.Join(s, "\n"))
	}
	if !strings.Contains(showOut, "(sources/hr-database.yaml:") {
		t.Errorf("show does not place the objects in their files:\n%s", showOut)
	}
	for _, output := range []string{"json", "markdown", "github"} {
		out, stderr, code := runCLI(t, "", "show", file, "-o", output)
		if code != exitOK || !strings.Contains(out, "Acme HR Cloud") {
			t.Errorf("show -o %s: exit %d\n%s%s", output, code, out, stderr)
		}
	}
	notPlan := filepath.Join(t.TempDir(), "x.json")
	if err := os.WriteFile(notPlan, []byte(`{"valid": true}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{filepath.Join(t.TempDir(), "missing.json"), notPlan} {
		if _, stderr, code := runCLI(t, "", "show", f); code != exitFailure || !strings.Contains(stderr, "plan file") {
			t.Errorf("show %s: exit %d, want 1 naming the plan file:\n%s", f, code, stderr)
		}
	}
}

// TestApplyJSONTotals: apply's JSON carries the totals the text report ends with.
func TestApplyJSONTotals(t *testing.T) {
	cleanEnv(t)
	setSecrets(t)
	stdout, stderr, code := runCLI(t, "", "apply", "examples/acme", "--emulator", "--auto-approve", "-o", "json")
	if code != exitOK {
		t.Fatalf("apply: exit %d\n%s", code, stderr)
	}
	var out render.ApplyJSON
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	if out.Totals == nil || out.Report == nil || *out.Totals != (render.ApplyTotals{Total: len(out.Report.Results), Done: len(out.Report.Results)}) || out.Totals.Total != 8 {
		t.Errorf("totals %+v, want 8 done of 8", out.Totals)
	}
}

// TestQuiet: --quiet leaves the notes (and progress lines) out of stderr, and nothing else:
// stdout is the same plan, and an error is still printed.
func TestQuiet(t *testing.T) {
	cleanEnv(t) // the example's secrets unset: --emulator notes a placeholder for each
	stdout, stderr, code := runCLI(t, "", "plan", "examples/acme", "--emulator")
	if code != exitChanges || !strings.Contains(stderr, "note: ACME_HR_TOKEN is not set") {
		t.Fatalf("plan: exit %d, want 2 with notes:\n%s", code, stderr)
	}
	quietOut, quietErr, code := runCLI(t, "", "plan", "examples/acme", "--emulator", "--quiet")
	if code != exitChanges || quietErr != "" {
		t.Errorf("plan --quiet: exit %d, stderr %q, want 2 and nothing", code, quietErr)
	}
	tenant := regexp.MustCompile(`Tenant: \S+`)
	if tenant.ReplaceAllString(quietOut, "") != tenant.ReplaceAllString(stdout, "") {
		t.Errorf("--quiet changed stdout:\n%s\n---\n%s", stdout, quietOut)
	}
	if _, stderr, code := runCLI(t, "", "plan", "examples/acme-promote", "--emulator", "-q", "--env", "nope"); code != exitFailure || !strings.Contains(stderr, `environment "nope" is not declared`) {
		t.Errorf("plan -q with an error: exit %d, stderr %q", code, stderr)
	}
}
