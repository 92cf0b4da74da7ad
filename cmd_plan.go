package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/sailsync/sailsync/config"
	"github.com/sailsync/sailsync/diff"
	isync "github.com/sailsync/sailsync/sync"
)

// planOptions are the options of `sailsync plan`.
type planOptions struct {
	Dir           string
	Output        string
	Out           string
	RotateSecrets bool
	Conn          connOptions

	stdout, stderr io.Writer
}

func newPlanCmd() *cobra.Command {
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
	opts.Conn.bind(cmd.Flags())
	return cmd
}

func dirArg(args []string) string {
	if len(args) == 1 {
		return args[0]
	}
	return "."
}

// planRequest is what plan, drift and apply share to compute a plan.
type planRequest struct {
	Dir           string
	Conn          *connOptions
	RotateSecrets bool
	Drift         bool
	stderr        io.Writer
}

// computePlan loads the repository, connects, fetches what it declares and diffs. The session
// is returned open (apply goes on using it); the caller closes it.
func computePlan(ctx context.Context, req planRequest) (*config.Repo, *diff.Plan, *session, error) {
	repo, err := loadRepo(req.Dir, req.stderr)
	if err != nil {
		return nil, nil, nil, err
	}
	if repo, err = req.Conn.bindEnvironment(repo, req.stderr); err != nil {
		return nil, nil, nil, err
	}
	sess, err := req.Conn.connect(ctx, req.stderr)
	if err != nil {
		return nil, nil, nil, err
	}
	fo := isync.FetchOptions{Parallelism: req.Conn.Parallelism, AllSources: req.Drift}
	if isTerminal(req.stderr) {
		fo.Progress = func(done, total int) {
			fmt.Fprintf(req.stderr, "\rReading the tenant: %d/%d requests", done, total)
		}
	}
	live, err := isync.Fetch(ctx, sess.client, repo, fo)
	if fo.Progress != nil {
		fmt.Fprint(req.stderr, "\r\033[K")
	}
	if err != nil {
		sess.close()
		return nil, nil, nil, err
	}
	plan, err := diff.Compute(repo, live, diff.Options{Env: sess.env, RotateSecrets: req.RotateSecrets, Drift: req.Drift, Tenant: sess.client.Tenant(), Environment: repo.Env})
	if err != nil {
		sess.close()
		return nil, nil, nil, err
	}
	plan.APICalls = isync.EstimateCalls(plan)
	return repo, plan, sess, nil
}

// loadRepo loads and validates a repository, printing its problems the way validate does.
func loadRepo(dir string, stderr io.Writer) (*config.Repo, error) {
	repo, err := config.Load(dir)
	var problems config.Problems
	if errors.As(err, &problems) {
		// Relative to where the user pointed, as validate prints them.
		base := filepath.ToSlash(dir)
		for _, p := range problems {
			fmt.Fprintf(stderr, "%s:%d:%d: %s\n", path.Join(base, p.Pos.File), p.Pos.Line, p.Pos.Col, p.Message)
		}
		return nil, &exitCode{code: 1, err: &invalidRepo{dir: dir, problems: problems}}
	}
	return repo, err
}

func runPlan(ctx context.Context, opts *planOptions) error {
	if err := checkOutput(opts.Output, "text", "json", "markdown", "github"); err != nil {
		return err
	}
	_, plan, sess, err := computePlan(ctx, planRequest{Dir: opts.Dir, Conn: &opts.Conn, RotateSecrets: opts.RotateSecrets, stderr: opts.stderr})
	if err != nil {
		return reportFailure(opts.stdout, opts.Output, "plan", opts.Dir, err)
	}
	defer sess.close()
	if err := renderPlan(opts.stdout, displayPlan(plan, opts.Dir), opts.Output, diff.TextOptions{Color: useColor(opts.stdout), RateLimit: sess.rate}); err != nil {
		return err
	}
	if opts.Out != "" {
		if err := writePlanFile(opts.Out, planFile{Plan: plan, RotateSecrets: opts.RotateSecrets}); err != nil {
			return err
		}
	}
	switch {
	case len(plan.Violations) > 0:
		return &exitCode{code: 1}
	case hasChanges(plan):
		return &exitCode{code: 2}
	}
	return nil
}

