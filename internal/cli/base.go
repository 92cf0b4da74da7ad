package cli

import (
	"errors"
	"fmt"
	"path"
	"slices"

	"github.com/spf13/cobra"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
)

// baseRepo is the repository at --base, read from git.
type baseRepo struct {
	repo   *config.Repo
	commit string
}

// bindBase adds --base to plan and drift.
func bindBase(cmd *cobra.Command, ref *string) {
	cmd.Flags().StringVar(ref, "base", "", "a git `REF` of the repository (a pull request's target branch, the last deployed commit): "+
		"classify each difference as pending change, tenant drift or conflict")
}

// loadBase loads the repository at req.Base through the same loader, or returns nil without
// --base. It runs before the tenant is contacted, so that a wrong REF costs no request.
func loadBase(req planRequest) (*baseRepo, error) {
	if req.Base == "" {
		return nil, nil
	}
	repo, commit, err := config.LoadRevision(req.Dir, req.Base)
	var problems config.Problems
	if errors.As(err, &problems) {
		return nil, fmt.Errorf("the repository at --base %s (%.12s) is not valid, so it cannot be compared with: %w", req.Base, commit, problems)
	}
	if err != nil {
		return nil, err
	}
	return &baseRepo{repo: repo, commit: commit}, nil
}

// displayExtras makes the file paths of a plan's context (the ignore rules, the objects no longer declared, the accepted unmanaged objects) relative to where the user
// pointed, as displayPlan does for changes. p is a copy: the slices are copied before a change.
func displayExtras(p *diff.Plan, base string) {
	join := func(f string) string {
		if f == "" {
			return f
		}
		return path.Join(base, f)
	}
	if len(p.Ignored) > 0 {
		ig := make([]diff.Ignored, len(p.Ignored))
		for i, x := range p.Ignored {
			x.Rule.File = join(x.Rule.File)
			ig[i] = x
		}
		p.Ignored = ig
	}
	if p.Base != nil {
		b := *p.Base
		b.Removed = make([]diff.Removed, len(p.Base.Removed))
		for i, r := range p.Base.Removed {
			r.File = join(r.File)
			b.Removed[i] = r
		}
		p.Base = &b
	}
	if len(p.UnsetEnv) > 0 {
		// The note on unset secrets names their files: rewritten with the files as shown.
		was := diff.UnsetEnvNote(p.UnsetEnv)
		unset := slices.Clone(p.UnsetEnv)
		for i := range unset {
			unset[i].Pos.File = join(unset[i].Pos.File)
		}
		p.UnsetEnv = unset
		p.Notes = slices.Clone(p.Notes)
		for i, n := range p.Notes {
			if n == was {
				p.Notes[i] = diff.UnsetEnvNote(unset)
			}
		}
	}
	if p.Coverage != nil {
		c := *p.Coverage
		c.Accepted = make([]diff.Accepted, len(p.Coverage.Accepted))
		for i, a := range p.Coverage.Accepted {
			a.File = join(a.File)
			c.Accepted[i] = a
		}
		p.Coverage = &c
	}
}

// driftStatus is drift's exit status for a plan: 2 for drift, 0 in sync. With a base only what
// the tenant changed is drift (tenant drift, conflicts), not the repository's pending changes;
// without one every difference is. Unmanaged objects are drift only with --unmanaged=fail.
func driftStatus(p *diff.Plan, mode diff.UnmanagedMode) int {
	for _, c := range p.Changes {
		switch {
		case c.Action == diff.ActionNoChange:
		case c.Action == diff.ActionUnmanaged:
			if mode == diff.UnmanagedFail {
				return exitChanges
			}
		case p.Base == nil:
			return exitChanges
		case c.Class == diff.ClassDrift || c.Class == diff.ClassConflict:
			return exitChanges
		}
	}
	return exitOK
}

// checkUnmanaged checks --unmanaged.
func checkUnmanaged(mode diff.UnmanagedMode) error {
	for _, m := range diff.UnmanagedModes {
		if mode == m {
			return nil
		}
	}
	return fmt.Errorf("--unmanaged %q: use one of %v", mode, diff.UnmanagedModes)
}
