package emulator

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"regexp"
	"sort"
	"strconv"

	"github.com/sailsync/sailsync/internal/value"
)

// immutableFields are the fields a PUT must not change (PUT /v3/sources/{id} description).
var immutableFields = []string{"id", "type", "authoritative", "connector", "connectorClass", "passwordPolicies"}

// serverFields are maintained by the tenant: a PUT cannot set them and need not send them.
// "schemas" is kept by the server too, so that a PUT built from a source read before an
// entitlement schema upload does not drop the new schema's reference.
var serverFields = []string{
	"created", "modified", "healthy", "status", "since", "connectorId", "connectorName",
	"connectionType", "connectorImplementationId", "schemas",
}

// ImmutableSourceFields returns the fields a source PUT must not change. Exported so that a
// test holds the client's statement of the tenant's rules (config's kind table) to this one.
func ImmutableSourceFields() []string { return append([]string(nil), immutableFields...) }

// ServerSourceFields returns the fields the tenant maintains on a source (a PUT cannot set
// them); with `id`, which it assigns, they are what it manages. Exported for the same test.
func ServerSourceFields() []string { return append([]string(nil), serverFields...) }

// serverAttributes are the keys the tenant adds inside connectorAttributes.
var serverAttributes = []string{"cloudExternalId", "cloudDisplayName", "healthy", "since"}

var idPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// sourceState is the tenant's sources.
type sourceState struct {
	list       []*value.Object // in creation order, which is the default list order
	idx        map[string]int  // "id:…" and "name:…" → position in list
	externalID int             // the next cloudExternalId, unique per tenant like the real one
}

// sourceKind is the index of the sources' state in Emulator.state.
var sourceKind int

func init() {
	sourceKind = registerKind(kindHandler{
		kind: "Source", level: 1,
		newState: func() any { return &sourceState{idx: map[string]int{}, externalID: 100000} },
		route:    (*Emulator).routeSources,
		loadSeed: (*Emulator).loadSourceSeed,
		seedDirs: func(fs.FS) []string { return []string{"sources"} },
		seedHint: "sources/",
	})
}

// srcs is the tenant's sources; the caller holds e.mu.
func (e *Emulator) srcs() *sourceState { return e.state[sourceKind].(*sourceState) }

// routeSources serves /sources and /sources/{id} (under /v3 and /beta alike).
func (e *Emulator) routeSources(w http.ResponseWriter, r *http.Request, version string, seg []string) bool {
	method := r.Method
	switch {
	case len(seg) == 1 && seg[0] == "sources":
		switch method {
		case http.MethodGet:
			e.listSources(w, r)
		case http.MethodPost:
			e.createSource(w, r)
		default:
			writeError(w, methodNotAllowed(method))
		}
	case len(seg) == 2 && seg[0] == "sources":
		switch method {
		case http.MethodGet:
			e.getSource(w, seg[1])
		case http.MethodPut:
			e.putSource(w, r, seg[1])
		case http.MethodPatch:
			e.patchSource(w, r, seg[1])
		case http.MethodDelete:
			e.deleteSource(w, seg[1])
		default:
			writeError(w, methodNotAllowed(method))
		}
	case len(seg) == 4 && seg[0] == "sources" && seg[2] == "connector" && seg[3] == "test-configuration" && version == "beta":
		e.testConfiguration(w, r, seg[1])
	default:
		return false
	}
	return true
}

// loadSourceSeed adds the seed's sources/*.json, in file-name order.
func (e *Emulator) loadSourceSeed(seed fs.FS) error {
	srcs, err := readSeedDir(seed, "sources")
	if err != nil {
		return err
	}
	for _, f := range srcs {
		s := f.obj
		name := s.String("name")
		if name == "" {
			return fmt.Errorf("%s: source without a name", f.file)
		}
		if e.sourceByName(name) != nil {
			return fmt.Errorf("%s: second source named %q", f.file, name)
		}
		id := s.String("id")
		if id == "" {
			id = newID()
			s.Set("id", id)
		}
		if e.sourceByID(id) != nil {
			return fmt.Errorf("%s: second source with id %q", f.file, id)
		}
		if _, ok := s.Get("created"); !ok {
			s.Set("created", e.stamp())
		}
		if _, ok := s.Get("modified"); !ok {
			s.Set("modified", s.String("created"))
		}
		e.protectSecrets(s.Object("connectorAttributes"), nil)
		if n, err := strconv.Atoi(s.Object("connectorAttributes").String("cloudExternalId")); err == nil && n > e.srcs().externalID {
			e.srcs().externalID = n // new sources get ids above the seed's
		}
		e.appendSource(s)
	}
	return nil
}

