package emulator

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/sailsync/sailsync/internal/value"
)

// patchSource is PATCH /v3/sources/{id}: a JSON Patch (RFC 6902) document, content type
// application/json-patch+json, applied to the stored source. The document lists id, type,
// authoritative, created, modified, connector, connectorClass and passwordPolicies as fields
// that cannot be changed (400); the result is checked like a PUT body. 200 with the source.
func (e *Emulator) patchSource(w http.ResponseWriter, r *http.Request, id string) {
	ops, aerr := readPatch(w, r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	stored := e.sourceByID(id)
	if stored == nil {
		writeError(w, notFound(fmt.Sprintf("Source %q was not found.", id)))
		return
	}
	doc := stored.Clone()
	for _, op := range ops {
		if aerr := applyPatchOp(doc, op); aerr != nil {
			writeError(w, aerr)
			return
		}
	}
	updated, aerr := e.replace(id, doc)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	writeJSON(w, http.StatusOK, updated)
}

// patchImmutable are the fields the document says a PATCH cannot change: replace checks the
// rest of immutableFields; created and modified are the server's.
var patchImmutable = map[string]bool{"id": true, "created": true, "modified": true}

// applyPatchOp applies one add, remove, replace or test operation to doc.
func applyPatchOp(doc *value.Object, op *value.Object) *apiError {
	kind, path := op.String("op"), op.String("path")
	segs, aerr := pointer(path)
	if aerr != nil {
		return aerr
	}
	if len(segs) == 0 {
		return badRequest("A patch may not replace the whole source.")
	}
	if patchImmutable[segs[0]] {
		return immutableError(segs[0])
	}
	val, hasValue := op.Get("value")
	parent, last, aerr := walk(doc, segs)
	if aerr != nil {
		return aerr
	}
	switch kind {
	case "add", "replace":
		if !hasValue {
			return badRequest(fmt.Sprintf("Operation %s %s has no value.", kind, path))
		}
		return setAt(parent, last, value.Clone(val), kind == "add", path)
	case "remove":
		return removeAt(parent, last, path)
	case "test":
		cur, ok := getAt(parent, last)
		a, _ := value.Marshal(cur)
		b, _ := value.Marshal(val)
		if !ok || string(a) != string(b) {
			return badRequest(fmt.Sprintf("Test of %s failed.", path))
		}
		return nil
	default:
		return badRequest(fmt.Sprintf("Unsupported patch operation %q (use add, remove, replace or test).", kind))
	}
}

// pointer splits a JSON Pointer (RFC 6901) into its unescaped segments.
func pointer(p string) ([]string, *apiError) {
	if p == "" {
		return nil, nil
	}
	if !strings.HasPrefix(p, "/") {
		return nil, badRequest(fmt.Sprintf("Patch path %q must start with /.", p))
	}
	segs := strings.Split(p[1:], "/")
	for i, s := range segs {
		segs[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(s)
	}
	return segs, nil
}

// walk returns the container holding the last segment of segs (an object or a slot of an
// array) and that segment.
func walk(doc *value.Object, segs []string) (parent any, last string, aerr *apiError) {
	var cur any = doc
	for _, s := range segs[:len(segs)-1] {
		next, ok := getAt(cur, s)
		if !ok {
			return nil, "", badRequest(fmt.Sprintf("Patch path segment %q does not exist.", s))
		}
		cur = next
	}
	return cur, segs[len(segs)-1], nil
}

func getAt(c any, key string) (any, bool) {
	switch t := c.(type) {
	case *value.Object:
		return t.Get(key)
	case []any:
		i, err := strconv.Atoi(key)
		if err != nil || i < 0 || i >= len(t) {
			return nil, false
		}
		return t[i], true
	}
	return nil, false
}

// setAt sets key of c; arrays are changed in place only for replace (add to an array would
// have to grow it in its parent, which the source's fields do not need: whole arrays are
// replaced by a path naming the field).
func setAt(c any, key string, v any, add bool, path string) *apiError {
	switch t := c.(type) {
	case *value.Object:
		if _, ok := t.Get(key); !ok && !add {
			return badRequest(fmt.Sprintf("Cannot replace %s: it does not exist.", path))
		}
		t.Set(key, v)
		return nil
	case []any:
		i, err := strconv.Atoi(key)
		if err != nil || i < 0 || i >= len(t) || add {
			return badRequest(fmt.Sprintf("Unsupported array operation on %s: replace the whole array.", path))
		}
		t[i] = v
		return nil
	}
	return badRequest(fmt.Sprintf("Patch path %s does not name a field.", path))
}

func removeAt(c any, key, path string) *apiError {
	o, ok := c.(*value.Object)
	if !ok {
		return badRequest(fmt.Sprintf("Unsupported array operation on %s: replace the whole array.", path))
	}
	if _, ok := o.Get(key); !ok {
		return badRequest(fmt.Sprintf("Cannot remove %s: it does not exist.", path))
	}
	o.Delete(key)
	return nil
}

// deleteSource is DELETE /v3/sources/{id}. The tenant removes the source's accounts and then the
// source in a task, answering 202 with a reference to the task result; the emulator removes the
// source and its schemas at once, so the next GET answers 404.
func (e *Emulator) deleteSource(w http.ResponseWriter, id string) {
	e.mu.Lock()
	stored := e.sourceByID(id)
	if stored == nil {
		e.mu.Unlock()
		writeError(w, notFound(fmt.Sprintf("Source %q was not found.", id)))
		return
	}
	kept := e.srcs().list[:0]
	for _, s := range e.srcs().list {
		if s != stored {
			kept = append(kept, s)
		}
	}
	e.srcs().list = kept
	e.srcs().idx = make(map[string]int, 2*len(kept))
	for i, s := range kept {
		e.srcs().idx["id:"+s.String("id")] = i
		e.srcs().idx["name:"+s.String("name")] = i
	}
	delete(e.schs().bySource, id)
	taskID := e.startTask(fmt.Sprintf("Delete source %q", stored.String("name")))
	e.mu.Unlock()
	// The documented example has "name": null; the schema types name as a string, so it is left
	// out (the document calls it "null/empty").
	task := value.NewObject()
	task.Set("id", taskID)
	task.Set("type", "TASK_RESULT")
	writeJSON(w, http.StatusAccepted, task)
}

// readPatch reads a JSON Patch request body (application/json-patch+json): a non-empty array of
// operation objects, as PATCH of a source and of a connector take it.
func readPatch(w http.ResponseWriter, r *http.Request) ([]*value.Object, *apiError) {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json-patch+json" {
		return nil, badRequest(fmt.Sprintf("Content-Type must be application/json-patch+json, not %q.", r.Header.Get("Content-Type")))
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
	if err != nil {
		return nil, badRequest("The request body could not be read: " + err.Error())
	}
	v, err := value.Decode(data)
	list, ok := v.([]any)
	if err != nil || !ok || len(list) == 0 {
		return nil, badRequest("The request body must be a JSON Patch document: a non-empty array of operations.")
	}
	ops := make([]*value.Object, len(list))
	for i, raw := range list {
		if ops[i], ok = raw.(*value.Object); !ok {
			return nil, badRequest(fmt.Sprintf("Operation %d is not an object.", i))
		}
	}
	return ops, nil
}
