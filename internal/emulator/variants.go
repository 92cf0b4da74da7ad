package emulator

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sailsync/sailsync/internal/value"
)

// How the tenant shows a connector's bundle in ConnectorDetail is not documented beyond the
// schema's field names: these options play each plausible answer. The emulator stores the bundle
// under the canonical fields (sourceConfigXml, applicationXml, correlationConfigXml,
// translationProperties, connectorMetadata) and renders GET /v3/connectors/{scriptName} (and the
// listing's connectorMetadata) through connectorView; the documented per-part GET endpoints
// always serve what was uploaded.

// The values of Options.SourceConfigFields and Options.CorrelationConfigFields.
const (
	// FieldsBoth shows the part under both names (sourceConfigXml and sourceConfig).
	FieldsBoth = "both"
	// FieldsXML shows it under the …Xml name only.
	FieldsXML = "xml"
	// FieldsPlain shows it under the name without Xml only (sourceConfig, correlationConfig).
	FieldsPlain = "plain"
	// FieldsNone leaves it out of the detail: GET …/source-config alone serves it.
	FieldsNone = "none"
)

// The values of Options.TranslationsDetail.
const (
	// TranslationsMap is locale → properties text, the document's example ("" too).
	TranslationsMap = "map"
	// TranslationsLower writes the locale keys in lower case (zh-tw).
	TranslationsLower = "lower"
	// TranslationsUnderscore writes the locale keys with '_' (zh_TW).
	TranslationsUnderscore = "underscore"
	// TranslationsParsed gives each locale an object of its key → value pairs, not the text.
	TranslationsParsed = "parsed"
	// TranslationsNone leaves translationProperties out: GET …/translations/{locale} only.
	TranslationsNone = "none"
)

// The values of Options.MetadataDetail.
const (
	// MetadataStored shows connectorMetadata as it is stored ("" too).
	MetadataStored = "stored"
	// MetadataExtra adds keys of the tenant's own (the document's example: supportedUI, platform).
	MetadataExtra = "extra"
	// MetadataString gives connectorMetadata as JSON text instead of an object.
	MetadataString = "string"
)

// checkVariants refuses an Options value no variant has, naming the field.
func checkVariants(o Options) error {
	for _, c := range []struct {
		field, v string
		allowed  []string
	}{
		{"SourceConfigFields", o.SourceConfigFields, []string{"", FieldsBoth, FieldsXML, FieldsPlain, FieldsNone}},
		// No documented v3 GET serves the correlation config, so "none" is not a variant a
		// client could read at all.
		{"CorrelationConfigFields", o.CorrelationConfigFields, []string{"", FieldsBoth, FieldsXML, FieldsPlain}},
		{"TranslationsDetail", o.TranslationsDetail, []string{"", TranslationsMap, TranslationsLower, TranslationsUnderscore, TranslationsParsed, TranslationsNone}},
		{"MetadataDetail", o.MetadataDetail, []string{"", MetadataStored, MetadataExtra, MetadataString}},
	} {
		ok := false
		for _, a := range c.allowed {
			ok = ok || c.v == a
		}
		if !ok {
			return fmt.Errorf("%s %q: must be one of %s", c.field, c.v, strings.Join(c.allowed[1:], ", "))
		}
	}
	return nil
}

// connectorView is the ConnectorDetail a GET answers for the stored connector c, rendered by the
// Options' variants; the caller holds e.mu. c itself is not changed.
func (e *Emulator) connectorView(c *value.Object) *value.Object {
	d := c.Clone()
	o := e.opts
	if o.TemplateDefault {
		if gen, ok := e.conns().generated[c.String("scriptName")]; ok {
			d.Set("applicationXml", gen)
		}
	}
	switch o.SourceConfigFields {
	case FieldsXML:
		d.Delete("sourceConfig")
	case FieldsPlain:
		if s, ok := d.Get("sourceConfigXml"); ok {
			d.Set("sourceConfig", s)
		}
		d.Delete("sourceConfigXml")
	case FieldsNone:
		d.Delete("sourceConfig")
		d.Delete("sourceConfigXml")
	}
	switch o.CorrelationConfigFields {
	case FieldsBoth:
		if s, ok := d.Get("correlationConfigXml"); ok {
			d.Set("correlationConfig", s)
		}
	case FieldsPlain:
		if s, ok := d.Get("correlationConfigXml"); ok {
			d.Set("correlationConfig", s)
		}
		d.Delete("correlationConfigXml")
	}
	if tr := d.Object("translationProperties"); tr != nil {
		switch o.TranslationsDetail {
		case TranslationsLower, TranslationsUnderscore, TranslationsParsed:
			m := value.NewObject()
			for k, v := range tr.All() {
				switch o.TranslationsDetail {
				case TranslationsLower:
					m.Set(strings.ToLower(k), v)
				case TranslationsUnderscore:
					m.Set(strings.ReplaceAll(k, "-", "_"), v)
				default:
					m.Set(k, parsedProperties(v))
				}
			}
			d.Set("translationProperties", m)
		case TranslationsNone:
			d.Delete("translationProperties")
		}
	}
	e.metadataView(d)
	return d
}

// metadataView renders d's connectorMetadata by Options.MetadataDetail, in place.
func (e *Emulator) metadataView(d *value.Object) {
	md := d.Object("connectorMetadata")
	if md == nil {
		return
	}
	switch e.opts.MetadataDetail {
	case MetadataExtra:
		for _, kv := range [][2]string{{"supportedUI", "EXTJS"}, {"platform", "ccg"}} {
			if _, ok := md.Get(kv[0]); !ok {
				md.Set(kv[0], kv[1])
			}
		}
	case MetadataString:
		if data, err := value.Marshal(md); err == nil {
			d.Set("connectorMetadata", string(data))
		}
	}
}

// parsedProperties is a properties text as the object of its key → value pairs (lines of
// key=value; comments and blank lines left out), the shape TranslationsParsed plays.
func parsedProperties(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	m := value.NewObject()
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		k, val, _ := strings.Cut(line, "=")
		m.Set(strings.TrimSpace(k), strings.TrimSpace(val))
	}
	return m
}

// schemaView is an entitlement schema as a tenant with Options.SchemaExtras answers it: keys in
// reverse order, the attributes sorted by name rather than the template's order, and each
// attribute with properties of the tenant's own besides the documented ones.
func (e *Emulator) schemaView(s *value.Object) *value.Object {
	if !e.opts.SchemaExtras {
		return s
	}
	keys := s.Keys()
	d := value.NewObject()
	for i := len(keys) - 1; i >= 0; i-- {
		v, _ := s.Get(keys[i])
		d.Set(keys[i], value.Clone(v))
	}
	d.Set("hierarchyAttribute", nil)
	if list, ok := d.Get("attributes"); ok {
		if attrs, ok := list.([]any); ok {
			sort.SliceStable(attrs, func(i, j int) bool {
				a, _ := attrs[i].(*value.Object)
				b, _ := attrs[j].(*value.Object)
				return a != nil && b != nil && a.String("name") < b.String("name")
			})
			for _, a := range attrs {
				if ao, ok := a.(*value.Object); ok {
					ao.Set("multi", false)
					ao.Set("entitlement", false)
					ao.Set("managed", false)
					ao.Set("schema", nil)
				}
			}
		}
	}
	return d
}
