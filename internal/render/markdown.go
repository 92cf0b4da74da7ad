package render

import (
	"bufio"
	"fmt"
	"io"

	"github.com/sailsync/sailsync/diff"
)

// markdownFormat is for a pull-request comment or a step summary; apply's report also goes to
// the step summary.
var markdownFormat = Format{
	Name:   "markdown",
	Escape: diff.MarkdownEscape,
	Plan: func(w io.Writer, p *diff.Plan, _ diff.TextOptions, _ Summary) error {
		return diff.RenderMarkdown(w, p)
	},
	Apply: func(w io.Writer, a Applied, summary Summary) error {
		if err := applyMarkdown(w, a); err != nil {
			return err
		}
		summary.write(func(f io.Writer) error { return applyMarkdown(f, a) })
		return nil
	},
	Failure: func(io.Writer, Failure, Summary) error { return nil },
}

// applyMarkdown writes the plan and the apply report as markdown, every value escaped.
func applyMarkdown(w io.Writer, a Applied) error {
	if err := diff.RenderMarkdown(w, a.Plan); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	fmt.Fprint(bw, "\n## sailsync apply\n\n")
	if a.Failure != nil {
		fmt.Fprintf(bw, "**Apply failed:** %s\n\n", diff.MarkdownEscape(a.Failure.Error()))
	}
	if rep := a.Report; rep != nil && len(rep.Results) > 0 {
		fmt.Fprintf(bw, "**%s**\n\n", diff.MarkdownEscape(reportTotals(rep)))
		fmt.Fprintln(bw, "| Status | Object | Action | Message |")
		fmt.Fprintln(bw, "| --- | --- | --- | --- |")
		for _, r := range rep.Results {
			what := fmt.Sprintf("%s %s", r.Kind, r.Name)
			if r.Source != "" {
				what += " of source " + r.Source
			}
			fmt.Fprintf(bw, "| %s | %s | %s | %s |\n", diff.MarkdownEscape(string(r.Status)), diff.MarkdownEscape(what),
				diff.MarkdownEscape(string(r.Action)), diff.MarkdownEscape(r.Message))
		}
		fmt.Fprintln(bw)
	}
	return bw.Flush()
}
