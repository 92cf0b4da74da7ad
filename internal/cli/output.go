package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/redact"
	isync "github.com/sailsync/sailsync/sync"
)

// invalidRepo is loadRepo's error for a repository with validation problems: the problems travel
// with it, so that --output github and json can report each one with its file and line.
type invalidRepo struct {
	dir      string
	problems config.Problems
}

// Error names the repository and its first problem.
func (e *invalidRepo) Error() string {
	return fmt.Sprintf("%s is not valid: %d problems (run sailsync validate)", e.dir, len(e.problems))
}

// appendStepSummary appends what render writes to $GITHUB_STEP_SUMMARY when it is set. A step
// summary that cannot be written is a warning annotation on w, never a failed command: the plan
// or apply itself succeeded.
func appendStepSummary(d *deps, w io.Writer, render func(io.Writer) error) {
	p := d.getenv("GITHUB_STEP_SUMMARY")
	if p == "" {
		return
	}
	f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err == nil {
		rw := redactorOf(w).Writer(f)
		err = render(rw)
		if ferr := rw.Flush(); err == nil {
			err = ferr
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(w, "::warning title=%s::%s\n", diff.GitHubProperty("sailsync"),
			diff.GitHubData("cannot write the step summary ($GITHUB_STEP_SUMMARY): "+err.Error()))
	}
}

// redactorOf is the redactor of the command's output w: what the command writes elsewhere
// passes the same one.
func redactorOf(w io.Writer) *redact.Set {
	if rw, ok := w.(*redact.Writer); ok {
		return rw.Set()
	}
	return redact.New()
}

// failureJSON is the --output json document of a plan, drift or apply that failed before it had
// a plan: the error, and the validation problems when that is what failed.
type failureJSON struct {
	FormatVersion int             `json:"format_version"`
	Error         string          `json:"error"`
	Problems      []reportProblem `json:"problems"`
}

// reportFailure writes err in the machine formats (github: ::error annotations, each validation
// problem on its file and line, and the step summary saying what failed; json: a document
// carrying them) and returns err, which main prints on stderr as for text output.
func reportFailure(d *deps, w io.Writer, output, command, dir string, err error) error {
	var inv *invalidRepo
	var problems []reportProblem
	if errors.As(err, &inv) {
		base := filepath.ToSlash(dir)
		for _, p := range inv.problems {
			problems = append(problems, reportProblem{File: path.Join(base, p.Pos.File), Line: p.Pos.Line, Col: p.Pos.Col, Field: p.Field, Message: p.Message})
		}
	}
	msg := err.Error()
	switch output {
	case "json":
		doc := failureJSON{FormatVersion: diff.FormatVersion, Error: msg, Problems: problems}
		if doc.Problems == nil {
			doc.Problems = []reportProblem{}
		}
		if werr := writeJSON(w, doc); werr != nil {
			return werr
		}
	case "github":
		bw := bufio.NewWriter(w)
		title := "sailsync " + command + " failed"
		var list []diff.Annotation
		for _, p := range problems {
			list = append(list, diff.Annotation{File: p.File, Line: p.Line, Col: p.Col, Title: title, Message: p.Message})
		}
		if len(list) == 0 {
			list = append(list, diff.Annotation{Title: title, Message: msg})
		}
		diff.WriteAnnotations(bw, "error", list, "problems")
		if werr := bw.Flush(); werr != nil {
			return werr
		}
		appendStepSummary(d, w, func(f io.Writer) error {
			sw := bufio.NewWriter(f)
			fmt.Fprintf(sw, "## sailsync %s failed\n\n%s\n\n", command, diff.MarkdownEscape(msg))
			for i, p := range problems {
				if i == diff.MaxAnnotations {
					fmt.Fprintf(sw, "- … and %d more problems (run sailsync validate)\n", len(problems)-i)
					break
				}
				fmt.Fprintf(sw, "- <code>%s</code> %s\n", diff.MarkdownEscape(fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)), diff.MarkdownEscape(p.Message))
			}
			return sw.Flush()
		})
	}
	return err
}

// renderApplyGitHub writes apply's annotations (what failed, then an ::error per object that was
// not done, capped as diff.WriteAnnotations does), the totals, and the step summary (the plan and
// the report in markdown).
func renderApplyGitHub(d *deps, w io.Writer, plan *diff.Plan, rep *isync.Report, failure error) error {
	bw := bufio.NewWriter(w)
	var list []diff.Annotation
	if rep != nil {
		for _, r := range rep.Results {
			if r.Status != isync.StatusDone {
				list = append(list, diff.Annotation{Title: "sailsync apply: " + string(r.Status), Message: reportLine(r)})
			}
		}
	}
	if failure != nil {
		list = append([]diff.Annotation{{Title: "sailsync apply failed", Message: failure.Error()}}, list...)
	}
	diff.WriteAnnotations(bw, "error", list, "objects not done")
	if rep != nil {
		fmt.Fprintln(bw, reportTotals(rep))
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	appendStepSummary(d, w, func(f io.Writer) error { return renderApplyMarkdown(f, plan, rep, failure) })
	return nil
}

// renderApplyMarkdown writes the plan and the apply report as markdown, every value escaped.
func renderApplyMarkdown(w io.Writer, plan *diff.Plan, rep *isync.Report, failure error) error {
	if err := diff.RenderMarkdown(w, plan); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	fmt.Fprint(bw, "\n## sailsync apply\n\n")
	if failure != nil {
		fmt.Fprintf(bw, "**Apply failed:** %s\n\n", diff.MarkdownEscape(failure.Error()))
	}
	if rep != nil && len(rep.Results) > 0 {
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

// completeOutput offers the values of a command's --output flag to shell completion.
func completeOutput(cmd *cobra.Command, values ...string) {
	// The flag is bound just before; registering can only fail for a missing flag.
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
}

// completeDir completes a command's [DIR] argument with directories only.
func completeDir(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return nil, cobra.ShellCompDirectiveFilterDirs
}
