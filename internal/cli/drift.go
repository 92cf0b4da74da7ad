package cli

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/sailsync/sailsync/diff"
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
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "text", "text, json, markdown or github")
	completeOutput(cmd, "text", "json", "markdown", "github")
	bindBase(cmd, &opts.Base)
	cmd.Flags().StringVar(&opts.Unmanaged, "unmanaged", string(diff.UnmanagedReport),
		"unmanaged objects: report (listed, not drift), ignore (counted in the coverage only) or fail (drift)")
	_ = cmd.RegisterFlagCompletionFunc("unmanaged", cobra.FixedCompletions(
		[]string{string(diff.UnmanagedReport), string(diff.UnmanagedIgnore), string(diff.UnmanagedFail)}, cobra.ShellCompDirectiveNoFileComp))
	opts.Scope.bind(cmd.Flags(), false)
	opts.Conn.bind(cmd.Flags(), d)
	return cmd
}

func runDrift(ctx context.Context, opts *driftOptions) error {
	if err := checkOutput(opts.Output, "text", "json", "markdown", "github"); err != nil {
		return err
	}
	mode := diff.UnmanagedMode(opts.Unmanaged)
	if err := checkUnmanaged(mode); err != nil {
		return err
	}
	_, plan, sess, err := computePlan(ctx, planRequest{Dir: opts.Dir, Conn: &opts.Conn, Drift: true, AllowUnsetEnv: true, Base: opts.Base, Unmanaged: mode, Scope: &opts.Scope, stderr: opts.stderr})
	if err != nil {
		return reportFailure(opts.Conn.deps, opts.stdout, opts.Output, "drift", opts.Dir, err)
	}
	defer sess.close()
	if err := renderPlan(opts.Conn.deps, opts.stdout, displayPlan(plan, opts.Dir), opts.Output, diff.TextOptions{Color: opts.Conn.deps.useColor(opts.stdout), Drift: true, RateLimit: sess.rate}); err != nil {
		return err
	}
	if code := driftStatus(plan, mode); code != exitOK {
		return exitWith(code, nil)
	}
	return nil
}
