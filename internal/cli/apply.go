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
	"github.com/sailsync/sailsync/internal/render"
	isync "github.com/sailsync/sailsync/sync"
)

// applyOptions are the options of `sailsync apply`.
type applyOptions struct {
	Dir           string
	PlanFile      string
	AutoApprove   bool
	RotateSecrets bool
	AllowDelete   bool
	// Verify runs each written source's connection test after the writes.
	Verify bool
	Output string
	Conn   connOptions
	Scope  scopeOptions

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
		Use:   "apply [DIR]",
		Short: "Apply the plan to the tenant in dependency order (exit 0 only if everything planned was done)",
		Example: `  sailsync apply examples/acme --emulator            # plan, confirm on the terminal, apply
  sailsync apply sailsync --auto-approve -o github   # in CI (no terminal to confirm on)
  sailsync apply --plan plan.json                    # exactly the plan saved by 'sailsync plan --out plan.json'
  sailsync apply . --source 'HR Database' --verify   # only that source and what it depends on, then its connection test`,
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
	completeKinds(cmd)
	f.BoolVar(&opts.Verify, "verify", false, "after the writes, run the tenant's connection test (test-configuration) of every source created or updated; a failed test fails the apply (nothing is rolled back)")
	f.BoolVar(&opts.AllowDelete, "allow-delete", false, "carry out the plan's deletes (tombstones) without asking; required for deletes without a terminal")
	bindOutput(cmd, &opts.Output, render.HasApply)
	opts.Conn.bind(f, d)
	return cmd
}

func runApply(ctx context.Context, opts *applyOptions) error {
	format, err := render.Lookup(opts.Output, render.HasApply)
	if err != nil {
		return err
	}
	if !opts.AutoApprove && !opts.interactive {
		return errors.New("refusing to apply without confirmation: there is no terminal to ask on; pass --auto-approve")
	}
	var (
		repo *config.Repo
		plan *diff.Plan
		sess *session
	)
	fail := func(err error) error {
		return reportFailure(opts.Conn.deps, opts.stdout, format, "apply", opts.Dir, err)
	}
	if opts.PlanFile != "" {
		repo, plan, sess, err = opts.savedPlan(ctx)
	} else {
		repo, plan, sess, err = computePlan(ctx, planRequest{Dir: opts.Dir, Conn: &opts.Conn, RotateSecrets: opts.RotateSecrets, Scope: &opts.Scope, stderr: opts.stderr})
	}
	if err != nil {
		return fail(err)
	}
	defer sess.close()
	if opts.Verify {
		plan.APICalls += isync.VerifyCalls(plan)
	}

	out := render.Applied{Plan: displayPlan(plan, opts.Dir)}
	if format.ApplyPlan != nil {
		if err := format.ApplyPlan(opts.stdout, out.Plan, diff.TextOptions{Color: opts.Conn.deps.useColor(opts.stdout, opts.Conn.NoColor), RateLimit: sess.rate}); err != nil {
			return err
		}
	}
	finish := func(out render.Applied, err error) error { return opts.finish(format, out, err) }
	if len(plan.Violations) > 0 {
		return finish(out, isync.ErrViolations)
	}
	if !plan.HasChanges() {
		return finish(out, nil)
	}
	if !opts.AutoApprove {
		fmt.Fprintf(opts.stderr, "\nApply these changes to tenant %s? Only 'yes' is accepted: ", diff.TextEscape(plan.Tenant))
		if opts.answer() != "yes" {
			return finish(out, errors.New("apply cancelled: nothing was sent"))
		}
	}
	deletes, err := opts.confirmDeletes(plan)
	if err != nil {
		return finish(out, err)
	}
	var created func(isync.Created)
	if hasCreates(plan) {
		// Opened before anything is sent: a create that no record would keep is not started.
		j, err := openJournal(opts.Conn.deps.journalPath(repo.Dir), sess.client.Tenant(), opts.Conn.deps.now)
		if err != nil {
			return finish(out, err)
		}
		defer j.close()
		created = func(c isync.Created) {
			if err := j.record(c); err != nil {
				fmt.Fprintf(opts.stderr, "sailsync: warning: %s; %s %q was created as %q\n", diff.TextEscape(err.Error()), c.Kind, diff.TextEscape(c.Name), diff.TextEscape(c.ID))
			}
		}
	}
	every := opts.progressEvery
	if every == 0 {
		every = progressEvery
	}
	progress := newApplyProgress(opts.Conn.notes(opts.stderr), opts.Conn.deps.fancyTerminal(opts.stderr) && !opts.Conn.Quiet, plan, every, opts.Conn.deps.now)
	aopts := isync.ApplyOptions{Parallelism: opts.Conn.Parallelism, Dir: opts.Dir, Env: sess.env, Progress: progress.result, Deletes: deletes, Created: created, Verify: opts.Verify}
	report, err := isync.Apply(ctx, sess.client, repo, plan, aopts)
	progress.stop()
	if err != nil {
		return finish(out, err)
	}
	out.Report = report
	if !report.OK() {
		if ctx.Err() != nil && report.Count(isync.StatusFailed) == 0 {
			// Interrupted, nothing failed: there is nothing to fix, only work left to do.
			return finish(out, exitWith(exitFailure, fmt.Errorf("stopped: %d done, %d not started; run apply again to finish",
				report.Count(isync.StatusDone), len(report.Results)-report.Count(isync.StatusDone))))
		}
		if n := report.VerifyFailed(); n > 0 && report.Count(isync.StatusDone) == len(report.Results) {
			return finish(out, exitWith(exitFailure, fmt.Errorf("everything planned was done, but %s failed its connection test: fix the connection settings and apply again (nothing was rolled back)", plural(n, "source"))))
		}
		return finish(out, exitWith(exitFailure, errors.New("not everything planned was done; fix the failures and run apply again")))
	}
	return finish(out, nil)
}

// finish writes apply's outcome in format (the report; the JSON document; github annotations or
// markdown, each also to the step summary) and turns err into the exit status.
func (opts *applyOptions) finish(format render.Format, out render.Applied, err error) error {
	if err != nil {
		out.Error = err.Error()
		out.Failure = err
		var ec *exitError
		if errors.As(err, &ec) && ec.err == nil {
			out.Failure = nil // the report says what failed; only the exit status is left
		}
	}
	if rerr := format.Apply(opts.stdout, out, stepSummary(opts.Conn.deps, format, opts.stdout, opts.stderr)); rerr != nil {
		return rerr
	}
	// A plain error already maps to exitFailure with its message (exitStatus).
	return err
}

// hasCreates reports whether the plan creates anything, which the journal must then record.
func hasCreates(plan *diff.Plan) bool {
	for _, c := range plan.Changes {
		if c.Action == diff.ActionCreate {
			return true
		}
	}
	return false
}
