package emulator

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/sailsync/sailsync/internal/value"
)

// The connector bundle, as the document describes it: GET /v3/connectors/{scriptName} returns
// the ConnectorDetail with sourceConfigXml (and sourceConfig, the same text), applicationXml
// (the source template), correlationConfigXml, connectorMetadata and translationProperties
// (locale → properties text); PUT …/source-config, …/source-template and
// …/translations/{locale} take a multipart file and answer UpdateDetail; PATCH takes JSON Patch
// operations on connectorMetadata, applicationXml, correlationConfigXml and sourceConfigXml.

// locales are the locales the document allows for translations.
var locales = map[string]bool{
	"de": true, "no": true, "fi": true, "sv": true, "ru": true, "pt": true, "ko": true, "zh-TW": true, "en": true, "it": true,
	"fr": true, "zh-CN": true, "hu": true, "es": true, "cs": true, "ja": true, "pl": true, "da": true, "nl": true,
}

// patchableConnectorFields are the fields PATCH /v3/connectors/{scriptName} changes; the
// document lists no other.
var patchableConnectorFields = map[string]bool{
	"connectorMetadata": true, "applicationXml": true, "correlationConfigXml": true, "sourceConfigXml": true,
}

// formXSD is the form schema the tenant requires a source config to use, from the document's
// UpdateDetail example ("unsupported xsd version, please ensure latest xsd version … is used").
const formXSD = "http://www.sailpoint.com/xsd/sailpoint_form_2_0.xsd"

// connectorRoute serves /v3/connectors/{scriptName} and the bundle paths below it; seg starts
// with the scriptName.
func (e *Emulator) connectorRoute(w http.ResponseWriter, r *http.Request, seg []string) {
	sn := seg[0]
	switch {
	case len(seg) == 1:
		switch r.Method {
		case http.MethodGet:
			e.getConnector(w, sn)
		case http.MethodPatch:
			e.patchConnector(w, r, sn)
		case http.MethodDelete:
			e.deleteConnector(w, sn)
		default:
			writeError(w, methodNotAllowed(r.Method))
		}
	case len(seg) == 2 && (seg[1] == "source-config" || seg[1] == "source-template"):
		field := "sourceConfigXml"
		if seg[1] == "source-template" {
			field = "applicationXml"
		}
		switch r.Method {
		case http.MethodGet:
			e.getConnectorText(w, sn, field, "", "application/xml")
		case http.MethodPut:
			e.putConnectorXML(w, r, sn, field)
		default:
			writeError(w, methodNotAllowed(r.Method))
		}
	case len(seg) == 3 && seg[1] == "translations":
		if !locales[seg[2]] {
			writeError(w, badRequest(fmt.Sprintf("Locale %q is not supported.", seg[2])))
			return
		}
		switch r.Method {
		case http.MethodGet:
			e.getConnectorText(w, sn, "translationProperties", seg[2], "text/plain")
		case http.MethodPut:
			e.putConnectorTranslations(w, r, sn, seg[2])
		default:
			writeError(w, methodNotAllowed(r.Method))
		}
	default:
		writeError(w, notFound("No API at "+r.URL.Path+"."))
	}
}

// getConnectorText serves one bundle text as it is stored (a translation by locale).
func (e *Emulator) getConnectorText(w http.ResponseWriter, sn, field, locale, contentType string) {
	e.mu.Lock()
	c := e.connectorByScriptName(sn)
	var text string
	if c != nil {
		if locale != "" {
			if m := c.Object(field); m != nil {
				text = m.String(locale)
			}
		} else {
			text = c.String(field)
		}
	}
	e.mu.Unlock()
	if c == nil {
		writeError(w, notFound(fmt.Sprintf("Connector %q was not found.", sn)))
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, text)
}

