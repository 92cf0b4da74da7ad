package sync

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/isc"
	"github.com/sailsync/sailsync/internal/value"
)

// The plain kinds (config.API: Transform) are read, applied and exported here from their table
// rows alone, so that a new one needs no file in this package.

func init() {
	for _, k := range config.PlainKinds() {
		spec, _ := config.KindInfo(k)
		register(k, plainKind{spec: spec})
		registerReader(k, kindReader{
			start:  func(f *fetcher) { f.plain(k) },
			finish: func(ctx context.Context, f *fetcher, par int) error { return f.recoverPlain(ctx, par, k) },
		})
		registerExporter(k, func() exporter { return &plainExport{spec: spec} })
	}
}

// plainKind applies the changes of one plain kind: a POST, a full-object PUT over a fresh read,
// a DELETE by id.
type plainKind struct{ spec config.KindSpec }

// known: nothing depends on a plain object.
func (plainKind) known(*applier, diff.Change) {}

func (h plainKind) apply(a *applier, ch diff.Change, _ *Result) error {
	api := h.spec.API
	what := fmt.Sprintf("%s %q", ch.Kind, ch.Name)
	if ch.Action == diff.ActionCreate {
		body, err := a.resolveObject(ch.Op.Body)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		created, err := a.c.CreateIn(a.reqCtx, api.Path, body)
		if err != nil {
			return fmt.Errorf("%s: create: %w", what, err)
		}
		a.record(ch.Kind, ch.Name, created.String("id"))
		return nil
	}
	fresh, err := a.c.GetIn(a.reqCtx, api.Path, ch.LiveID)
	if err != nil {
		return fmt.Errorf("%s: fresh read: %w", what, err)
	}
	if ch.Fingerprint == nil || diff.FingerprintOf(fresh).Hash != ch.Fingerprint.Hash {
		// Another object under that id (a forged or outdated id), or one changed since the
		// plan, is never overwritten.
		return &staleError{what: what}
	}
	body, err := Overlay(fresh, ch.Op.Body, a.resolve, func(string) bool { return false })
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	// The body is the object as users declare it: the fields the tenant sets are not the PUT's
	// to send (the published request schema has none of them).
	for _, f := range h.spec.ServerManaged {
		body.Delete(f)
	}
	if a.stop.Err() != nil {
		return errInterrupted
	}
	if _, err := a.c.PutIn(a.reqCtx, api.Path, ch.LiveID, body); err != nil {
		return fmt.Errorf("%s: update: %w", what, err)
	}
	return nil
}

func (h plainKind) remove(a *applier, ch diff.Change) (string, error) {
	return a.deleteDone(ch, a.c.DeleteIn(a.reqCtx, h.spec.API.Path, ch.LiveID))
}

// calls: POST; a fresh GET and the PUT; the DELETE.
func (plainKind) calls(ch diff.Change) int { return perAction(ch, 1, 2, 1) }

// plainFetch is what Fetch reads of one plain kind.
type plainFetch struct {
	spec  config.KindSpec
	names []string          // declared, unique, in repository order
	keys  map[string]string // config.NameKey of a declared name → the name
	// exact marks the declared names found under their own spelling: one found under another
	// spelling (the tenant may compare names without case) gives way to it.
	exact   map[string]bool
	total   int
	shifted bool // a page reported another total than the first
}

