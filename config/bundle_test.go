package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

const bundleYAML = `kind: Connector
name: Acme HR
className: sailpoint.connector.OpenConnectorAdapter
sourceConfig: bundle/source-config.xml
sourceTemplate: bundle/source-template.xml
correlationConfig: bundle/correlation-config.xml
translations: {en: bundle/messages_en.properties}
connectorMetadata: {supportsLoopback: true, shortDesc: Acme HR}
`

func bundleFiles() map[string]string {
	return map[string]string{
		"connectors/acme-hr.yaml":                         bundleYAML,
		"connectors/bundle/source-config.xml":             "<?xml version=\"1.0\"?>\n<Form name=\"Acme HR\"><Field name=\"host\"/></Form>\n",
		"connectors/bundle/source-template.xml":           "<!DOCTYPE Application PUBLIC \"sailpoint.dtd\" \"sailpoint.dtd\">\n<Application name=\"Acme HR\"/>",
		"connectors/bundle/correlation-config.xml":        "<CorrelationConfig name=\"c\"/>",
		"connectors/bundle/messages_en.properties":        "# comment\nmenuLabel=Settings\n",
		"connectors/acme-hr-without-bundle/unrelated.xml": "not XML, and not declared",
	}
}

func TestLoadBundle(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, bundleFiles())
	r := loadOK(t, dir)
	c := r.Connectors[0]
	b := c.Bundle
	if b == nil || len(b.XML) != 3 || len(b.Translations) != 1 || b.Metadata == nil {
		t.Fatalf("bundle %+v", b)
	}
	if f := b.XML["sourceConfig"]; f.Rel != "bundle/source-config.xml" || f.Root != "connectors/bundle/source-config.xml" ||
		!strings.Contains(string(f.Data), `<Field name="host"/>`) || f.Pos.Line != 4 {
		t.Errorf("sourceConfig %+v", f)
	}
	if tr := b.Translations[0]; tr.Locale != "en" || tr.Pos.Line != 7 || string(tr.Data) != "# comment\nmenuLabel=Settings\n" {
		t.Errorf("translation %+v", tr)
	}
	if b.Metadata.String("shortDesc") != "Acme HR" || b.MetadataPos["shortDesc"].Line != 8 {
		t.Errorf("metadata %+v %+v", b.Metadata, b.MetadataPos)
	}
	// The bundle keys are not API fields of the create: they leave Fields.
	for _, k := range []string{"sourceConfig", "sourceTemplate", "correlationConfig", "translations", "connectorMetadata"} {
		if _, ok := c.Fields.Get(k); ok {
			t.Errorf("%s still in Fields", k)
		}
	}
	// The bundle files are part of the desired state a plan is tied to.
	before := r.Hash
	write(t, dir, map[string]string{"connectors/bundle/source-config.xml": "<Form name=\"Acme HR 2\"/>"})
	if loadOK(t, dir).Hash == before {
		t.Error("changing a bundle file left the repository hash unchanged")
	}
	// A connector without a bundle has none.
	dir2 := t.TempDir()
	write(t, dir2, map[string]string{"c.yaml": "kind: Connector\nname: X\nclassName: Y\n"})
	if b := loadOK(t, dir2).Connectors[0].Bundle; b != nil {
		t.Errorf("bundle %+v, want nil", b)
	}
}

