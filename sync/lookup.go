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

// lookupCall is one request that finds references given by name: the objects of typ matching
// filter (all of them when filter is ""). names are the names it answers for.
type lookupCall struct {
	typ    string
	filter string
	names  []string
}

// lookupCalls returns the requests that find the named objects, at the minimum the official
// document allows for each type:
//
//	IDENTITY          GET /beta/identities       one `name eq` per name (name takes eq and sw, not in)
//	CLUSTER           GET /v3/managed-clusters   one listing (a tenant has a handful of clusters, so
//	                                             one page beats a `name eq` per name from two names on)
//	GOVERNANCE_GROUP  GET /beta/workgroups       one `name in (…)` per NamesPerFilter names
//	PASSWORD_POLICY   GET /v3/password-policies  one listing (no filters)
//	RULE              GET /beta/connector-rules  one listing (no parameters, not paged)
//
// Names are asked once however many references give them. The calls are ordered by type, then
// name, so that a plan's requests are the same every run.
func lookupCalls(refs []config.NamedRef) []lookupCall {
	byType := map[string][]string{}
	seen := map[config.NamedRef]bool{}
	for _, r := range refs {
		if !seen[r] {
			seen[r] = true
			byType[r.Type] = append(byType[r.Type], r.Name)
		}
	}
	types := make([]string, 0, len(byType))
	for t := range byType {
		types = append(types, t)
	}
	sort.Strings(types)
	var calls []lookupCall
	for _, t := range types {
		names := byType[t]
		sort.Strings(names)
		switch t {
		case config.RefIdentity:
			for _, n := range names {
				calls = append(calls, lookupCall{typ: t, filter: "name eq " + isc.QuoteFilter(n), names: []string{n}})
			}
		case config.RefGovernanceGroup:
			filters := nameFilters(names)
			for i, f := range filters {
				end := min((i+1)*NamesPerFilter, len(names))
				calls = append(calls, lookupCall{typ: t, filter: f, names: names[i*NamesPerFilter : end]})
			}
		default:
			calls = append(calls, lookupCall{typ: t, names: names})
		}
	}
	return calls
}

// namedRefs lists the distinct references given by name in repo.
func namedRefs(repo *config.Repo) []config.NamedRef {
	uses := repo.NamedRefs()
	out := make([]config.NamedRef, len(uses))
	for i, u := range uses {
		out[i] = u.NamedRef
	}
	return out
}

// EstimateLookups is the number of requests a plan of repo makes to find its references given
// by name (see lookupCalls), when the listings of password policies fit one page of 250.
func EstimateLookups(repo *config.Repo) int {
	return len(lookupCalls(namedRefs(repo)))
}

// list runs one lookup call.
func (lc lookupCall) list(ctx context.Context, c *isc.Client) ([]*value.Object, error) {
	switch lc.typ {
	case config.RefIdentity:
		return c.ListIdentities(ctx, lc.filter)
	case config.RefCluster:
		return c.ListManagedClusters(ctx, lc.filter)
	case config.RefGovernanceGroup:
		return c.ListWorkgroups(ctx, lc.filter)
	case config.RefPasswordPolicy:
		return c.ListPasswordPolicies(ctx)
	case config.RefRule:
		return c.ListConnectorRules(ctx)
	}
	return nil, fmt.Errorf("no lookup for references of type %s", lc.typ)
}

// lookups starts the requests that find repo's references given by name, beside the rest of
// the fetch. Each name gets the tenant's objects of its type with that name (none, one or
// several: diff decides), exact matches first and case-insensitive ones only when there are
// none, as a tenant's filter may compare names either way.
func (f *fetcher) lookups(refs []config.NamedRef) {
	calls := lookupCalls(refs)
	if len(calls) == 0 {
		return
	}
	f.live.Named = make(map[config.NamedRef][]*value.Object, len(refs))
	f.live.Lookups = len(calls)
	for _, lc := range calls {
		f.submit(func(ctx context.Context) error {
			objs, err := lc.list(ctx, f.c)
			if err != nil {
				return fmt.Errorf("find %s references by name: %w", strings.ToLower(lc.typ), err)
			}
			found := matchNames(lc.names, objs)
			f.mu.Lock()
			for _, n := range lc.names {
				f.live.Named[config.NamedRef{Type: lc.typ, Name: n}] = found[n]
			}
			f.mu.Unlock()
			return nil
		})
	}
}

// matchNames returns, for each name, the objects called so: exactly, or else case-insensitively.
func matchNames(names []string, objs []*value.Object) map[string][]*value.Object {
	out := make(map[string][]*value.Object, len(names))
	for _, n := range names {
		var exact, folded []*value.Object
		for _, o := range objs {
			switch on := o.String("name"); {
			case on == n:
				exact = append(exact, o)
			case isc.SameName(on, n):
				folded = append(folded, o)
			}
		}
		if len(exact) > 0 {
			out[n] = exact
		} else {
			out[n] = folded
		}
	}
	return out
}

// ResolveNames finds the tenant's objects for the given references by name, with the requests
// a plan makes for them (see lookupCalls): what export uses to write a reference by name only
// when the name finds that very object again.
func ResolveNames(ctx context.Context, c *isc.Client, refs []config.NamedRef, parallelism int) (map[config.NamedRef][]*value.Object, error) {
	if parallelism <= 0 {
		parallelism = DefaultParallelism
	}
	f := &fetcher{c: c, live: &diff.Live{}, pr: &progress{}}
	f.pool = newPool(ctx, parallelism)
	f.lookups(refs)
	if err := f.pool.wait(); err != nil {
		return nil, err
	}
	if f.live.Named == nil {
		return map[config.NamedRef][]*value.Object{}, nil
	}
	return f.live.Named, nil
}
