package config

func init() {
	addKind(KindSpec{
		Kind: KindEntitlementSchema, Declared: true, Owner: KindSource, Schema: "entitlement-schema.json",
		Identity: []string{"source", "name"},
		Doc:      "an entitlement schema of a declared source, uploaded as a CSV template",
	}, &kindLoader{build: buildSchema,
		bind: func(d Declared, o Object) Declared {
			c := *d.(*EntitlementSchema)
			c.Object = o
			return &c
		},
		files: func(d Declared) []File {
			if t := d.(*EntitlementSchema).Template; t != nil {
				return []File{*t}
			}
			return nil
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
func buildSchema(l *loader, d *document, obj Object, valid bool) Declared {
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
	return es
}

// Schemas returns the declared entitlement schemas, tombstones included, in repository order.
func (r *Repo) Schemas() []*EntitlementSchema {
	return typedOf[*EntitlementSchema](r, KindEntitlementSchema)
}
