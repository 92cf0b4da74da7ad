package emulator

import (
	"fmt"
	"io/fs"
	"net/http"

	"github.com/sailsync/sailsync/internal/value"
)

// The tenant's directory: objects sources refer to (identities, managed clusters, governance
// groups, password policies, connector rules) that a client looks up by name. The emulator
// serves them read-only from its seed, each seed directory holding the objects as the API
// returns them; an object without an id gets one of this tenant's own, so two emulators seeded
// with the same names stand for two tenants (sandbox and production) whose ids differ.

// directoryCollection is one collection of the directory: where it is seeded from, the paths
// and versions it is served under, and the filters the official document allows on it.
type directoryCollection struct {
	// seed is the seed directory, and the collection's key.
	seed string
	// paths maps an API version to the collection's path segment under it.
	paths map[string]string
	// filters are the documented filter fields and operators; nil when the endpoint takes no
	// filters parameter.
	filters filterFields
	// sorters are the documented sort fields; nil when the endpoint takes none.
	sorters map[string]bool
	// paged is set when the endpoint takes limit, offset and count.
	paged bool
	// defaultFilter is set for GET /beta/identities, whose defaultFilter parameter
	// (CORRELATED_ONLY by default) hides identities that are not correlated.
	defaultFilter bool
}

// directory lists the collections, as GET /beta/identities, GET /v3|beta/managed-clusters,
// GET /beta/workgroups, GET /v3|beta/password-policies and GET /beta/connector-rules define
// them.
var directory = []directoryCollection{
	{seed: "identities", paths: map[string]string{"beta": "identities"}, paged: true, defaultFilter: true,
		filters: filterFields{"id": "eq in", "name": "eq sw", "alias": "eq sw", "firstname": "eq sw", "lastname": "eq sw",
			"email": "eq sw", "cloudStatus": "eq", "processingState": "eq", "correlated": "eq", "protected": "eq"},
		sorters: map[string]bool{"name": true, "alias": true, "cloudStatus": true}},
	{seed: "managed-clusters", paths: map[string]string{"v3": "managed-clusters", "beta": "managed-clusters"}, paged: true,
		filters: filterFields{"operational": "eq", "name": "eq", "type": "eq", "status": "eq"}},
	{seed: "workgroups", paths: map[string]string{"beta": "workgroups"}, paged: true,
		filters: filterFields{"id": "eq in sw", "name": "eq sw in", "memberships.identityId": "eq in"},
		sorters: map[string]bool{"name": true, "created": true, "modified": true, "id": true, "description": true}},
	{seed: "password-policies", paths: map[string]string{"v3": "password-policies", "beta": "password-policies"}, paged: true},
	{seed: "connector-rules", paths: map[string]string{"beta": "connector-rules"}},
}

// directorySeedDirs are the seed directories of the directory's collections.
func directorySeedDirs() []string {
	out := make([]string, len(directory))
	for i, c := range directory {
		out[i] = c.seed
	}
	return out
}

// loadDirectory reads the directory's collections from the seed. Every object needs a name
// (that is what clients look it up by); ids are unique per collection.
func (e *Emulator) loadDirectory(seed fs.FS) error {
	e.directory = map[string][]*value.Object{}
	for _, c := range directory {
		objs, err := readSeedDir(seed, c.seed)
		if err != nil {
			return err
		}
		ids := map[string]bool{}
		for _, f := range objs {
			if f.obj.String("name") == "" {
				return fmt.Errorf("%s: object without a name", f.file)
			}
			id := f.obj.String("id")
			if id == "" {
				id = newID()
				f.obj.Set("id", id)
			}
			if ids[id] {
				return fmt.Errorf("%s: second object with id %q in %s", f.file, id, c.seed)
			}
			ids[id] = true
			e.directory[c.seed] = append(e.directory[c.seed], f.obj)
		}
	}
	return nil
}

// routeDirectory serves a GET of a directory collection; it reports false when the path is
// not one.
func (e *Emulator) routeDirectory(w http.ResponseWriter, r *http.Request, version string, seg []string) bool {
	if len(seg) != 1 {
		return false
	}
	for i := range directory {
		c := &directory[i]
		if c.paths[version] != seg[0] {
			continue
		}
		if r.Method != http.MethodGet {
			writeError(w, methodNotAllowed(r.Method))
			return true
		}
		e.listDirectory(w, r, c)
		return true
	}
	return false
}

// listDirectory answers a list request of collection c with the parameters it documents; an
// undocumented filter field or operator is a 400, as on a tenant.
func (e *Emulator) listDirectory(w http.ResponseWriter, r *http.Request, c *directoryCollection) {
	q := r.URL.Query()
	p := page{limit: len(e.directory[c.seed]) + 1, count: false}
	if c.paged {
		var aerr *apiError
		if p, aerr = parsePage(r); aerr != nil {
			writeError(w, aerr)
			return
		}
	}
	var f filter
	if s := q.Get("filters"); s != "" {
		if c.filters == nil {
			writeError(w, badRequest("This endpoint takes no filters parameter."))
			return
		}
		var err error
		if f, err = parseFilter(s, c.filters); err != nil {
			writeError(w, badRequest("Invalid filters parameter: "+err.Error()))
			return
		}
	}
	correlatedOnly := false
	if c.defaultFilter {
		switch q.Get("defaultFilter") {
		case "", "CORRELATED_ONLY":
			correlatedOnly = true
		case "NONE":
		default:
			writeError(w, badRequest(fmt.Sprintf("defaultFilter must be CORRELATED_ONLY or NONE, not %q", q.Get("defaultFilter"))))
			return
		}
	}
	e.mu.Lock()
	var all []*value.Object
	for _, o := range e.directory[c.seed] {
		if correlatedOnly {
			// A seed identity says "correlated": false to stand for one without accounts.
			if v, ok := o.Get("correlated"); ok && v == false {
				continue
			}
		}
		if f == nil || f.match(o) {
			all = append(all, o)
		}
	}
	if s := q.Get("sorters"); s != "" && c.sorters != nil {
		if err := sortObjects(all, s, c.sorters); err != nil {
			e.mu.Unlock()
			writeError(w, badRequest("Invalid sorters parameter: "+err.Error()))
			return
		}
	}
	if all == nil {
		all = []*value.Object{}
	}
	body, err := marshal(p.apply(w, all))
	e.mu.Unlock()
	writeBody(w, http.StatusOK, body, err)
}

// Directory returns copies of the objects of a directory collection ("identities",
// "managed-clusters", "workgroups", "password-policies", "connector-rules"), for tests that
// check which tenant's ids a source carries.
func (e *Emulator) Directory(collection string) []*value.Object {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []*value.Object
	for _, o := range e.directory[collection] {
		out = append(out, o.Clone())
	}
	return out
}
