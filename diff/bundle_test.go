package diff

import (
	"bytes"
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

const bundleConnector = `{"name": "Acme HR", "className": "sailpoint.connector.OpenConnectorAdapter"}`

// bundleCase is a connector declaring one bundle part (sourceConfig, sourceTemplate,
// correlationConfig or translations.LOCALE) with the text desired, and the tenant's
// ConnectorDetail holding the text live for it.
func bundleCase(t *testing.T, part, desired, live string) (*config.Repo, *Live) {
	t.Helper()
	con := &config.Connector{Object: declare(t, config.KindConnector, "connectors/acme-hr.yaml", bundleConnector),
		Bundle: &config.Bundle{XML: map[string]*config.BundleFile{}}}
	detail := liveObject(t, `{"name": "Acme HR", "scriptName": "acme-hr", "className": "sailpoint.connector.OpenConnectorAdapter"}`)
	f := config.BundleFile{File: config.File{Rel: "acme-hr/file", Root: "connectors/acme-hr/file"}, Data: []byte(desired)}
	if locale, ok := strings.CutPrefix(part, "translations."); ok {
		con.Bundle.Translations = []config.Translation{{Locale: locale, BundleFile: f}}
		tr := value.NewObject()
		tr.Set(locale, live)
		detail.Set(config.LiveTranslations, tr)
	} else {
		con.Bundle.XML[part] = &f
		for _, p := range config.XMLParts {
			if p.Field == part {
				detail.Set(p.Live, live)
			}
		}
	}
	return config.NewRepo(con), liveOf(liveState{Connectors: map[string]*value.Object{"Acme HR": detail}})
}

func TestCanonicalXML(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, a, b string
		same       bool
	}{
		{"indentation and line breaks", "<a>\n  <b x=\"1\"/>\n</a>", "<a><b x=\"1\"/></a>", true},
		{"attribute order and quotes", `<a x="1" y='2'/>`, `<a y="2" x="1"/>`, true},
		{"empty element spelled twice", `<a><b></b></a>`, `<a><b/></a>`, true},
		{"declaration and entities", "<?xml version='1.0'?><a t=\"&lt;&#34;\">&amp;</a>", `<?xml version="1.0" encoding="UTF-8" standalone="no"?><a t='&lt;"'>&#38;</a>`, true},
		{"white space around text", "<a>\n  text\n</a>", "<a>text</a>", true},
		{"an attribute value", `<a x="1"/>`, `<a x="2"/>`, false},
		{"text inside", `<a>one two</a>`, `<a>one  two</a>`, false},
		{"a comment", `<a><!-- c --></a>`, `<a/>`, false},
		{"element order", `<a><b/><c/></a>`, `<a><c/><b/></a>`, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := CanonicalXML([]byte(c.a))
			if err != nil {
				t.Fatal(err)
			}
			b, err := CanonicalXML([]byte(c.b))
			if err != nil {
				t.Fatal(err)
			}
			if (a == b) != c.same {
				t.Errorf("same = %v, want %v:\n%s---\n%s", a == b, c.same, a, b)
			}
		})
	}
	// Not printable characters never reach an output as they are.
	got, err := CanonicalXML([]byte("<a x=\"\u202e\">x\u0085y\u200b</a>"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(got, "\u202e\u0085\u200b") || !strings.Contains(got, "&#x202E;") || !strings.Contains(got, "&#x85;") {
		t.Errorf("not escaped: %q", got)
	}
	if _, err := CanonicalXML([]byte("<a><b></a>")); err == nil {
		t.Error("mismatched tags accepted")
	}
}

// TestCanonicalXMLBounded: a hostile document (the repository's or the tenant's) costs bounded
// memory: nesting past config.MaxXMLDepth is refused at once (canonical XML indents
// every line by its depth, so its size grows with the square of the nesting), and 1 MiB of elements nested just within the bound,
// which renders to some 70 MiB, stops at MaxCanonicalXML. Allocation is measured, not time.
// A byte order mark is not content. Not parallel: it reads the process's allocation counter.
func TestCanonicalXMLBounded(t *testing.T) {
	tower := strings.Repeat("<a>", config.MaxXMLDepth-1) + strings.Repeat("</a>", config.MaxXMLDepth-1)
	wide := "<r>" + strings.Repeat(tower, (config.MaxBundleFileSize-8)/len(tower)) + "</r>"
	for _, c := range []struct {
		name, doc, err string
		maxAlloc       uint64
	}{
		{"nested 20,000 deep", strings.Repeat("<a>", 20000) + strings.Repeat("</a>", 20000), "nested deeper than 256 levels", 1 << 20},
		{"nested 40,000 deep, unclosed", strings.Repeat("<a>", 40000), "nested deeper than 256 levels", 1 << 20},
		{"1 MiB nested 256 deep", wide, "canonical XML longer than 16 MiB", 128 << 20},
	} {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := CanonicalXML([]byte(c.doc))
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("err %v, want %q", err, c.err)
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > c.maxAlloc {
				t.Errorf("allocated %d MiB, want at most %d MiB", got>>20, c.maxAlloc>>20)
			}
		})
	}
	if _, err := CanonicalXML([]byte("<r>" + tower + "</r>")); err != nil {
		t.Errorf("nested config.MaxXMLDepth deep: %v", err)
	}
	a, err := CanonicalXML([]byte("\ufeff<a/>"))
	if b, _ := CanonicalXML([]byte("<a/>")); err != nil || a != b {
		t.Errorf("with a byte order mark: %q, %v; want %q", a, err, b)
	}
}

