// Package sync fetches the live state a plan needs from the tenant and applies a plan to it in
// dependency order. It never prints: progress goes through callbacks and results are returned.
package sync

import (
	"cmp"
	"context"
	"fmt"
	"sort"
	"strings"
	gosync "sync"
	"time"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/isc"
	"github.com/sailsync/sailsync/internal/value"
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
	// known so far, one call at a time.
	Progress func(done, total int)
	// Journal maps a connector's name to the scriptName an earlier apply created it under (the
	// CLI's journal): a connector that is not RELEASED and that no source uses is found by no
	// documented read, so this is tried, and checked by the name it returns, before the guess.
	Journal map[string]string
	// Read chooses how the sources' schemas are read: per object (the zero value), from one
	// configuration export job, or whichever is fewer requests (ReadAuto).
	Read ReadMode
	// ExportPoll and ExportWait are the export job's first poll interval and the bound on its
	// wait; 0 means DefaultExportPoll and DefaultExportWait.
	ExportPoll, ExportWait time.Duration
}

// Fetch reads what a plan of repo needs, in as few calls as the API allows, with up to
// Parallelism requests in flight and no request waiting for another it does not depend on:
//
//   - the declared sources: with at most NamesPerFilter of them, one `name in (…)` list. With
//     more, the first page of the full listing (which tells the tenant's size), then whichever
//     is fewer calls: the remaining pages, all requested at once, or name-filtered lists of the
//     declared sources that page did not hold;
//   - the connectors, by name: one listing of the RELEASED ones, then a GET for each declared
//     connector it does not show, by the scriptName a live source names for it, its pin or
//     the common rule's guess (a single pinned connector: the GET of its pin alone); and a GET
//     for each connector a source to be created names literally that the listing lacks;
//   - the schemas of each declared source with EntitlementSchemas, requested as soon as the
//     page holding that source arrives;
//   - the objects that references given by name name (owner, cluster, …; see lookupCalls).
//   - the ConnectorDetail of each declared connector with a bundle that only the listing showed
//     (a RELEASED one): the listing has no bundle, and the others were read with GET already.
//
// So that the comparison with the minimum is exact: sailsync pays the minimum whenever the
// listing is the cheaper way or at most NamesPerFilter sources are declared, and at most one
// request more (the page that tells the tenant's size) when name filters win.
func Fetch(ctx context.Context, c *isc.Client, repo *config.Repo, opts FetchOptions) (*diff.Live, error) {
	par := opts.Parallelism
	if par <= 0 {
		par = DefaultParallelism
	}
	if err := c.Authenticate(ctx); err != nil {
		return nil, err
	}
	withSchemas := sourcesWithSchemas(repo)
	// The maps are sized for the repository up front, not rehashed again and again while the
	// pages arrive.
	f := &fetcher{
		c: c, repo: repo, all: opts.AllSources, allSources: opts.AllSources || deletesConnectors(repo),
		journal:    opts.Journal,
		exportPoll: cmp.Or(opts.ExportPoll, DefaultExportPoll), exportWait: cmp.Or(opts.ExportWait, DefaultExportWait),
		live: &diff.Live{
			Objects: map[config.Kind]map[diff.Key]*value.Object{
				config.KindSource:    make(map[diff.Key]*value.Object, repo.CountOf(config.KindSource)),
				config.KindConnector: make(map[diff.Key]*value.Object, repo.CountOf(config.KindConnector)),
			},
			MissingConnectors: map[string]bool{},
			Listed:            map[config.Kind]bool{},
		},
		known:        map[string]*value.Object{},
		detailed:     map[string]bool{},
		declared:     make(map[string]bool, repo.CountOf(config.KindSource)),
		withSchemas:  make(map[string]bool, len(withSchemas)),
		schemasAsked: make(map[string]bool, len(withSchemas)),
		pr:           &progress{fn: opts.Progress},
	}
	for _, name := range withSchemas {
		f.withSchemas[name] = true
	}
	f.pool = newPool(ctx, par)
	if f.perObject = !useExport(opts.Read, len(withSchemas)); !f.perObject {
		f.submit(func(ctx context.Context) error { f.readExport(ctx, withSchemas); return nil })
	}
	names := make([]string, 0, repo.CountOf(config.KindSource))
	for _, s := range repo.Sources() {
		names = append(names, s.Name)
		f.declared[s.Name] = true
	}
	switch {
	case f.allSources || len(names) > NamesPerFilter:
		f.submit(func(ctx context.Context) error { return f.firstPage(ctx, names) })
	case len(names) > 0:
		f.filtered(names)
	}
	switch {
	case opts.AllSources:
		// Drift reports unmanaged custom connectors too: the listing shows the released ones.
		f.submit(f.listConnectors)
	case repo.CountOf(config.KindConnector) > 0:
		f.connectors()
	}
	for _, k := range config.AllKinds() {
		if r, ok := readers[k]; ok {
			r.start(f)
		}
	}
	f.lookups(namedRefs(repo))
	if err := f.pool.wait(); err != nil {
		return nil, err
	}
	for _, k := range config.AllKinds() {
		if r, ok := readers[k]; ok && r.finish != nil {
			if err := r.finish(ctx, f, par); err != nil {
				return nil, err
			}
		}
	}
	if f.shifted {
		// The tenant's source list changed while it was paged: pages may have skipped a source.
		if err := f.recover(ctx, par, names); err != nil {
			return nil, err
		}
	}
	if err := f.exportFallback(ctx, par); err != nil {
		return nil, err
	}
	if err := f.findConnectors(ctx, par); err != nil {
		return nil, err
	}
	if err := f.details(ctx, par); err != nil {
		return nil, err
	}
	f.live.SetListed(config.KindSource, f.listedAll && !f.shifted)
	f.live.SetListed(config.KindConnector, opts.AllSources && f.listed)
	return f.live, nil
}

