package emulator_test

import (
	"strings"
	"testing"
)

// TestConnectorBundle: the bundle parts are stored and served as the document describes them —
// PUTs answering UpdateDetail (ERROR with a 200 for XML the tenant cannot use), GETs of each
// part and of the ConnectorDetail, PATCH of the four patchable fields only.
func TestConnectorBundle(t *testing.T) {
	t.Parallel()
	emu := acme(t)
	tn := checked(t, emu)
	const form = `<Form xmlns="http://www.sailpoint.com/xsd/sailpoint_form_2_0.xsd" name="Payroll"><Field name="host"/></Form>`
	for _, c := range []struct {
		name, method, path string
		body               any
		status             int
		// want are substrings of the answer.
		want []string
	}{
		{"source config", "PUT", "/v3/connectors/payroll-bridge/source-config", multipartFile(t, "file", "source-config.xml", form),
			200, []string{`"status":"UPDATED"`, `"scriptName":"payroll-bridge"`, `"updatedFiles":["source-config.xml"]`}},
		{"the same again", "PUT", "/v3/connectors/payroll-bridge/source-config", multipartFile(t, "file", "source-config.xml", form),
			200, []string{`"status":"UNCHANGED"`}},
		{"XML the tenant cannot parse", "PUT", "/v3/connectors/payroll-bridge/source-template", multipartFile(t, "file", "t.xml", "<Application>"),
			200, []string{`"status":"ERROR"`, `"message":"invalid source template: XML syntax error`}},
		{"an older form schema", "PUT", "/v3/connectors/payroll-bridge/source-config",
			multipartFile(t, "file", "c.xml", strings.Replace(form, "2_0", "1_0", 1)),
			200, []string{`"status":"ERROR"`, "unsupported xsd version, please ensure latest xsd version http://www.sailpoint.com/xsd/sailpoint_form_2_0.xsd is used for source config"}},
		{"translations", "PUT", "/v3/connectors/payroll-bridge/translations/de", multipartFile(t, "file", "messages_de.properties", "menuLabel=Verbindung\n"),
			200, []string{`"status":"UPDATED"`}},
		{"patch correlation config and metadata", "PATCH", "/v3/connectors/payroll-bridge", &upload{ctype: "application/json-patch+json",
			data: []byte(`[{"op":"add","path":"/correlationConfigXml","value":"<CorrelationConfig name=\"c\"/>"},{"op":"add","path":"/connectorMetadata/shortDesc","value":"Payroll"}]`)},
			200, []string{`"correlationConfigXml":"<CorrelationConfig name=\"c\"/>"`, `"connectorMetadata":{"shortDesc":"Payroll"}`}},
		{"patch a field the document does not list", "PATCH", "/v3/connectors/payroll-bridge", &upload{ctype: "application/json-patch+json",
			data: []byte(`[{"op":"replace","path":"/className","value":"x.Y"}]`)},
			400, []string{`cannot be patched`}},
		{"patch XML that does not parse", "PATCH", "/v3/connectors/payroll-bridge", &upload{ctype: "application/json-patch+json",
			data: []byte(`[{"op":"add","path":"/sourceConfigXml","value":"<Form>"}]`)},
			400, []string{`is not valid XML`}},
		{"a connector that does not exist", "PUT", "/v3/connectors/nope/source-config", multipartFile(t, "file", "c.xml", form),
			404, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := tn.do(c.method, c.path, c.body)
			if r.status != c.status {
				t.Fatalf("%d %s, want %d", r.status, r.body, c.status)
			}
			for _, w := range c.want {
				if !strings.Contains(string(r.body), w) {
					t.Errorf("answer %s lacks %s", r.body, w)
				}
			}
		})
	}
	// A locale the document does not list (a request the contract check refuses, so sent raw).
	if r := raw(t, emu).do("PUT", "/v3/connectors/payroll-bridge/translations/xx", multipartFile(t, "file", "m.properties", "a=b\n")); r.status != 400 ||
		!strings.Contains(string(r.body), `Locale \"xx\" is not supported.`) {
		t.Errorf("unknown locale: %d %s", r.status, r.body)
	}
	// What was stored is served: the ConnectorDetail and each part's own GET.
	d := tn.do("GET", "/v3/connectors/payroll-bridge", nil).object(t)
	if d.String("sourceConfigXml") != form || d.String("sourceConfig") != form ||
		d.Object("translationProperties").String("de") != "menuLabel=Verbindung\n" || !strings.Contains(d.String("applicationXml"), "custom Payroll Bridge") {
		t.Errorf("ConnectorDetail %v", d)
	}
	if r := tn.do("GET", "/v3/connectors/payroll-bridge/source-config", nil); r.status != 200 || string(r.body) != form ||
		!strings.HasPrefix(r.header.Get("Content-Type"), "application/xml") {
		t.Errorf("GET source-config: %d %q %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	if r := tn.do("GET", "/v3/connectors/payroll-bridge/translations/de", nil); r.status != 200 || string(r.body) != "menuLabel=Verbindung\n" {
		t.Errorf("GET translations: %d %s", r.status, r.body)
	}
}
