package sync_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/contract"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/isc"
	isync "github.com/sailsync/sailsync/sync"
)

// TestFetchListingThatNeverEnds: drift reads every page of the source listing, so a tenant
// whose listing never ends (fresh full pages without a total) or claims two billion sources is
// stopped at isc.MaxListed with an error, never by memory; a plan of a few declared sources
// reads them by name and is not disturbed by a claimed total.
func TestFetchListingThatNeverEnds(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		fault     emulator.Fault
		all       bool
		wantErr   bool
		wantPages int // faulty listing requests, at most
	}{
		{"drift, endless pages without a total", emulator.Fault{Kind: emulator.FaultEndlessList}, true, true, isc.MaxListed / isync.PageSize},
		{"drift, endless pages with a total of two billion", emulator.Fault{Kind: emulator.FaultEndlessList, Total: emulator.HugeTotal}, true, true, 1},
		{"drift, a total of two billion on real pages", emulator.Fault{Kind: emulator.FaultHugeTotal}, true, true, 1},
		{"plan, a total of two billion on real pages", emulator.Fault{Kind: emulator.FaultHugeTotal}, false, false, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			emu, err := emulator.New(emulator.Options{})
			if err != nil {
				t.Fatal(err)
			}
			seedSources(t, emu, "other", 250) // a full first page without a declared source
			seedSources(t, emu, "src", 60)
			srv := httptest.NewServer(contract.Middleware(t, emu))
			defer srv.Close()
			c := faultClient(t, srv.URL, emu, 0)
			repo := declare(t, "src", 60, false) // more than one name filter holds
			// Every listing of sources, name-filtered ones included.
			tc.fault.Method, tc.fault.Path = "GET", "^/v3/sources$"
			emu.AddFault(tc.fault)
			emu.ResetLog()
			live, err := isync.Fetch(context.Background(), c, repo, isync.FetchOptions{AllSources: tc.all})
			pages := 0
			for _, e := range emu.Log() {
				if e.Path == "/v3/sources" && e.Fault != "" {
					pages++
				}
			}
			if tc.wantErr {
				if !errors.Is(err, isc.ErrTooManyObjects) {
					t.Fatalf("err = %v, want ErrTooManyObjects", err)
				}
			} else if err != nil || len(live.Objects[config.KindSource]) != 60 {
				t.Fatalf("err = %v, %d sources read, want 60", err, len(live.Objects[config.KindSource]))
			}
			if pages == 0 || pages > tc.wantPages {
				t.Errorf("%d faulty listing pages requested, want 1 to %d", pages, tc.wantPages)
			}
		})
	}
}

// faultClient is a client of the server at url with the fault tests' settings (few, fast retries).
func faultClient(t *testing.T, url string, emu *emulator.Emulator, timeout time.Duration) *isc.Client {
	t.Helper()
	cfg := faultConfig(timeout)
	cfg.BaseURL, cfg.ClientID, cfg.ClientSecret, cfg.RatePer10s = url, emu.ClientID(), emu.ClientSecret(), 1e6
	c, err := isc.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
