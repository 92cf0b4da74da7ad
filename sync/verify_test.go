package sync_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/examples"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/isc"
	"github.com/sailsync/sailsync/internal/tenanttest"
	isync "github.com/sailsync/sailsync/sync"
)

// TestApplyVerify: with Verify, every source the apply created or updated gets the tenant's
// connection test after the writes, and only those; a failure or a test that never answers is
// on that source's result with the tenant's message and makes the report not OK, every write
// done all the same; the plan's estimate plus VerifyCalls is the requests made.
func TestApplyVerify(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		test    emulator.ConnectionTest
		ok      bool
		status  string
		message string
	}{
		{"passes", emulator.ConnectionTest{}, true, "SUCCESS", ""},
		{"fails", emulator.ConnectionTest{Outcome: emulator.ConnectionFail, Message: "LDAP bind failed: invalid credentials"}, false, "FAILURE", "LDAP bind failed: invalid credentials"},
		{"times out", emulator.ConnectionTest{Outcome: emulator.ConnectionTimeout}, false, "ERROR", "test configuration of source"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tn := tenanttest.Start(t, tenanttest.Options{Emulator: emulator.Options{Seed: examples.AcmeTenant,
				ConnectionTests: map[string]emulator.ConnectionTest{"Corporate Directory": tc.test}}})
			repo := load(t, "../examples/acme")
			live, err := isync.Fetch(context.Background(), tn.NewClient(t, isc.Config{}), repo, isync.FetchOptions{})
			if err != nil {
				t.Fatal(err)
			}
			p, err := diff.Compute(repo, live, diff.Options{Env: tenanttest.Env})
			if err != nil {
				t.Fatal(err)
			}
			want := isync.EstimateCalls(p) + isync.VerifyCalls(p)
			tn.Emu.ResetLog()
			cfg := isc.Config{}
			if tc.test.Outcome == emulator.ConnectionTimeout {
				// What the test outlasts; the other cases keep the default, as a loaded machine
				// may answer a plain request slowly.
				cfg = isc.Config{Timeout: time.Second, MaxRetries: 1}
			}
			c := tn.NewClient(t, cfg)
			rep, err := isync.Apply(context.Background(), c, repo, p, isync.ApplyOptions{Env: tenanttest.Env, Dir: "../examples/acme", Verify: true})
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK() != tc.ok {
				t.Errorf("report OK %v, want %v: %+v", rep.OK(), tc.ok, rep.Results)
			}
			tested := 0
			for _, r := range rep.Results {
				if r.Status != isync.StatusDone {
					t.Errorf("%s %q: %s (%s): every write is done whatever the test says", r.Kind, r.Name, r.Status, r.Message)
				}
				if r.Kind != "Source" {
					if r.Verify != nil {
						t.Errorf("%s %q was tested", r.Kind, r.Name)
					}
					continue
				}
				if r.Verify == nil {
					t.Errorf("source %q (%s) was not tested", r.Name, r.Action)
					continue
				}
				tested++
				if r.Name == "Corporate Directory" && (r.Verify.Status != tc.status || !strings.Contains(r.Verify.Message, tc.message)) {
					t.Errorf("Corporate Directory's test: %+v, want %s with %q", r.Verify, tc.status, tc.message)
				}
				if r.Name != "Corporate Directory" && !r.Verify.Passed() {
					t.Errorf("source %q: %+v", r.Name, r.Verify)
				}
			}
			if tested != isync.VerifyCalls(p) || tested < 2 {
				t.Errorf("%d sources tested, the plan writes %d", tested, isync.VerifyCalls(p))
			}
			if tc.test.Outcome != emulator.ConnectionTimeout {
				if got := len(tn.Emu.Log()); got != want {
					t.Errorf("the apply made %d requests, the estimate with --verify is %d", got, want)
				}
			}
		})
	}
}
