package isc_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/sailsync/sailsync/emulator"
)

// TestListStopsAtTheReportedTotal: a collection of exactly k·250 objects is listed in k
// requests; the empty page a short-page rule would ask for next is not requested.
func TestListStopsAtTheReportedTotal(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	// The Acme seed has 3 sources: 497 more make exactly 500.
	for i := range 497 {
		if _, err := e.emu.AddSource(newSource(t, fmt.Sprintf("Bulk %04d", i))); err != nil {
			t.Fatal(err)
		}
	}
	c, _ := e.client(t)
	got, err := c.ListSources(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 500 {
		t.Fatalf("listed %d sources, want 500", len(got))
	}
	if n := e.attempts("GET", "/v3/sources"); n != 2 {
		t.Errorf("%d list requests for 500 sources, want 2", n)
	}
}

// TestListSourcesPageReportsTheTotal: one page at an offset, with the tenant's count, so that
// a caller can request the other pages at once.
func TestListSourcesPageReportsTheTotal(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	for i := range 300 {
		if _, err := e.emu.AddSource(newSource(t, fmt.Sprintf("Bulk %04d", i))); err != nil {
			t.Fatal(err)
		}
	}
	c, _ := e.client(t)
	all := e.emu.Sources()
	for _, tc := range []struct {
		offset, want int
	}{{0, 250}, {250, 53}, {500, 0}} {
		p, err := c.ListSourcesPage(context.Background(), "", tc.offset)
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 303 || len(p.Objects) != tc.want {
			t.Errorf("offset %d: %d objects, total %d; want %d of 303", tc.offset, len(p.Objects), p.Total, tc.want)
		}
		if len(p.Objects) > 0 && p.Objects[0].String("id") != all[tc.offset].String("id") {
			t.Errorf("offset %d starts with %s, want %s", tc.offset, p.Objects[0].String("name"), all[tc.offset].String("name"))
		}
	}
	p, err := c.ListSourcesPage(context.Background(), `name eq "Bulk 0042"`, 0)
	if err != nil || p.Total != 1 || len(p.Objects) != 1 {
		t.Fatalf("filtered page = %+v, %v", p, err)
	}
	if _, err := c.ListSourcesPage(context.Background(), "", -1); err == nil {
		t.Error("a negative offset was accepted")
	}
}
