package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/redact"
	isync "github.com/sailsync/sailsync/sync"
)

// The plan file: what `plan --out` writes and `apply --plan` reads back.

// MaxPlanFileSize caps a plan file: a plan carries every operation's body (about 2 KB per
// changed source), so 64 MiB holds some 30,000 changes while a hostile file cannot exhaust
// memory.
const MaxPlanFileSize = 64 << 20

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
func writePlanFile(path string, pf planFile, red *redact.Set) error {
	b, err := json.MarshalIndent(pf, "", "  ")
	if err != nil {
		return fmt.Errorf("plan file: %w", err)
	}
	// A tenant that returns a secret in plain text in some field does not get it into the file,
	// and a hostile name cannot drive the terminal or CI log the file is printed in.
	b = diff.JSONEscape([]byte(red.String(string(b))))
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("plan file: %w", err)
	}
	return nil
}

// readPlanFile loads a plan written by writePlanFile.
func readPlanFile(path string) (planFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return planFile{}, fmt.Errorf("plan file: %w", err)
	}
	defer f.Close()
	// Read at most one byte past the cap, so an oversized file is refused without reading it.
	b, err := io.ReadAll(io.LimitReader(f, MaxPlanFileSize+1))
	if err != nil {
		return planFile{}, fmt.Errorf("plan file: %w", err)
	}
	if len(b) > MaxPlanFileSize {
		return planFile{}, fmt.Errorf("plan file %s is larger than %d MiB, more than any plan sailsync writes: refused", path, MaxPlanFileSize>>20)
	}
	pf := planFile{Plan: &diff.Plan{}}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(&pf); err != nil {
		return planFile{}, fmt.Errorf("plan file %s: %w", path, err)
	}
	if dec.More() {
		return planFile{}, fmt.Errorf("plan file %s: data after the plan", path)
	}
	if pf.FormatVersion != diff.FormatVersion {
		return planFile{}, fmt.Errorf("plan file %s: format_version %d, this sailsync reads %d", path, pf.FormatVersion, diff.FormatVersion)
	}
	if pf.Tenant == "" {
		return planFile{}, fmt.Errorf("plan file %s names no tenant, so it cannot be checked against the one apply talks to: run plan again", path)
	}
	return pf, nil
}

// planRun is what a run of `apply --plan FILE` brings to the saved plan: its flags, and the
// steps that load the repository, reach the tenant and recompute the plan. acceptPlanFile takes
// each step only once the checks before it have passed, so a refused file costs no request.
type planRun struct {
	// File is the plan file and Dir the repository, as the command line names them.
	File, Dir     string
	RotateSecrets bool
	// Scoped is true when the run gives scope flags, which a saved plan replaces.
	Scoped bool
	// Env is the environment the run asks for (--env or $SAILSYNC_ENV), "" for none.
	Env string
	// load loads and validates the repository.
	load func() (*config.Repo, error)
	// bindEnv returns repo as environment env sees it, once the run's tenant is checked to be env's.
	bindEnv func(repo *config.Repo, env string) (*config.Repo, error)
	// connect reaches the tenant, sending nothing yet, and returns its name.
	connect func() (tenant string, err error)
	// recompute computes the plan of repo, narrowed to scope (nil for all of it), from the tenant now.
	recompute func(repo *config.Repo, scope *config.Scope) (*diff.Plan, error)
}