func (e *Emulator) listSources(w http.ResponseWriter, r *http.Request) {
	p, f, ok := listParams(w, r, sourceFilterFields)
	if !ok {
		return
	}
	q := r.URL.Query()
	sorters := q.Get("sorters")
	e.mu.Lock()
	// Unfiltered and unsorted, a page is a slice of the stored list: gathering all sources for
	// every page made listing a tenant quadratic in its size. Sorting works on a copy.
	all := e.srcs().list
	if f != nil || sorters != "" {
		all = nil
		for _, s := range e.srcs().list {
			if f == nil || f.match(s) {
				all = append(all, s)
			}
		}
	}
	if sorters != "" {
		if err := sortObjects(all, sorters, sourceSortFields); err != nil {
			e.mu.Unlock()
			writeError(w, badRequest("Invalid sorters parameter: "+err.Error()))
			return
		}
	}
	// The page is written while the lock is held instead of copied to be written after:
	// copying it was a third of the emulator's time in the benchmark.
	body, err := marshal(p.apply(w, all))
	e.mu.Unlock()
	writeBody(w, http.StatusOK, body, err)
}

func (e *Emulator) getSource(w http.ResponseWriter, id string) {
	e.mu.Lock()
	s := e.sourceByID(id)
	if s != nil {
		s = s.Clone()
	}
	e.mu.Unlock()
	if s == nil {
		writeError(w, notFound(fmt.Sprintf("Source %q was not found.", id)))
		return
	}
	writeJSON(w, http.StatusOK, s)
}

// sourceByID returns the stored source (not a copy); the caller holds e.mu. Lookups go through
// an index so that a tenant of tens of thousands of sources (the benchmark's) answers each
// request in constant time, as the real one does.
func (e *Emulator) sourceByID(id string) *value.Object {
	if i, ok := e.srcs().idx["id:"+id]; ok {
		return e.srcs().list[i]
	}
	return nil
}

// sourceByName returns the stored source (not a copy); the caller holds e.mu.
func (e *Emulator) sourceByName(name string) *value.Object {
	if i, ok := e.srcs().idx["name:"+name]; ok {
		return e.srcs().list[i]
	}
	return nil
}

// appendSource adds s at the end of the source list; the caller holds e.mu.
func (e *Emulator) appendSource(s *value.Object) {
	e.srcs().list = append(e.srcs().list, s)
	e.srcs().idx["id:"+s.String("id")] = len(e.srcs().list) - 1
	e.srcs().idx["name:"+s.String("name")] = len(e.srcs().list) - 1
}

func (e *Emulator) connectorByScriptName(name string) *value.Object {
	for _, c := range e.conns().list {
		if c.String("scriptName") == name {
			return c
		}
	}
	return nil
}

func (e *Emulator) createSource(w http.ResponseWriter, r *http.Request) {
	csv := false
	if s := r.URL.Query().Get("provisionAsCsv"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			writeError(w, badRequest(fmt.Sprintf("provisionAsCsv must be true or false, not %q", s)))
			return
		}
		csv = b
	}
	body, aerr := readObject(w, r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	e.mu.Lock()
	created, aerr := e.create(body, createOptions{provisionAsCsv: csv})
	e.mu.Unlock()
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	writeJSON(w, http.StatusCreated, created)
}

