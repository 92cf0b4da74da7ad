package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/sailsync/sailsync/diff"
)

// driftOptions are the options of `sailsync drift`.
type driftOptions struct {
	Dir    string
	Output string
	Conn   connOptions
	Scope  scopeOptions

	stdout, stderr io.Writer
}

func newDriftCmd() *cobra.Command {
	opts := &driftOptions{}
	cmd := &cobra.Command{
		Use:               "drift [DIR]",
		Short:             "Report what changed in the tenant behind Git's back, and unmanaged sources (exit 0 in sync, 2 drift, 1 error)",
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: completeDir,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = dirArg(args)
			opts.stdout, opts.stderr = cmd.OutOrStdout(), cmd.ErrOrStderr()
			return runDrift(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "text", "text, json, markdown or github")
	completeOutput(cmd, "text", "json", "markdown", "github")
	opts.Scope.bind(cmd.Flags(), false)
	opts.Conn.bind(cmd.Flags())
	return cmd
}

func runDrift(ctx context.Context, opts *driftOptions) error {
	if err := checkOutput(opts.Output, "text", "json", "markdown", "github"); err != nil {
		return err
	}
	_, plan, sess, err := computePlan(ctx, planRequest{Dir: opts.Dir, Conn: &opts.Conn, Drift: true, Scope: &opts.Scope, stderr: opts.stderr})
	if err != nil {
		return reportFailure(opts.stdout, opts.Output, "drift", opts.Dir, err)
	}
	defer sess.close()
	if err := renderPlan(opts.stdout, displayPlan(plan, opts.Dir), opts.Output, diff.TextOptions{Color: useColor(opts.stdout), Drift: true, RateLimit: sess.rate}); err != nil {
		return err
	}
	if hasChanges(plan) || len(plan.Violations) > 0 {
		return &exitCode{code: 2}
	}
	return nil
}
