package diff

import (
	"encoding/json"
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"unicode"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

// BundlePart names what a BundleRequest updates, and so which request apply sends.
type BundlePart string

// The bundle requests. Source config and template go to their PUT endpoints, where the tenant
// checks the XML and answers UpdateDetail; correlation config and metadata, which have no
// such endpoint, share one PATCH.
const (
	// BundleSourceConfig is PUT /v3/connectors/{scriptName}/source-config (multipart "file").
	BundleSourceConfig BundlePart = "source-config"
	// BundleSourceTemplate is PUT /v3/connectors/{scriptName}/source-template (multipart "file").
	BundleSourceTemplate BundlePart = "source-template"
	// BundleTranslations is PUT /v3/connectors/{scriptName}/translations/{locale}.
	BundleTranslations BundlePart = "translations"
	// BundlePatch is PATCH /v3/connectors/{scriptName} (application/json-patch+json).
	BundlePatch BundlePart = "patch"
)

// BundleRequest is one request of a connector's bundle update.
type BundleRequest struct {
	Part BundlePart `json:"part"`
	// Locale is the translations' locale.
	Locale string `json:"locale,omitempty"`
	// Upload is the file sent by the PUTs, with its content (bundle files are at most
	// config.MaxBundleFileSize).
	Upload *Upload `json:"upload,omitempty"`
	// Patch are the JSON Patch operations of the PATCH.
	Patch []PatchOp `json:"patch,omitempty"`
}

// PatchOp is one JSON Patch (RFC 6902) operation.
type PatchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value"`
}

// UnmarshalJSON reads an operation of a saved plan with value's decoder, so that its value
// keeps exact numbers and key order (encoding/json would make numbers float64).
func (p *PatchOp) UnmarshalJSON(data []byte) error {
	var raw struct {
		Op    string          `json:"op"`
		Path  string          `json:"path"`
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	p.Op, p.Path, p.Value = raw.Op, raw.Path, nil
	if len(raw.Value) > 0 {
		v, err := value.Decode(raw.Value)
		if err != nil {
			return fmt.Errorf("patch %s: %w", raw.Path, err)
		}
		p.Value = v
	}
	return nil
}

// xmlLiveFields maps each XML part's YAML field to the ConnectorDetail field holding it.
var xmlLiveFields = func() map[string]string {
	m := map[string]string{}
	for _, p := range config.XMLParts {
		m[p.Field] = p.Live
	}
	return m
}()

// bundleRequestOf maps the XML parts that have a PUT of their own to it; the others are patched.
var bundleRequestOf = map[string]BundlePart{
	"sourceConfig":   BundleSourceConfig,
	"sourceTemplate": BundleSourceTemplate,
}

// normaliseXML is the rule "XML compared as XML" (see Rules): a bundle XML part, projected as
// the file's text and the tenant's, becomes its canonical rendering. A text that is not
// well-formed (the tenant's, say) stays as it is and so differs.
func normaliseXML(p []string, d, l any, lok bool) (any, any, bool) {
	if len(p) != 1 || xmlLiveFields[p[0]] == "" {
		return d, l, lok
	}
	return canonicalText(d), canonicalText(l), lok
}

func canonicalText(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	c, err := CanonicalXML([]byte(s))
	if err != nil {
		return v
	}
	return c
}

// SameBundleText reports whether a declared bundle document and the tenant's text are equal by
// the plan's rules: field is the XML part's YAML field (config.XMLParts) or
// config.FieldTranslations, compared as XML or as properties. sync uses it to decide whether a
// part needs reading at its documented endpoint.
func SameBundleText(field, desired, live string) bool {
	var d, l any
	if field == config.FieldTranslations {
		d, l, _ = normaliseProperties([]string{field, "x"}, desired, live, true)
	} else {
		d, l, _ = normaliseXML([]string{field}, desired, live, true)
	}
	return plainEqual(d, l)
}

// normaliseProperties is the rule "translations compared by key": a translations file and the
// tenant's text become their key → value maps, so comments, blank lines, order, separators and
// escapes are not changes.
func normaliseProperties(p []string, d, l any, lok bool) (any, any, bool) {
	if len(p) != 2 || p[0] != config.FieldTranslations {
		return d, l, lok
	}
	return propertiesMap(d), propertiesMap(l), lok
}

func propertiesMap(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	props, err := config.ParseProperties([]byte(s))
	if err != nil {
		return v
	}
	m := make(map[string]any, len(props))
	for _, p := range props {
		m[p.Key] = p.Value
	}
	return m
}

// textLines renders a normalised bundle value as lines for the line diff: canonical XML or a
// text as they are, a properties map as sorted key=value lines.
func textLines(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		for _, k := range keys {
			s, _ := t[k].(string)
			b.WriteString(escapeProperty(k) + "=" + escapeProperty(s) + "\n")
		}
		return b.String()
	case nil:
		return ""
	}
	return formatValue(v)
}

