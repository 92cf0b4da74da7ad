package emulator

import (
	"fmt"
	"io/fs"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/sailsync/sailsync/internal/value"
)

// The tenant's transforms (/v3/transforms and /beta/transforms, the same operations under
// both): TransformRead objects of id, name, type, attributes and internal. Only attributes can
// change; internal transforms are SailPoint's and cannot be created, changed or deleted.

// transformTypes is the Transform schema's enum of type.
var transformTypes = []string{
	"accountAttribute", "base64Decode", "base64Encode", "concat", "conditional", "dateCompare",
	"dateFormat", "dateMath", "decomposeDiacriticalMarks", "e164phone", "firstValid", "rule",
	"identityAttribute", "indexOf", "iso3166", "lastIndexOf", "leftPad", "lookup", "lower",
	"normalizeNames", "randomAlphaNumeric", "randomNumeric", "reference", "replaceAll", "replace",
	"rightPad", "split", "static", "substring", "trim", "upper", "usernameGenerator", "uuid",
	"displayName", "rfc5646",
}

// transformNameMax is the Transform schema's maxLength of name, in characters.
const transformNameMax = 50

// transformFilterFields is the list documented for GET /v3/transforms.
var transformFilterFields = filterFields{
	"internal": "eq",
	"name":     "eq sw",
}

// transformState is the tenant's transforms.
type transformState struct {
	list []*value.Object // in creation order, the list order
}

// transformKind is the index of the transforms' state in Emulator.state.
var transformKind int

func init() {
	transformKind = registerKind(kindHandler{
		kind: "Transform", level: 0,
		newState: func() any { return &transformState{} },
		route:    (*Emulator).routeTransforms,
		loadSeed: (*Emulator).loadTransformSeed,
		seedDirs: func(fs.FS) []string { return []string{"transforms"} },
		seedHint: "transforms/",
	})
}

// trfs is the tenant's transforms; the caller holds e.mu.
func (e *Emulator) trfs() *transformState { return e.state[transformKind].(*transformState) }

// routeTransforms serves /transforms and /transforms/{id}: the document has every operation
// under /v3 and /beta alike.
func (e *Emulator) routeTransforms(w http.ResponseWriter, r *http.Request, _ string, seg []string) bool {
	switch {
	case len(seg) == 1 && seg[0] == "transforms":
		switch r.Method {
		case http.MethodGet:
			e.listTransforms(w, r)
		case http.MethodPost:
			e.createTransform(w, r)
		default:
			writeError(w, methodNotAllowed(r.Method))
		}
	case len(seg) == 2 && seg[0] == "transforms":
		switch r.Method {
		case http.MethodGet:
			e.getTransform(w, seg[1])
		case http.MethodPut:
			e.putTransform(w, r, seg[1])
		case http.MethodDelete:
			e.deleteTransform(w, seg[1])
		default:
			writeError(w, methodNotAllowed(r.Method))
		}
	default:
		return false
	}
	return true
}

// loadTransformSeed adds the seed's transforms/*.json in file-name order, each stored as a
// TransformRead: a missing id is generated and a missing internal is false.
func (e *Emulator) loadTransformSeed(seed fs.FS) error {
	objs, err := readSeedDir(seed, "transforms")
	if err != nil {
		return err
	}
	for _, f := range objs {
		o := f.obj
		name := o.String("name")
		if name == "" {
			return fmt.Errorf("%s: transform without a name", f.file)
		}
		if e.transformNamed(name) != nil {
			return fmt.Errorf("%s: second transform named %q", f.file, name)
		}
		id := o.String("id")
		if id == "" {
			id = newID()
		}
		if e.transformByID(id) != nil {
			return fmt.Errorf("%s: second transform with id %q", f.file, id)
		}
		internal := false
		if v, ok := o.Get("internal"); ok && v != nil {
			b, isBool := v.(bool)
			if !isBool {
				return fmt.Errorf("%s: transform %q: internal must be a boolean", f.file, name)
			}
			internal = b
		}
		attrs, _ := o.Get("attributes")
		if _, isObj := attrs.(*value.Object); attrs != nil && !isObj {
			return fmt.Errorf("%s: transform %q: attributes must be an object or null", f.file, name)
		}
		e.trfs().list = append(e.trfs().list, newTransform(id, name, o.String("type"), attrs, internal))
	}
	return nil
}

