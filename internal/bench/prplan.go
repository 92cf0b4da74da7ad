package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	isync "github.com/sailsync/sailsync/sync"
)

// The pr-plan scenario, a pull request's plan: the repository of the timed scenarios in a git repository,
// one commit that changes one source's description, and two plans against the same emulated
// tenant: the full plan and `plan --changed-since HEAD~1`. Each plan is the whole pipeline
// in-process — load, (scope,) fetch, diff — and the calls are the tenant's log.

// prChanged is the declared source (1-based) whose description the pull request changes.
const prChanged = 1

// prRepo writes the scenario's repository into a new git repository with two commits: the
// repository, then the change to one description. It returns the config directory.
func prRepo(work string, n int) (string, error) {
	dir := filepath.Join(work, fmt.Sprintf("repo-pr-%d", n))
	if err := writeRepo(dir, n); err != nil {
		return "", err
	}
	gitIn := func(args ...string) error {
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("git %v: %w: %s", args, err, out)
		}
		return nil
	}
	file := filepath.Join(dir, "sources", fmt.Sprintf("bench-%05d.yaml", declared(prChanged)))
	for _, step := range []func() error{
		func() error { return gitIn("init", "-q") },
		func() error { return gitIn("config", "user.name", "sailsync bench") },
		func() error { return gitIn("config", "user.email", "bench@sailsync.invalid") },
		func() error { return gitIn("add", "-A") },
		func() error { return gitIn("commit", "-q", "-m", "the repository") },
		func() error {
			b, err := os.ReadFile(file)
			if err != nil {
				return err
			}
			return os.WriteFile(file, bytes.Replace(b, []byte("(managed by sailsync)"), []byte("(changed in a pull request)"), 1), 0o644)
		},
		func() error { return gitIn("commit", "-q", "-am", "one description") },
	} {
		if err := step(); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// runPRPlan times one full and one scoped plan of dir against t, whose log it resets.
func runPRPlan(ctx context.Context, s settings, t *tenant, dir string) (full, scoped measurement, err error) {
	plan := func(changedSince string) (measurement, error) {
		t.emu.ResetLog()
		c, err := s.client(t)
		if err != nil {
			return measurement{}, err
		}
		start := time.Now()
		repo, err := config.Load(dir)
		if err != nil {
			return measurement{}, err
		}
		if changedSince != "" {
			changes, err := config.ChangedSince(repo, changedSince)
			if err != nil {
				return measurement{}, err
			}
			if repo, _, err = repo.Scoped(config.Selector{Changed: changes}, "--changed-since "+changedSince); err != nil {
				return measurement{}, err
			}
		}
		live, err := isync.Fetch(ctx, c, repo, isync.FetchOptions{Parallelism: s.parallelism})
		if err != nil {
			return measurement{}, err
		}
		p, err := diff.Compute(repo, live, diff.Options{})
		if err != nil {
			return measurement{}, err
		}
		m := measurement{Wall: time.Since(start).Seconds()}
		for _, e := range t.emu.Log() {
			m.Calls++
			if e.Status == http.StatusTooManyRequests {
				m.Limited++
			}
		}
		want := fmt.Sprintf("Source/%s", sourceName(declared(prChanged)))
		for _, ch := range p.Changes {
			if ch.Key() == want && ch.Action != diff.ActionUpdate {
				return m, fmt.Errorf("%s: %s, want an update", want, ch.Action)
			}
		}
		return m, nil
	}
	if full, err = plan(""); err != nil {
		return full, scoped, fmt.Errorf("full plan: %w", err)
	}
	if scoped, err = plan("HEAD~1"); err != nil {
		return full, scoped, fmt.Errorf("scoped plan: %w", err)
	}
	return full, scoped, nil
}