// putConnectorXML is PUT …/source-config and …/source-template: the file replaces the stored
// XML. XML the tenant cannot parse, or a form of another xsd version, is not stored: 200 with an
// UpdateDetail of status ERROR and the reason, as the document's example shows.
func (e *Emulator) putConnectorXML(w http.ResponseWriter, r *http.Request, sn, field string) {
	f, aerr := readFilePart(w, r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	what := "source config"
	if field == "applicationXml" {
		what = "source template"
	}
	problem := wellFormed(f.data)
	if problem == "" && field == "sourceConfigXml" {
		problem = formVersion(f.data)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.connectorByScriptName(sn)
	if c == nil {
		writeError(w, notFound(fmt.Sprintf("Connector %q was not found.", sn)))
		return
	}
	if problem != "" {
		writeJSON(w, http.StatusOK, updateDetail(sn, "ERROR", fmt.Sprintf("invalid %s: %s", what, problem), nil))
		return
	}
	text := string(f.data)
	if c.String(field) == text {
		writeJSON(w, http.StatusOK, updateDetail(sn, "UNCHANGED", "", nil))
		return
	}
	c.Set(field, text)
	if field == "sourceConfigXml" {
		c.Set("sourceConfig", text)
	}
	writeJSON(w, http.StatusOK, updateDetail(sn, "UPDATED", "", []any{f.name}))
}

// putConnectorTranslations is PUT …/translations/{locale}: the file's text becomes the
// locale's translations.
func (e *Emulator) putConnectorTranslations(w http.ResponseWriter, r *http.Request, sn, locale string) {
	f, aerr := readFilePart(w, r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.connectorByScriptName(sn)
	if c == nil {
		writeError(w, notFound(fmt.Sprintf("Connector %q was not found.", sn)))
		return
	}
	tr := c.Object("translationProperties")
	if tr == nil {
		tr = value.NewObject()
		c.Set("translationProperties", tr)
	}
	if tr.String(locale) == string(f.data) {
		writeJSON(w, http.StatusOK, updateDetail(sn, "UNCHANGED", "", nil))
		return
	}
	tr.Set(locale, string(f.data))
	writeJSON(w, http.StatusOK, updateDetail(sn, "UPDATED", "", []any{f.name}))
}

func updateDetail(sn, status, message string, files []any) *value.Object {
	d := value.NewObject()
	d.Set("scriptName", sn)
	d.Set("status", status)
	if message != "" {
		d.Set("message", message)
	}
	if files == nil {
		files = []any{}
	}
	d.Set("updatedFiles", files)
	return d
}

// patchConnector is PATCH /v3/connectors/{scriptName}: JSON Patch operations on the fields the
// document lists as patchable (400 for any other); XML values must parse. 200 with the
// ConnectorDetail.
func (e *Emulator) patchConnector(w http.ResponseWriter, r *http.Request, sn string) {
	ops, aerr := readPatch(w, r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	stored := e.connectorByScriptName(sn)
	if stored == nil {
		writeError(w, notFound(fmt.Sprintf("Connector %q was not found.", sn)))
		return
	}
	doc := stored.Clone()
	for _, op := range ops {
		segs, aerr := pointer(op.String("path"))
		if aerr != nil {
			writeError(w, aerr)
			return
		}
		if len(segs) == 0 || !patchableConnectorFields[segs[0]] {
			writeError(w, badRequest(fmt.Sprintf("Field %q of a connector cannot be patched: only connectorMetadata, applicationXml, correlationConfigXml and sourceConfigXml can.", op.String("path"))))
			return
		}
		if segs[0] == "connectorMetadata" && len(segs) > 1 && doc.Object("connectorMetadata") == nil {
			doc.Set("connectorMetadata", value.NewObject())
		}
		if aerr := applyPatchOp(doc, op); aerr != nil {
			writeError(w, aerr)
			return
		}
		if segs[0] != "connectorMetadata" {
			s, isString := func() (string, bool) { x, _ := doc.Get(segs[0]); s, ok := x.(string); return s, ok }()
			if !isString || len(segs) > 1 {
				writeError(w, badRequest(fmt.Sprintf("Field %s must be an XML string.", segs[0])))
				return
			}
			if problem := wellFormed([]byte(s)); problem != "" {
				writeError(w, badRequest(fmt.Sprintf("Field %s is not valid XML: %s", segs[0], problem)))
				return
			}
		}
	}
	if s, ok := doc.Get("sourceConfigXml"); ok {
		doc.Set("sourceConfig", s)
	}
	for i, c := range e.conns().list {
		if c == stored {
			e.conns().list[i] = doc
		}
	}
	writeJSON(w, http.StatusOK, e.connectorView(doc))
}

// wellFormed returns why data is not one well-formed XML document, or "". A UTF-8 byte order
// mark is accepted, as a Java XML parser reading bytes accepts it.
func wellFormed(data []byte) string {
	dec := xml.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	roots, depth := 0, 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err.Error()
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
			}
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return "content is not allowed outside the root element"
			}
		}
	}
	if roots != 1 {
		return "a document has exactly one root element"
	}
	return ""
}

// formVersion returns the tenant's complaint about a source config Form that declares another
// form schema than formXSD, or "".
func formVersion(data []byte) string {
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok {
			if se.Name.Local == "Form" && se.Name.Space != "" && !strings.EqualFold(se.Name.Space, formXSD) {
				return "unsupported xsd version, please ensure latest xsd version " + formXSD + " is used for source config"
			}
			return ""
		}
	}
}