func checkOutput(got string, allowed ...string) error {
	for _, a := range allowed {
		if got == a {
			return nil
		}
	}
	return fmt.Errorf("--output %q: use one of %v", got, allowed)
}

// renderPlan writes the plan in the chosen format. With github, the markdown rendering also goes
// to $GITHUB_STEP_SUMMARY when that is set, as GitHub Actions shows it on the run's page; a
// summary that cannot be written is a warning, not a failed plan.
func renderPlan(w io.Writer, plan *diff.Plan, output string, topts diff.TextOptions) error {
	switch output {
	case "json":
		return diff.RenderJSON(w, plan)
	case "markdown":
		return diff.RenderMarkdown(w, plan)
	case "github":
		if err := diff.RenderGitHub(w, plan); err != nil {
			return err
		}
		appendStepSummary(w, func(f io.Writer) error { return diff.RenderMarkdown(f, plan) })
		return nil
	default:
		return diff.RenderText(w, plan, topts)
	}
}

// displayPlan returns the plan with file paths relative to where the user pointed rather than to
// the repository root, as validate shows them, so that editors and GitHub annotations find the
// files when the config repository is a subdirectory. Plan files keep repository-relative paths.
func displayPlan(plan *diff.Plan, dir string) *diff.Plan {
	base := filepath.ToSlash(dir)
	if base == "" || base == "." {
		return plan
	}
	p := *plan
	p.Changes = make([]diff.Change, len(plan.Changes))
	for i, c := range plan.Changes {
		if c.File != "" {
			c.File = path.Join(base, c.File)
		}
		p.Changes[i] = c
	}
	p.Violations = make([]diff.Violation, len(plan.Violations))
	for i, v := range plan.Violations {
		if v.File != "" {
			v.File = path.Join(base, v.File)
		}
		p.Violations[i] = v
	}
	return &p
}

func hasChanges(p *diff.Plan) bool {
	for _, c := range p.Changes {
		if c.Action != diff.ActionNoChange {
			return true
		}
	}
	return false
}

// planFile is the document `plan --out` writes: the plan, and the options it was computed with
// that apply must honour to send exactly what the plan showed.
type planFile struct {
	*diff.Plan
	// RotateSecrets records plan --rotate-secrets: only with it does the plan show the secrets of
	// existing sources as updates, and only then may apply send them.
	RotateSecrets bool `json:"rotate_secrets,omitempty"`
}

// writePlanFile saves the plan for `apply --plan`. The plan holds no secret values (sensitive
// fields are masked when the plan is computed), only fingerprints of the live objects.
func writePlanFile(path string, pf planFile) error {
	b, err := json.MarshalIndent(pf, "", "  ")
	if err != nil {
		return fmt.Errorf("plan file: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("plan file: %w", err)
	}
	return nil
}

// readPlanFile loads a plan written by writePlanFile.
func readPlanFile(path string) (planFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return planFile{}, fmt.Errorf("plan file: %w", err)
	}
	pf := planFile{Plan: &diff.Plan{}}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&pf); err != nil {
		return planFile{}, fmt.Errorf("plan file %s: %w", path, err)
	}
	if pf.FormatVersion != diff.FormatVersion {
		return planFile{}, fmt.Errorf("plan file %s: format_version %d, this sailsync reads %d", path, pf.FormatVersion, diff.FormatVersion)
	}
	if pf.Tenant == "" {
		return planFile{}, fmt.Errorf("plan file %s names no tenant, so it cannot be checked against the one apply talks to: run plan again", path)
	}
	return pf, nil
}
