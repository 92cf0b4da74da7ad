package emulator

import (
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"slices"

	"github.com/sailsync/sailsync/internal/value"
)

// usageTypes are the document's UsageType values. The tenant accepts others the vendor adds;
// the emulator, like the document, does not, so that a request it answers is one the document
// describes.
var usageTypes = []string{"CREATE", "UPDATE", "ENABLE", "DISABLE", "DELETE", "ASSIGN", "UNASSIGN", "CREATE_GROUP",
	"UPDATE_GROUP", "DELETE_GROUP", "REGISTER", "CREATE_IDENTITY", "UPDATE_IDENTITY", "EDIT_GROUP", "UNLOCK", "CHANGE_PASSWORD"}

// policyState is the tenant's provisioning policies, by source id, each source's in the order
// they were created.
type policyState struct {
	bySource map[string][]*value.Object
}

// policyKind is the index of the policies' state in Emulator.state.
var policyKind int

func init() {
	policyKind = registerKind(kindHandler{
		kind: "ProvisioningPolicy", level: 2,
		newState: func() any { return &policyState{bySource: map[string][]*value.Object{}} },
		route:    (*Emulator).routePolicies,
		loadSeed: (*Emulator).loadPolicySeed,
		seedDirs: func(seed fs.FS) []string {
			var dirs []string
			if subs, err := fs.ReadDir(seed, "provisioning-policies"); err == nil {
				for _, d := range subs {
					if d.IsDir() {
						dirs = append(dirs, path.Join("provisioning-policies", d.Name()))
					}
				}
			}
			return dirs
		},
		seedHint: "provisioning-policies/<source>/",
	})
}

// pols is the tenant's provisioning policies; the caller holds e.mu.
func (e *Emulator) pols() *policyState { return e.state[policyKind].(*policyState) }

// routePolicies serves /sources/{id}/provisioning-policies and /{usageType}.
func (e *Emulator) routePolicies(w http.ResponseWriter, r *http.Request, _ string, seg []string) bool {
	if len(seg) < 3 || len(seg) > 4 || seg[0] != "sources" || seg[2] != "provisioning-policies" {
		return false
	}
	method := r.Method
	if len(seg) == 3 {
		switch method {
		case http.MethodGet:
			e.listPolicies(w, seg[1])
		case http.MethodPost:
			e.writePolicy(w, r, seg[1], "")
		default:
			writeError(w, methodNotAllowed(method))
		}
		return true
	}
	switch method {
	case http.MethodGet:
		e.getPolicy(w, seg[1], seg[3])
	case http.MethodPut:
		e.writePolicy(w, r, seg[1], seg[3])
	case http.MethodDelete:
		e.deletePolicy(w, seg[1], seg[3])
	default:
		writeError(w, methodNotAllowed(method))
	}
	return true
}

// loadPolicySeed adds the seed's provisioning-policies/<source>/*.json, <source> a seeded
// source's name or id.
func (e *Emulator) loadPolicySeed(seed fs.FS) error {
	return e.readSourceSeeds(seed, "provisioning-policies", func(src *value.Object, objs []seedObject) error {
		id := src.String("id")
		for _, f := range objs {
			if aerr := checkPolicy(f.obj); aerr != nil {
				return fmt.Errorf("%s: %w", f.file, aerr)
			}
			if e.policyOf(id, f.obj.String("usageType")) != nil {
				return fmt.Errorf("%s: a second %s policy of source %q", f.file, f.obj.String("usageType"), src.String("name"))
			}
			e.pols().bySource[id] = append(e.pols().bySource[id], f.obj)
		}
		return nil
	})
}

// checkPolicy refuses a policy the document does not describe: without a name, with a usage
// type it does not list, or with fields that are not objects with a name.
func checkPolicy(p *value.Object) *apiError {
	if v, ok := p.Get("name"); !ok || v == nil || p.String("name") == "" {
		return badRequest("Field 'name' is required.")
	}
	if !slices.Contains(usageTypes, p.String("usageType")) {
		return badRequest(fmt.Sprintf("Field 'usageType' must be one of the usage types, not %q.", p.String("usageType")))
	}
	fv, _ := p.Get("fields")
	if fv == nil {
		return nil
	}
	list, ok := fv.([]any)
	if !ok {
		return badRequest("Field 'fields' must be a list.")
	}
	for i, f := range list {
		fo, ok := f.(*value.Object)
		if !ok || fo.String("name") == "" {
			return badRequest(fmt.Sprintf("fields[%d] must be an object with a name.", i))
		}
	}
	return nil
}