// TestBundleProblems: every bad bundle file is reported at the field that declares it, with
// what is wrong inside the file (its line, for XML and properties).
func TestBundleProblems(t *testing.T) {
	for _, c := range []struct {
		name  string
		files map[string]string
		want  string // the problem, as path:line:col: message
	}{
		{"XML not well-formed", map[string]string{"connectors/bundle/source-config.xml": "<Form>\n  <Field name=\"a\">\n</Form>\n"},
			`connectors/acme-hr.yaml:4:15: sourceConfig: "bundle/source-config.xml" is not well-formed XML: line 3: element <Field> closed by </Form>`},
		{"two root elements", map[string]string{"connectors/bundle/source-template.xml": "<a/>\n<b/>\n"},
			`connectors/acme-hr.yaml:5:17: sourceTemplate: "bundle/source-template.xml" is not well-formed XML: line 2: a second root element <b>`},
		{"no element", map[string]string{"connectors/bundle/correlation-config.xml": "<!-- only a comment -->\n"},
			`connectors/acme-hr.yaml:6:20: correlationConfig: "bundle/correlation-config.xml" is not well-formed XML: it has no root element`},
		{"text outside the root", map[string]string{"connectors/bundle/correlation-config.xml": "<a/>trailing"},
			`connectors/acme-hr.yaml:6:20: correlationConfig: "bundle/correlation-config.xml" is not well-formed XML: line 1: text outside the root element`},
		{"properties with a broken escape", map[string]string{"connectors/bundle/messages_en.properties": "a=b\nhelp=caf\\u00g9\n"},
			`connectors/acme-hr.yaml:7:20: translations.en: "bundle/messages_en.properties" line 2: malformed \uXXXX escape "\\u00g9"`},
		{"properties not UTF-8", map[string]string{"connectors/bundle/messages_en.properties": "a=caf\xe9\n"},
			`connectors/acme-hr.yaml:7:20: translations.en: "bundle/messages_en.properties" is not UTF-8`},
		{"missing file", map[string]string{"connectors/acme-hr.yaml": strings.Replace(bundleYAML, "bundle/source-config.xml", "bundle/nope.xml", 1)},
			`connectors/acme-hr.yaml:4:15: sourceConfig: "bundle/nope.xml" not found`},
		{"outside the repository", map[string]string{"connectors/acme-hr.yaml": strings.Replace(bundleYAML, "bundle/source-config.xml", "../../etc/passwd", 1)},
			`connectors/acme-hr.yaml:4:15: sourceConfig: "../../etc/passwd" is outside the repository`},
		{"unknown locale", map[string]string{"connectors/acme-hr.yaml": strings.Replace(bundleYAML, "{en:", "{english:", 1)},
			`connectors/acme-hr.yaml:7:16: translations.english: unknown field`},
		{"metadata not a mapping", map[string]string{"connectors/acme-hr.yaml": strings.Replace(bundleYAML, "{supportsLoopback: true, shortDesc: Acme HR}", "yes", 1)},
			`connectors/acme-hr.yaml:8:20: connectorMetadata: `},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			files := bundleFiles()
			for k, v := range c.files {
				files[k] = v
			}
			write(t, dir, files)
			_, err := Load(dir)
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("Load: %v, want problems", err)
			}
			if len(ps) != 1 || !strings.HasPrefix(ps[0].String(), c.want) {
				t.Errorf("problems:\n%swant:\n%s", problemLines(ps), c.want)
			}
		})
	}
	t.Run("oversize", func(t *testing.T) {
		dir := t.TempDir()
		write(t, dir, bundleFiles())
		sparse(t, filepath.Join(dir, "connectors", "bundle", "source-config.xml"), MaxBundleFileSize+1)
		_, err := Load(dir)
		if err == nil || !strings.Contains(err.Error(), `connectors/acme-hr.yaml:4:15: sourceConfig: "bundle/source-config.xml" is 1.0 MiB; a bundle file may be at most 1 MiB`) {
			t.Errorf("Load: %v", err)
		}
	})
}

func TestParseProperties(t *testing.T) {
	text := "# comment\n! also a comment\n\n  key1 = value one\nkey2:value2\nkey3 value 3\n" +
		"multi = first \\\n    second\nescaped\\ key = tab\\there \\u00e9 \\uD83D\\uDE00\nkey1 = replaced\nempty\n"
	props, err := ParseProperties([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range props {
		got = append(got, p.Key+"="+p.Value)
	}
	want := "key2=value2|key3=value 3|multi=first second|escaped key=tab\there é 😀|key1=replaced|empty="
	if strings.Join(got, "|") != want {
		t.Errorf("got  %q\nwant %q", strings.Join(got, "|"), want)
	}
	if props[len(props)-2].Line != 10 {
		t.Errorf("line of key1: %d", props[len(props)-2].Line)
	}
}