// plain starts reading the objects of plain kind k if the repository declares some (with AllSources,
// for a kind reported when unmanaged, its whole listing): the first page of the listing, which
// tells the kind's size, and then whichever is fewer calls: its other pages or lookups of the
// names it did not hold. A tenant's custom objects of a kind are usually fewer than a page, and
// a page is read without trusting how any filter compares names (config.NameKey does): a lookup
// first would save nothing then, and would depend on it.
func (f *fetcher) plain(k config.Kind) {
	spec, _ := config.KindInfo(k)
	pf := &plainFetch{spec: spec, keys: map[string]string{}, exact: map[string]bool{}}
	for _, o := range f.repo.ObjectsOf(k) {
		if _, dup := pf.keys[config.NameKey(o.Name)]; !dup {
			pf.keys[config.NameKey(o.Name)] = o.Name
			pf.names = append(pf.names, o.Name)
		}
	}
	if len(pf.names) == 0 {
		// A kind the repository does not use is not its business: drift does not report the
		// tenant's objects of it as unmanaged either.
		return
	}
	all := f.all && spec.Unmanaged
	f.live.Objects[k] = make(map[diff.Key]*value.Object, len(pf.names))
	f.plains = append(f.plains, pf)
	switch {
	case all:
		f.submit(func(ctx context.Context) error {
			objs, err := f.c.ListIn(ctx, spec.API.Path, "")
			if err != nil {
				return err
			}
			f.addPlain(pf, objs, true)
			f.mu.Lock()
			f.live.Listed[k] = true
			f.mu.Unlock()
			return nil
		})
	default:
		f.submit(func(ctx context.Context) error { return f.firstPlainPage(ctx, pf) })
	}
}

// lookupFilters are the filters that find names: `name in` lists where the kind allows them,
// else one `name sw` each. Not `name eq`: it may compare exactly where the tenant's unique-name
// check does not, and a lookup that misses "Lowercase Email" for "lowercase email" plans a
// create the tenant refuses as a duplicate. `sw` compares without case (as the listing's
// reading does, by config.NameKey); addPlain keeps only the objects that answer to a declared
// name, so the longer names it also finds are dropped.
func (f *fetcher) lookupFilters(pf *plainFetch, names []string) []string {
	if pf.spec.API.NameIn {
		return nameFilters(names)
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "name sw " + isc.QuoteFilter(n)
	}
	return out
}

// lookupPlain reads names by name filters.
func (f *fetcher) lookupPlain(pf *plainFetch, names []string) {
	for _, filter := range f.lookupFilters(pf, names) {
		f.submit(func(ctx context.Context) error {
			objs, err := f.c.ListIn(ctx, pf.spec.API.Path, filter)
			if err != nil {
				return err
			}
			f.addPlain(pf, objs, false)
			return nil
		})
	}
}

// firstPlainPage reads the first page of a plain kind's listing and decides how to read the rest.
func (f *fetcher) firstPlainPage(ctx context.Context, pf *plainFetch) error {
	api := pf.spec.API
	p, err := f.c.ListInPage(ctx, api.Path, 0)
	if err != nil {
		return err
	}
	f.addPlain(pf, p.Objects, false)
	if p.Len < PageSize || (p.Total >= 0 && p.Len >= p.Total) {
		return nil
	}
	missing := f.missingPlain(pf)
	pages := -1
	if p.Total >= 0 && p.Total <= isc.MaxListed {
		pages = (p.Total+PageSize-1)/PageSize - 1
	}
	if lookups := f.lookupFilters(pf, missing); pages < 0 || len(lookups) <= pages {
		// Without a count (or with an absurd one) the lookups are bounded, the pages are not.
		f.lookupPlain(pf, missing)
		return nil
	}
	f.mu.Lock()
	pf.total = p.Total
	f.mu.Unlock()
	for i := 1; i <= pages; i++ {
		offset := i * PageSize
		f.submit(func(ctx context.Context) error {
			p, err := f.c.ListInPage(ctx, api.Path, offset)
			if err != nil {
				return err
			}
			f.mu.Lock()
			if p.Total != pf.total {
				pf.shifted = true
			}
			f.mu.Unlock()
			f.addPlain(pf, p.Objects, false)
			return nil
		})
	}
	return nil
}

