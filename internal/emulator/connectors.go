package emulator

import (
	"fmt"
	"io/fs"
	"net/http"
	"strings"

	"github.com/sailsync/sailsync/internal/value"
)

// listFields are the V3ConnectorDto fields the list endpoint returns; GET by scriptName returns
// the whole stored ConnectorDetail.
var connectorListFields = []string{"name", "type", "scriptName", "className", "features", "directConnect", "connectorMetadata", "status"}

// connectorState is the tenant's connectors.
type connectorState struct {
	list []*value.Object // in creation order
	seq  int             // connectors created, for the suffix scriptName rule
	// generated is the applicationXml each connector had at create (or in the seed), by
	// scriptName: what Options.TemplateDefault keeps showing.
	generated map[string]string
}

// connectorKind is the index of the connectors' state in Emulator.state.
var connectorKind int

func init() {
	connectorKind = registerKind(kindHandler{
		kind: "Connector", level: 0,
		newState: func() any { return &connectorState{generated: map[string]string{}} },
		route:    (*Emulator).routeConnectors,
		loadSeed: (*Emulator).loadConnectorSeed,
		seedDirs: func(fs.FS) []string { return []string{"connectors"} },
		seedHint: "connectors/",
	})
}

// conns is the tenant's connectors; the caller holds e.mu.
func (e *Emulator) conns() *connectorState { return e.state[connectorKind].(*connectorState) }

// routeConnectors serves /connectors: listed under /v3 and /beta, but only /v3 has POST
// /connectors, GET, PATCH and DELETE /connectors/{scriptName} and its bundle paths (bundle.go).
func (e *Emulator) routeConnectors(w http.ResponseWriter, r *http.Request, version string, seg []string) bool {
	switch {
	case len(seg) == 1 && seg[0] == "connectors":
		switch {
		case r.Method == http.MethodGet:
			e.listConnectors(w, r)
		case r.Method == http.MethodPost && version == "v3":
			e.createConnector(w, r)
		default:
			writeError(w, methodNotAllowed(r.Method))
		}
	case len(seg) >= 2 && seg[0] == "connectors" && version == "v3":
		e.connectorRoute(w, r, seg[1:])
	default:
		return false
	}
	return true
}

// loadConnectorSeed adds the seed's connectors/*.json; one without a scriptName gets one.
func (e *Emulator) loadConnectorSeed(seed fs.FS) error {
	conns, err := readSeedDir(seed, "connectors")
	if err != nil {
		return err
	}
	for _, f := range conns {
		c := f.obj
		if c.String("name") == "" {
			return fmt.Errorf("%s: connector without a name", f.file)
		}
		if c.String("scriptName") == "" {
			c.Set("scriptName", e.newScriptName(c.String("name")))
		}
		if e.connectorByScriptName(c.String("scriptName")) != nil {
			return fmt.Errorf("%s: second connector with scriptName %q", f.file, c.String("scriptName"))
		}
		e.conns().list = append(e.conns().list, c)
		e.conns().generated[c.String("scriptName")] = c.String("applicationXml")
	}
	return nil
}

// listConnectors is GET /v3/connectors: only RELEASED connectors, paged, filterable.
func (e *Emulator) listConnectors(w http.ResponseWriter, r *http.Request) {
	p, f, ok := listParams(w, r, connectorFilterFields)
	if !ok {
		return
	}
	e.mu.Lock()
	var all []*value.Object
	for _, c := range e.conns().list {
		if c.String("status") != "RELEASED" || (f != nil && !f.match(c)) {
			continue
		}
		dto := value.NewObject()
		for _, k := range connectorListFields {
			if v, ok := c.Get(k); ok {
				dto.Set(k, value.Clone(v))
			}
		}
		e.metadataView(dto)
		all = append(all, dto)
	}
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, p.apply(w, all))
}

