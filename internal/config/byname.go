package config

import (
	"strings"

	"github.com/sailsync/sailsync/internal/value"
)

// The types of the references that may be given by name, as the API's reference objects
// spell them.
const (
	RefIdentity        = "IDENTITY"
	RefCluster         = "CLUSTER"
	RefGovernanceGroup = "GOVERNANCE_GROUP"
	RefPasswordPolicy  = "PASSWORD_POLICY"
	RefRule            = "RULE"
)

// RefField is a reference field of a kind (a row of KindSpec.ByName).
type RefField struct {
	// Field is the top-level field holding the reference object.
	Field string
	// Type is the reference's type (RefIdentity, …).
	Type string
	// List is set when the field holds a list of references (passwordPolicies).
	List bool
}

// NamedRef is an object of the tenant named by a reference: its type and name.
type NamedRef struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

// NamedRefUse is one reference given by name in a declared object.
type NamedRefUse struct {
	NamedRef
	Object *Object
	// Field is the reference's field (a list's field for each of its elements).
	Field string
	// Index is the element's index in a list field, or -1.
	Index int
	// Pos is the position of the reference's name in the YAML.
	Pos Pos
}

// ByNameFields returns every reference field that may be given by name, of every kind.
func ByNameFields(k Kind) []RefField {
	if r := row(k); r != nil {
		return r.ByName
	}
	return nil
}

// RefName returns the name of a reference object given by name: one with a non-empty name
// and no id. A name holding a reference (${env:…}) is not a name to look up.
func RefName(v any) (string, bool) {
	o, ok := v.(*value.Object)
	if !ok || o == nil {
		return "", false
	}
	if _, hasID := o.Get("id"); hasID {
		return "", false
	}
	name := o.String("name")
	if name == "" || strings.Contains(name, "${") {
		return "", false
	}
	return name, true
}

// NamedRefs returns every reference given by name in the repository, in repository order:
// what plan must look up in the tenant. Call it on the repository of the chosen environment
// (ForEnvironment), whose names are final.
func (r *Repo) NamedRefs() []NamedRefUse {
	var out []NamedRefUse
	for _, o := range r.Objects() {
		out = append(out, NamedRefsOf(o)...)
	}
	return out
}

// NamedRefsOf returns the references given by name in one declared object.
func NamedRefsOf(o *Object) []NamedRefUse {
	var out []NamedRefUse
	for _, f := range ByNameFields(o.Kind) {
		v, ok := o.Fields.Get(f.Field)
		if !ok {
			continue
		}
		pos := o.PosOf(f.Field + ".name")
		if f.List {
			list, _ := v.([]any)
			for i, e := range list {
				if name, ok := RefName(e); ok {
					out = append(out, NamedRefUse{NamedRef: NamedRef{Type: f.Type, Name: name}, Object: o, Field: f.Field, Index: i, Pos: o.PosOf(f.Field)})
				}
			}
			continue
		}
		if name, ok := RefName(v); ok {
			out = append(out, NamedRefUse{NamedRef: NamedRef{Type: f.Type, Name: name}, Object: o, Field: f.Field, Index: -1, Pos: pos})
		}
	}
	return out
}
