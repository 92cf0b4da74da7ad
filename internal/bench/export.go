package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	isync "github.com/sailsync/sailsync/sync"
)

// exportPolls is how many status reads the bench tenant's export job takes to complete: one,
// sync's first poll after 0.5 s (each later one waits twice as long and costs a request more).
const exportPolls = 1

// runExportPlans is the export scenario: the plan-fetch scenario's reads, with the schemas read
// per object and then through the export, of one tenant; the two plans must be identical.
func runExportPlans(ctx context.Context, s settings, n int, repo *config.Repo) (perObject, export measurement, err error) {
	opts := s.emulatorOptions()
	opts.ExportPolls = exportPolls
	t, err := newTenant(2*n, opts)
	if err != nil {
		return perObject, export, err
	}
	defer t.close()
	perObject, planP, err := runExportPlan(ctx, s, t, n, repo, isync.ReadPerObject)
	if err != nil {
		return perObject, export, fmt.Errorf("per object: %w", err)
	}
	export, planE, err := runExportPlan(ctx, s, t, n, repo, isync.ReadExport)
	if err != nil {
		return perObject, export, fmt.Errorf("export: %w", err)
	}
	if planP != planE {
		return perObject, export, errors.New("the plan read through the export differs from the plan read per object")
	}
	return perObject, export, nil
}

// runExportPlan reads the tenant as mode says with a new client and returns the requests the
// tenant received and the plan (as JSON).
func runExportPlan(ctx context.Context, s settings, t *tenant, n int, repo *config.Repo, mode isync.ReadMode) (measurement, string, error) {
	c, err := s.client(t)
	if err != nil {
		return measurement{}, "", err
	}
	t.emu.ResetLog()
	start := time.Now()
	live, err := isync.Fetch(ctx, c, repo, isync.FetchOptions{Parallelism: s.parallelism, Read: mode})
	m := measurement{Wall: time.Since(start).Seconds()}
	for _, e := range t.emu.Log() {
		m.Calls++
		if e.Status == http.StatusTooManyRequests {
			m.Limited++
		}
	}
	if err != nil {
		return m, "", fmt.Errorf("fetch: %w", err)
	}
	if err := checkLive(live, n); err != nil {
		return m, "", err
	}
	if mode == isync.ReadExport && live.ExportFallbacks > 0 {
		return m, "", fmt.Errorf("the export left %d sources to per-object reads", live.ExportFallbacks)
	}
	plan, err := diff.Compute(repo, live, diff.Options{})
	if err != nil {
		return m, "", fmt.Errorf("plan: %w", err)
	}
	b, err := json.Marshal(plan)
	return m, string(b), err
}
