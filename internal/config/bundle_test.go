package config

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, bundleFiles())
	r := loadOK(t, dir)
	c := r.Connectors()[0]
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
	if b := loadOK(t, dir2).Connectors()[0].Bundle; b != nil {
		t.Errorf("bundle %+v, want nil", b)
	}
}

// TestBundleProblems: every bad bundle file is reported at the field that declares it, with
// what is wrong inside the file (its line, for XML and properties).
func TestBundleProblems(t *testing.T) {
	t.Parallel()
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
		// Canonical XML for the diff indents by depth: its size grows with the square of the nesting.
		{"XML nested 20,000 deep", map[string]string{"connectors/bundle/source-config.xml": strings.Repeat("<a>", 20000) + strings.Repeat("</a>", 20000)},
			`connectors/acme-hr.yaml:4:15: sourceConfig: "bundle/source-config.xml" is refused: line 1: elements nested deeper than 256 levels`},
		{"XML nested 257 deep", map[string]string{"connectors/bundle/source-config.xml": strings.Repeat("<a>\n", 257) + strings.Repeat("</a>", 257)},
			`connectors/acme-hr.yaml:4:15: sourceConfig: "bundle/source-config.xml" is refused: line 257: elements nested deeper than 256 levels`},
		// A DOCTYPE the tenant's parser may act on: an external DTD it fetches, entities.
		{"DOCTYPE with a SYSTEM URL", map[string]string{"connectors/bundle/source-template.xml": "<!DOCTYPE Application SYSTEM \"http://attacker.example/x.dtd\">\n<Application name=\"Acme HR\"/>"},
			`connectors/acme-hr.yaml:5:17: sourceTemplate: "bundle/source-template.xml" is refused: line 1: a DOCTYPE with the external DTD "http://attacker.example/x.dtd", which the tenant's parser may fetch`},
		{"DOCTYPE with a PUBLIC URL", map[string]string{"connectors/bundle/source-template.xml": "<!DOCTYPE Application PUBLIC \"sailpoint.dtd\" \"file:///etc/passwd\">\n<Application name=\"Acme HR\"/>"},
			`connectors/acme-hr.yaml:5:17: sourceTemplate: "bundle/source-template.xml" is refused: line 1: a DOCTYPE with the external DTD "file:///etc/passwd"`},
		{"DOCTYPE with a path", map[string]string{"connectors/bundle/source-template.xml": "<!DOCTYPE Application SYSTEM \"../../x.dtd\">\n<Application name=\"Acme HR\"/>"},
			`connectors/acme-hr.yaml:5:17: sourceTemplate: "bundle/source-template.xml" is refused: line 1: a DOCTYPE with the external DTD "../../x.dtd"`},
		{"DOCTYPE with an unused entity", map[string]string{"connectors/bundle/source-template.xml": "<!DOCTYPE Application [<!ENTITY x SYSTEM \"http://attacker.example/\">]>\n<Application name=\"Acme HR\"/>"},
			`connectors/acme-hr.yaml:5:17: sourceTemplate: "bundle/source-template.xml" is refused: line 1: a DOCTYPE with an internal subset (it can declare entities)`},
		{"DOCTYPE inside the root", map[string]string{"connectors/bundle/source-template.xml": "<Application name=\"Acme HR\"><!DOCTYPE Application></Application>"},
			`connectors/acme-hr.yaml:5:17: sourceTemplate: "bundle/source-template.xml" is refused: line 1: a DOCTYPE after the root element's start`},
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

// TestBundleXMLAccepted: what real connector XML carries passes: a UTF-8 byte order mark (some
// editors write one), SailPoint's DOCTYPE naming sailpoint.dtd, nesting up to MaxXMLDepth.
func TestBundleXMLAccepted(t *testing.T) {
	t.Parallel()
	for name, xml := range map[string]string{
		"byte order mark":           "\ufeff<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Form name=\"Acme HR\"/>\n",
		"DOCTYPE PUBLIC":            "<?xml version='1.0' encoding='UTF-8'?>\n<!DOCTYPE Form PUBLIC \"sailpoint.dtd\" \"sailpoint.dtd\">\n<Form/>",
		"DOCTYPE SYSTEM":            "<!DOCTYPE Form SYSTEM 'sailpoint.dtd'>\n<Form/>",
		"DOCTYPE without a DTD":     "<!DOCTYPE Form>\n<Form/>",
		"byte order mark, DOCTYPE":  "\ufeff<!DOCTYPE Form PUBLIC \"sailpoint.dtd\" \"sailpoint.dtd\">\n<Form/>",
		"nested MaxXMLDepth levels": strings.Repeat("<a>", MaxXMLDepth) + strings.Repeat("</a>", MaxXMLDepth),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			files := bundleFiles()
			files["connectors/bundle/source-config.xml"] = xml
			write(t, dir, files)
			repo := loadOK(t, dir)
			if got := string(repo.Connectors()[0].Bundle.XML["sourceConfig"].Data); got != xml {
				t.Errorf("data %q, want the file as it is", got)
			}
		})
	}
}