// checkSourceBody validates what both POST and PUT require.
func checkSourceBody(body *value.Object) *apiError {
	if body.String("name") == "" {
		return badRequest("Field 'name' is required.")
	}
	owner := body.Object("owner")
	if owner == nil || owner.String("id") == "" {
		return badRequest("Field 'owner' is required and must reference an identity by id.")
	}
	if t, ok := owner.Get("type"); ok && t != "IDENTITY" {
		return badRequest(fmt.Sprintf("Field 'owner.type' must be IDENTITY, not %v.", t))
	}
	if body.String("connector") == "" {
		return badRequest("Field 'connector' is required.")
	}
	if v, ok := body.Get("connectorAttributes"); ok && v != nil {
		if _, isObj := v.(*value.Object); !isObj {
			return badRequest("Field 'connectorAttributes' must be an object.")
		}
	}
	if v, ok := body.Get("deleteThreshold"); ok && v != nil {
		n, isNum := v.(json.Number)
		i, err := n.Int64()
		if !isNum || err != nil || i < 0 || i > 100 {
			return badRequest("Field 'deleteThreshold' must be an integer from 0 to 100.")
		}
	}
	if v, ok := body.Get("authoritative"); ok && v != nil {
		if _, isBool := v.(bool); !isBool {
			return badRequest("Field 'authoritative' must be a boolean.")
		}
	}
	if v, ok := body.Get("features"); ok && v != nil {
		arr, isArr := v.([]any)
		if !isArr {
			return badRequest("Field 'features' must be an array of strings.")
		}
		for _, f := range arr {
			if _, isStr := f.(string); !isStr {
				return badRequest("Field 'features' must be an array of strings.")
			}
		}
	}
	return nil
}

// createOptions vary how create treats a new source.
type createOptions struct {
	provisionAsCsv bool // the provisionAsCsv query parameter
	// anyConnector accepts a connector the tenant does not have (AddSource, which tests use to
	// fill an otherwise empty tenant); POST refuses it, so apply must create connectors first.
	anyConnector bool
}

// create adds a source the way POST /v3/sources does; the caller holds e.mu.
func (e *Emulator) create(body *value.Object, opts createOptions) (*value.Object, *apiError) {
	provisionAsCsv := opts.provisionAsCsv
	if aerr := checkSourceBody(body); aerr != nil {
		return nil, aerr
	}
	name := body.String("name")
	if e.sourceByName(name) != nil {
		return nil, badRequest(fmt.Sprintf("A source named %q already exists.", name))
	}
	conn := e.connectorByScriptName(body.String("connector"))
	if conn == nil && !opts.anyConnector {
		return nil, badRequest(fmt.Sprintf("Connector %q does not exist.", body.String("connector")))
	}
	if conn == nil {
		conn = value.NewObject()
		conn.Set("scriptName", body.String("connector"))
		conn.Set("name", body.String("connector"))
		conn.Set("type", body.String("connector"))
	}
	id := body.String("id")
	if !idPattern.MatchString(id) || e.sourceByID(id) != nil {
		id = newID()
	}
	now := e.stamp()

	s := value.NewObject()
	s.Set("id", id)
	for _, k := range body.Keys() {
		if k == "id" || isServerField(k) {
			continue
		}
		v, _ := body.Get(k)
		s.Set(k, value.Clone(v))
	}
	if provisionAsCsv {
		s.Set("type", "DelimitedFile")
	}
	if s.String("type") == "" {
		s.Set("type", conn.String("type"))
	}
	if s.String("connectorClass") == "" {
		s.Set("connectorClass", conn.String("className"))
	}
	if _, ok := s.Get("authoritative"); !ok {
		s.Set("authoritative", false)
	}
	attrs := s.Object("connectorAttributes")
	if attrs == nil {
		attrs = value.NewObject()
		s.Set("connectorAttributes", attrs)
	}
	e.protectSecrets(attrs, nil)
	e.srcs().externalID++
	attrs.Set("cloudExternalId", strconv.Itoa(e.srcs().externalID))
	attrs.Set("cloudDisplayName", name)
	attrs.Set("healthy", true)
	attrs.Set("since", now)
	if _, ok := s.Get("passwordPolicies"); !ok {
		s.Set("passwordPolicies", nil)
	}
	s.Set("schemas", []any{})
	s.Set("healthy", true)
	s.Set("status", "SOURCE_STATE_HEALTHY")
	s.Set("since", now)
	s.Set("connectorId", conn.String("scriptName"))
	connectorName := conn.String("name")
	if e.opts.ConnectorNameIsType {
		connectorName = conn.String("type")
	}
	s.Set("connectorName", connectorName)
	connType := "direct"
	if direct, _ := conn.Get("directConnect"); direct == false || provisionAsCsv {
		connType = "file"
	}
	s.Set("connectionType", connType)
	s.Set("connectorImplementationId", conn.String("scriptName"))
	s.Set("created", now)
	s.Set("modified", now)
	if _, ok := s.Get("credentialProviderEnabled"); !ok {
		s.Set("credentialProviderEnabled", false)
	}
	if _, ok := s.Get("category"); !ok {
		s.Set("category", nil)
	}
	e.appendSource(s)
	return s.Clone(), nil
}

