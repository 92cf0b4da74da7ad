// Package sync fetches the live state a plan needs from the tenant and applies a plan to it in
// dependency order. It never prints: progress goes through callbacks and results are returned.
package sync

import (
	"context"
	"fmt"
	"sort"
	"strings"
	gosync "sync"

	"golang.org/x/sync/errgroup"

	"github.com/sailsync/sailsync/config"
	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/isc"
)

// PageSize is the largest page the list endpoints return.
const PageSize = 250

// NamesPerFilter bounds how many names go into one `name in (…)` filter, so that the query string
// stays far below the URL lengths proxies accept (~8 KB) even for long source names.
const NamesPerFilter = 50

// DefaultParallelism is how many requests run at once unless --parallelism says otherwise.
const DefaultParallelism = 8

// FetchOptions tune Fetch.
type FetchOptions struct {
	// Parallelism bounds concurrent requests; 0 means DefaultParallelism.
	Parallelism int
	// AllSources lists every source of the tenant (needed by drift to find unmanaged sources)
	// instead of choosing whichever of the full list and name-filtered lists is fewer calls.
	AllSources bool
	// Progress, when set, is called after every request with the number done and the number
	// known so far.
	Progress func(done, total int)
}

// Fetch reads what a plan of repo needs, in as few calls as the API allows: the sources (one
// paged list, or name-filtered lists when those are fewer), the connectors (one paged list of
// released ones plus a get for each declared connector the list does not show), and the schemas
// of each declared source that has EntitlementSchemas.
func Fetch(ctx context.Context, c *isc.Client, repo *config.Repo, opts FetchOptions) (*diff.Live, error) {
	par := opts.Parallelism
	if par <= 0 {
		par = DefaultParallelism
	}
	pr := &progress{fn: opts.Progress}
	live := &diff.Live{
		Sources:    map[string]*isc.Object{},
		Schemas:    map[string]map[string]*isc.Object{},
		Connectors: map[string]*isc.Object{},
	}

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(par)
	var mu gosync.Mutex

	// Sources and connectors do not depend on each other.
	sourceNames := make([]string, 0, len(repo.Sources))
	for _, s := range repo.Sources {
		sourceNames = append(sourceNames, s.Name)
	}
	for _, call := range sourceCalls(sourceNames, opts.AllSources) {
		pr.add(1)
		g.Go(func() error {
			objs, err := c.ListSources(gctx, call)
			pr.done(1)
			if err != nil {
				return fmt.Errorf("list sources: %w", err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, o := range objs {
				live.Sources[o.String("name")] = o
			}
			return nil
		})
	}
	if len(repo.Connectors) > 0 {
		g.Go(func() error { return fetchConnectors(gctx, c, repo, live, &mu, pr, par) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	live.AllSourcesListed = sourceCalls(sourceNames, opts.AllSources)[0] == ""

	// Schemas need the sources' ids.
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(par)
	for _, name := range sourcesWithSchemas(repo) {
		src, ok := live.Sources[name]
		if !ok {
			continue
		}
		id := src.String("id")
		pr.add(1)
		g.Go(func() error {
			objs, err := c.ListSchemas(gctx, id)
			pr.done(1)
			if err != nil {
				return fmt.Errorf("source %q: list schemas: %w", name, err)
			}
			m := make(map[string]*isc.Object, len(objs))
			for _, o := range objs {
				m[o.String("name")] = o
			}
			mu.Lock()
			live.Schemas[name] = m
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return live, nil
}

// fetchConnectors lists the released connectors and gets each declared one the list does not
// show (connectors in development are not listed). With a single declared connector the get
// alone is cheaper than the list.
func fetchConnectors(ctx context.Context, c *isc.Client, repo *config.Repo, live *diff.Live, mu *gosync.Mutex, pr *progress, par int) error {
	if len(repo.Connectors) > 1 {
		pr.add(1)
		listed, err := c.ListConnectors(ctx)
		pr.done(1)
		if err != nil {
			return fmt.Errorf("list connectors: %w", err)
		}
		mu.Lock()
		for _, o := range listed {
			live.Connectors[o.String("scriptName")] = o
		}
		mu.Unlock()
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(par)
	for _, conn := range repo.Connectors {
		mu.Lock()
		_, found := live.Connectors[conn.ScriptName]
		mu.Unlock()
		if found {
			continue
		}
		pr.add(1)
		g.Go(func() error {
			o, err := c.GetConnector(gctx, conn.ScriptName)
			pr.done(1)
			if isc.IsNotFound(err) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("connector %q: %w", conn.Name, err)
			}
			mu.Lock()
			live.Connectors[conn.ScriptName] = o
			mu.Unlock()
			return nil
		})
	}
	return g.Wait()
}

// useFilter reports whether name-filtered lists are the cheaper way to read n declared sources.
// Without knowing the tenant's size, one filtered call is never beaten; beyond that the full
// list is used, as a tenant rarely has more than NamesPerFilter × PageSize / NamesPerFilter
// sources per declared chunk.
func useFilter(n int) bool { return n > 0 && n <= NamesPerFilter }

// sourceCalls returns the filter of each list call that reads the declared sources; "" is the
// unfiltered (paged) list.
func sourceCalls(names []string, all bool) []string {
	if all || !useFilter(len(names)) {
		return []string{""}
	}
	var calls []string
	for i := 0; i < len(names); i += NamesPerFilter {
		end := min(i+NamesPerFilter, len(names))
		quoted := make([]string, 0, end-i)
		for _, n := range names[i:end] {
			quoted = append(quoted, quoteFilter(n))
		}
		calls = append(calls, "name in ("+strings.Join(quoted, ",")+")")
	}
	return calls
}

// quoteFilter quotes a value for the ISC filter syntax, which escapes quotes and backslashes
// with a backslash.
func quoteFilter(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func sourcesWithSchemas(repo *config.Repo) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range repo.Schemas {
		if !seen[s.Source] {
			seen[s.Source] = true
			out = append(out, s.Source)
		}
	}
	sort.Strings(out)
	return out
}

type progress struct {
	mu       gosync.Mutex
	fn       func(done, total int)
	n, total int
}

func (p *progress) add(n int) {
	p.mu.Lock()
	p.total += n
	p.mu.Unlock()
}

func (p *progress) done(n int) {
	p.mu.Lock()
	p.n += n
	d, t := p.n, p.total
	p.mu.Unlock()
	if p.fn != nil {
		p.fn(d, t)
	}
}
