package cli

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/render"
)

// driftOptions are the options of `sailsync drift`.
type driftOptions struct {
	Dir       string
	Output    string
	Base      string
	Unmanaged string
	Conn      connOptions
	Scope     scopeOptions

	stdout, stderr io.Writer
}

func newDriftCmd(d *deps) *cobra.Command {
	opts := &driftOptions{}
	cmd := &cobra.Command{
		Use:   "drift [DIR]",
		Short: "Report what changed in the tenant behind Git's back, and unmanaged objects (exit 0 in sync, 2 drift, 1 error)",
		Long: `Report what changed in the tenant behind Git's back, the tenant's sources and custom connectors
the repository does not declare, and the coverage (managed / all).

With --base REF, each difference is classified against the repository at REF: a pending change
(the repository changed, the tenant did not), tenant drift (the tenant changed), a conflict (both).
Differences that an ignore rule of sailsync.yaml covers are counted, not reported.

Exit status: 0 in sync; 2 drift: any difference without --base, tenant drift or a conflict with
--base, unmanaged objects only with --unmanaged=fail; 1 error.`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: completeDir,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = dirArg(args)
			opts.stdout, opts.stderr = cmd.OutOrStdout(), cmd.ErrOrStderr()
			return runDrift(cmd.Context(), opts)
		},
	}
	bindOutput(cmd, &opts.Output, render.HasPlan)
	bindBase(cmd, &opts.Base)
	cmd.Flags().StringVar(&opts.Unmanaged, "unmanaged", string(diff.UnmanagedReport),
		"unmanaged objects: report (listed, not drift), ignore (counted in the coverage only) or fail (drift)")
	_ = cmd.RegisterFlagCompletionFunc("unmanaged", cobra.FixedCompletions(
		[]string{string(diff.UnmanagedReport), string(diff.UnmanagedIgnore), string(diff.UnmanagedFail)}, cobra.ShellCompDirectiveNoFileComp))
	opts.Scope.bind(cmd.Flags(), false)
	completeKinds(cmd)
	opts.Conn.bind(cmd.Flags(), d)
	opts.Conn.bindRead(cmd.Flags())
	return cmd
}

func runDrift(ctx context.Context, opts *driftOptions) error {
	format, err := render.Lookup(opts.Output, render.HasPlan)
	if err != nil {
		return err
	}
	mode := diff.UnmanagedMode(opts.Unmanaged)
	if err := checkUnmanaged(mode); err != nil {
		return err
	}
	_, plan, sess, err := computePlan(ctx, planRequest{Dir: opts.Dir, Conn: &opts.Conn, Drift: true, AllowUnsetEnv: true, Base: opts.Base, Unmanaged: mode, Scope: &opts.Scope, stderr: opts.stderr})
	if err != nil {
		return reportFailure(opts.Conn.deps, opts.stdout, format, "drift", opts.Dir, err)
	}
	defer sess.close()
	topts := diff.TextOptions{Color: opts.Conn.deps.useColor(opts.stdout, opts.Conn.NoColor), Drift: true, RateLimit: sess.rate}
	if err := format.Plan(opts.stdout, displayPlan(plan, opts.Dir), topts, stepSummary(opts.Conn.deps, format, opts.stdout, opts.stderr)); err != nil {
		return err
	}
	if code := driftStatus(plan, mode); code != exitOK {
		return exitWith(code, nil)
	}
	return nil
}
