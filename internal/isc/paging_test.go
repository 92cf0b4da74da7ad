package isc_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/isc"
)

// TestListingThatNeverEndsStops: a tenant whose listings never end — full pages of fresh
// objects with no total, or a total of two billion — is stopped at isc.MaxListed objects (or
// at once, when the claimed total is above it) with an error, while a huge total on a short
// page is a short page.
func TestListingThatNeverEndsStops(t *testing.T) {
	t.Parallel()
	maxPages := isc.MaxListed / isc.PageSize
	cases := []struct {
		name      string
		fault     emulator.Fault
		list      func(c *isc.Client) (int, error)
		wantErr   bool
		wantPages int // requests to the listing, at most
	}{
		{"endless pages, no total", emulator.Fault{Kind: emulator.FaultEndlessList},
			func(c *isc.Client) (int, error) {
				o, err := c.ListSources(context.Background(), "")
				return len(o), err
			}, true, maxPages},
		{"endless pages, a total of two billion", emulator.Fault{Kind: emulator.FaultEndlessList, Total: emulator.HugeTotal},
			func(c *isc.Client) (int, error) {
				o, err := c.ListSources(context.Background(), "")
				return len(o), err
			}, true, 1},
		{"endless connector pages", emulator.Fault{Kind: emulator.FaultEndlessList},
			func(c *isc.Client) (int, error) { o, err := c.ListConnectors(context.Background()); return len(o), err }, true, maxPages},
		{"a total of two billion on a short page", emulator.Fault{Kind: emulator.FaultHugeTotal},
			func(c *isc.Client) (int, error) {
				o, err := c.ListSources(context.Background(), "")
				return len(o), err
			}, false, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, emulator.Options{})
			path := "/v3/sources"
			if tc.name == "endless connector pages" {
				path = "/v3/connectors"
			}
			tc.fault.Method, tc.fault.Path = "GET", "^"+path+"$"
			e.emu.AddFault(tc.fault)
			c, _ := e.client(t)
			n, err := tc.list(c)
			pages := e.attempts("GET", path)
			if tc.wantErr != (err != nil) || (err != nil && !errors.Is(err, isc.ErrTooManyObjects)) {
				t.Fatalf("err = %v, want an ErrTooManyObjects: %v", err, tc.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), fmt.Sprint(isc.MaxListed)) {
				t.Errorf("the error does not state the ceiling: %v", err)
			}
			if pages > tc.wantPages {
				t.Errorf("%d pages requested, want at most %d", pages, tc.wantPages)
			}
			if !tc.wantErr && n != len(e.emu.Sources()) {
				t.Errorf("listed %d sources, the tenant has %d", n, len(e.emu.Sources()))
			}
		})
	}
}