// newTransform builds a stored TransformRead, its fields in the document's order.
func newTransform(id, name, typ string, attrs any, internal bool) *value.Object {
	t := value.NewObject()
	t.Set("id", id)
	t.Set("name", name)
	t.Set("type", typ)
	t.Set("attributes", value.Clone(attrs))
	t.Set("internal", internal)
	return t
}

// listTransforms is GET /v3/transforms: creation order, paged, filterable, and narrowed by the
// name parameter the document also lists.
func (e *Emulator) listTransforms(w http.ResponseWriter, r *http.Request) {
	p, f, ok := listParams(w, r, transformFilterFields)
	if !ok {
		return
	}
	q := r.URL.Query()
	// The document says only "Name of the transform to retrieve from the list": read as the
	// tenant's name comparison, as a uniqueness check would use it.
	name, byName := q.Get("name"), q.Has("name")
	e.mu.Lock()
	var all []*value.Object
	for _, t := range e.trfs().list {
		if (f == nil || f.match(t)) && (!byName || e.sameTransformName(t.String("name"), name)) {
			all = append(all, t)
		}
	}
	// Marshalled under the lock: the page holds the stored objects, not copies.
	body, err := marshal(p.apply(w, all))
	e.mu.Unlock()
	writeBody(w, http.StatusOK, body, err)
}

func (e *Emulator) getTransform(w http.ResponseWriter, id string) {
	e.mu.Lock()
	t := e.transformByID(id)
	if t != nil {
		t = t.Clone()
	}
	e.mu.Unlock()
	if t == nil {
		writeError(w, transformNotFound(id))
		return
	}
	writeJSON(w, http.StatusOK, t)
}

