package cli

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/sailsync/sailsync/diff"
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
}

func newPlanCmd(d *deps) *cobra.Command {
	opts := &planOptions{}
	cmd := &cobra.Command{
		Use:               "plan [DIR]",
		Short:             "Show what apply would change in the tenant (exit 0 no changes, 2 changes, 1 error or violation)",
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: completeDir,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = dirArg(args)
			opts.stdout, opts.stderr = cmd.OutOrStdout(), cmd.ErrOrStderr()
			return runPlan(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "text", "text, json, markdown or github")
	completeOutput(cmd, "text", "json", "markdown", "github")
	cmd.Flags().StringVar(&opts.Out, "out", "", "write the plan to `FILE` for a later 'apply --plan'")
	cmd.Flags().BoolVar(&opts.RotateSecrets, "rotate-secrets", false, "send declared secrets on update too (they are write-only and never compared)")
	bindBase(cmd, &opts.Base)
	opts.Scope.bind(cmd.Flags(), true)
	opts.Conn.bind(cmd.Flags(), d)
	return cmd
}

func runPlan(ctx context.Context, opts *planOptions) error {
	if err := checkOutput(opts.Output, "text", "json", "markdown", "github"); err != nil {
		return err
	}
	_, plan, sess, err := computePlan(ctx, planRequest{Dir: opts.Dir, Conn: &opts.Conn, RotateSecrets: opts.RotateSecrets, AllowUnsetEnv: true, Base: opts.Base, Scope: &opts.Scope, stderr: opts.stderr})
	if err != nil {
		return reportFailure(opts.Conn.deps, opts.stdout, opts.Output, "plan", opts.Dir, err)
	}
	defer sess.close()
	if err := renderPlan(opts.Conn.deps, opts.stdout, displayPlan(plan, opts.Dir), opts.Output, diff.TextOptions{Color: opts.Conn.deps.useColor(opts.stdout), RateLimit: sess.rate}); err != nil {
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
