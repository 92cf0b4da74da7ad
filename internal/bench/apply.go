package main

import (
	"context"
	"fmt"
	"time"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	isync "github.com/sailsync/sailsync/sync"
)

// runApply times sync.Apply of the scenario's plan: N source updates (the description) and N
// uploads of a new entitlement schema. The plan is computed from the tenant's state read
// directly (no request), so that the tenant's log and rate window hold only the apply.
func runApply(ctx context.Context, s settings, n int, repo *config.Repo) (measurement, int, error) {
	t, err := newTenant(2*n, s.emulatorOptions())
	if err != nil {
		return measurement{}, 0, err
	}
	live := &diff.Live{}
	for _, o := range t.emu.Sources() {
		live.Put(config.KindSource, "", o.String("name"), o)
	}
	for _, src := range repo.Sources() {
		for _, o := range t.emu.Schemas(src.Name) {
			live.Put(config.KindEntitlementSchema, src.Name, o.String("name"), o)
		}
	}
	for _, o := range t.emu.Connectors() {
		live.Put(config.KindConnector, "", o.String("name"), o)
	}
	live.Named = namedLive(t.emu, repo)
	plan, err := diff.Compute(repo, live, diff.Options{Env: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.close()
		return measurement{}, 0, fmt.Errorf("plan: %w", err)
	}
	if plan.Summary.Update != n || plan.Summary.Create != n || len(plan.Violations) > 0 {
		t.close()
		return measurement{}, 0, fmt.Errorf("plan %+v, want %d updates and %d creates", plan.Summary, n, n)
	}
	plan.APICalls = isync.EstimateCalls(plan)
	c, err := s.client(t)
	if err != nil {
		t.close()
		return measurement{}, 0, err
	}
	start := time.Now()
	rep, err := isync.Apply(ctx, c, repo, plan, isync.ApplyOptions{Parallelism: s.parallelism})
	wall := time.Since(start)
	m := served(t)
	m.Wall = wall.Seconds()
	if err != nil {
		return m, plan.APICalls, fmt.Errorf("apply: %w", err)
	}
	if !rep.OK() {
		for _, r := range rep.Results {
			if r.Status != isync.StatusDone {
				return m, plan.APICalls, fmt.Errorf("apply: %s %q %s: %s", r.Kind, r.Name, r.Status, r.Message)
			}
		}
	}
	// The tenant must hold what was applied.
	for k := 1; k <= n; k += max(1, n/20) {
		i := declared(k)
		o, ok := t.emu.SourceByName(sourceName(i))
		if !ok || o.String("description") != fmt.Sprintf("Bench source %d (managed by sailsync)", i) {
			return m, plan.APICalls, fmt.Errorf("source %q was not updated", sourceName(i))
		}
		found := false
		for _, sc := range t.emu.Schemas(sourceName(i)) {
			found = found || sc.String("name") == "group"
		}
		if !found {
			return m, plan.APICalls, fmt.Errorf("source %q has no group schema", sourceName(i))
		}
	}
	return m, plan.APICalls, nil
}
