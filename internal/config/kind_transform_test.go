package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/tenanttest"
)

const validTransform = `kind: Transform
name: Lowercase Email
type: lower
attributes:
  input:
    type: accountAttribute
    attributes: {sourceName: HR Database, attributeName: email}
`

// TestTransformValidation: what validate refuses in a Transform document, each at its file:line:col
// naming the field: the tenant's id and internal, a type outside the published enum, no
// attributes (POST and PUT require them), a connector or env reference, and two transforms the
// tenant may take for one.
func TestTransformValidation(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		files map[string]string
		want  []string // every problem, in order
	}{
		{"id", map[string]string{"t.yaml": validTransform + "id: 8f2e4c1a-3b7d-4e9f-a6c5-1d0b9e7f3a24\n"},
			[]string{"t.yaml:8:1: id: is managed by the tenant and cannot be declared: remove it"}},
		{"internal", map[string]string{"t.yaml": validTransform + "internal: false\n"},
			[]string{"t.yaml:8:1: internal: is managed by the tenant and cannot be declared: remove it"}},
		// type is an open enum (the vendor adds operations): a warning, see TestTransformTypeWarning.
		{"type outside the enum", map[string]string{"t.yaml": strings.Replace(validTransform, "type: lower", "type: lowercase", 1)}, nil},
		{"no type", map[string]string{"t.yaml": strings.Replace(validTransform, "type: lower\n", "", 1)},
			[]string{"t.yaml:1:1: type: required field is missing"}},
		{"no attributes", map[string]string{"t.yaml": "kind: Transform\nname: Random UUID\ntype: uuid\n"},
			[]string{"t.yaml:1:1: attributes: required field is missing"}},
		{"attributes a list", map[string]string{"t.yaml": "kind: Transform\nname: Random UUID\ntype: uuid\nattributes: [a]\n"},
			[]string{"t.yaml:4:13: attributes: must be an object or null, not a list"}},
		{"connector reference", map[string]string{"t.yaml": strings.Replace(validTransform, "sourceName: HR Database", "sourceName: \"${connector:Acme HR}\"", 1)},
			[]string{"t.yaml:7:30: attributes.input.attributes.sourceName: ${connector:Acme HR}: connector references are resolved in a Source's fields only"}},
		{"env reference", map[string]string{"t.yaml": strings.Replace(validTransform, "sourceName: HR Database", `sourceName: "${env:HR_SOURCE}"`, 1)},
			[]string{"t.yaml:7:30: attributes.input.attributes.sourceName: ${env:HR_SOURCE} is only allowed where the tenant stores the value encrypted"}},
		{"reference in the name", map[string]string{"t.yaml": strings.Replace(validTransform, "name: Lowercase Email", "name: ${var:x} Email", 1)},
			[]string{"t.yaml:2:7: name: references are not allowed in a name"}},
		{"the same name twice", map[string]string{"a.yaml": validTransform, "b.yaml": validTransform},
			[]string{`b.yaml:2:7: name: Transform "Lowercase Email" is declared twice: also at a.yaml:2:7`}},
		{"names differing in case", map[string]string{"a.yaml": validTransform, "b.yaml": strings.Replace(validTransform, "Lowercase Email", "lowercase email", 1)},
			[]string{`b.yaml:2:7: name: Transform "lowercase email" and Transform "Lowercase Email" declared at a.yaml:2:7 may be one object to the tenant`}},
		{"a transform and a source of one name", map[string]string{"a.yaml": validTransform, "b.yaml": "kind: Source\nname: Lowercase Email\nowner: {type: IDENTITY, id: x}\nconnector: jdbc\n"},
			nil},
		{"a tombstone with attributes", map[string]string{"t.yaml": "kind: Transform\nname: Old\nabsent: true\nreason: r\nattributes: null\n"},
			[]string{"t.yaml:5:1: attributes: unknown field"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tenanttest.WriteDir(t, tt.files))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				return
			}
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("Load: %v, want problems", err)
			}
			if len(ps) != len(tt.want) {
				t.Errorf("%d problems, want %d:\n%s", len(ps), len(tt.want), problemLines(ps))
			}
			for i, w := range tt.want {
				if i < len(ps) && !strings.HasPrefix(ps[i].String(), w) {
					t.Errorf("problem %d:\n%s\nwant it to start with\n%s", i, ps[i], w)
				}
			}
		})
	}
}

// TestTransformLoads: a transform keeps its fields as written (Repo.Plain), a tombstone its
// identity and reason, and $${ stays escaped until plan resolves it.
func TestTransformLoads(t *testing.T) {
	t.Parallel()
	r := loadOK(t, tenanttest.WriteDir(t, map[string]string{
		"t.yaml": validTransform + "---\nkind: Transform\nname: Greeting\ntype: static\nattributes: {value: \"Hello $${name}\"}\n" +
			"---\nkind: Transform\nname: Old\nabsent: true\nreason: replaced (CHG-7)\n",
	}))
	ts := r.ObjectsOf(KindTransform)
	if len(ts) != 3 || r.CountOf(KindTransform) != 3 {
		t.Fatalf("%d transforms", len(ts))
	}
	if got := strings.Join(ts[0].Fields.Keys(), ","); got != "name,type,attributes" || ts[0].Kind != KindTransform {
		t.Errorf("fields %s of kind %s", got, ts[0].Kind)
	}
	if v := ts[1].Fields.Object("attributes").String("value"); v != "Hello $${name}" {
		t.Errorf("static value %q", v)
	}
	if !ts[2].Absent || ts[2].Reason != "replaced (CHG-7)" || strings.Join(ts[2].Fields.Keys(), ",") != "name" {
		t.Errorf("tombstone %+v", ts[2])
	}
	if n := len(r.Tombstones()); n != 1 {
		t.Errorf("%d tombstones", n)
	}
}

// TestTransformTypeWarning: a type the published enum does not list loads, with a warning at
// the type naming the known operations (and the one meant, for a typo).
func TestTransformTypeWarning(t *testing.T) {
	t.Parallel()
	r := loadOK(t, tenanttest.WriteDir(t, map[string]string{"t.yaml": strings.Replace(validTransform, "type: lower", "type: lowr", 1)}))
	if len(r.Warnings) != 1 || !strings.HasPrefix(r.Warnings[0].String(), `t.yaml:3:7: type: "lowr" is not one of the 35 values the API publishes (did you mean lower?); accepted`) {
		t.Errorf("warnings: %v", r.Warnings)
	}
}