// escapeProperty writes a properties key or value on one printable line: every character that
// is not printable as a \uXXXX escape.
func escapeProperty(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == ' ' || unicode.IsGraphic(r) && !unicode.Is(unicode.Bidi_Control, r) {
			b.WriteRune(r)
			continue
		}
		for _, u := range utf16Units(r) {
			fmt.Fprintf(&b, `\u%04X`, u)
		}
	}
	return b.String()
}

// printable writes every character of s that is not printable as \u{XXXX}.
func printable(s string) string {
	if strings.IndexFunc(s, notPrintable) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if notPrintable(r) {
			fmt.Fprintf(&b, `\u{%X}`, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func notPrintable(r rune) bool {
	return r != ' ' && (!unicode.IsGraphic(r) || unicode.Is(unicode.Bidi_Control, r))
}

func utf16Units(r rune) []rune {
	if r < 0x10000 {
		return []rune{r}
	}
	r -= 0x10000
	return []rune{0xD800 + (r>>10)&0x3FF, 0xDC00 + r&0x3FF}
}

// bundle compares a connector's declared bundle with the live ConnectorDetail (nil for a
// connector to create) and returns the field changes and the requests that make them.
func (c *computer) bundle(con *config.Connector, live *value.Object) ([]Field, []BundleRequest) {
	b := con.Bundle
	if b.Empty() {
		return nil, nil
	}
	var fields []Field
	var reqs []BundleRequest
	var patch []PatchOp
	for _, part := range config.XMLParts {
		f := b.XML[part.Field]
		if f == nil {
			continue
		}
		pos := con.PosOf(part.Field)
		if live == nil {
			fields = append(fields, Field{Path: part.Field, After: f.Rel, Line: pos.Line})
		} else {
			lt, lok := live.Get(part.Live)
			field, same := c.bundleField([]string{part.Field}, string(f.Data), lt, lok)
			if same {
				continue
			}
			field.Line = pos.Line
			fields = append(fields, field)
		}
		if rp, ok := bundleRequestOf[part.Field]; ok {
			reqs = append(reqs, BundleRequest{Part: rp, Upload: bundleUpload(f.File, f.Data)})
		} else {
			patch = append(patch, PatchOp{Op: "add", Path: "/" + part.Live, Value: string(f.Data)})
		}
	}
	var liveTr *value.Object
	if live != nil {
		liveTr = live.Object(config.LiveTranslations)
	}
	for _, tr := range b.Translations {
		p := config.FieldTranslations + "." + tr.Locale
		pos := con.PosOf(p)
		if live == nil {
			fields = append(fields, Field{Path: p, After: tr.Rel, Line: pos.Line})
		} else {
			var lt any
			lok := false
			if liveTr != nil {
				lt, lok = liveTr.Get(tr.Locale)
			}
			field, same := c.bundleField([]string{config.FieldTranslations, tr.Locale}, string(tr.Data), lt, lok)
			if same {
				continue
			}
			field.Line = pos.Line
			fields = append(fields, field)
		}
		reqs = append(reqs, BundleRequest{Part: BundleTranslations, Locale: tr.Locale, Upload: bundleUpload(tr.File, tr.Data)})
	}
	if b.Metadata != nil {
		var liveMeta *value.Object
		if live != nil {
			liveMeta = live.Object(config.FieldConnectorMetadata)
		}
		if live != nil && liveMeta == nil && b.Metadata.Len() > 0 {
			// The tenant has no metadata object to add keys to: the declared keys make it.
			fields = append(fields, Field{Path: config.FieldConnectorMetadata, Before: nil, After: b.Metadata, Line: con.PosOf(config.FieldConnectorMetadata).Line})
			patch = append(patch, PatchOp{Op: "add", Path: "/" + config.FieldConnectorMetadata, Value: b.Metadata})
			reqs = append(reqs, BundleRequest{Part: BundlePatch, Patch: patch})
			return fields, reqs
		}
		for k, v := range b.Metadata.All() {
			p := config.FieldConnectorMetadata + "." + k
			line := b.MetadataPos[k].Line
			var lv any
			lok := false
			if liveMeta != nil {
				lv, lok = liveMeta.Get(k)
			}
			if live != nil && lok {
				d, l, _ := c.connectorCmp.normalize([]string{config.FieldConnectorMetadata, k}, value.ToPlain(v), value.ToPlain(lv), true)
				if plainEqual(d, l) {
					continue
				}
				fields = append(fields, Field{Path: p, Before: lv, After: v, Line: line})
			} else {
				fields = append(fields, Field{Path: p, After: v, Line: line})
			}
			patch = append(patch, PatchOp{Op: "add", Path: "/" + config.FieldConnectorMetadata + "/" + pointerEscape(k), Value: v})
		}
	}
	if len(patch) > 0 {
		reqs = append(reqs, BundleRequest{Part: BundlePatch, Patch: patch})
	}
	return fields, reqs
}

// bundleField compares one bundle document (XML or properties) through the rule table and, when
// it differs, describes the change by a count and a line diff instead of both documents.
func (c *computer) bundleField(p []string, desired string, live any, liveOK bool) (Field, bool) {
	ls, _ := live.(string)
	d, l, _ := c.connectorCmp.normalize(p, desired, ls, true)
	if liveOK && plainEqual(d, l) {
		return Field{}, true
	}
	if !liveOK || ls == "" {
		n := len(splitLines(textLines(d)))
		return Field{Path: strings.Join(p, "."), Summary: plural(n, "line", "lines") + " added (the tenant has none)"}, false
	}
	n, lines := lineDiff(textLines(l), textLines(d))
	for i, line := range lines {
		// Canonical XML and properties lines are printable already; a text that did not parse
		// (the tenant's, say) is shown as it is, so it is made printable here.
		lines[i] = printable(line)
	}
	if n == 0 {
		// Equal as lines but not as values (a key repeated, say): still a change to send.
		n = 1
	}
	return Field{Path: strings.Join(p, "."), Summary: plural(n, "line", "lines") + " changed", Diff: lines}, false
}

// bundleUpload is the upload of a bundle file: its base name and content.
func bundleUpload(f config.File, data []byte) *Upload {
	return &Upload{Name: path.Base(filepath.ToSlash(f.Rel)), Content: string(data)}
}

// pointerEscape escapes a key for a JSON Pointer (RFC 6901).
func pointerEscape(k string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(k)
}

// ruleConnectorField is the violation's rule for a connector field the tenant cannot change.
func ruleConnectorField(field string) string {
	if field == "scriptName" {
		return "a connector's scriptName is the tenant's and never changes: pin the live one, or remove the pin"
	}
	return "no endpoint changes a connector's " + field + " after create (PATCH /v3/connectors/{scriptName} takes only the bundle: " +
		"connectorMetadata, applicationXml, correlationConfigXml, sourceConfigXml): set " + field +
		" to the live value, or declare a new Connector under another name and point the sources at it"
}
