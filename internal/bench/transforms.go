package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing/fstest"
	"time"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/emulator"
	isync "github.com/sailsync/sailsync/sync"
)

// The transforms scenario: a plain kind (config.API) read and applied against a tenant of
// transformTenant custom transforms behind transformInternal internal ones. The repository
// declares every transformEvery-th custom transform (spread over every page), transformChanged
// of them with other attributes, and transformNew that the tenant lacks.
const (
	transformTenant   = 600
	transformInternal = 30
	transformEvery    = 6
	transformChanged  = 40
	transformNew      = 20
)

func transformName(i int) string { return fmt.Sprintf("Bench Transform %04d", i) }

// minimumTransforms is the fewest requests that read and then apply the scenario's transforms:
// the token and the cheaper of the listing (every object, internal ones included: ceil(T/250)
// pages) and one lookup per declared name (`name in` is not allowed); then the token, a POST per
// new transform, and a fresh GET and the PUT per changed one (no ETags).
func minimumTransforms(declared, tenant int, creates, updates int) (fetch, apply int) {
	return 1 + min(max(1, ceilDiv(tenant, pageSize)), declared), 1 + creates + 2*updates
}

// runTransforms plans the scenario's repository against a fresh tenant (measuring sync.Fetch),
// applies the plan (measuring sync.Apply), checks the tenant and that a plan after it is empty.
func runTransforms(ctx context.Context, s settings, dir string) (fetch, apply measurement, estimate int, err error) {
	repo, err := config.Load(dir)
	if err != nil {
		return fetch, apply, 0, fmt.Errorf("load: %w", err)
	}
	objs := make([]string, 0, transformTenant+transformInternal)
	for i := range transformInternal {
		objs = append(objs, fmt.Sprintf(`{"name":"SailPoint %02d","type":"upper","attributes":null,"internal":true}`, i))
	}
	for i := 1; i <= transformTenant; i++ {
		objs = append(objs, fmt.Sprintf(`{"name":%q,"type":"static","attributes":{"value":"v%d"},"internal":false}`, transformName(i), i))
	}
	opts := s.emulatorOptions()
	opts.Seed = fstest.MapFS{"transforms/bench.json": {Data: []byte("[" + strings.Join(objs, ",") + "]")}}
	emu, err := emulator.New(opts)
	if err != nil {
		return fetch, apply, 0, err
	}
	t := &tenant{emu: emu, srv: httptest.NewServer(emu)}
	defer t.close()
	c, err := s.client(t)
	if err != nil {
		return fetch, apply, 0, err
	}
	start := time.Now()
	live, err := isync.Fetch(ctx, c, repo, isync.FetchOptions{Parallelism: s.parallelism})
	fetch = measurement{Wall: time.Since(start).Seconds()}
	for range emu.Log() {
		fetch.Calls++
	}
	if err != nil {
		return fetch, apply, 0, fmt.Errorf("fetch: %w", err)
	}
	plan, err := diff.Compute(repo, live, diff.Options{})
	if err != nil {
		return fetch, apply, 0, fmt.Errorf("plan: %w", err)
	}
	if plan.Summary.Create != transformNew || plan.Summary.Update != transformChanged || len(plan.Violations) > 0 {
		return fetch, apply, 0, fmt.Errorf("plan %+v, want %d creates and %d updates", plan.Summary, transformNew, transformChanged)
	}
	estimate = isync.EstimateCalls(plan)
	emu.ResetLog()
	c, err = s.client(t) // a new client: apply's token is its own, as in a deploy job
	if err != nil {
		return fetch, apply, 0, err
	}
	start = time.Now()
	rep, err := isync.Apply(ctx, c, repo, plan, isync.ApplyOptions{Parallelism: s.parallelism})
	apply = measurement{Wall: time.Since(start).Seconds()}
	for range emu.Log() {
		apply.Calls++
	}
	if err != nil || !rep.OK() {
		return fetch, apply, estimate, fmt.Errorf("apply: %v %+v", err, rep)
	}
	live, err = isync.Fetch(ctx, c, repo, isync.FetchOptions{Parallelism: s.parallelism})
	if err != nil {
		return fetch, apply, estimate, fmt.Errorf("fetch after apply: %w", err)
	}
	if again, err := diff.Compute(repo, live, diff.Options{}); err != nil || again.HasChanges() {
		return fetch, apply, estimate, fmt.Errorf("a plan after the apply is not empty: %v %+v", err, again.Summary)
	}
	return fetch, apply, estimate, nil
}

// writeTransformsRepo writes the scenario's repository: one file of transforms.
func writeTransformsRepo(work string) (string, error) {
	var docs []string
	changed := 0
	for i := transformEvery; i <= transformTenant; i += transformEvery {
		value := fmt.Sprintf("v%d", i)
		if changed < transformChanged {
			value += " (changed)"
			changed++
		}
		docs = append(docs, doc(transformName(i), value))
	}
	for i := 1; i <= transformNew; i++ {
		docs = append(docs, doc(transformName(transformTenant+i), "new"))
	}
	dir := filepath.Join(work, "repo-transforms")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return dir, os.WriteFile(filepath.Join(dir, "transforms.yaml"), []byte(strings.Join(docs, "---\n")), 0o644)
}

func doc(name, value string) string {
	v, _ := json.Marshal(value)
	return fmt.Sprintf("kind: Transform\nname: %s\ntype: static\nattributes: {value: %s}\n", name, v)
}