func isServerField(k string) bool {
	for _, f := range serverFields {
		if f == k {
			return true
		}
	}
	return false
}

func (e *Emulator) putSource(w http.ResponseWriter, r *http.Request, id string) {
	body, aerr := readObject(w, r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	e.mu.Lock()
	updated, aerr := e.replace(id, body)
	e.mu.Unlock()
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	writeJSON(w, http.StatusOK, updated)
}

// replace is PUT /v3/sources/{id}: the body replaces the stored source entirely, except that
// immutable fields must not change and server-managed fields stay the server's. The caller
// holds e.mu.
func (e *Emulator) replace(id string, body *value.Object) (*value.Object, *apiError) {
	stored := e.sourceByID(id)
	if stored == nil {
		return nil, notFound(fmt.Sprintf("Source %q was not found.", id))
	}
	if v, ok := body.Get("id"); ok && v != id {
		return nil, immutableError("id")
	}
	for _, f := range immutableFields[1:] {
		if !sameImmutable(f, stored, body) {
			return nil, immutableError(f)
		}
	}
	if aerr := checkSourceBody(body); aerr != nil {
		return nil, aerr
	}
	if other := e.sourceByName(body.String("name")); other != nil && other != stored {
		return nil, badRequest(fmt.Sprintf("A source named %q already exists.", body.String("name")))
	}

	s := value.NewObject()
	s.Set("id", id)
	for _, k := range body.Keys() {
		if k == "id" {
			continue
		}
		v, _ := body.Get(k)
		s.Set(k, value.Clone(v))
	}
	for _, k := range serverFields {
		if v, ok := stored.Get(k); ok {
			s.Set(k, value.Clone(v))
		} else {
			s.Delete(k)
		}
	}
	attrs := s.Object("connectorAttributes")
	if attrs == nil {
		attrs = value.NewObject()
		s.Set("connectorAttributes", attrs)
	}
	storedAttrs := stored.Object("connectorAttributes")
	e.protectSecrets(attrs, storedAttrs)
	for _, k := range serverAttributes {
		if _, ok := attrs.Get(k); !ok {
			if v, ok := storedAttrs.Get(k); ok {
				attrs.Set(k, value.Clone(v))
			}
		}
	}
	s.Set("modified", e.stamp())
	e.store(stored, s)
	return s.Clone(), nil
}

// store replaces old with s (same id, perhaps another name) in the source list, keeping its
// position.
func (e *Emulator) store(old, s *value.Object) {
	i, ok := e.srcs().idx["id:"+old.String("id")]
	if !ok || e.srcs().list[i] != old {
		return
	}
	delete(e.srcs().idx, "name:"+old.String("name"))
	e.srcs().list[i] = s
	e.srcs().idx["name:"+s.String("name")] = i
}

func immutableError(field string) *apiError {
	return badRequest(fmt.Sprintf("Illegal update attempt: field '%s' is immutable and cannot be changed.", field))
}

// sameImmutable compares an immutable field of the stored source with the PUT body. An absent
// field is null (authoritative: false, its default); password policies compare as a set of
// references by id, and null, absent and [] are the same "no policies".
func sameImmutable(field string, stored, body *value.Object) bool {
	sv, _ := stored.Get(field)
	bv, _ := body.Get(field)
	switch field {
	case "authoritative":
		return (sv == true) == (bv == true)
	case "passwordPolicies":
		return equalStrings(refIDs(sv), refIDs(bv))
	default:
		return sv == bv
	}
}

func refIDs(v any) []string {
	arr, _ := v.([]any)
	var ids []string
	for _, e := range arr {
		if o, ok := e.(*value.Object); ok {
			key := o.String("id")
			if key == "" {
				key = "name:" + o.String("name") // a reference by name only
			}
			ids = append(ids, key)
		}
	}
	sort.Strings(ids)
	return ids
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