// policyOf is the policy of usage type u of the source with id sourceID, or nil; the caller
// holds e.mu.
func (e *Emulator) policyOf(sourceID, u string) *value.Object {
	for _, p := range e.pols().bySource[sourceID] {
		if p.String("usageType") == u {
			return p
		}
	}
	return nil
}

func (e *Emulator) listPolicies(w http.ResponseWriter, sourceID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sourceByID(sourceID) == nil {
		writeError(w, notFound(fmt.Sprintf("Source %q was not found.", sourceID)))
		return
	}
	out := []*value.Object{}
	out = append(out, e.pols().bySource[sourceID]...) // written before the lock is released
	writeJSON(w, http.StatusOK, out)
}

func (e *Emulator) getPolicy(w http.ResponseWriter, sourceID, u string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sourceByID(sourceID) == nil {
		writeError(w, notFound(fmt.Sprintf("Source %q was not found.", sourceID)))
		return
	}
	if p := e.policyOf(sourceID, u); p != nil {
		writeJSON(w, http.StatusOK, p)
		return
	}
	writeError(w, notFound(fmt.Sprintf("Provisioning policy %q was not found on source %q.", u, sourceID)))
}

// writePolicy creates (u == "": POST, refused when the source has one of its usage type) or
// replaces (PUT …/{u}: the body's usageType, when given, must be u) a policy.
func (e *Emulator) writePolicy(w http.ResponseWriter, r *http.Request, sourceID, u string) {
	body, aerr := readObject(w, r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	if u != "" {
		if bu := body.String("usageType"); bu != "" && bu != u {
			writeError(w, badRequest(fmt.Sprintf("Field 'usageType' is %q, the path's is %q.", bu, u)))
			return
		}
		body.Set("usageType", u)
	}
	if aerr := checkPolicy(body); aerr != nil {
		writeError(w, aerr)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sourceByID(sourceID) == nil {
		writeError(w, notFound(fmt.Sprintf("Source %q was not found.", sourceID)))
		return
	}
	list := e.pols().bySource[sourceID]
	i := slices.IndexFunc(list, func(p *value.Object) bool { return p.String("usageType") == body.String("usageType") })
	switch {
	case u == "" && i >= 0:
		writeError(w, badRequest(fmt.Sprintf("Source %q already has a %s provisioning policy.", sourceID, body.String("usageType"))))
		return
	case u == "":
		e.pols().bySource[sourceID] = append(list, body)
		writeJSON(w, http.StatusCreated, body)
	case i < 0:
		writeError(w, notFound(fmt.Sprintf("Provisioning policy %q was not found on source %q.", u, sourceID)))
	default:
		list[i] = body
		writeJSON(w, http.StatusOK, body)
	}
}

func (e *Emulator) deletePolicy(w http.ResponseWriter, sourceID, u string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	list := e.pols().bySource[sourceID]
	i := slices.IndexFunc(list, func(p *value.Object) bool { return p.String("usageType") == u })
	if e.sourceByID(sourceID) == nil || i < 0 {
		writeError(w, notFound(fmt.Sprintf("Provisioning policy %q was not found on source %q.", u, sourceID)))
		return
	}
	e.pols().bySource[sourceID] = slices.Delete(slices.Clone(list), i, i+1)
	w.WriteHeader(http.StatusNoContent)
}

// Policies returns copies of the provisioning policies of the source named sourceName, in
// order (nil when there is no such source).
func (e *Emulator) Policies(sourceName string) []*value.Object {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.sourceByName(sourceName)
	if s == nil {
		return nil
	}
	var out []*value.Object
	for _, p := range e.pols().bySource[s.String("id")] {
		out = append(out, value.Clone(p).(*value.Object))
	}
	return out
}

// AddPolicy adds a provisioning policy to the source named sourceName as POST would, for tests
// that fill a tenant directly.
func (e *Emulator) AddPolicy(sourceName string, obj *value.Object) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.sourceByName(sourceName)
	if s == nil {
		return fmt.Errorf("add provisioning policy: no source %q", sourceName)
	}
	if aerr := checkPolicy(obj); aerr != nil {
		return fmt.Errorf("add provisioning policy: %w", aerr)
	}
	id := s.String("id")
	if e.policyOf(id, obj.String("usageType")) != nil {
		return fmt.Errorf("add provisioning policy: source %q already has a %s policy", sourceName, obj.String("usageType"))
	}
	e.pols().bySource[id] = append(e.pols().bySource[id], obj.Clone())
	return nil
}
