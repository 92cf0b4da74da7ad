package sync_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/emulator"
	"github.com/sailsync/sailsync/examples"
	"github.com/sailsync/sailsync/isc"
	isync "github.com/sailsync/sailsync/sync"
	"github.com/sailsync/sailsync/tenanttest"
)

// TestPlanEstimateIsTheApplysRequestCount: the "apply: N requests" line of a plan is the number
// of requests the apply then makes, token included, for a plan holding every kind of change
// (connector create, source create and update, schema create and update, connector file), and
// the duration it prints is N at the client's rate.
func TestPlanEstimateIsTheApplysRequestCount(t *testing.T) {
	tn := tenanttest.Start(t, tenanttest.Options{Emulator: emulator.Options{Seed: examples.AcmeTenant}})
	emu := tn.Emu
	client := func() *isc.Client { return tn.NewClient(t, isc.Config{}) }
	repo := load(t, "../examples/acme")
	live, err := isync.Fetch(context.Background(), client(), repo, isync.FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := diff.Compute(repo, live, diff.Options{Env: tenanttest.Env})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, ch := range p.Changes {
		if ch.Action != diff.ActionNoChange {
			kinds[fmt.Sprintf("%s %s", ch.Action, ch.Kind)] = true
		}
	}
	for _, want := range []string{"create Connector", "create Source", "update Source", "create EntitlementSchema", "update EntitlementSchema", "create ConnectorFile"} {
		if !kinds[want] {
			t.Fatalf("the example plan has no %q change (%v): the test would not cover it", want, kinds)
		}
	}
	// A client of its own, as `apply --plan FILE` has: its token is one of the requests.
	emu.ResetLog()
	rep, err := isync.Apply(context.Background(), client(), repo, p, isync.ApplyOptions{Env: tenanttest.Env})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("apply not OK: %+v", rep.Results)
	}
	if got := len(emu.Log()); got != p.APICalls {
		t.Errorf("the apply made %d requests, the plan estimated %d", got, p.APICalls)
	}
	var b strings.Builder
	if err := diff.RenderText(&b, p, diff.TextOptions{RateLimit: 50}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{fmt.Sprintf("apply: %d requests, at least ", p.APICalls), " at 50 requests / 10 s"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("plan text lacks %q:\n%s", want, b.String())
		}
	}
}
