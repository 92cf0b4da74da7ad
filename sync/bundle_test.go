package sync_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/tenanttest"
	isync "github.com/sailsync/sailsync/sync"
)

const bundleConnectorYAML = `kind: Connector
name: Payroll Sync
className: sailpoint.connector.OpenConnectorAdapter
status: DEVELOPMENT
sourceConfig: payroll/source-config.xml
sourceTemplate: payroll/source-template.xml
correlationConfig: payroll/correlation-config.xml
translations: {en: payroll/messages_en.properties, de: payroll/messages_de.properties}
connectorMetadata: {shortDesc: Payroll of Acme, supportsLoopback: true}
`

const bundleSourceYAML = `kind: Source
name: Payroll
owner: {type: IDENTITY, id: 2c91808568c529c60168cca6f90c1313, name: Amelia Ortiz}
connector: ${connector:Payroll Sync}
connectorClass: sailpoint.connector.OpenConnectorAdapter
type: Payroll Sync
`

const bundleSourceConfig = `<?xml version="1.0" encoding="UTF-8"?>
<Form xmlns="http://www.sailpoint.com/xsd/sailpoint_form_2_0.xsd" connectorName="Payroll Sync" name="Payroll Sync" type="SourceConfig">
  <Section label="Connection" name="Connection">
    <Field name="baseUrl" required="true" type="url"/>
    <Field name="pageSize" type="int" value="100"/>
  </Section>
</Form>
`

// bundleRepo is a repository with a connector carrying every bundle part and a source that
// uses it; edit changes files before the repository is written.
func bundleRepo(t *testing.T, edit func(files map[string]string)) string {
	t.Helper()
	files := map[string]string{
		"connectors/payroll.yaml":                   bundleConnectorYAML,
		"connectors/payroll/source-config.xml":      bundleSourceConfig,
		"connectors/payroll/source-template.xml":    "<?xml version='1.0' encoding='UTF-8'?>\n<!DOCTYPE Application PUBLIC \"sailpoint.dtd\" \"sailpoint.dtd\">\n<Application connector=\"sailpoint.connector.OpenConnectorAdapter\" name=\"Payroll Sync\" type=\"Payroll Sync\"/>\n",
		"connectors/payroll/correlation-config.xml": "<CorrelationConfig name=\"Payroll Correlation\">\n  <AttributeAssignments>\n    <Filter operation=\"EQ\" property=\"email\" value=\"mail\"/>\n  </AttributeAssignments>\n</CorrelationConfig>\n",
		"connectors/payroll/messages_en.properties": "# Payroll Sync\nmenuLabel_Connection=Connection\nhelp_baseUrl=The base URL of the payroll API\n",
		"connectors/payroll/messages_de.properties": "menuLabel_Connection=Verbindung\n",
		"sources/payroll.yaml":                      bundleSourceYAML,
	}
	if edit != nil {
		edit(files)
	}
	return tenanttest.WriteDir(t, files)
}

// requests renders the emulator's log without the token: "METHOD path".
func (h *harness) requests() []string {
	var out []string
	for _, e := range h.emu.Log() {
		if e.Path != "/oauth/token" {
			out = append(out, e.Method+" "+e.Path)
		}
	}
	return out
}

