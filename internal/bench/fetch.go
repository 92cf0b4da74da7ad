package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/isc"
	isync "github.com/sailsync/sailsync/sync"
)

// measurement is one run of one scenario.
type measurement struct {
	Calls   int     // requests the tenant received (its log), token included
	Limited int     // 429 answers the tenant sent
	Wall    float64 // seconds
}

// settings are the emulator and client settings shared by the timed scenarios.
type settings struct {
	rate        int           // requests per window, on both sides
	window      time.Duration // the emulator's window; the client's limit is scaled to it
	latency     time.Duration
	parallelism int
}

func (s settings) ratePerSecond() float64 { return float64(s.rate) / s.window.Seconds() }

func (s settings) emulatorOptions() emulator.Options {
	return emulator.Options{RatePer10s: s.rate, RateWindow: s.window, Latency: s.latency}
}

// client returns a client whose limit equals the emulator's (the same requests per window).
func (s settings) client(t *tenant) (*isc.Client, error) {
	return isc.New(isc.Config{
		BaseURL: t.srv.URL, ClientID: t.emu.ClientID(), ClientSecret: t.emu.ClientSecret(),
		RatePer10s: s.ratePerSecond() * 10,
	})
}

// served reads the tenant's log once the server has finished every request.
func served(t *tenant) measurement {
	t.close()
	var m measurement
	for _, e := range t.emu.Log() {
		m.Calls++
		if e.Status == http.StatusTooManyRequests {
			m.Limited++
		}
	}
	return m
}

// runPlanFetch times sync.Fetch, the reading half of `sailsync plan`, against a fresh tenant.
func runPlanFetch(ctx context.Context, s settings, n int, repo *config.Repo) (measurement, error) {
	t, err := newTenant(2*n, s.emulatorOptions())
	if err != nil {
		return measurement{}, err
	}
	c, err := s.client(t)
	if err != nil {
		t.close()
		return measurement{}, err
	}
	start := time.Now()
	live, err := isync.Fetch(ctx, c, repo, isync.FetchOptions{Parallelism: s.parallelism})
	wall := time.Since(start)
	m := served(t)
	m.Wall = wall.Seconds()
	if err != nil {
		return m, fmt.Errorf("fetch: %w", err)
	}
	return m, checkLive(live, n)
}

// runNaive times the same read done the way a tool that keeps one state entry per object does
// it (the Terraform providers for ISC refresh each resource by id): one GET /v3/sources/{id}
// per declared source, one GET /v3/sources/{id}/schemas per declared schema's source, one
// GET /v3/connectors/{scriptName} per declared connector, plus the token. The ids come from the
// tool's state (here: the emulator's, which costs no request). Same client, same limiter, same
// parallelism as sailsync: only the choice of calls differs.
func runNaive(ctx context.Context, s settings, n int, repo *config.Repo) (measurement, error) {
	t, err := newTenant(2*n, s.emulatorOptions())
	if err != nil {
		return measurement{}, err
	}
	ids := make(map[string]string, n)
	for _, src := range repo.Sources() {
		o, ok := t.emu.SourceByName(src.Name)
		if !ok {
			t.close()
			return measurement{}, fmt.Errorf("source %q is not in the tenant", src.Name)
		}
		ids[src.Name] = o.String("id")
	}
	c, err := s.client(t)
	if err != nil {
		t.close()
		return measurement{}, err
	}
	live := &diff.Live{}
	results := make(chan func(), s.parallelism)
	done := make(chan struct{})
	go func() {
		// One goroutine owns live, so the requests need no lock.
		for f := range results {
			f()
		}
		close(done)
	}()
	start := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.parallelism)
	for _, src := range repo.Sources() {
		g.Go(func() error {
			o, err := c.GetSource(gctx, ids[src.Name])
			if err != nil {
				return err
			}
			results <- func() { live.Put(config.KindSource, "", src.Name, o) }
			return nil
		})
	}
	for _, es := range repo.Schemas() {
		g.Go(func() error {
			objs, err := c.ListSchemas(gctx, ids[es.Source])
			if err != nil {
				return err
			}
			results <- func() {
				live.SetListedOwner(config.KindEntitlementSchema, es.Source)
				for _, o := range objs {
					live.Put(config.KindEntitlementSchema, es.Source, o.String("name"), o)
				}
			}
			return nil
		})
	}
	for _, conn := range repo.Connectors() {
		g.Go(func() error {
			// The tool's state holds each connector's scriptName; the bench tenant's is the slug.
			o, err := c.GetConnector(gctx, isc.ScriptName(conn.Name))
			if err != nil {
				return err
			}
			results <- func() { live.Put(config.KindConnector, "", conn.Name, o) }
			return nil
		})
	}
	err = g.Wait()
	close(results)
	<-done
	wall := time.Since(start)
	m := served(t)
	m.Wall = wall.Seconds()
	if err != nil {
		return m, fmt.Errorf("naive fetch: %w", err)
	}
	return m, checkLive(live, n)
}

// checkLive makes sure a fetch read what the plan needs, so that a fast wrong answer cannot
// pass for a fast right one.
func checkLive(live *diff.Live, n int) error {
	schemasRead := live.ListedOwners[config.KindEntitlementSchema]
	for k := 1; k <= n; k++ {
		name := sourceName(declared(k))
		if !live.Has(config.KindSource, "", name) {
			return fmt.Errorf("the fetch did not read source %q", name)
		}
		if !schemasRead[name] {
			return fmt.Errorf("the fetch did not read the schemas of source %q", name)
		}
	}
	for i := 1; i <= connectorCount; i++ {
		if !live.Has(config.KindConnector, "", connectorName(i)) {
			return fmt.Errorf("the fetch did not read connector %q", connectorName(i))
		}
	}
	return nil
}
