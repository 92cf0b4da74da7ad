package config

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/value"
)

const twoEnvironments = `environments:
  sandbox:
    baseUrl: https://acme-sb.api.identitynow.com
    vars:
      url: https://hr-test.acme.example
      threshold: 50
      features: [NO_RANDOM_ACCESS, DIRECT_PERMISSIONS]
      tricky: "literal ${env:NOT_A_SECRET}"
  prod:
    baseUrl: https://acme.api.identitynow.com
    vars:
      url: https://hr.acme.example
      threshold: 10
      features: [NO_RANDOM_ACCESS]
`

// TestVarsCheckedInEveryEnvironment: validate (Load) checks every ${var:…} against every
// environment, offline, naming the environment and the file:line:col of each reference; a var
// that is a list spliced into a longer string, and a var value the schema refuses in one
// environment, are reported there too.
func TestVarsCheckedInEveryEnvironment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"every var defined everywhere", map[string]string{"sailsync.yaml": twoEnvironments,
			"s.yaml": validSource + "description: HR at ${var:url}\ndeleteThreshold: ${var:threshold}\nfeatures: ${var:features}\n"}, nil},
		{"missing in one environment, then in both", map[string]string{"sailsync.yaml": twoEnvironments,
			"s.yaml": validSource + "description: ${var:tricky}\nconnectorAttributes:\n  host: ${var:host}\n"},
			[]string{
				`s.yaml:5:14: description: ${var:tricky} is not defined in environment "prod" (sailsync.yaml:10)`,
				`s.yaml:7:9: connectorAttributes.host: ${var:host} is not defined in environment "prod" (sailsync.yaml:10)`,
				`s.yaml:7:9: connectorAttributes.host: ${var:host} is not defined in environment "sandbox" (sailsync.yaml:3)`,
			}},
		{"a list inside a longer string", map[string]string{"sailsync.yaml": twoEnvironments,
			"s.yaml": validSource + "description: features ${var:features}\n"},
			[]string{
				`s.yaml:5:14: description: ${var:features} is a list in environment "prod": such a value can only be a field's whole value`,
				`s.yaml:5:14: description: ${var:features} is a list in environment "sandbox": such a value can only be a field's whole value`,
			}},
		{"a value the schema refuses in one environment", map[string]string{"sailsync.yaml": twoEnvironments,
			"s.yaml": validSource + "deleteThreshold: ${var:url}\n"},
			[]string{
				`s.yaml:5:18: deleteThreshold: in environment "prod": must be an integer or null, not a string`,
				`s.yaml:5:18: deleteThreshold: in environment "sandbox": must be an integer or null, not a string`,
			}},
		{"vars without environments", map[string]string{"s.yaml": validSource + "description: ${var:url}\n"},
			[]string{"s.yaml:5:14: description: ${var:url}: sailsync.yaml declares no environments, so no var is defined: add environments: with vars"}},
		{"not in a name", map[string]string{"sailsync.yaml": twoEnvironments,
			"s.yaml": "kind: Source\nname: HR ${var:url}\nowner: {type: IDENTITY, name: Amelia Ortiz}\nconnector: jdbc\n"},
			[]string{"s.yaml:2:7: name: references are not allowed in a name: a name identifies the object in every tenant"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, tt.files)
			_, err := Load(dir)
			var got []string
			var ps Problems
			if errors.As(err, &ps) {
				for _, p := range ps {
					got = append(got, p.String())
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestForEnvironment: each environment's values replace the references, typed when a
// reference is the whole value, as text inside a longer string, literally (a "${" in a value
// is escaped, never expanded again), and other references and escapes stay as written.
func TestForEnvironment(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, map[string]string{"sailsync.yaml": twoEnvironments + "      tricky: x\n", "s.yaml": validSource +
		"description: HR at ${var:url} ($${var:url} is written so)\ndeleteThreshold: ${var:threshold}\nfeatures: ${var:features}\n" +
		"connectorAttributes:\n  note: ${var:tricky}\n  password: ${env:HR_PASSWORD}\n"})
	repo := loadOK(t, dir)
	if got := repo.Settings.EnvironmentNames(); !reflect.DeepEqual(got, []string{"sandbox", "prod"}) {
		t.Fatalf("environments %v", got)
	}
	sb, err := repo.ForEnvironment("sandbox")
	if err != nil {
		t.Fatal(err)
	}
	f := sb.Sources()[0].Fields
	for _, c := range []struct {
		path string
		want any
	}{
		{"description", "HR at https://hr-test.acme.example ($${var:url} is written so)"},
		{"deleteThreshold", json.Number("50")},
		{"features", []any{"NO_RANDOM_ACCESS", "DIRECT_PERMISSIONS"}},
		{"connectorAttributes.note", "literal $${env:NOT_A_SECRET}"},
		{"connectorAttributes.password", "${env:HR_PASSWORD}"},
	} {
		if got, _ := f.Path(c.path); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %#v, want %#v", c.path, got, c.want)
		}
	}
	if IsSecret(mustGet(t, f, "connectorAttributes.note")) {
		t.Error("a var's value holding ${env:…} became a secret reference")
	}
	if sb.Env != "sandbox" || sb.Hash != repo.Hash {
		t.Errorf("Env %q, hash changed %v", sb.Env, sb.Hash != repo.Hash)
	}
	if got, _ := repo.Sources()[0].Fields.Path("deleteThreshold"); got != "${var:threshold}" {
		t.Errorf("the repository as written changed: %v", got)
	}
	if sb.Sources()[0].PosOf("deleteThreshold").Line != 6 {
		t.Errorf("a var's value keeps the reference's position: %v", sb.Sources()[0].PosOf("deleteThreshold"))
	}
	prod, err := repo.ForEnvironment("prod")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := prod.Sources()[0].Fields.Path("deleteThreshold"); got != json.Number("10") {
		t.Errorf("prod deleteThreshold %v", got)
	}
	if _, err := repo.ForEnvironment("staging"); err == nil {
		t.Error("an undeclared environment was accepted")
	}
}

func mustGet(t *testing.T, o *value.Object, path string) any {
	t.Helper()
	v, ok := o.Path(path)
	if !ok {
		t.Fatalf("%s missing", path)
	}
	return v
}

// TestForEnvironmentKeepsBundle: under an environment a connector keeps its bundle and its
// var-bound fields, and a source its connector files. The bundle was dropped: plan --env
// planned no source config, template or translations, and apply never sent them (found by
// TestChangedSinceProperty: an edit to a bundle file changed nothing under --env).
func TestForEnvironmentKeepsBundle(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{"sailsync.yaml": twoEnvironments,
		"c.yaml":       "kind: Connector\nname: C\nclassName: X\ntype: ${var:url}\nsourceConfig: b/config.xml\ntranslations: {en: b/en.properties}\n",
		"b/config.xml": "<Form/>\n", "b/en.properties": "a=b\n",
		"s.yaml": validSource + "description: ${var:url}\nconnectorFiles: [b/config.xml]\n"})
	repo := loadOK(t, dir)
	sb, err := repo.ForEnvironment("sandbox")
	if err != nil {
		t.Fatal(err)
	}
	c := sb.Connectors()[0]
	if c.Bundle == nil || c.Bundle.XML["sourceConfig"] == nil || len(c.Bundle.Translations) != 1 {
		t.Fatalf("bundle %+v, want the source config and one translation", c.Bundle)
	}
	if got := c.Fields.String("type"); got != "https://hr-test.acme.example" {
		t.Errorf("type %q, the sandbox's var", got)
	}
	if s := sb.Sources()[0]; len(s.ConnectorFiles) != 1 || s.Fields.String("description") != "https://hr-test.acme.example" {
		t.Errorf("source: connector files %v, description %q", s.ConnectorFiles, s.Fields.String("description"))
	}
}
