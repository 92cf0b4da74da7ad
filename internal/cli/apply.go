package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	isync "github.com/sailsync/sailsync/sync"
)

// applyOptions are the options of `sailsync apply`.
type applyOptions struct {
	Dir           string
	PlanFile      string
	AutoApprove   bool
	RotateSecrets bool
	AllowDelete   bool
	Output        string
	Conn          connOptions
	Scope         scopeOptions

	stdin          io.Reader
	stdout, stderr io.Writer
	// interactive is true when a person can answer the confirmation prompt.
	interactive bool
	// in reads the answers to the prompts, one line each (see answer).
	in *bufio.Reader
	// progressEvery overrides how often an apply without a terminal reports progress (tests).
	progressEvery time.Duration
}

func newApplyCmd(d *deps) *cobra.Command {
	opts := &applyOptions{}
	cmd := &cobra.Command{
		Use:               "apply [DIR]",
		Short:             "Apply the plan to the tenant in dependency order (exit 0 only if everything planned was done)",
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: completeDir,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = dirArg(args)
			opts.stdin, opts.stdout, opts.stderr = cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr()
			opts.interactive = isTerminal(opts.stdin) && isTerminal(opts.stderr)
			return runApply(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.PlanFile, "plan", "", "apply exactly the plan saved in `FILE` by 'plan --out'")
	f.BoolVar(&opts.AutoApprove, "auto-approve", false, "do not ask for confirmation (required without a terminal)")
	f.BoolVar(&opts.RotateSecrets, "rotate-secrets", false, "send declared secrets on update too")
	opts.Scope.bind(f, true)
	f.BoolVar(&opts.AllowDelete, "allow-delete", false, "carry out the plan's deletes (tombstones) without asking; required for deletes without a terminal")
	f.StringVarP(&opts.Output, "output", "o", "text", "text, json, markdown or github (markdown and github also write the report to $GITHUB_STEP_SUMMARY)")
	completeOutput(cmd, "text", "json", "markdown", "github")
	opts.Conn.bind(f, d)
	return cmd
}

// applyOutput is the JSON document of `apply --output json`.
type applyOutput struct {
	Plan   *diff.Plan    `json:"plan"`
	Report *isync.Report `json:"report,omitempty"`
	Error  string        `json:"error,omitempty"`
}

func runApply(ctx context.Context, opts *applyOptions) error {
	if err := checkOutput(opts.Output, "text", "json", "markdown", "github"); err != nil {
		return err
	}
	if !opts.AutoApprove && !opts.interactive {
		return errors.New("refusing to apply without confirmation: there is no terminal to ask on; pass --auto-approve")
	}
	var (
		repo *config.Repo
		plan *diff.Plan
		sess *session
		err  error
	)
	fail := func(err error) error {
		return reportFailure(opts.Conn.deps, opts.stdout, opts.Output, "apply", opts.Dir, err)
	}
	if opts.PlanFile != "" && opts.Scope.set() {
		return fail(errScopeWithPlanFile)
	}
	if opts.PlanFile != "" {
		var pf planFile
		if pf, err = readPlanFile(opts.PlanFile); err != nil {
			return fail(err)
		}
		// The plan decides which secrets are sent, and a flag recorded in it must be given again:
		// a file edited to rotate secrets sends nothing the command line did not ask for.
		if opts.RotateSecrets != pf.RotateSecrets {
			return fail(fmt.Errorf("plan file %s was made %s --rotate-secrets, and apply was run %s it: give apply the flags the plan was made with (or make the plan again)",
				opts.PlanFile, withOrWithout(pf.RotateSecrets), withOrWithout(opts.RotateSecrets)))
		}
		if repo, err = loadRepo(ctx, opts.Dir, opts.stderr); err != nil {
			return fail(err)
		}
		if pf.RepoHash != repo.Hash {
			return fail(fmt.Errorf("plan file %s was made from other repository content than %s: run plan again", opts.PlanFile, opts.Dir))
		}
		if repo, err = checkPlanEnvironment(opts.PlanFile, pf.Plan, repo, &opts.Conn, opts.stderr); err != nil {
			return fail(err)
		}
		if sess, err = opts.Conn.connect(ctx, opts.stderr); err != nil {
			return fail(err)
		}
		// Before any request: a plan is true only of the tenant it was computed against.
		if t := sess.client.Tenant(); pf.Tenant != t {
			sess.close()
			return fail(fmt.Errorf("plan file %s was made against tenant %s, but apply talks to %s: nothing was sent; run plan against %s",
				opts.PlanFile, pf.Tenant, t, t))
		}
		// The file is only a record of what was reviewed: what is sent is recomputed from the
		// repository and the tenant now, and must be exactly what the file holds.
		var scope *config.Scope
		if pf.Scope != nil {
			// A scoped plan is recomputed over its own objects: the rest is neither read nor sent.
			keys := make(map[string]bool, len(pf.Changes))
			for _, c := range pf.Changes {
				keys[c.Key()] = true
			}
			if repo, scope, err = repo.Scoped(config.Selector{Changed: &config.Changes{Keys: keys}}, pf.Scope.Selector); err != nil {
				sess.close()
				return fail(err)
			}
		}
		fresh, err := planWith(ctx, repo, nil, scope, sess, planRequest{Dir: opts.Dir, Conn: &opts.Conn, RotateSecrets: pf.RotateSecrets, stderr: opts.stderr})
		if err != nil {
			sess.close()
			return fail(err)
		}
		if plan, err = diff.Confirm(pf.Plan, fresh); err != nil {
			sess.close()
			return fail(fmt.Errorf("plan file %s: %w: nothing was sent", opts.PlanFile, err))
		}
		plan.APICalls = isync.EstimateCalls(plan)
	} else {
		repo, plan, sess, err = computePlan(ctx, planRequest{Dir: opts.Dir, Conn: &opts.Conn, RotateSecrets: opts.RotateSecrets, Scope: &opts.Scope, stderr: opts.stderr})
		if err != nil {
			return fail(err)
		}
	}
	defer sess.close()

	out := applyOutput{Plan: displayPlan(plan, opts.Dir)}
	switch opts.Output {
	case "text":
		if err := diff.RenderText(opts.stdout, out.Plan, diff.TextOptions{Color: opts.Conn.deps.useColor(opts.stdout), RateLimit: sess.rate}); err != nil {
			return err
		}
	case "github":
		// The plan's annotations (violations on their lines) first; the report follows in finish.
		if err := diff.RenderGitHub(opts.stdout, out.Plan); err != nil {
			return err
		}
	}
	if len(plan.Violations) > 0 {
		return opts.finish(out, isync.ErrViolations)
	}
	if !plan.HasChanges() {
		return opts.finish(out, nil)
	}
	if !opts.AutoApprove {
		fmt.Fprintf(opts.stderr, "\nApply these changes to tenant %s? Only 'yes' is accepted: ", diff.TextEscape(plan.Tenant))
		if opts.answer() != "yes" {
			return opts.finish(out, errors.New("apply cancelled: nothing was sent"))
		}
	}
	if err := opts.confirmDeletes(plan); err != nil {
		return opts.finish(out, err)
	}
	every := opts.progressEvery
	if every == 0 {
		every = progressEvery
	}
	progress := newApplyProgress(opts.stderr, isTerminal(opts.stderr), plan, every, opts.Conn.deps.now)
	aopts := isync.ApplyOptions{Parallelism: opts.Conn.Parallelism, Dir: opts.Dir, Env: sess.env, Progress: progress.result, AllowDelete: opts.AllowDelete}
	report, err := isync.Apply(ctx, sess.client, repo, plan, aopts)
	progress.stop()
	if err != nil {
		return opts.finish(out, err)
	}
	out.Report = report
	if opts.Output == "text" {
		renderReport(opts.stdout, report)
	}
	if !report.OK() {
		if ctx.Err() != nil && report.Count(isync.StatusFailed) == 0 {
			// Interrupted, nothing failed: there is nothing to fix, only work left to do.
			return opts.finish(out, exitWith(exitFailure, fmt.Errorf("stopped: %d done, %d not started; run apply again to finish",
				report.Count(isync.StatusDone), len(report.Results)-report.Count(isync.StatusDone))))
		}
		return opts.finish(out, exitWith(exitFailure, errors.New("not everything planned was done; fix the failures and run apply again")))
	}
	return opts.finish(out, nil)
}

// finish writes the report in the machine formats (the JSON document; github annotations or
// markdown, each also to the step summary) and turns err into the exit status.
func (opts *applyOptions) finish(out applyOutput, err error) error {
	var shown error // what failed, as the report says it
	if err != nil {
		shown = err
		var ec *exitError
		if errors.As(err, &ec) && ec.err == nil {
			shown = nil
		}
	}
	switch opts.Output {
	case "json":
		if err != nil {
			out.Error = err.Error()
		}
		if encErr := writeJSON(opts.stdout, out); encErr != nil {
			return encErr
		}
	case "github":
		if rerr := renderApplyGitHub(opts.Conn.deps, opts.stdout, out.Plan, out.Report, shown); rerr != nil {
			return rerr
		}
	case "markdown":
		if rerr := renderApplyMarkdown(opts.stdout, out.Plan, out.Report, shown); rerr != nil {
			return rerr
		}
		appendStepSummary(opts.Conn.deps, opts.stderr, func(f io.Writer) error { return renderApplyMarkdown(f, out.Plan, out.Report, shown) })
	}
	// A plain error already maps to exitFailure with its message (exitStatus).
	return err
}

func reportLine(r isync.Result) string {
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
	return diff.TextEscape(line)
}

func renderReport(w io.Writer, rep *isync.Report) {
	fmt.Fprintln(w, "\nApply report:")
	for _, r := range rep.Results {
		fmt.Fprintln(w, "  "+reportLine(r))
	}
	fmt.Fprintln(w, reportTotals(rep))
}

// reportTotals is the report's one-line count of each status.
func reportTotals(rep *isync.Report) string {
	return fmt.Sprintf("Apply: %d done, %d failed, %d skipped, %d stale, %d cancelled.",
		rep.Count(isync.StatusDone), rep.Count(isync.StatusFailed), rep.Count(isync.StatusSkipped),
		rep.Count(isync.StatusStale), rep.Count(isync.StatusCancelled))
}

func withOrWithout(b bool) string {
	if b {
		return "with"
	}
	return "without"
}
