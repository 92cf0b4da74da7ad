package cli

import (
	"context"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/render"
)

// planOptions are the options of `sailsync plan`.
type planOptions struct {
	Dir           string
	Output        string
	Out           string
	RotateSecrets bool
	Base          string
	Conn          connOptions
	Scope         scopeOptions

	stdout, stderr io.Writer
	// progressEvery overrides how often the reads report progress without a terminal (tests).
	progressEvery time.Duration
}

func newPlanCmd(d *deps) *cobra.Command {
	opts := &planOptions{}
	cmd := &cobra.Command{
		Use:   "plan [DIR]",
		Short: "Show what apply would change in the tenant (exit 0 no changes, 2 changes, 1 error or violation)",
		Example: `  sailsync plan examples/acme --emulator          # against the built-in emulated tenant
  sailsync plan sailsync --env prod               # a repository with environments (SAIL_BASE_URL and the client in the environment)
  sailsync plan . --source 'HR *' --kind Source   # only some objects
  sailsync plan . --base origin/main -o markdown  # a pull request's plan, classified against its target branch
  sailsync plan . --out plan.json                 # save it for 'sailsync apply --plan plan.json'`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: completeDir,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = dirArg(args)
			opts.stdout, opts.stderr = cmd.OutOrStdout(), cmd.ErrOrStderr()
			return runPlan(cmd.Context(), opts)
		},
	}
	bindOutput(cmd, &opts.Output, render.HasPlan)
	cmd.Flags().StringVar(&opts.Out, "out", "", "write the plan to `FILE` for a later 'apply --plan'")
	cmd.Flags().BoolVar(&opts.RotateSecrets, "rotate-secrets", false, "send declared secrets on update too (they are write-only and never compared)")
	bindBase(cmd, &opts.Base)
	opts.Scope.bind(cmd.Flags(), true)
	completeKinds(cmd)
	opts.Conn.bind(cmd.Flags(), d)
	opts.Conn.bindRead(cmd.Flags())
	return cmd
}

func runPlan(ctx context.Context, opts *planOptions) error {
	format, err := render.Lookup(opts.Output, render.HasPlan)
	if err != nil {
		return err
	}
	_, plan, sess, err := computePlan(ctx, planRequest{Dir: opts.Dir, Conn: &opts.Conn, RotateSecrets: opts.RotateSecrets, AllowUnsetEnv: true, Base: opts.Base, Scope: &opts.Scope, stderr: opts.stderr, progressEvery: opts.progressEvery})
	if err != nil {
		return reportFailure(opts.Conn.deps, opts.stdout, format, "plan", opts.Dir, err)
	}
	defer sess.close()
	topts := diff.TextOptions{Color: opts.Conn.deps.useColor(opts.stdout, opts.Conn.NoColor), RateLimit: sess.rate}
	if err := format.Plan(opts.stdout, displayPlan(plan, opts.Dir), topts, stepSummary(opts.Conn.deps, format, opts.stdout, opts.stderr)); err != nil {
		return err
	}
	if opts.Out != "" {
		if err := writePlanFile(opts.Out, planFile{Plan: plan, RotateSecrets: opts.RotateSecrets}, redactor(ctx)); err != nil {
			return err
		}
	}
	switch {
	case len(plan.Violations) > 0:
		return exitWith(exitFailure, nil)
	case plan.HasChanges():
		return exitWith(exitChanges, nil)
	}
	return nil
}