// recoverPlain looks up by name what a listing of plain kind k that shifted while it was paged
// may have skipped.
func (f *fetcher) recoverPlain(ctx context.Context, par int, k config.Kind) error {
	started := false
	for _, pf := range f.plains {
		if pf.spec.Kind != k || !pf.shifted {
			continue
		}
		if missing := f.missingPlain(pf); len(missing) > 0 {
			if !started {
				f.pool, started = newPool(ctx, par), true
			}
			f.lookupPlain(pf, missing)
		}
	}
	if !started {
		return nil
	}
	return f.pool.wait()
}

// missingPlain returns the declared names of pf not found yet.
func (f *fetcher) missingPlain(pf *plainFetch) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, n := range pf.names {
		if !f.live.Has(pf.spec.Kind, "", n) {
			out = append(out, n)
		}
	}
	return out
}

// addPlain records the objects of a plain kind under the declared name they answer to: their own
// or, for a tenant that may compare names without case, one with the same name key (plan then
// shows the difference in spelling). With all (the whole listing, in one call), every other
// object is kept under its own name, another spelling included when the listing also holds the
// declared spelling or a first other one: each is an object of its own, for drift to report,
// whatever the listing's order.
func (f *fetcher) addPlain(pf *plainFetch, objs []*value.Object, all bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := f.live.Objects[pf.spec.Kind]
	if all {
		for _, o := range objs {
			if pf.spec.API.Vendors(o) {
				continue
			}
			name := o.String("name")
			if declared, ok := pf.keys[config.NameKey(name)]; ok && declared == name {
				pf.exact[name] = true
			}
		}
	}
	for _, o := range objs {
		name := o.String("name")
		declared, ok := pf.keys[config.NameKey(name)]
		if pf.spec.API.Vendors(o) {
			// The vendor's own object: only its name matters, to a declared object that has it
			// (plan reports it), unless the tenant's own object has the declared spelling.
			if ok && !pf.exact[declared] && m[diff.Key{Name: declared}] == nil {
				m[diff.Key{Name: declared}] = o
			}
			continue
		}
		switch {
		case ok && declared == name:
			m[diff.Key{Name: name}] = o
			pf.exact[name] = true
		case ok && !pf.exact[declared] && (!all || m[diff.Key{Name: declared}] == nil):
			m[diff.Key{Name: declared}] = o
		case all:
			m[diff.Key{Name: name}] = o
		}
	}
}

// plainExport exports every object of a plain kind's listing, one file each, when the whole
// tenant is exported (an export of some sources leaves them out).
type plainExport struct {
	spec config.KindSpec
	objs []*value.Object
}

func (e *plainExport) prepare(ctx context.Context, x *exportRun) error {
	if x.partial {
		return nil
	}
	all, err := x.c.ListIn(ctx, e.spec.API.Path, "")
	if err != nil {
		return err
	}
	var objs []*value.Object
	for _, o := range all {
		if !e.spec.API.Vendors(o) {
			objs = append(objs, o)
		}
	}
	sort.Slice(objs, func(i, j int) bool { return objs[i].String("name") < objs[j].String("name") })
	e.objs = objs
	return nil
}

func (*plainExport) readSource(*exportRun, *value.Object) {}

// renderAll writes the objects in name order under <kind>s/, without the fields export leaves out.
func (e *plainExport) renderAll(x *exportRun) error {
	dir := strings.ToLower(string(e.spec.Kind)) + "s/"
	for _, o := range e.objs {
		body, ok := escapeRefs(o).(*value.Object)
		if !ok {
			return fmt.Errorf("%s %q is not an object", e.spec.Kind, o.String("name"))
		}
		doc := value.NewObject()
		doc.Set("kind", string(e.spec.Kind))
		for _, k := range e.spec.NotExported() {
			body.Delete(k)
		}
		for k, v := range body.All() {
			doc.Set(k, v)
		}
		f, err := yamlFile(dir+slug(o.String("name"))+".yaml", doc)
		if err != nil {
			return err
		}
		x.add(f)
	}
	return nil
}

func (*plainExport) renderSource(*exportRun, *value.Object) error { return nil }
