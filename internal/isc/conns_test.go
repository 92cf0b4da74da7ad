package isc_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sailsync/sailsync/examples"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/isc"
)

// A client built without an HTTPClient keeps its connections to the tenant for the requests
// in flight: the default transport kept 2 and re-dialled the others after every burst.
func TestClientReusesConnectionsForParallelRequests(t *testing.T) {
	t.Parallel()
	emu, err := emulator.New(emulator.Options{Seed: examples.AcmeTenant})
	if err != nil {
		t.Fatal(err)
	}
	var dials atomic.Int64
	srv := httptest.NewUnstartedServer(emu)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			dials.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c, err := isc.New(isc.Config{
		BaseURL: srv.URL, ClientID: emu.ClientID(), ClientSecret: emu.ClientSecret(),
		RatePer10s: 1e6, Timeout: 5 * time.Second, MaxRetries: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	const parallel, each = 8, 100
	var wg sync.WaitGroup
	errs := make(chan error, parallel)
	for range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				if _, err := c.ListSourcesPage(context.Background(), "", 0); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// At most one connection per request in flight, and one more per request that dialled
	// while another connection was being freed; the default transport needed several dozen.
	if n := dials.Load(); n > 2*parallel {
		t.Errorf("%d requests, %d in flight, opened %d connections; want at most %d", parallel*each, parallel, n, 2*parallel)
	}
}
