package emulator

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"mime/multipart"
	"net/http"
	"path"
	"strings"

	"github.com/sailsync/sailsync/internal/value"
)

// maxUpload bounds an uploaded file (connector jars are a few megabytes).
const maxUpload = 256 << 20

// schemaState is the tenant's entitlement schemas.
type schemaState struct {
	bySource map[string][]*value.Object // by source id
}

// schemaKind is the index of the schemas' state in Emulator.state.
var schemaKind int

func init() {
	schemaKind = registerKind(kindHandler{
		kind: "EntitlementSchema", level: 2,
		newState: func() any { return &schemaState{bySource: map[string][]*value.Object{}} },
		route:    (*Emulator).routeSchemas,
		loadSeed: (*Emulator).loadSchemaSeed,
		seedDirs: func(seed fs.FS) []string {
			var dirs []string
			if subs, err := fs.ReadDir(seed, "schemas"); err == nil {
				for _, d := range subs {
					if d.IsDir() {
						dirs = append(dirs, path.Join("schemas", d.Name()))
					}
				}
			}
			return dirs
		},
		seedHint: "schemas/<source>/",
	})
	// A source's connector files are uploaded beside its schemas; they are part of the source.
	registerKind(kindHandler{kind: "ConnectorFile", level: 2, route: (*Emulator).routeConnectorFiles})
}

// schs is the tenant's entitlement schemas; the caller holds e.mu.
func (e *Emulator) schs() *schemaState { return e.state[schemaKind].(*schemaState) }

// routeSchemas serves /sources/{id}/schemas and below (under /v3 and /beta alike).
func (e *Emulator) routeSchemas(w http.ResponseWriter, r *http.Request, _ string, seg []string) bool {
	method := r.Method
	switch {
	case len(seg) == 3 && seg[0] == "sources" && seg[2] == "schemas":
		if method != http.MethodGet {
			writeError(w, methodNotAllowed(method))
			return true
		}
		e.listSchemas(w, r, seg[1])
	case len(seg) == 4 && seg[0] == "sources" && seg[2] == "schemas" && seg[3] == "entitlements":
		if method != http.MethodPost {
			writeError(w, methodNotAllowed(method))
			return true
		}
		e.uploadEntitlementSchema(w, r, seg[1])
	case len(seg) == 4 && seg[0] == "sources" && seg[2] == "schemas":
		switch method {
		case http.MethodGet:
			e.getSchema(w, seg[1], seg[3])
		case http.MethodDelete:
			e.deleteSchema(w, seg[1], seg[3])
		default:
			writeError(w, methodNotAllowed(method))
		}
	default:
		return false
	}
	return true
}

// routeConnectorFiles serves POST /sources/{id}/upload-connector-file.
func (e *Emulator) routeConnectorFiles(w http.ResponseWriter, r *http.Request, _ string, seg []string) bool {
	if len(seg) != 3 || seg[0] != "sources" || seg[2] != "upload-connector-file" {
		return false
	}
	if r.Method != http.MethodPost {
		writeError(w, methodNotAllowed(r.Method))
		return true
	}
	e.uploadConnectorFile(w, r, seg[1])
	return true
}

// loadSchemaSeed adds the seed's schemas/<source>/*.json, <source> a seeded source's name or id.
func (e *Emulator) loadSchemaSeed(seed fs.FS) error {
	return e.readSourceSeeds(seed, "schemas", func(src *value.Object, objs []seedObject) error {
		for _, f := range objs {
			if f.obj.String("name") == "" {
				return fmt.Errorf("%s: schema without a name", f.file)
			}
			if f.obj.String("id") == "" {
				f.obj.Set("id", newID())
			}
			e.schs().bySource[src.String("id")] = append(e.schs().bySource[src.String("id")], f.obj)
		}
		return nil
	})
}