func (e *Emulator) getConnector(w http.ResponseWriter, scriptName string) {
	e.mu.Lock()
	c := e.connectorByScriptName(scriptName)
	if c != nil {
		c = e.connectorView(c)
	}
	e.mu.Unlock()
	if c == nil {
		writeError(w, notFound(fmt.Sprintf("Connector %q was not found.", scriptName)))
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// createConnector is POST /v3/connectors: name and className required, type defaults to
// "custom "+name, scriptName derived from the name by Options.ScriptNameRule (made unique),
// duplicate names refused.
func (e *Emulator) createConnector(w http.ResponseWriter, r *http.Request) {
	body, aerr := readObject(w, r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	name := body.String("name")
	if name == "" {
		writeError(w, badRequest("Field 'name' is required."))
		return
	}
	if body.String("className") == "" {
		writeError(w, badRequest("Field 'className' is required."))
		return
	}
	status := "DEVELOPMENT"
	if v, ok := body.Get("status"); ok && v != nil {
		s, _ := v.(string)
		if s != "DEVELOPMENT" && s != "DEMO" && s != "RELEASED" {
			writeError(w, badRequest(fmt.Sprintf("Field 'status' must be DEVELOPMENT, DEMO or RELEASED, not %v.", v)))
			return
		}
		status = s
	}
	direct := true
	if v, ok := body.Get("directConnect"); ok && v != nil {
		b, isBool := v.(bool)
		if !isBool {
			writeError(w, badRequest("Field 'directConnect' must be a boolean."))
			return
		}
		direct = b
	}
	typ := body.String("type")
	if typ == "" {
		typ = "custom " + name
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range e.conns().list {
		if e.sameConnectorName(c.String("name"), name) {
			writeError(w, badRequest(fmt.Sprintf("A connector named %q already exists.", name)))
			return
		}
	}
	script := e.newScriptName(name)
	if script == "" {
		writeError(w, badRequest(fmt.Sprintf("Connector name %q has no letters or digits to derive a scriptName from.", name)))
		return
	}
	c := value.NewObject()
	c.Set("name", name)
	c.Set("type", typ)
	c.Set("className", body.String("className"))
	c.Set("scriptName", script)
	c.Set("applicationXml", "<?xml version='1.0' encoding='UTF-8'?>\n<!DOCTYPE Application PUBLIC \"sailpoint.dtd\" \"sailpoint.dtd\">\n<Application connector=\""+xmlEscape(body.String("className"))+"\" name=\""+xmlEscape(typ)+"\" type=\""+xmlEscape(typ)+"\"/>\n")
	c.Set("s3Location", "custom-connector/"+script)
	c.Set("uploadedFiles", []any{})
	c.Set("fileUpload", false)
	c.Set("directConnect", direct)
	c.Set("features", []any{})
	c.Set("connectorMetadata", value.NewObject())
	c.Set("status", status)
	e.conns().list = append(e.conns().list, c)
	e.conns().generated[script] = c.String("applicationXml")

	dto := value.NewObject()
	for _, k := range connectorListFields {
		if v, ok := c.Get(k); ok {
			dto.Set(k, value.Clone(v))
		}
	}
	writeJSON(w, http.StatusOK, dto)
}

func xmlEscape(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '&':
			out = append(out, "&amp;"...)
		case '<':
			out = append(out, "&lt;"...)
		case '>':
			out = append(out, "&gt;"...)
		case '"':
			out = append(out, "&quot;"...)
		default:
			out = append(out, s[i])
		}
	}
	return string(out)
}

// sameConnectorName reports whether the tenant takes a and b for the same connector name.
func (e *Emulator) sameConnectorName(a, b string) bool {
	if e.opts.FoldConnectorNames {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// newScriptName derives a new connector's scriptName by the emulator's rule and makes it unique
// the way "a url friendly unique scriptname" suggests: "-2", "-3", … after a taken one. The
// caller holds e.mu.
func (e *Emulator) newScriptName(name string) string {
	e.conns().seq++
	base := e.opts.ScriptNameRule.derive(name, e.conns().seq)
	if base == "" || strings.Trim(base, "-") == "" {
		return ""
	}
	script := base
	for i := 2; e.connectorByScriptName(script) != nil; i++ {
		script = fmt.Sprintf("%s-%d", base, i)
	}
	return script
}