// BenchmarkCanonicalXMLDeep renders 1 MiB of elements nested config.MaxXMLDepth deep, the
// costliest document the loader accepts, up to MaxCanonicalXML.
func BenchmarkCanonicalXMLDeep(b *testing.B) {
	tower := strings.Repeat("<a>", config.MaxXMLDepth-1) + strings.Repeat("</a>", config.MaxXMLDepth-1)
	doc := []byte("<r>" + strings.Repeat(tower, (config.MaxBundleFileSize-8)/len(tower)) + "</r>")
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		_, _ = CanonicalXML(doc)
	}
}

func TestLineDiff(t *testing.T) {
	t.Parallel()
	lines := func(n int, change map[int]string) string {
		var b strings.Builder
		for i := range n {
			if s, ok := change[i]; ok {
				b.WriteString(s + "\n")
				continue
			}
			b.WriteString("line " + string(rune('a'+i%26)) + "\n")
		}
		return b.String()
	}
	for _, c := range []struct {
		name          string
		before, after string
		changed       int
		diff          string
	}{
		{"one line replaced", lines(6, nil), lines(6, map[int]string{2: "new"}), 1,
			"  line b|- line c|+ new|  line d"},
		{"one added, two apart", lines(6, nil), lines(6, nil) + "tail\n", 1, "  line f|+ tail"},
		{"two runs", lines(10, nil), lines(10, map[int]string{1: "x", 8: "y"}), 2,
			"  line a|- line b|+ x|  line c|…|  line h|- line i|+ y|  line j"},
		{"removed", "a\nb\nc\n", "a\nc\n", 1, "  a|- b|  c"},
		{"a run of two replaced by three", "a\nb\nc\nd\n", "a\nx\nc2\ny\nd\n", 3, "  a|- b|- c|+ x|+ c2|+ y|  d"},
		{"moved line", "a\nb\nc\nd\n", "b\nc\nd\na\n", 2, "- a|  b|…|  d|+ a"},
		{"equal", "a\n", "a\n", 0, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			n, d := lineDiff(c.before, c.after)
			if n != c.changed || strings.Join(d, "|") != c.diff {
				t.Errorf("lineDiff = %d %q, want %d %q", n, strings.Join(d, "|"), c.changed, c.diff)
			}
		})
	}
	// A rewritten document: the count stays exact, the lines shown are bounded.
	var a, b strings.Builder
	for i := range 500 {
		a.WriteString("old " + string(rune('a'+i%26)) + "\n")
		b.WriteString("new " + string(rune('a'+i%26)) + "\n")
	}
	n, d := lineDiff(a.String(), b.String())
	if n != 500 || len(d) != maxDiffLines+1 || !strings.HasPrefix(d[len(d)-1], "… ") {
		t.Errorf("rewrite: %d changed, %d lines, last %q", n, len(d), d[len(d)-1])
	}
}

