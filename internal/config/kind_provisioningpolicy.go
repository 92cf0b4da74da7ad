package config

import (
	"slices"
	"strconv"

	"github.com/sailsync/sailsync/internal/value"
)

// KindProvisioningPolicy is a source's provisioning policy: the form of one usage type (the
// create-account form for CREATE), owned by its source and named by its usageType.
const KindProvisioningPolicy Kind = "ProvisioningPolicy"

func init() {
	addKind(KindSpec{
		Kind: KindProvisioningPolicy, Declared: true, Unmanaged: true, Owner: KindSource, Schema: "provisioning-policy.json",
		// One policy per usage type of a source: the usageType is its name within the source.
		Identity: []string{"source", "usageType"},
		// PUT …/provisioning-policies/{usageType} names the policy by it: it cannot change.
		Immutable: []string{"usageType"}, LiveID: "usageType",
		Doc: "a provisioning policy of a declared source (/v3/sources/{id}/provisioning-policies/{usageType})",
	}, &kindLoader{build: buildPolicy, tree: true,
		needs: func(d Declared) map[Kind][]string {
			return map[Kind][]string{KindTransform: d.(*ProvisioningPolicy).TransformNames()}
		},
		bind: func(d Declared, o Object) Declared {
			c := *d.(*ProvisioningPolicy)
			c.Object = o
			return &c
		},
	})
}

// ProvisioningPolicy is a declared provisioning policy of a declared source. Its Object's Name
// is its usageType, which names it within the source; Fields hold the API's fields (name,
// description, usageType, fields) in the order written.
type ProvisioningPolicy struct {
	Object
	// Source is the name of the declared Source this policy belongs to: its Owner.
	Source string
}

// buildPolicy takes a ProvisioningPolicy's `source` out of its fields and names it by its
// usageType, which stays in the fields: the tenant's object carries it too.
func buildPolicy(_ *loader, d *document, obj Object, _ bool) Declared {
	obj.Name = d.value.String("usageType")
	obj.Fields.Delete("source")
	fieldPositions(d, &obj)
	return &ProvisioningPolicy{Object: obj, Source: obj.Owner}
}

// fieldPositions records the position of each form field and of its keys under "fields[i]" and
// "fields[i].key": the document's positions share one path for every element of a list, and a
// plan points at the field it concerns.
func fieldPositions(d *document, obj *Object) {
	fv, _ := d.value.Get("fields")
	list, _ := fv.([]any)
	if d.root == nil {
		return // a document that could not be parsed: its problems are reported already
	}
	for i, e := range list {
		at := "fields[" + strconv.Itoa(i) + "]"
		if n, _, matched, _ := nodeAt(d.root, []string{"fields", strconv.Itoa(i)}); matched == 2 {
			obj.Positions[at] = posOf(d.file, n)
		}
		f, ok := e.(*value.Object)
		if !ok {
			continue
		}
		for k := range f.All() {
			if n, _, matched, _ := nodeAt(d.root, []string{"fields", strconv.Itoa(i), k}); matched == 3 {
				obj.Positions[at+"."+k] = posOf(d.file, n)
			}
		}
	}
}

// TransformNames returns the names of the transforms the policy's fields reference (`transform:
// {type: reference, attributes: {id: NAME}}`), in order, each once.
func (p *ProvisioningPolicy) TransformNames() []string {
	var out []string
	fv, _ := p.Fields.Get("fields")
	list, _ := fv.([]any)
	for _, e := range list {
		f, ok := e.(*value.Object)
		if !ok {
			continue
		}
		if t := f.Object("transform"); t != nil && t.String("type") == "reference" {
			if n := t.Object("attributes").String("id"); n != "" && !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// Policies returns the declared provisioning policies, tombstones included, in repository order.
func (r *Repo) Policies() []*ProvisioningPolicy {
	return typedOf[*ProvisioningPolicy](r, KindProvisioningPolicy)
}
