package config

import (
	"errors"
	"strings"
	"testing"
)

// TestNamesTheTenantMayTakeForOne: declared names that differ only in case, surrounding space,
// zero-width characters or Unicode normalisation (NFC/NFD) are a validate error naming both
// places, for Sources and Connectors; a name with a control or bidi character is refused; a
// template header the upload would send otherwise than the plan reads is refused at the
// template field.
func TestNamesTheTenantMayTakeForOne(t *testing.T) {
	t.Parallel()
	const src = "kind: Source\nname: %s\nowner: {type: IDENTITY, id: x}\nconnector: x\n"
	const conn = "kind: Connector\nname: %s\nclassName: x\n"
	cases := []struct {
		name   string
		doc    string // %s: the second object's name
		first  string
		second string
		want   string // in the problem at b.yaml's name ("" : valid)
	}{
		{"case only", src, "HR Database", "hr database", `Source "hr database" and Source "HR Database" declared at a.yaml:2:7 may be one object to the tenant`},
		{"trailing space", src, "HR Database", `"HR Database "`, "may be one object"},
		{"leading space", src, "HR Database", `" HR Database"`, "may be one object"},
		{"zero-width space", src, "HR Database", `"HR\u200b Database"`, "may be one object"},
		{"byte order mark", src, "HR Database", `"\ufeffHR Database"`, "may be one object"},
		{"NFC and NFD", src, "Caf\u00e9", "\"Cafe\u0301\"", "may be one object"},
		{"connector case", conn, "Acme HR", "ACME hr", `Connector "ACME hr" and Connector "Acme HR"`},
		{"distinct names", src, "HR Database", "HR Database 2", ""},
		{"escape in a name", src, "HR Database", `"HR\e[2J"`, `holds the control character U+001B`},
		{"bell in a name", src, "HR Database", `"HR\a"`, `U+0007`},
		{"newline in a name", src, "HR Database", `"HR\n::error::x"`, `U+000A`},
		{"bidi override in a name", src, "HR Database", "\"HR\u202eesabatad\"", `U+202E`},
		{"C1 control in a name", src, "HR Database", `"HR\x9b"`, `U+009B`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, map[string]string{
				"a.yaml": strings.Replace(tc.doc, "%s", tc.first, 1),
				"b.yaml": strings.Replace(tc.doc, "%s", tc.second, 1),
			})
			_, err := Load(dir)
			var ps Problems
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.As(err, &ps) {
				t.Fatalf("err = %v, want problems", err)
			}
			for _, p := range ps {
				if p.Pos.File == "b.yaml" && p.Pos.Line == 2 && p.Field == "name" && strings.Contains(p.Message, tc.want) {
					return
				}
			}
			t.Errorf("no problem at b.yaml:2 with %q:\n%s", tc.want, problemLines(ps))
		})
	}
}

// TestTemplateHeaderRefusedAtTheField: a template whose header holds a NUL, invalid UTF-8 or a
// name with trailing space is a problem at the schema's template field.
func TestTemplateHeaderRefusedAtTheField(t *testing.T) {
	t.Parallel()
	for _, header := range []string{"id,na\x00me\n", "id,\xffname\n", "id,name \n"} {
		dir := t.TempDir()
		write(t, dir, map[string]string{
			"s.yaml":    "kind: Source\nname: S\nowner: {type: IDENTITY, id: x}\nconnector: x\n---\nkind: EntitlementSchema\nsource: S\nname: group\ntemplate: group.csv\n",
			"group.csv": header,
		})
		_, err := Load(dir)
		var ps Problems
		if !errors.As(err, &ps) || len(ps) != 1 || ps[0].Field != "template" || ps[0].Pos.File != "s.yaml" || ps[0].Pos.Line != 9 {
			t.Errorf("header %q: %v", header, err)
		}
	}
}
