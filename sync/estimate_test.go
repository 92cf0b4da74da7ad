package sync_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/contract"
	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/emulator"
	"github.com/sailsync/sailsync/examples"
	"github.com/sailsync/sailsync/isc"
	isync "github.com/sailsync/sailsync/sync"
)

// TestPlanEstimateIsTheApplysRequestCount: the "apply: N requests" line of a plan is the number
// of requests the apply then makes, token included, for a plan holding every kind of change
// (connector create, source create and update, schema create and update, connector file), and
// the duration it prints is N at the client's rate.
func TestPlanEstimateIsTheApplysRequestCount(t *testing.T) {
	emu, err := emulator.New(emulator.Options{Seed: examples.AcmeTenant})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(contract.Middleware(t, emu))
	defer srv.Close()
	client := func() *isc.Client {
		c, err := isc.New(isc.Config{BaseURL: srv.URL, ClientID: emu.ClientID(), ClientSecret: emu.ClientSecret(), RatePer10s: 1e6})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	repo := load(t, "../examples/acme")
	live, err := isync.Fetch(context.Background(), client(), repo, isync.FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := diff.Compute(repo, live, diff.Options{Env: lookupEnv})
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
	rep, err := isync.Apply(context.Background(), client(), repo, p, isync.ApplyOptions{Env: lookupEnv})
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