// deletesConnectors reports whether the repository has a Connector tombstone.
func deletesConnectors(repo *config.Repo) bool {
	for _, c := range repo.Connectors() {
		if c.Absent {
			return true
		}
	}
	return false
}

// fetcher is the state of one Fetch. live is written under mu only.
type fetcher struct {
	c    *isc.Client
	repo *config.Repo
	all  bool // drift: every object of every listing
	// allSources reads every source of the tenant: for drift, and for a repository with a
	// Connector tombstone, whose delete must know every source that uses the connector.
	allSources bool
	pool       *pool
	pr         *progress
	journal    map[string]string // connector name → scriptName an earlier apply recorded
	// perObject reads each declared source's schemas as its page arrives; otherwise the export
	// job reads them (export, once done) and exportFallback reads what it did not give.
	perObject              bool
	export                 *exportRead
	exportPoll, exportWait time.Duration

	plains []*plainFetch // the plain kinds read

	mu           gosync.Mutex
	live         *diff.Live
	declared     map[string]bool
	withSchemas  map[string]bool // declared sources with EntitlementSchemas
	schemasAsked map[string]bool
	total        int  // the tenant's source count reported by the first page
	listedAll    bool // the full listing was (or is being) read
	shifted      bool // a page reported another total than the first
	listed       bool // the connector listing was read
	// known holds every connector read, by scriptName; nil for a scriptName the tenant lacks.
	known map[string]*value.Object
	// detailed holds the scriptNames read with GET, whose answer is a ConnectorDetail with the
	// bundle (the listing's objects have none): see details in bundle.go.
	detailed map[string]bool
}

// submit runs task in the pool, counting it for the progress callback.
func (f *fetcher) submit(task func(ctx context.Context) error) {
	f.pr.add(1)
	f.pool.submit(func(ctx context.Context) error {
		err := task(ctx)
		f.pr.done(1)
		return err
	})
}