// acceptPlanFile decides whether the plan saved in run.File may be applied by this run, and
// returns the plan to send with the repository it was computed from. The file is only a record
// of what was reviewed: it must have been made with the run's flags, from the repository's
// content, for its environment and its tenant, and what is sent is recomputed now and must be
// exactly what the file holds. Every refusal comes before any write.
func acceptPlanFile(run planRun) (*config.Repo, *diff.Plan, error) {
	if run.Scoped {
		return nil, nil, errScopeWithPlanFile
	}
	pf, err := readPlanFile(run.File)
	if err != nil {
		return nil, nil, err
	}
	// The plan decides which secrets are sent, and a flag recorded in it must be given again:
	// a file edited to rotate secrets sends nothing the command line did not ask for.
	if run.RotateSecrets != pf.RotateSecrets {
		return nil, nil, fmt.Errorf("plan file %s was made %s --rotate-secrets, and apply was run %s it: give apply the flags the plan was made with (or make the plan again)",
			run.File, withOrWithout(pf.RotateSecrets), withOrWithout(run.RotateSecrets))
	}
	repo, err := run.load()
	if err != nil {
		return nil, nil, err
	}
	if pf.RepoHash != repo.Hash {
		return nil, nil, fmt.Errorf("plan file %s was made from other repository content than %s: run plan again", run.File, run.Dir)
	}
	if run.Env != "" && run.Env != pf.Environment {
		shown := "no environment"
		if pf.Environment != "" {
			shown = "environment " + pf.Environment
		}
		return nil, nil, fmt.Errorf("plan file %s was made for %s, not for environment %s: nothing was sent; run plan with --env %s", run.File, shown, run.Env, run.Env)
	}
	if pf.Environment == "" {
		if len(repo.Settings.Environments) > 0 {
			return nil, nil, fmt.Errorf("plan file %s names no environment, but the repository declares environments: run plan again with --env", run.File)
		}
	} else if repo, err = run.bindEnv(repo, pf.Environment); err != nil {
		return nil, nil, err
	}
	tenant, err := run.connect()
	if err != nil {
		return nil, nil, err
	}
	// Before any request: a plan is true only of the tenant it was computed against.
	if pf.Tenant != tenant {
		return nil, nil, fmt.Errorf("plan file %s was made against tenant %s, but apply talks to %s: nothing was sent; run plan against %s",
			run.File, pf.Tenant, tenant, tenant)
	}
	var scope *config.Scope
	if pf.Scope != nil {
		// A scoped plan is recomputed over its own objects: the rest is neither read nor sent.
		keys := make(map[string]bool, len(pf.Changes))
		for _, c := range pf.Changes {
			keys[c.Key()] = true
		}
		if repo, scope, err = repo.Scoped(config.Selector{Changed: &config.Changes{Keys: keys}}, pf.Scope.Selector); err != nil {
			return nil, nil, err
		}
	}
	fresh, err := run.recompute(repo, scope)
	if err != nil {
		return nil, nil, err
	}
	plan, err := diff.Confirm(pf.Plan, fresh)
	if err != nil {
		return nil, nil, fmt.Errorf("plan file %s: %w: nothing was sent", run.File, err)
	}
	plan.APICalls = isync.EstimateCalls(plan)
	return repo, plan, nil
}

// savedPlan is apply --plan: the plan file accepted against this run, the repository it was
// computed from and the session it will be sent over (open; the caller closes it).
func (opts *applyOptions) savedPlan(ctx context.Context) (*config.Repo, *diff.Plan, *session, error) {
	var sess *session
	repo, plan, err := acceptPlanFile(planRun{
		File: opts.PlanFile, Dir: opts.Dir, RotateSecrets: opts.RotateSecrets, Scoped: opts.Scope.set(), Env: opts.Conn.envName(),
		load: func() (*config.Repo, error) { return loadRepo(ctx, opts.Dir, opts.stderr) },
		bindEnv: func(repo *config.Repo, env string) (*config.Repo, error) {
			c := opts.Conn
			c.Env = env
			return c.bindEnvironment(repo, opts.stderr)
		},
		connect: func() (string, error) {
			var err error
			if sess, err = opts.Conn.connect(ctx, opts.stderr); err != nil {
				return "", err
			}
			return sess.client.Tenant(), nil
		},
		recompute: func(repo *config.Repo, scope *config.Scope) (*diff.Plan, error) {
			return planWith(ctx, repo, nil, scope, sess, planRequest{Dir: opts.Dir, Conn: &opts.Conn, RotateSecrets: opts.RotateSecrets, stderr: opts.stderr})
		},
	})
	if err != nil {
		if sess != nil {
			sess.close()
		}
		return nil, nil, nil, err
	}
	return repo, plan, sess, nil
}

func withOrWithout(b bool) string {
	if b {
		return "with"
	}
	return "without"
}