// TestBundlePlan: each declared part is compared with its ConnectorDetail field and planned as
// its own request; a change shows as a count and a line diff, never as both documents.
func TestBundlePlan(t *testing.T) {
	t.Parallel()
	form := func(port string) string {
		return "<Form name=\"A\">\n  <Section name=\"s\">\n    <Field name=\"host\"/>\n    <Field name=\"port\" value=\"" + port +
			"\"/>\n    <Field name=\"user\"/>\n  </Section>\n</Form>\n"
	}
	t.Run("source config changed", func(t *testing.T) {
		repo, live := bundleCase(t, "sourceConfig", form("636"), form("389"))
		p, err := Compute(repo, live, Options{})
		if err != nil {
			t.Fatal(err)
		}
		ch := p.Changes[0]
		if ch.Action != ActionUpdate || len(ch.Fields) != 1 || ch.Op == nil || len(ch.Op.Bundle) != 1 {
			t.Fatalf("%s %+v", ch.Action, ch)
		}
		f := ch.Fields[0]
		if f.Path != "sourceConfig" || f.Summary != "1 line changed" || f.Before != nil || f.After != nil {
			t.Errorf("field %+v", f)
		}
		if got := strings.Join(f.Diff, "|"); got != `      <Field name="host"/>|-     <Field name="port" value="389"/>|+     <Field name="port" value="636"/>|      <Field name="user"/>` {
			t.Errorf("diff %q", got)
		}
		r := ch.Op.Bundle[0]
		if r.Part != BundleSourceConfig || r.Upload == nil || r.Upload.Content != form("636") || r.Upload.Name != "file" {
			t.Errorf("request %+v", r)
		}
		var text bytes.Buffer
		if err := RenderText(&text, p, TextOptions{}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text.String(), `~ update Connector "Acme HR"`) || !strings.Contains(text.String(), "~ sourceConfig: 1 line changed\n") ||
			strings.Count(text.String(), `name="host"`) != 1 {
			t.Errorf("text plan:\n%s", text.String())
		}
		if APICallsNote := p.Summary; APICallsNote.Update != 1 {
			t.Errorf("summary %+v", p.Summary)
		}
	})
	t.Run("source config the same as XML", func(t *testing.T) {
		repo, live := bundleCase(t, "sourceConfig", form("636"), strings.ReplaceAll(strings.ReplaceAll(form("636"), "\n", ""), "  ", ""))
		p, err := Compute(repo, live, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if ch := p.Changes[0]; ch.Action != ActionNoChange || ch.Op != nil {
			t.Errorf("%s %+v", ch.Action, ch.Fields)
		}
	})
	t.Run("a tenant text that is not XML is shown printable", func(t *testing.T) {
		repo, live := bundleCase(t, "sourceConfig", form("636"), "<Form \x1b[31mbroken\u202e\n")
		p, err := Compute(repo, live, Options{})
		if err != nil {
			t.Fatal(err)
		}
		d := strings.Join(p.Changes[0].Fields[0].Diff, "\n")
		if strings.ContainsAny(d, "\x1b\u202e") || !strings.Contains(d, `- <Form \u{1B}[31mbroken\u{202E}`) {
			t.Errorf("diff %q", d)
		}
	})
	t.Run("tenant has none", func(t *testing.T) {
		repo, live := bundleCase(t, "sourceTemplate", form("1"), "")
		p, err := Compute(repo, live, Options{})
		if err != nil {
			t.Fatal(err)
		}
		ch := p.Changes[0]
		if ch.Action != ActionUpdate || ch.Fields[0].Summary != "7 lines added (the tenant has none)" || ch.Op.Bundle[0].Part != BundleSourceTemplate {
			t.Errorf("%s %+v %+v", ch.Action, ch.Fields, ch.Op)
		}
	})
	t.Run("correlation config and metadata share one patch", func(t *testing.T) {
		repo, live := bundleCase(t, "correlationConfig", "<CorrelationConfig name=\"c\"/>", "<CorrelationConfig name=\"b\"/>")
		con := repo.Connectors()[0]
		con.Bundle.Metadata = value.NewObject()
		con.Bundle.Metadata.Set("supportsLoopback", true)
		con.Bundle.Metadata.Set("shortDesc", "Acme HR")
		con.Bundle.MetadataPos = map[string]config.Pos{}
		md := value.NewObject()
		md.Set("shortDesc", "Acme HR")
		md.Set("platform", "ccg")
		live.Get(config.KindConnector, "", "Acme HR").Set("connectorMetadata", md)
		p, err := Compute(repo, live, Options{})
		if err != nil {
			t.Fatal(err)
		}
		ch := p.Changes[0]
		if fieldPaths(ch) != "correlationConfig,connectorMetadata.supportsLoopback" || len(ch.Op.Bundle) != 1 {
			t.Fatalf("%s [%s] %+v", ch.Action, fieldPaths(ch), ch.Op)
		}
		got, _ := json.Marshal(ch.Op.Bundle[0])
		want := `{"part":"patch","patch":[{"op":"add","path":"/correlationConfigXml","value":"\u003cCorrelationConfig name=\"c\"/\u003e"},` +
			`{"op":"add","path":"/connectorMetadata/supportsLoopback","value":true}]}`
		if string(got) != want {
			t.Errorf("patch\n got %s\nwant %s", got, want)
		}
	})
	t.Run("create sends every part after the connector", func(t *testing.T) {
		repo, _ := bundleCase(t, "sourceConfig", form("636"), "")
		repo.Connectors()[0].Bundle.Translations = []config.Translation{{Locale: "en", BundleFile: config.BundleFile{
			File: config.File{Rel: "acme-hr/messages_en.properties"}, Data: []byte("a=b\n")}}}
		p, err := Compute(repo, &Live{}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		ch := p.Changes[0]
		if ch.Action != ActionCreate || ch.Op.Body == nil || len(ch.Op.Bundle) != 2 || ch.Op.Bundle[1].Part != BundleTranslations ||
			ch.Op.Bundle[1].Locale != "en" || ch.Op.Bundle[1].Upload.Name != "messages_en.properties" {
			t.Fatalf("%s %+v", ch.Action, ch.Op)
		}
		if fieldPaths(ch) != "name,className,sourceConfig,translations.en" {
			t.Errorf("fields [%s]", fieldPaths(ch))
		}
	})
	t.Run("a violation keeps the bundle unsent", func(t *testing.T) {
		repo, live := bundleCase(t, "sourceConfig", form("636"), form("389"))
		live.Get(config.KindConnector, "", "Acme HR").Set("className", "x.Y")
		p, err := Compute(repo, live, Options{})
		if err != nil {
			t.Fatal(err)
		}
		ch := p.Changes[0]
		if ch.Action != ActionViolation || ch.Op != nil || fieldPaths(ch) != "className,sourceConfig" || len(p.Violations) != 1 {
			t.Fatalf("%s [%s] %+v", ch.Action, fieldPaths(ch), p.Violations)
		}
		if !strings.Contains(p.Violations[0].Rule, "set className to the live value, or declare a new Connector") {
			t.Errorf("rule %q", p.Violations[0].Rule)
		}
	})
}

// TestBundleGolden renders a bundle update with every renderer: a source config with three
// changed lines (shown as a line diff), changed translations and a metadata key.
func TestBundleGolden(t *testing.T) {
	t.Parallel()
	before := "<Form name=\"Acme HR\" type=\"SourceConfig\">\n  <Section name=\"ConnectionSettings\">\n" +
		"    <Field name=\"baseUrl\" type=\"url\"/>\n    <Field name=\"apiToken\" type=\"secret\"/>\n  </Section>\n" +
		"  <Section name=\"AggregationSettings\">\n    <Field name=\"pageSize\" type=\"int\" value=\"100\"/>\n  </Section>\n</Form>\n"
	after := strings.NewReplacer(`value="100"`, `value="500"`,
		`<Field name="apiToken" type="secret"/>`, "<Field name=\"apiToken\" type=\"secret\" required=\"true\"/>\n    <Field name=\"timeout\" type=\"int\"/>").Replace(before)
	repo, live := bundleCase(t, "sourceConfig", after, before)
	con := repo.Connectors()[0]
	con.Bundle.Translations = []config.Translation{{Locale: "de", BundleFile: config.BundleFile{
		File: config.File{Rel: "acme-hr/messages_de.properties"}, Data: []byte("menuLabel=Verbindung\nhelp=Basis-URL der API\n")}}}
	con.Bundle.Metadata = value.NewObject()
	con.Bundle.Metadata.Set("shortDesc", "Acme HR SaaS")
	con.Bundle.MetadataPos = map[string]config.Pos{"shortDesc": {File: "connectors/acme-hr.yaml", Line: 9, Col: 14}}
	detail := live.Get(config.KindConnector, "", "Acme HR")
	tr := value.NewObject()
	tr.Set("de", "# generated\nmenuLabel = Verbindung\nhelp=Basis-URL\n")
	detail.Set(config.LiveTranslations, tr)
	md := value.NewObject()
	md.Set("shortDesc", "Acme HR")
	detail.Set("connectorMetadata", md)
	p, err := Compute(repo, live, Options{Tenant: "https://acme.api.identitynow.com"})
	if err != nil {
		t.Fatal(err)
	}
	p.APICalls = 4 // the fresh GET, the PUT, the translations PUT, the PATCH (sync.EstimateCalls)
	for _, r := range renderers {
		t.Run(r.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := r.render(&b, p); err != nil {
				t.Fatal(err)
			}
			golden(t, "bundle."+r.name, b.Bytes())
		})
	}
}