// firstPage reads the first page of the full listing and decides how to read the rest.
func (f *fetcher) firstPage(ctx context.Context, names []string) error {
	p, err := f.page(ctx, 0)
	if err != nil {
		return err
	}
	f.mu.Lock()
	f.total = p.Total
	f.mu.Unlock()
	f.addSources(p.Objects)
	if p.Len < PageSize || (p.Total >= 0 && p.Len >= p.Total) {
		f.mu.Lock()
		f.listedAll = true
		f.mu.Unlock()
		return nil
	}
	if p.Total < 0 {
		// No count: page on one after the other until a short page.
		f.mu.Lock()
		f.listedAll = true
		f.mu.Unlock()
		f.submit(func(ctx context.Context) error { return f.sequentialPages(ctx, PageSize) })
		return nil
	}
	missing := f.missing(names)
	if p.Total > isc.MaxListed {
		// Never a task per claimed page: name filters need no listing, drift cannot do without.
		if f.allSources {
			return fmt.Errorf("list sources: %w", isc.CheckListed("GET /v3/sources", p.Total, PageSize))
		}
		f.filtered(missing)
		return nil
	}
	pages := (p.Total+PageSize-1)/PageSize - 1
	if !f.allSources && (len(missing)+NamesPerFilter-1)/NamesPerFilter < pages {
		f.filtered(missing)
		return nil
	}
	f.mu.Lock()
	f.listedAll = true
	f.mu.Unlock()
	for i := 1; i <= pages; i++ {
		offset := i * PageSize
		f.submit(func(ctx context.Context) error {
			p, err := f.page(ctx, offset)
			if err != nil {
				return err
			}
			f.mu.Lock()
			if p.Total != f.total {
				f.shifted = true
			}
			f.mu.Unlock()
			f.addSources(p.Objects)
			return nil
		})
	}
	return nil
}

// page reads the page of the full listing at offset. Without AllSources it keeps only the
// declared sources (addSources would drop the others): Page.Len still counts them all, and
// the paging goes by it.
func (f *fetcher) page(ctx context.Context, offset int) (*isc.Page, error) {
	if f.allSources {
		return f.c.ListSourcesPage(ctx, "", offset)
	}
	// declared is complete before the first task runs and only read afterwards.
	return f.c.ListSourcesPageKeep(ctx, "", offset, func(name string) bool { return f.declared[name] })
}

// sequentialPages reads pages from offset until a short page (a tenant that does not count), or
// fails at isc.MaxListed sources.
func (f *fetcher) sequentialPages(ctx context.Context, offset int) error {
	p, err := f.page(ctx, offset)
	if err != nil {
		return err
	}
	f.addSources(p.Objects)
	if p.Len < PageSize {
		return nil
	}
	if err := isc.CheckListed("GET /v3/sources", p.Total, offset+PageSize); err != nil {
		return fmt.Errorf("list sources: %w", err)
	}
	f.submit(func(ctx context.Context) error { return f.sequentialPages(ctx, offset+PageSize) })
	return nil
}

// filtered reads the named sources with `name in (…)` lists of NamesPerFilter names.
func (f *fetcher) filtered(names []string) {
	for _, filter := range nameFilters(names) {
		f.submit(func(ctx context.Context) error {
			objs, err := f.c.ListSources(ctx, filter)
			if err != nil {
				return err
			}
			f.addSources(objs)
			return nil
		})
	}
}

// missing returns the declared names not read yet.
func (f *fetcher) missing(names []string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, n := range names {
		if !f.live.Has(config.KindSource, "", n) {
			out = append(out, n)
		}
	}
	return out
}

// addSources records sources and asks for the schemas of the declared ones that have some.
func (f *fetcher) addSources(objs []*value.Object) {
	var ask []*value.Object
	f.mu.Lock()
	for _, o := range objs {
		name := o.String("name")
		if !f.allSources && !f.declared[name] {
			// Only drift needs the sources the repository does not declare: a plan of 10,000
			// sources in a tenant of 20,000 would hold the other half in memory for nothing.
			continue
		}
		f.live.Put(config.KindSource, "", name, o)
		if f.perObject && f.withSchemas[name] && !f.schemasAsked[name] {
			f.schemasAsked[name] = true
			ask = append(ask, o)
		}
	}
	f.mu.Unlock()
	for _, o := range ask {
		f.askSchemas(o)
	}
}

