package render

import (
	"bufio"
	"fmt"
	"io"

	"github.com/sailsync/sailsync/diff"
	isync "github.com/sailsync/sailsync/sync"
)

// githubFormat is for a GitHub Actions log: workflow annotations on the files and lines they
// concern, and the markdown rendering in the step summary.
var githubFormat = Format{
	Name:   "github",
	Escape: diff.GitHubData,
	Plan: func(w io.Writer, p *diff.Plan, _ diff.TextOptions, summary Summary) error {
		if err := diff.RenderGitHub(w, p); err != nil {
			return err
		}
		summary.write(func(f io.Writer) error { return diff.RenderMarkdown(f, p) })
		return nil
	},
	// The plan's annotations (violations on their lines) first; apply's follow.
	ApplyPlan: func(w io.Writer, p *diff.Plan, _ diff.TextOptions) error { return diff.RenderGitHub(w, p) },
	Apply:     applyGitHub,
	Failure:   failureGitHub,
	Validation: func(stdout, _ io.Writer, v Validation) error {
		bw := bufio.NewWriter(stdout)
		if v.Err != nil {
			fmt.Fprintf(bw, "::error::%s\n", diff.GitHubData(v.Err.Error()))
		}
		for _, p := range v.Problems {
			fmt.Fprintf(bw, "::error file=%s,line=%d,col=%d::%s\n", diff.GitHubProperty(p.File), p.Line, p.Col, diff.GitHubData(p.Message))
		}
		for _, p := range v.Warnings {
			fmt.Fprintf(bw, "::warning file=%s,line=%d,col=%d::%s\n", diff.GitHubProperty(p.File), p.Line, p.Col, diff.GitHubData(p.Message))
		}
		return bw.Flush()
	},
	CarriesErrors: true,
	Annotates:     true,
	Usage:         "workflow annotations",
}

// applyGitHub writes apply's annotations (what failed, then an ::error per object that was not
// done, capped as diff.WriteAnnotations does), the totals, and the step summary (the plan and the
// report in markdown).
func applyGitHub(w io.Writer, a Applied, summary Summary) error {
	bw := bufio.NewWriter(w)
	var list []diff.Annotation
	if a.Report != nil {
		for _, r := range a.Report.Results {
			if r.Status != isync.StatusDone || r.Verify != nil && !r.Verify.Passed() {
				list = append(list, diff.Annotation{Title: "sailsync apply: " + string(r.Status), Message: ReportLine(r)})
			}
		}
	}
	if a.Failure != nil {
		list = append([]diff.Annotation{{Title: "sailsync apply failed", Message: a.Failure.Error()}}, list...)
	}
	diff.WriteAnnotations(bw, "error", list, "objects not done")
	if a.Report != nil {
		fmt.Fprintln(bw, reportTotals(a.Report))
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	summary.write(func(f io.Writer) error { return applyMarkdown(f, a) })
	return nil
}

// failureGitHub writes ::error annotations, each validation problem on its file and line, and
// the step summary saying what failed.
func failureGitHub(w io.Writer, f Failure, summary Summary) error {
	bw := bufio.NewWriter(w)
	title := "sailsync " + f.Command + " failed"
	var list []diff.Annotation
	for _, p := range f.Problems {
		list = append(list, diff.Annotation{File: p.File, Line: p.Line, Col: p.Col, Title: title, Message: p.Message})
	}
	if len(list) == 0 {
		list = append(list, diff.Annotation{Title: title, Message: f.Err.Error()})
	}
	diff.WriteAnnotations(bw, "error", list, "problems")
	if err := bw.Flush(); err != nil {
		return err
	}
	summary.write(func(w io.Writer) error {
		sw := bufio.NewWriter(w)
		fmt.Fprintf(sw, "## sailsync %s failed\n\n%s\n\n", f.Command, diff.MarkdownEscape(f.Err.Error()))
		for i, p := range f.Problems {
			if i == diff.MaxAnnotations {
				fmt.Fprintf(sw, "- … and %d more problems (run sailsync validate)\n", len(f.Problems)-i)
				break
			}
			fmt.Fprintf(sw, "- <code>%s</code> %s\n", diff.MarkdownEscape(fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)), diff.MarkdownEscape(p.Message))
		}
		return sw.Flush()
	})
	return nil
}
