package render

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
	isync "github.com/sailsync/sailsync/sync"
)

var update = flag.Bool("update", false, "rewrite golden files")

// hostileName would drive a terminal, a CI log and a markdown comment if printed raw.
const hostileName = "HR\x1b[31m\n::error::forged <b>|x|</b>\u202e"

// TestFormatsTable: every row is complete where every format must be (a name, an escaper, a plan,
// an apply report and a failure), names are unique, and the lists --output is bound from follow
// the table.
func TestFormatsTable(t *testing.T) {
	var names []string
	for _, f := range Formats {
		if f.Name == "" || f.Escape == nil || f.Plan == nil || f.Apply == nil || f.Failure == nil {
			t.Errorf("format %q lacks a name, an escaper or a plan, apply or failure renderer", f.Name)
		}
		if slices.Contains(names, f.Name) {
			t.Errorf("format %q is in the table twice", f.Name)
		}
		names = append(names, f.Name)
	}
	if got := Names(HasPlan); !slices.Equal(got, names) {
		t.Errorf("Names(HasPlan) = %v, want every format %v", got, names)
	}
	if got, want := List(HasValidation), "text, json or github"; got != want {
		t.Errorf("List(HasValidation) = %q, want %q", got, want)
	}
	if _, err := Lookup("markdown", HasValidation); err == nil || err.Error() != `--output "markdown": use text, json or github` {
		t.Errorf("Lookup(markdown) for validate: %v", err)
	}
	if f, err := Lookup("github", HasApply); err != nil || f.Name != "github" {
		t.Errorf("Lookup(github) for apply: %v, %v", f.Name, err)
	}
	if got, want := Help(HasPlan), "text, json, markdown or github (github: workflow annotations)"; got != want {
		t.Errorf("Help(HasPlan) = %q, want %q", got, want)
	}
}

// TestFormatGolden renders, in each format, everything the commands report — an apply that
// failed on one object, a failure with a validation problem, validate's problems — with a
// hostile name in every value, step summary included, against testdata/<format>.golden.
func TestFormatGolden(t *testing.T) {
	body := value.NewObject()
	body.Set("description", "new")
	plan := &diff.Plan{FormatVersion: diff.FormatVersion, Tenant: "acme", RepoHash: "abc", Violations: []diff.Violation{},
		Changes: []diff.Change{
			{Kind: config.KindSource, Name: hostileName, Action: diff.ActionUpdate, File: "sources/hr.yaml", Line: 3,
				Fields: []diff.Field{{Path: "description", Before: "old", After: "new", Line: 4}}, LiveID: "2c91", Op: &diff.Operation{Body: body}},
			{Kind: config.KindTransform, Name: "Lowercase Email", Action: diff.ActionCreate, File: "transforms.yaml", Line: 1,
				Fields: []diff.Field{{Path: "type", After: "lower"}}, Op: &diff.Operation{Body: body}},
		},
		Summary: diff.Summary{Create: 1, Update: 1}, APICalls: 5}
	report := &isync.Report{Results: []isync.Result{
		{Kind: config.KindSource, Name: hostileName, Action: diff.ActionUpdate, Status: isync.StatusFailed, Message: "PUT: 400 " + hostileName},
		{Kind: config.KindTransform, Name: "Lowercase Email", Action: diff.ActionCreate, Status: isync.StatusDone},
	}}
	failed := errors.New("not everything planned was done; fix the failures and run apply again")
	problem := Problem{File: "sources/" + hostileName + ".yaml", Line: 2, Col: 7, Field: "connector", Message: "unknown connector " + hostileName}
	for _, f := range Formats {
		t.Run(f.Name, func(t *testing.T) {
			var out bytes.Buffer
			section := func(title string, render func(w, stderr io.Writer, summary Summary) error) {
				var stdout, stderr, summary bytes.Buffer
				sum := func(r func(io.Writer) error) {
					if err := r(&summary); err != nil {
						t.Fatal(err)
					}
				}
				if err := render(&stdout, &stderr, sum); err != nil {
					t.Fatalf("%s: %v", title, err)
				}
				out.WriteString("=== " + title + "\n" + stdout.String())
				if stderr.Len() > 0 {
					out.WriteString("--- stderr\n" + stderr.String())
				}
				if summary.Len() > 0 {
					out.WriteString("--- step summary\n" + summary.String())
				}
			}
			section("plan", func(w, _ io.Writer, s Summary) error { return f.Plan(w, plan, diff.TextOptions{}, s) })
			section("apply", func(w, _ io.Writer, s Summary) error {
				if f.ApplyPlan != nil {
					if err := f.ApplyPlan(w, plan, diff.TextOptions{}); err != nil {
						return err
					}
				}
				return f.Apply(w, Applied{Plan: plan, Report: report, Error: failed.Error(), Failure: failed}, s)
			})
			section("failure", func(w, _ io.Writer, s Summary) error {
				return f.Failure(w, Failure{Command: "plan", Err: errors.New("examples/acme is not valid: 1 problems"), Problems: []Problem{problem}}, s)
			})
			if f.Validation != nil {
				section("validate", func(w, stderr io.Writer, _ Summary) error {
					return f.Validation(w, stderr, Validation{Dir: "examples/acme", Problems: []Problem{problem}, Warnings: []Problem{problem}})
				})
				if f.CarriesErrors {
					section("validate, unreadable", func(w, stderr io.Writer, _ Summary) error {
						return f.Validation(w, stderr, Validation{Dir: "examples/acme", Err: errors.New("open " + hostileName + ": permission denied")})
					})
				}
			}
			got := out.String()
			if strings.ContainsAny(got, "\x1b\u202e") || strings.Contains(got, "\n::error::forged") {
				t.Errorf("%s output lets a hostile name act:\n%s", f.Name, got)
			}
			golden(t, filepath.Join("testdata", f.Name+".golden"), got)
		})
	}
}

// TestEscapers: each format's escaper leaves no control character and no line start of its own.
func TestEscapers(t *testing.T) {
	for _, f := range Formats {
		got := f.Escape(hostileName)
		if strings.ContainsAny(got, "\x1b\n\u202e") {
			t.Errorf("%s.Escape(%q) = %q", f.Name, hostileName, got)
		}
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the output (run with -update after checking it):\n%s", path, got)
	}
}