// askSchemas reads one source's schemas.
func (f *fetcher) askSchemas(o *value.Object) {
	name, id := o.String("name"), o.String("id")
	f.submit(func(ctx context.Context) error {
		objs, err := f.c.ListSchemas(ctx, id)
		if err != nil {
			return fmt.Errorf("source %q: list schemas: %w", name, err)
		}
		f.mu.Lock()
		f.live.SetListedOwner(config.KindEntitlementSchema, name)
		for _, o := range objs {
			f.live.Put(config.KindEntitlementSchema, name, o.String("name"), o)
		}
		f.mu.Unlock()
		return nil
	})
}

// connectors starts finding the declared connectors by name. The tenant's scriptName rule is
// undocumented, so a connector is found by its name in the listing (RELEASED ones); a single
// pinned connector is read by its pin alone when the pin holds that name. Whatever is still
// missing is looked for by findConnectors once the sources are in.
func (f *fetcher) connectors() {
	if f.repo.CountOf(config.KindConnector) == 1 && f.repo.Connectors()[0].PinnedScriptName != "" {
		conn := f.repo.Connectors()[0]
		f.submit(func(ctx context.Context) error { return f.tryConnector(ctx, conn, conn.PinnedScriptName) })
		return
	}
	f.submit(func(ctx context.Context) error { return f.listConnectors(ctx) })
}

// listConnectors reads the connector listing and matches the declared connectors by name; the
// pinned ones it does not show are read by their pins at once.
func (f *fetcher) listConnectors(ctx context.Context) error {
	listed, err := f.c.ListConnectors(ctx)
	if err != nil {
		return fmt.Errorf("list connectors: %w", err)
	}
	var pinned []*config.Connector
	f.mu.Lock()
	f.listed = true
	f.live.ListedConnectors = listed
	for _, o := range listed {
		f.known[o.String("scriptName")] = o
	}
	for _, conn := range f.repo.Connectors() {
		if o := isc.MatchName(conn.Name, listed); o != nil {
			f.live.Put(config.KindConnector, "", conn.Name, o)
		} else if conn.PinnedScriptName != "" && f.known[conn.PinnedScriptName] == nil {
			pinned = append(pinned, conn)
		}
	}
	f.mu.Unlock()
	for _, conn := range pinned {
		f.submit(func(ctx context.Context) error { return f.tryConnector(ctx, conn, conn.PinnedScriptName) })
	}
	return nil
}

// tryConnector reads the scriptNames in turn (each at most once per fetch) and takes the first
// connector whose name is conn's: a scriptName alone, guessed or pinned, proves nothing.
func (f *fetcher) tryConnector(ctx context.Context, conn *config.Connector, scriptNames ...string) error {
	seen := map[string]bool{}
	for _, sn := range scriptNames {
		if sn == "" || seen[sn] {
			continue
		}
		seen[sn] = true
		o, err := f.getConnector(ctx, sn)
		if err != nil {
			return fmt.Errorf("connector %q: %w", conn.Name, err)
		}
		if o != nil && isc.SameName(o.String("name"), conn.Name) {
			f.mu.Lock()
			f.live.Put(config.KindConnector, "", conn.Name, o)
			f.mu.Unlock()
			return nil
		}
	}
	return nil
}