func (e *Emulator) listSchemas(w http.ResponseWriter, r *http.Request, sourceID string) {
	q := r.URL.Query()
	types := q.Get("include-types")
	if types != "" && types != "group" && types != "user" {
		writeError(w, badRequest(fmt.Sprintf("include-types must be group or user, not %q", types)))
		return
	}
	var names []string
	for _, n := range strings.Split(q.Get("include-names"), ",") {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sourceByID(sourceID) == nil {
		writeError(w, notFound(fmt.Sprintf("Source %q was not found.", sourceID)))
		return
	}
	out := []*value.Object{}
	for _, s := range e.schs().bySource[sourceID] {
		switch {
		case types == "group" && s.String("name") == "account":
			continue // "group" means every schema but the account schema
		case types != "group" && len(names) > 0 && !contains(names, s.String("name")):
			continue
		}
		out = append(out, e.schemaView(s)) // written before the lock is released: no copy needed
	}
	writeJSON(w, http.StatusOK, out)
}

func (e *Emulator) getSchema(w http.ResponseWriter, sourceID, schemaID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sourceByID(sourceID) == nil {
		writeError(w, notFound(fmt.Sprintf("Source %q was not found.", sourceID)))
		return
	}
	for _, s := range e.schs().bySource[sourceID] {
		if s.String("id") == schemaID {
			writeJSON(w, http.StatusOK, e.schemaView(s))
			return
		}
	}
	writeError(w, notFound(fmt.Sprintf("Schema %q was not found on source %q.", schemaID, sourceID)))
}

// uploadedFile is the multipart part named "file" of an upload request.
type uploadedFile struct {
	name string // base name of the part's file name
	data []byte
}

// readFilePart reads the multipart field "file", the only field the upload endpoints accept.
func readFilePart(w http.ResponseWriter, r *http.Request) (*uploadedFile, *apiError) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, badRequest("The request must be multipart/form-data with a part named 'file'.")
	}
	mr := multipart.NewReader(http.MaxBytesReader(w, r.Body, maxUpload), params["boundary"])
	var found *uploadedFile
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, badRequest("The multipart body could not be read: " + err.Error())
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return nil, badRequest("The multipart body could not be read: " + err.Error())
		}
		if part.FormName() == "file" && found == nil {
			// Clients on Windows send backslashes; the tenant keeps only the base name.
			name := path.Base(strings.ReplaceAll(part.FileName(), `\`, "/"))
			if name == "." || name == "/" {
				name = ""
			}
			found = &uploadedFile{name: name, data: data}
		}
	}
	if found == nil {
		return nil, badRequest("Required request part 'file' is not present.")
	}
	return found, nil
}

// csvHeader returns the column names of a schema template (its first CSV record).
func csvHeader(data []byte) ([]string, error) {
	rd := csv.NewReader(bufio.NewReader(strings.NewReader(strings.TrimPrefix(string(data), "\ufeff"))))
	rd.FieldsPerRecord = -1
	rec, err := rd.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("the file is empty")
		}
		return nil, fmt.Errorf("the file is not valid CSV: %w", err)
	}
	var cols []string
	seen := map[string]bool{}
	for _, c := range rec {
		c = strings.TrimSpace(c)
		if c == "" {
			return nil, errors.New("the header has an empty column name")
		}
		if seen[c] {
			return nil, fmt.Errorf("the header names column %q twice", c)
		}
		seen[c] = true
		cols = append(cols, c)
	}
	return cols, nil
}

// uploadEntitlementSchema creates or replaces the source's schema named schemaName (default
// "group") with one STRING attribute per CSV header column, and returns the Schema.
func (e *Emulator) uploadEntitlementSchema(w http.ResponseWriter, r *http.Request, sourceID string) {
	schemaName := r.URL.Query().Get("schemaName")
	if schemaName == "" {
		schemaName = "group"
	}
	f, aerr := readFilePart(w, r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	cols, err := csvHeader(f.data)
	if err != nil {
		writeError(w, badRequest("The schema template could not be read: "+err.Error()))
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	src := e.sourceByID(sourceID)
	if src == nil {
		// The document lists no 404 for this operation; the tenant answers 400 for an unknown source.
		writeError(w, badRequest(fmt.Sprintf("Source %q was not found.", sourceID)))
		return
	}
	writeJSON(w, http.StatusOK, e.putSchema(src, schemaName, cols))
}

// putSchema creates or replaces an entitlement schema from template columns and keeps the
// source's schema references in step. The caller holds e.mu.
func (e *Emulator) putSchema(src *value.Object, name string, cols []string) *value.Object {
	sourceID := src.String("id")
	now := e.stamp()
	attrs := make([]any, 0, len(cols))
	for _, c := range cols {
		a := value.NewObject()
		a.Set("name", c)
		a.Set("type", "STRING")
		a.Set("description", "")
		a.Set("isMulti", false)
		a.Set("isEntitlement", false)
		a.Set("isGroup", false)
		attrs = append(attrs, a)
	}
	identity := cols[0]
	if contains(cols, "id") {
		identity = "id"
	}
	display := identity
	for _, c := range []string{"displayName", "name"} {
		if contains(cols, c) {
			display = c
			break
		}
	}
	for _, s := range e.schs().bySource[sourceID] {
		if s.String("name") == name {
			s.Set("identityAttribute", identity)
			s.Set("displayAttribute", display)
			s.Set("attributes", attrs)
			s.Set("modified", now)
			return s.Clone()
		}
	}
	s := value.NewObject()
	s.Set("id", newID())
	s.Set("name", name)
	s.Set("nativeObjectType", name)
	s.Set("identityAttribute", identity)
	s.Set("displayAttribute", display)
	s.Set("includePermissions", false)
	s.Set("features", []any{})
	s.Set("configuration", value.NewObject())
	s.Set("attributes", attrs)
	s.Set("created", now)
	s.Set("modified", now)
	e.schs().bySource[sourceID] = append(e.schs().bySource[sourceID], s)

	ref := value.NewObject()
	ref.Set("type", "CONNECTOR_SCHEMA")
	ref.Set("id", s.String("id"))
	ref.Set("name", name)
	refs, _ := src.Get("schemas")
	list, _ := refs.([]any)
	updated := src.Clone()
	updated.Set("schemas", append(append([]any{}, list...), ref))
	updated.Set("modified", now)
	e.store(src, updated)
	return s.Clone()
}

// uploadConnectorFile adds the file's base name to connectorAttributes.connector_files
// (comma-separated, no duplicates) and returns the Source.
func (e *Emulator) uploadConnectorFile(w http.ResponseWriter, r *http.Request, sourceID string) {
	f, aerr := readFilePart(w, r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	if f.name == "" {
		writeError(w, badRequest("The part 'file' has no file name."))
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	src := e.sourceByID(sourceID)
	if src == nil {
		writeError(w, badRequest(fmt.Sprintf("Source %q was not found.", sourceID)))
		return
	}
	updated := src.Clone()
	attrs := updated.Object("connectorAttributes")
	if attrs == nil {
		attrs = value.NewObject()
		updated.Set("connectorAttributes", attrs)
	}
	var files []string
	for _, n := range strings.Split(attrs.String("connector_files"), ",") {
		if n = strings.TrimSpace(n); n != "" && !contains(files, n) {
			files = append(files, n)
		}
	}
	if !contains(files, f.name) {
		files = append(files, f.name)
	}
	attrs.Set("connector_files", strings.Join(files, ","))
	updated.Set("modified", e.stamp())
	e.store(src, updated)
	writeJSON(w, http.StatusOK, updated.Clone())
}
