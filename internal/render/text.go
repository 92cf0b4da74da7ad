package render

import (
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
)

// textFormat is for a person at a terminal: the plan with colour when it is one, and errors
// left to main's line on stderr.
var textFormat = Format{
	Name:   "text",
	Escape: diff.TextEscape,
	Plan: func(w io.Writer, p *diff.Plan, o diff.TextOptions, _ Summary) error {
		return diff.RenderText(w, p, o)
	},
	ApplyPlan: diff.RenderText,
	Apply: func(w io.Writer, a Applied, _ Summary) error {
		if a.Report == nil {
			return nil
		}
		fmt.Fprintln(w, "\nApply report:")
		for _, r := range a.Report.Results {
			fmt.Fprintln(w, "  "+ReportLine(r))
		}
		_, err := fmt.Fprintln(w, reportTotals(a.Report))
		return err
	},
	Failure:    func(io.Writer, Failure, Summary) error { return nil },
	Validation: validationText,
}

// validationText writes one problem a line on stdout, and the warnings and a one-line summary
// on stderr, so that stdout stays the list of problems.
func validationText(stdout, stderr io.Writer, v Validation) error {
	for _, p := range v.Problems {
		fmt.Fprintf(stdout, "%s:%d:%d: %s\n", diff.TextEscape(p.File), p.Line, p.Col, diff.TextEscape(p.Message))
	}
	for _, p := range v.Warnings {
		fmt.Fprintf(stderr, "%s:%d:%d: warning: %s\n", diff.TextEscape(p.File), p.Line, p.Col, diff.TextEscape(p.Message))
	}
	warned := ""
	if len(v.Warnings) > 0 {
		warned = " (" + plural(len(v.Warnings), "warning") + ")"
	}
	if len(v.Problems) > 0 {
		_, err := fmt.Fprintf(stderr, "%s: %s%s\n", diff.TextEscape(v.Dir), plural(len(v.Problems), "problem"), warned)
		return err
	}
	// Tombstones are counted apart: they declare what must not exist.
	declared, tombstones := map[config.Kind]int{}, 0
	for _, o := range v.Repo.Objects() {
		if o.Absent {
			tombstones++
		} else {
			declared[o.Kind]++
		}
	}
	counts := make([]string, 0, len(config.UserKinds())+1)
	for _, k := range config.UserKinds() {
		counts = append(counts, plural(declared[k], countNoun(k)))
	}
	if tombstones > 0 {
		counts = append(counts, plural(tombstones, "tombstone"))
	}
	_, err := fmt.Fprintf(stderr, "%s: valid: %s%s\n", diff.TextEscape(v.Dir), strings.Join(counts, ", "), warned)
	return err
}

// countNoun is a kind in words for the text summary: EntitlementSchema → entitlement schema.
func countNoun(k config.Kind) string {
	var b strings.Builder
	for i, r := range string(k) {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
