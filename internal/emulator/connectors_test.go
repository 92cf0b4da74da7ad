package emulator_test

import (
	"net/url"
	"strings"
	"testing"
)

func TestConnectors(t *testing.T) {
	t.Parallel()
	emu := acme(t)
	tn := checked(t, emu)

	// Only RELEASED connectors are listed, under /v3 and /beta; paging works.
	for _, prefix := range []string{"/v3", "/beta"} {
		r := tn.do("GET", prefix+"/connectors?count=true", nil)
		if got := names(r.objects(t)); r.status != 200 || got != "Active Directory,Delimited File,JDBC" || r.header.Get("X-Total-Count") != "3" {
			t.Errorf("%s list: %d %s, X-Total-Count %q", prefix, r.status, got, r.header.Get("X-Total-Count"))
		}
	}
	if r := tn.do("GET", "/v3/connectors?limit=2&offset=2", nil); names(r.objects(t)) != "JDBC" {
		t.Errorf("second page: %s", names(r.objects(t)))
	}
	if r := tn.do("GET", "/v3/connectors?filters="+url.QueryEscape(`name sw "Active"`), nil); names(r.objects(t)) != "Active Directory" {
		t.Errorf("filter: %s", r.body)
	}
	if r := tn.do("GET", "/v3/connectors?filters="+url.QueryEscape(`directConnect eq "true"`), nil); names(r.objects(t)) != "Active Directory,JDBC" {
		t.Errorf("directConnect filter: %s", names(r.objects(t)))
	}
	if r := tn.do("GET", "/v3/connectors?filters="+url.QueryEscape(`scriptName eq "jdbc"`), nil); r.status != 400 {
		t.Errorf("unsupported filter field: %d", r.status)
	}

	// GET by scriptName finds any status; unknown is 404.
	if r := tn.do("GET", "/v3/connectors/payroll-bridge", nil); r.status != 200 || r.object(t).String("status") != "DEVELOPMENT" {
		t.Errorf("payroll-bridge: %d %s", r.status, r.body)
	}
	if r := tn.do("GET", "/v3/connectors/acme-hr", nil); r.status != 404 || r.object(t).String("detailCode") != "404 Not found" {
		t.Errorf("unknown connector: %d %s", r.status, r.body)
	}

	// POST derives the scriptName; a DEVELOPMENT connector is not listed but can be fetched.
	r := tn.do("POST", "/v3/connectors", mustJSON(t, `{"name":"Acme HR","type":"Acme HR","className":"sailpoint.connector.OpenConnectorAdapter","directConnect":true,"status":"DEVELOPMENT"}`))
	if r.status != 200 {
		t.Fatalf("POST: %d %s", r.status, r.body)
	}
	c := r.object(t)
	if c.String("scriptName") != "acme-hr" || c.String("type") != "Acme HR" || c.String("status") != "DEVELOPMENT" {
		t.Errorf("created %s", r.body)
	}
	if _, ok := emu.Connector("acme-hr"); !ok {
		t.Error("not stored")
	}
	if r := tn.do("GET", "/v3/connectors/acme-hr", nil); r.status != 200 || r.object(t).String("name") != "Acme HR" {
		t.Errorf("GET created: %d", r.status)
	}
	if r := tn.do("GET", "/v3/connectors", nil); strings.Contains(names(r.objects(t)), "Acme HR") {
		t.Error("a DEVELOPMENT connector is listed")
	}
	// Sources can now use it.
	src := mustJSON(t, newSource)
	src.Set("connector", "acme-hr")
	src.Delete("connectorClass")
	src.Delete("type")
	if r := tn.do("POST", "/v3/sources", src); r.status != 201 || r.object(t).String("connectorClass") != "sailpoint.connector.OpenConnectorAdapter" || r.object(t).String("type") != "Acme HR" {
		t.Errorf("source on the new connector: %d %s", r.status, r.body)
	}

	// Duplicate name; default type; RELEASED is listed.
	if r := tn.do("POST", "/v3/connectors", mustJSON(t, `{"name":"Acme HR","className":"x.Y"}`)); r.status != 400 || !strings.Contains(r.errorCauses(t), "already exists") {
		t.Errorf("duplicate: %d %s", r.status, r.body)
	}
	r = tn.do("POST", "/v3/connectors", mustJSON(t, `{"name":"Badge Reader (v2)","className":"sailpoint.connector.OpenConnectorAdapter","status":"RELEASED"}`))
	if c := r.object(t); c.String("scriptName") != "badge-reader-v2" || c.String("type") != "custom Badge Reader (v2)" {
		t.Errorf("defaults: %s", r.body)
	}
	if r := tn.do("GET", "/v3/connectors", nil); !strings.Contains(names(r.objects(t)), "Badge Reader (v2)") {
		t.Error("a RELEASED custom connector is not listed")
	}

	// Requests the document forbids.
	rt := raw(t, emu)
	for name, body := range map[string]string{
		"no className": `{"name":"Z"}`,
		"no name":      `{"className":"x.Y"}`,
		"bad status":   `{"name":"Z","className":"x.Y","status":"DEPRECATED"}`,
	} {
		if r := rt.do("POST", "/v3/connectors", mustJSON(t, body)); r.status != 400 {
			t.Errorf("%s: %d", name, r.status)
		}
	}
	if r := rt.do("POST", "/beta/connectors", mustJSON(t, `{"name":"Z","className":"x.Y"}`)); r.status != 405 {
		t.Errorf("POST /beta/connectors (not in the document): %d", r.status)
	}
	if r := rt.do("GET", "/beta/connectors/jdbc", nil); r.status != 404 {
		t.Errorf("GET /beta/connectors/jdbc (not in the document): %d", r.status)
	}
}

func TestUnknownPathsAndMethods(t *testing.T) {
	t.Parallel()
	rt := raw(t, acme(t))
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/v2/sources", 404},
		{"GET", "/v3/identities", 404},
		{"DELETE", "/v3/sources", 405},
		{"PATCH", "/v3/sources", 405},
		{"PUT", "/v3/sources", 405},
	} {
		r := rt.do(c.method, c.path, nil)
		if r.status != c.status {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, r.status, c.status)
			continue
		}
		r.errorCauses(t)
	}
}
