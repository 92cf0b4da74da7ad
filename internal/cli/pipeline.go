package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"time"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	isync "github.com/sailsync/sailsync/sync"
)

// The pipeline plan, drift and apply share: load and validate the repository, connect, fetch
// what it declares, compute the plan, render it, and keep it in a plan file for a later apply.

// dirArg is the repository directory a command was given, the current one by default.
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
	// AllowUnsetEnv: a secret whose variable is unset is shown as not set with a warning (plan,
	// drift), not an error (apply).
	AllowUnsetEnv bool
	// Base is a git revision to classify the plan against (three-way), or "".
	Base string
	// Unmanaged is drift's --unmanaged mode.
	Unmanaged diff.UnmanagedMode
	// Scope narrows the plan to some objects (--source, --kind, --changed-since); nil or unset
	// for the whole repository.
	Scope  *scopeOptions
	stderr io.Writer
	// progressEvery overrides how often the reads say how far they are without a terminal (tests).
	progressEvery time.Duration
}

// errInterruptedPlan is what a plan (of plan, drift or apply) stopped by Ctrl-C or SIGTERM
// says, rather than the "context canceled" of the request it stopped: the reads send nothing.
type errInterruptedPlan struct{ err error }

func (e errInterruptedPlan) Error() string { return "interrupted: nothing was sent" }
func (e errInterruptedPlan) Unwrap() error { return e.err }

// computePlan loads the repository, connects, fetches what it declares and diffs. The session
// is returned open (apply goes on using it); the caller closes it.
func computePlan(ctx context.Context, req planRequest) (*config.Repo, *diff.Plan, *session, error) {
	repo, plan, sess, err := computePlanOnce(ctx, req)
	if err != nil && ctx.Err() != nil {
		err = errInterruptedPlan{err: err}
	}
	return repo, plan, sess, err
}

func computePlanOnce(ctx context.Context, req planRequest) (*config.Repo, *diff.Plan, *session, error) {
	repo, err := loadRepo(ctx, req.Dir, req.stderr)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := requireObjects(repo, req.Dir, req.Scope != nil && req.Scope.AllowEmpty); err != nil {
		return nil, nil, nil, err
	}
	if repo, err = req.Conn.bindEnvironment(repo, req.Conn.notes(req.stderr)); err != nil {
		return nil, nil, nil, err
	}
	// A scoped plan reads and compares only the scope: the rest of the repository is not fetched.
	repo, scope, err := req.Scope.narrow(repo)
	if err != nil {
		return nil, nil, nil, err
	}
	// Before any request: a wrong --base is the user's to fix, not the tenant's.
	base, err := loadBase(req)
	if err != nil {
		return nil, nil, nil, err
	}
	sess, err := req.Conn.connect(ctx, req.stderr)
	if err != nil {
		return nil, nil, nil, err
	}
	plan, err := planWith(ctx, repo, base, scope, sess, req)
	if err != nil {
		sess.close()
		return nil, nil, nil, err
	}
	return repo, plan, sess, nil
}

// planWith fetches what repo declares over an open session and diffs: the reads of a plan. With
// a base (--base), the plan's differences are classified against it; with a scope, the plan
// says it covers only that scope (and a scoped drift does not look for unmanaged sources).
func planWith(ctx context.Context, repo *config.Repo, base *baseRepo, scope *config.Scope, sess *session, req planRequest) (*diff.Plan, error) {
	fo := isync.FetchOptions{Parallelism: req.Conn.Parallelism, AllSources: req.Drift && scope == nil}
	journal, err := readJournal(req.Conn.deps.journalPath(repo.Dir), sess.client.Tenant())
	if err != nil {
		return nil, err
	}
	fo.Journal = journal
	if req.Conn.Read != "" {
		if fo.Read, err = isync.ParseReadMode(req.Conn.Read); err != nil {
			return nil, err
		}
	}
	tty := req.Conn.deps.fancyTerminal(req.stderr) && !req.Conn.Quiet
	stopTick := func() {}
	if tty {
		fo.Progress = func(done, total int) {
			fmt.Fprintf(req.stderr, "\rReading the tenant: %d/%d requests", done, total)
		}
	} else if !req.Conn.Quiet {
		fo.Progress, stopTick = readProgress(req.stderr, cmp.Or(req.progressEvery, progressEvery))
	}
	live, err := isync.Fetch(ctx, sess.client, repo, fo)
	stopTick()
	if tty {
		fmt.Fprint(req.stderr, "\r\033[K")
	}
	if err != nil {
		return nil, err
	}
	plan, err := diff.Compute(repo, live, diff.Options{Env: sess.env, RotateSecrets: req.RotateSecrets, Drift: req.Drift,
		Tenant: sess.client.Tenant(), Unmanaged: req.Unmanaged, Environment: repo.Env, AllowUnsetEnv: req.AllowUnsetEnv})
	if err == nil && base != nil {
		err = diff.ThreeWay(plan, base.repo, live, req.Base, base.commit)
	}
	if err != nil {
		return nil, err
	}
	plan.Notes = append(plan.Notes, live.Notes...)
	plan.APICalls = isync.EstimateCalls(plan)
	diff.SetScope(plan, scope)
	return plan, nil
}

const allowEmptyUsage = "accept a directory that declares no objects (without it, an error: a wrong directory would pass as \"No changes\")"

// requireObjects refuses a repository that declares no object unless allowed: a mistyped
// directory (a CI job's directory: input) would otherwise validate, plan and drift clean.
func requireObjects(repo *config.Repo, dir string, allow bool) error {
	if allow || repo.Count() > 0 {
		return nil
	}
	return fmt.Errorf("%s declares no objects (no YAML document with a kind: under it): check the directory, or pass --allow-empty for an empty repository", dir)
}

// loadRepo loads and validates a repository, printing its problems the way validate does.
func loadRepo(ctx context.Context, dir string, stderr io.Writer) (*config.Repo, error) {
	repo, err := config.LoadContext(ctx, dir)
	var problems config.Problems
	if errors.As(err, &problems) {
		// Relative to where the user pointed, as validate prints them.
		base := filepath.ToSlash(dir)
		for _, p := range problems {
			fmt.Fprintf(stderr, "%s:%d:%d: %s\n", diff.TextEscape(path.Join(base, p.Pos.File)), p.Pos.Line, p.Pos.Col, diff.TextEscape(p.Message))
		}
		return nil, exitWith(exitFailure, &invalidRepo{dir: dir, problems: problems})
	}
	return repo, err
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
	if len(plan.Warnings) > 0 {
		p.Warnings = make([]diff.Warning, len(plan.Warnings))
		for i, w := range plan.Warnings {
			w.File = path.Join(base, w.File)
			p.Warnings[i] = w
		}
	}
	displayExtras(&p, base)
	return &p
}
