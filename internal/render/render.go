// Package render writes what the commands report — plans and drift, apply reports, failures,
// validation problems — in each format of --output. Formats holds one row per format, each giving
// its renderers and its escaper: the CLI binds --output from the table and never names a format,
// so that a format is one file (its row and renderers), one entry in Formats and one golden.
package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	isync "github.com/sailsync/sailsync/sync"
)

// Format is one value of --output. A nil renderer means the format does not offer that output,
// and the commands that need it do not offer the format.
type Format struct {
	// Name is the value of --output.
	Name string
	// Escape makes a value from the repository or the tenant safe to print in the format.
	Escape func(string) string
	// Plan writes the plan of plan or the report of drift.
	Plan func(w io.Writer, p *diff.Plan, o diff.TextOptions, summary Summary) error
	// ApplyPlan writes, before apply asks for confirmation, what the person or the log reads
	// first; nil when the format writes everything with Apply.
	ApplyPlan func(w io.Writer, p *diff.Plan, o diff.TextOptions) error
	// Apply writes the outcome of apply (the plan, what was done, what failed).
	Apply func(w io.Writer, a Applied, summary Summary) error
	// Failure writes a command that failed before it had a plan; main prints the error on
	// stderr either way.
	Failure func(w io.Writer, f Failure, summary Summary) error
	// Validation writes validate's problems and warnings: on stdout the report, on stderr what a
	// person reads beside it.
	Validation func(stdout, stderr io.Writer, v Validation) error
	// Annotates tells whether the format's output is a CI log that takes workflow annotations,
	// where a step summary that cannot be written is reported.
	Annotates bool
	// CarriesErrors tells whether the format's document holds an unreadable repository's error
	// itself, so that validate does not print it on stderr as well.
	CarriesErrors bool
	// Usage says what the format writes, for the flag's help when its name does not ("" then).
	Usage string
}

// Formats is the table of formats, in the order --output's help lists them.
var Formats = []Format{textFormat, jsonFormat, markdownFormat, githubFormat}

// Summary appends what its argument writes to the run's step summary, when the run has one
// (GitHub Actions' $GITHUB_STEP_SUMMARY); nil for none.
type Summary func(render func(io.Writer) error)

func (s Summary) write(render func(io.Writer) error) {
	if s != nil {
		s(render)
	}
}

// Applied is the outcome of apply, as its formats report it.
type Applied struct {
	Plan   *diff.Plan
	Report *isync.Report // nil when nothing was sent
	// Error is the command's error for the JSON document ("" for none); Failure what failed as
	// the report says it, nil when the command only sets the exit status.
	Error   string
	Failure error
}

// Failure is a command that failed before it had a plan.
type Failure struct {
	Command string
	Err     error
	// Problems are the repository's validation problems when that is what failed.
	Problems []Problem
}

// Problem is one validation problem or warning, at a file relative to where the user pointed.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// Validation is what validate found in the repository at Dir.
type Validation struct {
	Dir string
	// Err is the error of a repository that could not be read at all (then nothing else is set).
	Err                error
	Problems, Warnings []Problem
	// Repo is the loaded repository (nil when it has problems), for its hash and counts.
	Repo *config.Repo
}

// Lookup returns the format named name among those offering what has tells, or an error listing
// them.
func Lookup(name string, has func(Format) bool) (Format, error) {
	for _, f := range Formats {
		if f.Name == name && has(f) {
			return f, nil
		}
	}
	return Format{}, fmt.Errorf("--output %q: use %s", name, List(has))
}

// Names returns the names of the formats offering what has tells, in the table's order.
func Names(has func(Format) bool) []string {
	var names []string
	for _, f := range Formats {
		if has(f) {
			names = append(names, f.Name)
		}
	}
	return names
}

// Help is the --output flag's help: the formats offering what has tells, and what those with a
// Usage write.
func Help(has func(Format) bool) string {
	var notes []string
	for _, f := range Formats {
		if has(f) && f.Usage != "" {
			notes = append(notes, f.Name+": "+f.Usage)
		}
	}
	if len(notes) == 0 {
		return List(has)
	}
	return List(has) + " (" + strings.Join(notes, "; ") + ")"
}

// List is Names in words: "text, json or github".
func List(has func(Format) bool) string {
	names := Names(has)
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// The outputs a command needs of a format, for Lookup, Names and List.
var (
	HasPlan       = func(f Format) bool { return f.Plan != nil }
	HasApply      = func(f Format) bool { return f.Apply != nil }
	HasValidation = func(f Format) bool { return f.Validation != nil }
)

// ReportLine is one object's line of an apply report, safe for a terminal (the progress lines
// show it too).
func ReportLine(r isync.Result) string {
	what := fmt.Sprintf("%s %q", r.Kind, r.Name)
	if r.Source != "" {
		what = fmt.Sprintf("%s %q of source %q", r.Kind, r.Name, r.Source)
	}
	line := fmt.Sprintf("%-9s %s (%s)", r.Status, what, r.Action)
	if r.Message != "" {
		line += ": " + r.Message
	}
	if r.Note != "" {
		line += ": " + r.Note
	}
	if v := r.Verify; v != nil {
		if v.Passed() {
			line += fmt.Sprintf("; connection test passed (%d ms)", v.ElapsedMillis)
		} else {
			line += fmt.Sprintf("; connection test %s: %s", v.Status, v.Message)
		}
	}
	return diff.TextEscape(line)
}

// reportTotals is the report's one-line count of each status.
func reportTotals(rep *isync.Report) string {
	line := fmt.Sprintf("Apply: %d done, %d failed, %d skipped, %d stale, %d cancelled.",
		rep.Count(isync.StatusDone), rep.Count(isync.StatusFailed), rep.Count(isync.StatusSkipped),
		rep.Count(isync.StatusStale), rep.Count(isync.StatusCancelled))
	if n := rep.VerifyFailed(); n > 0 {
		line += fmt.Sprintf(" %s failed the connection test.", plural(n, "source"))
	}
	return line
}

func plural(n int, word string) string { return Plural(n, word) }

// Plural is "1 word" or "n words", English plural included: policy → policies.
func Plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %s", n, PluralOf(word))
}

// PluralOf is the plural of an English noun of sailsync's messages: policy → policies.
func PluralOf(word string) string {
	if strings.HasSuffix(word, "y") && !strings.HasSuffix(word, "ey") {
		return word[:len(word)-1] + "ies"
	}
	return word + "s"
}