// TestHostileTranslations: a 1 MiB translations file of repeated keys (a minute to validate
// when every repeat renumbered the entries) and one of a single entry continued over every line
// (the entry copied once per line) load, each key once at its last value.
func TestHostileTranslations(t *testing.T) {
	t.Parallel()
	var repeated strings.Builder
	for i := 0; repeated.Len() < MaxBundleFileSize-64; i++ {
		fmt.Fprintf(&repeated, "k%d=v\nk%d=w\n", i%20000, i%20000)
	}
	continued := "k=" + strings.Repeat("v\\\n", (MaxBundleFileSize-8)/3) + "end\n"
	for name, text := range map[string]string{"repeated keys": repeated.String(), "continued entry": continued} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			files := bundleFiles()
			files["connectors/bundle/messages_en.properties"] = text
			write(t, dir, files)
			repo := loadOK(t, dir)
			props, err := ParseProperties(repo.Connectors()[0].Bundle.Translations[0].Data)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, p := range props {
				if seen[p.Key] {
					t.Fatalf("key %q twice", p.Key)
				}
				seen[p.Key] = true
			}
			if name == "continued entry" && (len(props) != 1 || !strings.HasSuffix(props[0].Value, "vend")) {
				t.Errorf("got %d entries", len(props))
			}
		})
	}
}

// TestParsePropertiesScalesLinearly: inputs on which a quadratic parse (repeated keys renumbered
// the entries; a continued entry was copied once per line) takes over 10 s here parse within a
// bound 100 times what a linear parse takes here. A ratio of two sizes is no such test: under
// load (three go test ./... at once on two cores) the larger input slowed 12-200x more.
func TestParsePropertiesScalesLinearly(t *testing.T) {
	repeated := func(n int) []byte {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "key%d=a\n", i)
		}
		for i := range n {
			fmt.Fprintf(&b, "key%d=b\n", i)
		}
		return []byte(b.String())
	}
	continued := func(n int) []byte { return []byte("k=" + strings.Repeat("value\\\n", n) + "end\n") }
	sizes := map[string]int{"repeated keys": 20000, "continued entry": 100000}
	for name, gen := range map[string]func(int) []byte{"repeated keys": repeated, "continued entry": continued} {
		t.Run(name, func(t *testing.T) {
			data := gen(sizes[name])
			best := time.Duration(1<<63 - 1)
			for range 3 {
				start := time.Now()
				if _, err := ParseProperties(data); err != nil {
					t.Fatal(err)
				}
				best = min(best, time.Since(start))
			}
			if best > 2*time.Second {
				t.Errorf("%d bytes took %v: not linear", len(data), best)
			}
		})
	}
}

// BenchmarkParsePropertiesRepeatedKeys parses a 1 MiB translations file of repeated keys.
func BenchmarkParsePropertiesRepeatedKeys(b *testing.B) {
	var text strings.Builder
	for i := 0; text.Len() < MaxBundleFileSize-64; i++ {
		fmt.Fprintf(&text, "k%d=v\nk%d=w\n", i%20000, i%20000)
	}
	data := []byte(text.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseProperties(data); err != nil {
			b.Fatal(err)
		}
	}
}

func TestParseProperties(t *testing.T) {
	t.Parallel()
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
