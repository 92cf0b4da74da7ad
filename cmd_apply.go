package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sailsync/sailsync/config"
	"github.com/sailsync/sailsync/diff"
	isync "github.com/sailsync/sailsync/sync"
)

// applyOptions are the options of `sailsync apply`.
type applyOptions struct {
	Dir           string
	PlanFile      string
	AutoApprove   bool
	RotateSecrets bool
	Output        string
	Conn          connOptions

	stdin          io.Reader
	stdout, stderr io.Writer
	// interactive is true when a person can answer the confirmation prompt.
	interactive bool
}

func newApplyCmd() *cobra.Command {
	opts := &applyOptions{}
	cmd := &cobra.Command{
		Use:   "apply [DIR]",
		Short: "Apply the plan to the tenant in dependency order (exit 0 only if everything planned was done)",
		Args:  cobra.MaximumNArgs(1),
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
	f.StringVarP(&opts.Output, "output", "o", "text", "text or json")
	opts.Conn.bind(f)
	return cmd
}

// applyOutput is the JSON document of `apply --output json`.
type applyOutput struct {
	Plan   *diff.Plan    `json:"plan"`
	Report *isync.Report `json:"report,omitempty"`
	Error  string        `json:"error,omitempty"`
}

func runApply(ctx context.Context, opts *applyOptions) error {
	if err := checkOutput(opts.Output, "text", "json"); err != nil {
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
		// rotate is whether the plan being applied was made with --rotate-secrets.
		rotate bool
	)
	if opts.PlanFile != "" {
		var pf planFile
		repo, pf, sess, err = planFromFile(ctx, planRequest{Dir: opts.Dir, Conn: &opts.Conn, RotateSecrets: opts.RotateSecrets, stderr: opts.stderr}, opts.PlanFile)
		if err != nil {
			return err
		}
		plan, rotate = pf.Plan, pf.RotateSecrets
	} else {
		rotate = opts.RotateSecrets
		repo, plan, sess, err = computePlan(ctx, planRequest{Dir: opts.Dir, Conn: &opts.Conn, RotateSecrets: rotate, stderr: opts.stderr})
		if err != nil {
			return err
		}
	}
	defer sess.close()

	out := applyOutput{Plan: displayPlan(plan, opts.Dir)}
	if opts.Output == "text" {
		if err := diff.RenderText(opts.stdout, out.Plan, diff.TextOptions{Color: useColor(opts.stdout), RateLimit: sess.rate}); err != nil {
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
		fmt.Fprintf(opts.stderr, "\nApply these changes to tenant %s? Only 'yes' is accepted: ", plan.Tenant)
		answer, _ := bufio.NewReader(opts.stdin).ReadString('\n')
		if strings.TrimSpace(answer) != "yes" {
			return opts.finish(out, errors.New("apply cancelled: nothing was sent"))
		}
	}
	aopts := isync.ApplyOptions{Parallelism: opts.Conn.Parallelism, RotateSecrets: rotate, Env: sess.env}
	if opts.Output == "text" && isTerminal(opts.stderr) {
		aopts.Progress = func(r isync.Result) { fmt.Fprintf(opts.stderr, "%s\n", reportLine(r)) }
	}
	report, err := isync.Apply(ctx, sess.client, repo, plan, aopts)
	if err != nil {
		return opts.finish(out, err)
	}
	out.Report = report
	if opts.Output == "text" {
		renderReport(opts.stdout, report)
	}
	if !report.OK() {
		return opts.finish(out, exitWith(exitFailure, errors.New("not everything planned was done; fix the failures and run apply again")))
	}
	return opts.finish(out, nil)
}

// finish writes the JSON document (with --output json) and returns err, the exit status.
func (opts *applyOptions) finish(out applyOutput, err error) error {
	if opts.Output == "json" {
		if err != nil {
			out.Error = err.Error()
		}
		enc := json.NewEncoder(opts.stdout)
		enc.SetIndent("", "  ")
		if encErr := enc.Encode(out); encErr != nil {
			return encErr
		}
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
	return line
}

func renderReport(w io.Writer, rep *isync.Report) {
	fmt.Fprintln(w, "\nApply report:")
	for _, r := range rep.Results {
		fmt.Fprintln(w, "  "+reportLine(r))
	}
	fmt.Fprintf(w, "Apply: %d done, %d failed, %d skipped, %d stale, %d cancelled.\n",
		rep.Count(isync.StatusDone), rep.Count(isync.StatusFailed), rep.Count(isync.StatusSkipped),
		rep.Count(isync.StatusStale), rep.Count(isync.StatusCancelled))
}
