package config

func init() {
	addKind(KindSpec{
		Kind: KindEntitlementSchema, Declared: true, Owner: KindSource, Schema: "entitlement-schema.json",
		Identity: []string{"source", "name"},
		Doc:      "an entitlement schema of a declared source, uploaded as a CSV template",
	}, &kindLoader{build: buildSchema,
		objects: func(r *Repo) []*Object {
			return objectsOf(r.Schemas, func(es *EntitlementSchema) *Object { return &es.Object })
		},
	})
}

// EntitlementSchema is a declared entitlement schema of a declared source.
type EntitlementSchema struct {
	Object
	// Source is the name of the declared Source this schema belongs to: its Owner.
	Source string
	// Template is the CSV template file; nil when Attributes were declared instead.
	Template *File
	// TemplateData is the template's content, uploaded as it is.
	TemplateData []byte
	// Attributes are the attribute names: the template's header row, or the declared list.
	Attributes []string
}

// buildSchema takes an EntitlementSchema's own keys (source, template, attributes) out of its
// fields and reads its attributes from the template's header row or the declared list.
func buildSchema(l *loader, repo *Repo, d *document, obj Object, valid bool) {
	es := &EntitlementSchema{Object: obj, Source: obj.Owner}
	tmpl, hasTemplate := d.value.Get("template")
	list, hasList := d.value.Get("attributes")
	for _, k := range []string{"source", "template", "attributes"} {
		es.Fields.Delete(k)
	}
	r, isString := tmpl.(string)
	if hasTemplate && (valid || isString && r != "") {
		if f, ok := l.file(d.file, r, d.positions["template"], "template", MaxTemplateSize, "a template"); ok {
			es.Template = &f
			es.TemplateData, es.Attributes = l.header(f)
		}
	} else if hasList && !hasTemplate {
		items, _ := list.([]any)
		for _, it := range items {
			s, _ := it.(string)
			es.Attributes = append(es.Attributes, s)
		}
	}
	repo.Schemas = append(repo.Schemas, es)
}