func TestBundleCreateThenSource(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	dir := bundleRepo(t, nil)
	repo := load(t, dir)
	p := h.plan(repo)
	h.emu.ResetLog()
	rep := h.apply(repo, p)
	if !rep.OK() {
		t.Fatalf("apply not OK: %+v", rep.Results)
	}
	// The connector, its bundle in the order SailPoint deploys it, then the source.
	sn := rep.Results[0].ScriptName
	want := []string{
		"POST /v3/connectors",
		"PUT /v3/connectors/" + sn + "/source-config",
		"PUT /v3/connectors/" + sn + "/source-template",
		"PUT /v3/connectors/" + sn + "/translations/de",
		"PUT /v3/connectors/" + sn + "/translations/en",
		"PATCH /v3/connectors/" + sn,
		"POST /v3/sources",
	}
	if got := h.requests(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if est := isync.EstimateCalls(p); len(want) != est-1 {
		t.Errorf("the plan estimated %d requests, apply made %d and a token", est, len(want))
	}
	// The tenant holds every part as sent.
	c, ok := h.emu.Connector(sn)
	if !ok {
		t.Fatalf("no connector %q", sn)
	}
	if c.String("sourceConfigXml") != bundleSourceConfig || !strings.Contains(c.String("applicationXml"), `name="Payroll Sync"`) ||
		!strings.Contains(c.String("correlationConfigXml"), "Payroll Correlation") ||
		c.Object("translationProperties").String("de") != "menuLabel_Connection=Verbindung\n" ||
		c.Object("connectorMetadata").String("shortDesc") != "Payroll of Acme" {
		t.Errorf("connector in the tenant: %s", canonical(t, c))
	}
	if p := h.plan(load(t, dir)); changed(p) != 0 {
		t.Errorf("plan after apply: %+v", p.Changes)
	}
}

// TestBundleUpdates: an existing connector's bundle is compared as XML (and properties), and
// a change of one file is exactly one request, after the fresh read.
func TestBundleUpdates(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	first := load(t, bundleRepo(t, nil))
	if rep := h.apply(first, h.plan(first)); !rep.OK() {
		t.Fatalf("apply not OK: %+v", rep.Results)
	}
	sn := h.plan(first).Changes[0].LiveID
	var edits []func(map[string]string)
	for _, c := range []struct {
		name string
		edit func(files map[string]string)
		// wantWrites are the writes apply sends, after the fresh GET of the connector.
		wantWrites []string
		wantField  string
	}{
		{
			name: "white space, attribute order and declaration only",
			edit: func(f map[string]string) {
				f["connectors/payroll/source-config.xml"] = `<Form type="SourceConfig" name="Payroll Sync" connectorName="Payroll Sync" xmlns="http://www.sailpoint.com/xsd/sailpoint_form_2_0.xsd"><Section name="Connection" label="Connection"><Field type="url" required="true" name="baseUrl"></Field><Field value="100" type="int" name="pageSize"/></Section></Form>`
				f["connectors/payroll/messages_de.properties"] = "# reordered, reformatted\nmenuLabel_Connection : Verbindung\n"
			},
		},
		{
			name: "one XML file changed",
			edit: func(f map[string]string) {
				f["connectors/payroll/source-config.xml"] = strings.Replace(bundleSourceConfig, `value="100"`, `value="250"`, 1)
			},
			wantWrites: []string{"PUT /v3/connectors/" + sn + "/source-config"},
			wantField:  "sourceConfig: 1 line changed",
		},
		{
			name: "a translation changed",
			edit: func(f map[string]string) {
				f["connectors/payroll/messages_de.properties"] = "menuLabel_Connection=Anbindung\n"
			},
			wantWrites: []string{"PUT /v3/connectors/" + sn + "/translations/de"},
			wantField:  "translations.de: 1 line changed",
		},
		{
			name: "correlation config and metadata: one patch",
			edit: func(f map[string]string) {
				f["connectors/payroll/correlation-config.xml"] = "<CorrelationConfig name=\"Payroll Correlation v2\"/>"
				f["connectors/payroll.yaml"] = strings.Replace(bundleConnectorYAML, "Payroll of Acme", "Payroll", 1)
			},
			wantWrites: []string{"PATCH /v3/connectors/" + sn},
			wantField:  "correlationConfig: ",
		},
	} {
		// The cases build on one another, as the tenant does: each repository keeps the edits
		// applied before it.
		earlier := edits
		edits = append(edits, c.edit)
		t.Run(c.name, func(t *testing.T) {
			repo := load(t, bundleRepo(t, func(f map[string]string) {
				for _, e := range append(earlier, c.edit) {
					e(f)
				}
			}))
			p := h.plan(repo)
			if c.wantWrites == nil {
				if changed(p) != 0 {
					t.Fatalf("want No changes, got %+v", p.Changes)
				}
				return
			}
			ch := p.Changes[0]
			if changed(p) != 1 || ch.Action != diff.ActionUpdate || ch.Kind != config.KindConnector || len(ch.Op.Bundle) != 1 {
				t.Fatalf("want one bundle update, got %+v", p.Changes)
			}
			if got := ch.Fields[0].Path + ": " + ch.Fields[0].Summary; !strings.HasPrefix(got, c.wantField) {
				t.Errorf("field %q, want %q", got, c.wantField)
			}
			h.emu.ResetLog()
			if rep := h.apply(repo, p); !rep.OK() {
				t.Fatalf("apply not OK: %+v", rep.Results)
			}
			var writes []string
			for _, e := range h.writes() {
				writes = append(writes, e.Method+" "+e.Path)
			}
			if strings.Join(writes, "\n") != strings.Join(c.wantWrites, "\n") {
				t.Errorf("writes %v, want %v", writes, c.wantWrites)
			}
			if got, est := len(h.requests())+1, isync.EstimateCalls(p); got != est {
				t.Errorf("apply made %d requests with the token, the plan estimated %d: %v", got, est, h.requests())
			}
			if p := h.plan(repo); changed(p) != 0 {
				t.Errorf("plan after apply: %+v", p.Changes)
			}
		})
	}
}

// TestBundleErrorUpdateDetail: the tenant answers 200 with an UpdateDetail of status ERROR;
// the connector is reported failed with the tenant's message and its source is skipped.
func TestBundleErrorUpdateDetail(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	repo := load(t, bundleRepo(t, func(f map[string]string) {
		f["connectors/payroll/source-config.xml"] = strings.Replace(bundleSourceConfig, "sailpoint_form_2_0.xsd", "sailpoint_form_1_0.xsd", 1)
	}))
	p := h.plan(repo)
	h.emu.ResetLog()
	rep := h.apply(repo, p)
	byName := map[string]isync.Result{}
	for _, r := range rep.Results {
		byName[r.Name] = r
	}
	con, src := byName["Payroll Sync"], byName["Payroll"]
	if con.Status != isync.StatusFailed || !strings.Contains(con.Message, "status ERROR") ||
		!strings.Contains(con.Message, "unsupported xsd version, please ensure latest xsd version") || con.ScriptName == "" {
		t.Errorf("connector: %+v", con)
	}
	if src.Status != isync.StatusSkipped || !strings.Contains(src.Message, `Connector "Payroll Sync", which was failed`) {
		t.Errorf("source: %+v", src)
	}
	// Nothing after the failed request: no other bundle part, no source.
	want := []string{"POST /v3/connectors", "PUT /v3/connectors/" + con.ScriptName + "/source-config"}
	if got := h.requests(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests %v, want %v", got, want)
	}
	if _, ok := h.emu.SourceByName("Payroll"); ok {
		t.Error("the source was created")
	}
}

// TestBundleExportRoundTrip: export writes the bundle beside the connector's YAML, and a plan
// of the export finds nothing to do.
func TestBundleExportRoundTrip(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	repo := load(t, bundleRepo(t, nil))
	if rep := h.apply(repo, h.plan(repo)); !rep.OK() {
		t.Fatalf("apply not OK: %+v", rep.Results)
	}
	exp, err := isync.Export(context.Background(), h.c, isync.ExportOptions{Sources: []string{"Payroll"}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var paths []string
	for _, f := range exp.Files {
		paths = append(paths, f.Path)
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := "connectors/payroll-sync.yaml connectors/payroll-sync/source-config.xml connectors/payroll-sync/source-template.xml " +
		"connectors/payroll-sync/correlation-config.xml connectors/payroll-sync/messages_de.properties " +
		"connectors/payroll-sync/messages_en.properties sources/payroll.yaml"
	if strings.Join(paths, " ") != want {
		t.Errorf("exported %v", paths)
	}
	if p := h.plan(load(t, dir)); changed(p) != 0 {
		t.Errorf("plan of the export: %+v", p.Changes)
	}
}

// TestBundleFetchMinimum: a RELEASED connector, found in the listing, is read with GET only
// when it declares a bundle (the listing has none); without one the listing is enough.
func TestBundleFetchMinimum(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	released := strings.Replace(bundleConnectorYAML, "status: DEVELOPMENT", "status: RELEASED", 1)
	first := load(t, bundleRepo(t, func(f map[string]string) { f["connectors/payroll.yaml"] = released }))
	if rep := h.apply(first, h.plan(first)); !rep.OK() {
		t.Fatalf("apply not OK: %+v", rep.Results)
	}
	plain := "kind: Connector\nname: Payroll Sync\nclassName: sailpoint.connector.OpenConnectorAdapter\nstatus: RELEASED\n"
	for _, c := range []struct {
		name, yaml string
		gets       int
	}{
		{"no bundle declared: the listing only", plain, 0},
		{"a bundle declared: one GET", released, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			repo := load(t, bundleRepo(t, func(f map[string]string) {
				f["connectors/payroll.yaml"] = c.yaml
				delete(f, "sources/payroll.yaml") // no source to read: the connector's reads alone
			}))
			h.emu.ResetLog()
			if _, err := isync.Fetch(context.Background(), h.c, repo, isync.FetchOptions{}); err != nil {
				t.Fatal(err)
			}
			gets := 0
			for _, r := range h.requests() {
				if strings.HasPrefix(r, "GET /v3/connectors/") {
					gets++
				}
			}
			if gets != c.gets || len(h.requests()) != 1+c.gets {
				t.Errorf("requests %v, want the listing and %d GET", h.requests(), c.gets)
			}
		})
	}
}