// getConnector reads a connector by scriptName, remembering the answer (nil: the tenant has
// none) so that no scriptName is asked twice.
func (f *fetcher) getConnector(ctx context.Context, scriptName string) (*value.Object, error) {
	f.mu.Lock()
	o, asked := f.known[scriptName]
	f.mu.Unlock()
	if asked {
		return o, nil
	}
	o, err := f.c.GetConnector(ctx, scriptName)
	if isc.IsNotFound(err) {
		o, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.known[scriptName] = o
	f.detailed[scriptName] = true
	f.mu.Unlock()
	return o, nil
}

// findConnectors runs once the sources are in. It looks for each declared connector not found
// yet, in this order: the connector of a live source whose connectorName is the connector's
// name (a source names both), the pin, the scriptName a journal recorded, and only then the one the common rule derives
// (a guess, checked by the name it returns). It also asks for each connector that a source to
// be created names literally and the tenant did not show, so that plan, not apply, reports a
// missing one.
func (f *fetcher) findConnectors(ctx context.Context, par int) error {
	if f.repo.CountOf(config.KindConnector) > 0 && !f.listed && len(f.live.Objects[config.KindConnector]) < f.repo.CountOf(config.KindConnector) {
		// The single pin did not hold the connector: the listing may.
		f.pool = newPool(ctx, par)
		f.submit(f.listConnectors)
		if err := f.pool.wait(); err != nil {
			return err
		}
	}
	// Decided before any task runs: the tasks write the live connectors.
	var missing []*config.Connector
	for _, conn := range f.repo.Connectors() {
		if f.live.Get(config.KindConnector, "", conn.Name) == nil {
			missing = append(missing, conn)
		}
	}
	f.pool = newPool(ctx, par)
	for _, conn := range missing {
		var candidates []string
		for _, src := range f.live.Objects[config.KindSource] {
			if isc.SameName(src.String("connectorName"), conn.Name) && src.String("connector") != "" {
				candidates = append(candidates, src.String("connector"))
			}
		}
		sort.Strings(candidates)
		candidates = append(candidates, conn.PinnedScriptName, f.journal[conn.Name], isc.ScriptName(conn.Name))
		f.submit(func(ctx context.Context) error { return f.tryConnector(ctx, conn, candidates...) })
	}
	asked := map[string]bool{}
	for _, src := range f.repo.Sources() {
		if f.live.Get(config.KindSource, "", src.Name) != nil {
			continue
		}
		v, _ := src.Fields.Get("connector")
		sn, _ := v.(string)
		if sn == "" || strings.Contains(sn, "${") || asked[sn] {
			continue
		}
		asked[sn] = true
		f.submit(func(ctx context.Context) error {
			o, err := f.getConnector(ctx, sn)
			if err != nil {
				return fmt.Errorf("source %q: connector %s: %w", src.Name, sn, err)
			}
			if o == nil {
				f.mu.Lock()
				f.live.MissingConnectors[sn] = true
				f.mu.Unlock()
			}
			return nil
		})
	}
	return f.pool.wait()
}

// recover re-reads the sources after the listing shifted under concurrent pages: the whole
// listing (paged one after the other, starting over on a change) when every source is
// needed, else the declared sources not found, by name.
func (f *fetcher) recover(ctx context.Context, par int, names []string) error {
	f.pool = newPool(ctx, par)
	if f.allSources {
		f.submit(func(ctx context.Context) error {
			objs, err := f.c.ListSources(ctx, "")
			if err != nil {
				return err
			}
			f.mu.Lock()
			f.live.Objects[config.KindSource] = map[diff.Key]*value.Object{}
			f.mu.Unlock()
			f.addSources(objs)
			return nil
		})
	} else if missing := f.missing(names); len(missing) > 0 {
		f.filtered(missing)
	}
	if err := f.pool.wait(); err != nil {
		return err
	}
	f.shifted = false
	return nil
}

// useFilter reports whether name-filtered lists are the cheaper way to read n declared sources
// before the tenant's size is known: one filtered call is never beaten.
func useFilter(n int) bool { return n > 0 && n <= NamesPerFilter }

// sourceCalls returns the filter of each list call that reads the named sources when the
// tenant's size is unknown: one name filter for at most NamesPerFilter names, else the
// unfiltered listing (""). all asks for the unfiltered listing.
func sourceCalls(names []string, all bool) []string {
	if all || !useFilter(len(names)) {
		return []string{""}
	}
	return nameFilters(names)
}

// nameFilters returns `name in (…)` filters of at most NamesPerFilter names each.
func nameFilters(names []string) []string {
	var calls []string
	for i := 0; i < len(names); i += NamesPerFilter {
		end := min(i+NamesPerFilter, len(names))
		quoted := make([]string, 0, end-i)
		for _, n := range names[i:end] {
			quoted = append(quoted, isc.QuoteFilter(n))
		}
		calls = append(calls, "name in ("+strings.Join(quoted, ",")+")")
	}
	return calls
}

func sourcesWithSchemas(repo *config.Repo) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range repo.Schemas() {
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

// done counts finished requests and reports. The callback runs under the lock: workers finish
// at once, and a callback called concurrently raced in its caller (a test's slice lost an
// append one run in four) and could report 3/10 after 4/10.
func (p *progress) done(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n += n
	if p.fn != nil {
		p.fn(p.n, p.total)
	}
}
