package cli

import (
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
	"github.com/sailsync/sailsync/internal/render"
)

// invalidRepo is loadRepo's error for a repository with validation problems: the problems travel
// with it, so that --output github and json can report each one with its file and line.
type invalidRepo struct {
	dir      string
	problems config.Problems
}

// Error names the repository and its first problem.
func (e *invalidRepo) Error() string {
	return fmt.Sprintf("%s is not valid: %s (run sailsync validate)", e.dir, plural(len(e.problems), "problem"))
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

// reportFailure writes err in format (github: ::error annotations, each validation problem on
// its file and line, and the step summary saying what failed; json: a document carrying them)
// and returns err, which main prints on stderr as for text output.
func reportFailure(d *deps, w io.Writer, format render.Format, command, dir string, err error) error {
	f := render.Failure{Command: command, Err: err}
	var inv *invalidRepo
	if errors.As(err, &inv) {
		f.Problems = problemsAt(dir, inv.problems)
	}
	base := filepath.ToSlash(dir)
	var names *diff.UnresolvedNamesError
	if errors.As(err, &names) {
		// Relative to where the user pointed, as validate and the plan show files (the error
		// is this run's own, so its paths are rewritten for every output, main's line included).
		for i := range names.Names {
			u := &names.Names[i]
			u.Pos.File = path.Join(base, u.Pos.File)
			f.Problems = append(f.Problems, render.Problem{File: u.Pos.File, Line: u.Pos.Line, Col: u.Pos.Col, Field: u.Field, Message: u.Problem()})
		}
	}
	var missing *diff.MissingEnvError
	if errors.As(err, &missing) {
		for i := range missing.Missing {
			m := &missing.Missing[i]
			m.Pos.File = path.Join(base, m.Pos.File)
			f.Problems = append(f.Problems, render.Problem{File: m.Pos.File, Line: m.Pos.Line, Col: m.Pos.Col, Field: m.Path,
				Message: fmt.Sprintf("%s %q %s: the environment variable %s is unset or empty, and this plan would send the secret", m.Kind, m.Name, m.Path, m.Var)})
		}
	}
	if werr := format.Failure(w, f, stepSummary(d, format, w, w)); werr != nil {
		return werr
	}
	return err
}

// problemsAt returns problems with their files relative to where the user pointed (dir), as
// editors and GitHub annotations find them.
func problemsAt(dir string, problems config.Problems) []render.Problem {
	base := filepath.ToSlash(dir)
	var out []render.Problem
	for _, p := range problems {
		out = append(out, render.Problem{File: path.Join(base, p.Pos.File), Line: p.Pos.Line, Col: p.Pos.Col, Field: p.Field, Message: p.Message})
	}
	return out
}

// bindOutput binds a command's --output flag to the formats offering what has tells: its help,
// its completion and, through render.Lookup, the values it accepts.
func bindOutput(cmd *cobra.Command, output *string, has func(render.Format) bool) {
	cmd.Flags().StringVarP(output, "output", "o", "text", render.Help(has))
	// The flag is bound just before; registering can only fail for a missing flag.
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(render.Names(has), cobra.ShellCompDirectiveNoFileComp))
}

// stepSummary is the run's step summary for format. One that cannot be written is a warning on
// the format's log when it takes annotations (stdout), else on stderr: the command itself
// succeeded.
func stepSummary(d *deps, format render.Format, stdout, stderr io.Writer) render.Summary {
	warn := stderr
	if format.Annotates {
		warn = stdout
	}
	return func(r func(io.Writer) error) { appendStepSummary(d, warn, r) }
}

// completeDir completes a command's [DIR] argument with directories only.
func completeDir(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return nil, cobra.ShellCompDirectiveFilterDirs
}
