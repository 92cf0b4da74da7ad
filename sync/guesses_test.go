package sync_test

import (
	"strings"
	"testing"

	"github.com/sailsync/sailsync/examples"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/isc"
	"github.com/sailsync/sailsync/internal/tenanttest"
)

// documentedReads counts the emulator's GETs of the documented per-part bundle endpoints.
func documentedReads(emu *emulator.Emulator) int {
	n := 0
	for _, e := range emu.Log() {
		if e.Method == "GET" && (strings.HasSuffix(e.Path, "/source-config") || strings.HasSuffix(e.Path, "/source-template") ||
			strings.Contains(e.Path, "/translations/")) {
			n++
		}
	}
	return n
}

// TestBundleUndocumentedVariants: under each way a tenant may show a connector's bundle and
// its schemas (none of them documented), plan → apply → plan ends at No changes with no write
// sent again, a changed template is one PUT and then No changes, and the documented endpoints
// are read only for the parts the detail does not show equal (reads, the count per plan).
func TestBundleUndocumentedVariants(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		opts  emulator.Options
		reads int // documented GETs of a plan that finds No changes
	}{
		{name: "document's shape", reads: 0},
		{name: "applicationXml stays the generated default", opts: emulator.Options{TemplateDefault: true}, reads: 1},
		{name: "sourceConfigXml only", opts: emulator.Options{SourceConfigFields: emulator.FieldsXML}},
		{name: "sourceConfig only", opts: emulator.Options{SourceConfigFields: emulator.FieldsPlain}},
		{name: "source config not in the detail", opts: emulator.Options{SourceConfigFields: emulator.FieldsNone}, reads: 1},
		{name: "correlation config under both names", opts: emulator.Options{CorrelationConfigFields: emulator.FieldsBoth}},
		{name: "correlationConfig only", opts: emulator.Options{CorrelationConfigFields: emulator.FieldsPlain}},
		{name: "locale keys in lower case", opts: emulator.Options{TranslationsDetail: emulator.TranslationsLower}},
		{name: "locale keys with underscore", opts: emulator.Options{TranslationsDetail: emulator.TranslationsUnderscore}},
		{name: "translations as parsed pairs", opts: emulator.Options{TranslationsDetail: emulator.TranslationsParsed}, reads: 3},
		{name: "translations not in the detail", opts: emulator.Options{TranslationsDetail: emulator.TranslationsNone}, reads: 3},
		{name: "metadata with the tenant's keys", opts: emulator.Options{MetadataDetail: emulator.MetadataExtra}},
		{name: "metadata as JSON text", opts: emulator.Options{MetadataDetail: emulator.MetadataString}},
		{name: "schemas with the tenant's extras", opts: emulator.Options{SchemaExtras: true}},
		{name: "all at once", opts: emulator.Options{TemplateDefault: true, SourceConfigFields: emulator.FieldsNone,
			CorrelationConfigFields: emulator.FieldsPlain, TranslationsDetail: emulator.TranslationsNone,
			MetadataDetail: emulator.MetadataString, SchemaExtras: true, ConnectorNameIsType: true}, reads: 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			opts := c.opts
			opts.Seed = examples.AcmeTenant
			tn := tenanttest.Start(t, tenanttest.Options{Emulator: opts, Client: isc.Config{MaxRetries: 2}})
			h := &harness{t: t, emu: tn.Emu, c: tn.Client}
			files := func(template string) func(map[string]string) {
				return func(f map[string]string) {
					f["connectors/payroll.yaml"] = strings.Replace(bundleConnectorYAML, "de: payroll/messages_de.properties}",
						"de: payroll/messages_de.properties, zh-TW: payroll/messages_zh-TW.properties}", 1)
					f["connectors/payroll/messages_zh-TW.properties"] = "menuLabel_Connection=\\u9023\\u7DDA\n"
					f["schemas/payroll-groups.yaml"] = "kind: EntitlementSchema\nsource: Payroll\nname: group\nattributes: [name, id, description]\n"
					if template != "" {
						f["connectors/payroll/source-template.xml"] = template
					}
				}
			}
			dir := bundleRepo(t, files(""))
			repo := load(t, dir)
			if rep := h.apply(repo, h.plan(repo)); !rep.OK() {
				t.Fatalf("apply not OK: %+v", rep.Results)
			}
			h.emu.ResetLog()
			p := h.plan(load(t, dir))
			if changed(p) != 0 {
				t.Fatalf("plan after apply: %+v", p.Changes)
			}
			if got := documentedReads(h.emu); got != c.reads {
				t.Errorf("plan after apply read the documented endpoints %d times, want %d", got, c.reads)
			}
			if rep := h.apply(load(t, dir), p); !rep.OK() || len(h.writes()) != 0 {
				t.Errorf("second apply sent %v (ok %v)", h.writes(), rep.OK())
			}

			// A changed template is one PUT, and then No changes again.
			dir = bundleRepo(t, files("<Application connector=\"sailpoint.connector.OpenConnectorAdapter\" name=\"Payroll Sync v2\" type=\"Payroll Sync\"/>"))
			repo = load(t, dir)
			p = h.plan(repo)
			if changed(p) != 1 || len(p.Changes[0].Op.Bundle) != 1 {
				t.Fatalf("template change: %+v", p.Changes)
			}
			h.emu.ResetLog()
			if rep := h.apply(repo, p); !rep.OK() {
				t.Fatalf("apply not OK: %+v", rep.Results)
			}
			if w := h.writes(); len(w) != 1 || !strings.HasSuffix(w[0].Path, "/source-template") {
				t.Errorf("template change sent %v", w)
			}
			h.emu.ResetLog()
			if p := h.plan(load(t, dir)); changed(p) != 0 {
				t.Errorf("plan after the template's apply: %+v", p.Changes)
			}
			if len(h.writes()) != 0 {
				t.Errorf("plan sent %v", h.writes())
			}
		})
	}
}