// createTransform is POST /v3/transforms: name (1 to 50 characters, unused), a documented type
// and attributes (an object or null) required; the tenant assigns the id and internal: false.
func (e *Emulator) createTransform(w http.ResponseWriter, r *http.Request) {
	body, aerr := readObject(w, r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	if aerr := checkTransformBody(body); aerr != nil {
		writeError(w, aerr)
		return
	}
	name := body.String("name")
	if n := utf8.RuneCountInString(name); n > transformNameMax {
		writeError(w, badRequest(fmt.Sprintf("Field 'name' must be 1 to %d characters long, not %d.", transformNameMax, n)))
		return
	}
	if typ := body.String("type"); !slices.Contains(transformTypes, typ) {
		writeError(w, badRequest(fmt.Sprintf("Field 'type' must be one of %s, not %q.", strings.Join(transformTypes, ", "), typ)))
		return
	}
	// "Only SailPoint employees have the ability to create a transform with internal set to
	// true": a customer's request for one is refused, not quietly made custom.
	switch v, _ := body.Get("internal"); v {
	case nil, false:
	case true:
		writeError(w, badRequest("Field 'internal' cannot be true: only SailPoint creates internal transforms."))
		return
	default:
		writeError(w, badRequest("Field 'internal' must be a boolean."))
		return
	}
	attrs, _ := body.Get("attributes")
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.transformNamed(name) != nil {
		writeError(w, badRequest(fmt.Sprintf("A transform named %q already exists.", name)))
		return
	}
	// An id in the body is ignored: the tenant assigns it.
	t := newTransform(newID(), name, body.String("type"), attrs, false)
	e.trfs().list = append(e.trfs().list, t)
	writeJSON(w, http.StatusCreated, t)
}

// checkTransformBody validates what both POST and PUT require: the Transform schema's name,
// type and attributes.
func checkTransformBody(body *value.Object) *apiError {
	if body.String("name") == "" {
		return badRequest("Field 'name' is required.")
	}
	if body.String("type") == "" {
		return badRequest("Field 'type' is required.")
	}
	attrs, ok := body.Get("attributes")
	if !ok {
		return badRequest("Field 'attributes' is required (an object or null).")
	}
	if _, isObj := attrs.(*value.Object); attrs != nil && !isObj {
		return badRequest("Field 'attributes' must be an object or null.")
	}
	return nil
}

// putTransform is PUT /v3/transforms/{id}: "Only the attributes field is mutable". A name or
// type other than the stored one is refused, as are another id or internal (server-managed;
// absent is accepted), and any change to an internal transform.
func (e *Emulator) putTransform(w http.ResponseWriter, r *http.Request, id string) {
	body, aerr := readObject(w, r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	stored := e.transformByID(id)
	if stored == nil {
		writeError(w, transformNotFound(id))
		return
	}
	if aerr := refuseInternal(stored, "changed"); aerr != nil {
		writeError(w, aerr)
		return
	}
	if aerr := checkTransformBody(body); aerr != nil {
		writeError(w, aerr)
		return
	}
	for _, k := range []string{"name", "type"} {
		if body.String(k) != stored.String(k) {
			writeError(w, immutableError(k))
			return
		}
	}
	if v, ok := body.Get("id"); ok && v != id {
		writeError(w, immutableError("id"))
		return
	}
	if v, ok := body.Get("internal"); ok && v != false {
		writeError(w, immutableError("internal"))
		return
	}
	attrs, _ := body.Get("attributes")
	stored.Set("attributes", value.Clone(attrs))
	writeJSON(w, http.StatusOK, stored)
}

// deleteTransform is DELETE /v3/transforms/{id}: 204, or a refusal for an internal transform.
func (e *Emulator) deleteTransform(w http.ResponseWriter, id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	i := slices.IndexFunc(e.trfs().list, func(t *value.Object) bool { return t.String("id") == id })
	if i < 0 {
		writeError(w, transformNotFound(id))
		return
	}
	if aerr := refuseInternal(e.trfs().list[i], "deleted"); aerr != nil {
		writeError(w, aerr)
		return
	}
	e.trfs().list = slices.Delete(e.trfs().list, i, i+1)
	w.WriteHeader(http.StatusNoContent)
}

// refuseInternal is the answer to changing or deleting an internal transform: 400, the status
// the document lists for a refused request (its 403 is for a caller without access to the
// endpoint, which this caller has).
func refuseInternal(t *value.Object, what string) *apiError {
	if v, _ := t.Get("internal"); v != true {
		return nil
	}
	return badRequest(fmt.Sprintf("Transform %q is internal (SailPoint's) and cannot be %s.", t.String("name"), what))
}

func transformNotFound(id string) *apiError {
	return notFound(fmt.Sprintf("Transform %q was not found.", id))
}

// transformByID returns the stored transform (not a copy); the caller holds e.mu. A tenant has
// tens of transforms, not thousands: a scan is enough.
func (e *Emulator) transformByID(id string) *value.Object {
	for _, t := range e.trfs().list {
		if t.String("id") == id {
			return t
		}
	}
	return nil
}

// transformNamed returns the stored transform the tenant takes for one named name
// (Options.FoldNames); the caller holds e.mu.
func (e *Emulator) transformNamed(name string) *value.Object {
	for _, t := range e.trfs().list {
		if e.sameTransformName(t.String("name"), name) {
			return t
		}
	}
	return nil
}

// sameTransformName reports whether the tenant takes a and b for the same transform name.
func (e *Emulator) sameTransformName(a, b string) bool {
	if e.opts.FoldNames {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// Transforms returns copies of every transform, in creation order (the list order).
func (e *Emulator) Transforms() []*value.Object {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]*value.Object, len(e.trfs().list))
	for i, t := range e.trfs().list {
		out[i] = t.Clone()
	}
	return out
}

// TransformByName returns a copy of the transform named exactly name, whatever
// Options.FoldNames says: tests name what they expect to find.
func (e *Emulator) TransformByName(name string) (*value.Object, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, t := range e.trfs().list {
		if t.String("name") == name {
			return t.Clone(), true
		}
	}
	return nil, false
}
