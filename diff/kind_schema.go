package diff

import (
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

func init() {
	registerPlanner(config.KindEntitlementSchema, kindPlanner{
		plan: func(c *computer, out []planned) ([]planned, error) {
			schemas := c.repo.Schemas()
			out = slices.Grow(out, len(schemas))
			plans := out[len(out) : len(out)+len(schemas)]
			parallel(len(schemas), func(i int) { plans[i] = c.schema(schemas[i]) })
			return out[:len(out)+len(schemas)], nil
		},
		live: func(c *computer, o *config.Object, source string) *value.Object {
			if c.live.Get(config.KindSource, "", source) == nil {
				return nil
			}
			return c.live.Get(config.KindEntitlementSchema, source, o.Name)
		},
	})
}

// ruleEmptySchema is the rule of an upload without attributes.
const ruleEmptySchema = "POST /v3/sources/{id}/schemas/entitlements reads the attributes from the template's header row and " +
	"refuses an empty one (400): declare the schema's attributes, or leave it as the tenant has it"

// liveAttributeNames lists the attributes[].name of a live schema, in its order.
func liveAttributeNames(schema *value.Object) []string {
	v, _ := schema.Get("attributes")
	list, _ := v.([]any)
	names := make([]string, 0, len(list))
	for _, e := range list {
		if o, ok := e.(*value.Object); ok {
			if n := o.String("name"); n != "" {
				names = append(names, n)
			}
		}
	}
	return names
}

func (c *computer) schema(s *config.EntitlementSchema) planned {
	if s.Absent {
		return c.tombstone(&s.Object, s.Source)
	}
	ch := Change{Kind: config.KindEntitlementSchema, Name: s.Name, Source: s.Source, File: s.Doc.File, Line: s.Doc.Line}
	declared := stringsToAny(s.Attributes)
	var ls *value.Object
	if c.live.Get(config.KindSource, "", s.Source) != nil {
		ls = c.live.Get(config.KindEntitlementSchema, s.Source, s.Name)
	}
	if ls == nil {
		ch.Action = ActionCreate
		ch.Fields = []Field{{Path: "attributes", After: declared}}
		if len(s.Attributes) == 0 {
			return emptySchema(s, ch, "(no such schema)")
		}
		ch.Op = schemaUpload(s)
		return planned{change: ch}
	}
	ch.LiveID = ls.String("id")
	fp := FingerprintOf(ls)
	ch.Fingerprint = &fp
	liveNames := liveAttributeNames(ls)
	// The template's column order means nothing to the tenant: compare the names as sets.
	added := setMinus(s.Attributes, liveNames)
	removed := setMinus(liveNames, s.Attributes)
	if len(added) == 0 && len(removed) == 0 {
		ch.Action = ActionNoChange
		ch.Fields = []Field{}
		return planned{change: ch}
	}
	ch.Action = ActionUpdate
	// The attributes are declared by the list or by the template's path: either line is where
	// the change is made.
	where := "attributes"
	if s.Template != nil {
		where = "template"
	}
	ch.Fields = []Field{{Path: "attributes", Before: stringsToAny(liveNames), After: declared, Line: s.PosOf(where).Line}}
	var ign []Ignored
	if ch.Fields, ign = ignoreFields(c.repo.Settings.Ignore, config.KindEntitlementSchema, s.Name, s.Source, ch.Fields); len(ch.Fields) == 0 {
		ch.Action = ActionNoChange
		return planned{change: ch, ignored: ign}
	}
	var notes []string
	if len(added) > 0 {
		notes = append(notes, "adds "+strings.Join(added, ", "))
	}
	if len(removed) > 0 {
		notes = append(notes, "removes "+strings.Join(removed, ", "))
	}
	ch.Note = "re-upload: " + strings.Join(notes, "; ")
	if len(s.Attributes) == 0 {
		return emptySchema(s, ch, stringsToAny(liveNames))
	}
	ch.Op = schemaUpload(s)
	return planned{change: ch}
}

// emptySchema is the violation of an upload without attributes: a tenant holds such a schema
// (export writes `attributes: []`), but the upload, a template's header row, cannot make one.
func emptySchema(s *config.EntitlementSchema, ch Change, live any) planned {
	ch.Action, ch.Op = ActionViolation, nil
	ch.Fields[0].Immutable = true
	pos := s.PosOf("attributes")
	v := Violation{Kind: config.KindEntitlementSchema, Name: s.Name, Path: "attributes", File: pos.File, Line: pos.Line, Col: pos.Col,
		Live: live, Desired: []any{}, Rule: ruleEmptySchema}
	return planned{change: ch, violations: []Violation{v}}
}

// schemaUpload is the operation that uploads a schema: its template as written, or a header
// row rendered from its attributes.
func schemaUpload(s *config.EntitlementSchema) *Operation {
	up := &Upload{Name: s.Name + ".csv", Content: TemplateCSV(s.Attributes)}
	if s.Template != nil {
		up = &Upload{Name: path.Base(filepath.ToSlash(s.Template.Path)), Content: string(s.TemplateData)}
	}
	return &Operation{Deps: []string{Change{Kind: config.KindSource, Name: s.Source}.Key()}, Upload: up}
}

// TemplateCSV renders the header row of an entitlement schema template from attribute names,
// quoting names as CSV requires.
func TemplateCSV(attrs []string) string {
	quoted := make([]string, len(attrs))
	for i, n := range attrs {
		if strings.ContainsAny(n, ",\"\r\n") {
			n = `"` + strings.ReplaceAll(n, `"`, `""`) + `"`
		}
		quoted[i] = n
	}
	return strings.Join(quoted, ",") + "\n"
}
