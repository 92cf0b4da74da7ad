package emulator_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/value"
)

// TestRealisticTenantDeterministic: the same seed is the same tenant, byte for byte, so that a
// failure reproduces; another seed is another tenant.
func TestRealisticTenantDeterministic(t *testing.T) {
	t.Parallel()
	dump := func(f fs.FS) string {
		var b strings.Builder
		err := fs.WalkDir(f, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := fs.ReadFile(f, p)
			fmt.Fprintf(&b, "%s\n%s", p, data)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	a, b, c := dump(emulator.RealisticTenant(30, 9)), dump(emulator.RealisticTenant(30, 9)), dump(emulator.RealisticTenant(30, 10))
	if a != b {
		t.Error("two tenants of one seed differ")
	}
	if a == c {
		t.Error("seeds 9 and 10 give the same tenant")
	}
}

// TestRealisticTenantAccepted: every source of the realistic tenant is accepted by the emulator
// as a real tenant accepts it (loaded, listed page by page, read, and taken back in a PUT as GET
// returned it), every request and answer checked against the document; the tenant holds each
// shape the generator promises, secrets as cipher text and runtime state in plain text.
func TestRealisticTenantAccepted(t *testing.T) {
	t.Parallel()
	const n = 260 // two pages of the listing
	emu, err := emulator.New(emulator.Options{Seed: emulator.RealisticTenant(n, 11)})
	if err != nil {
		t.Fatalf("the tenant refuses its seed: %v", err)
	}
	tn := checked(t, emu)
	var listed []*value.Object
	for offset := 0; ; offset += 250 {
		r := tn.do("GET", fmt.Sprintf("/v3/sources?limit=250&offset=%d", offset), nil)
		if r.status != 200 {
			t.Fatalf("list: %d %s", r.status, r.body)
		}
		page := r.objects(t)
		listed = append(listed, page...)
		if len(page) < 250 {
			break
		}
	}
	if len(listed) != n {
		t.Fatalf("listed %d sources, want %d", len(listed), n)
	}

	shapes := map[string]int{}
	families := map[string]bool{}
	for _, s := range listed {
		id, name := s.String("id"), s.String("name")
		families[s.String("connectorName")] = true
		for _, f := range []string{"deleteThreshold", "managementWorkgroup", "accountCorrelationRule", "managerCorrelationMapping", "passwordPolicies", "beforeProvisioningRule"} {
			if v, ok := s.Get(f); ok && v == nil {
				shapes[f+": null"]++
			}
		}
		if s.String("connectorClass") == "" && s.String("type") == s.String("connector") && len(s.String("type")) == 36 {
			shapes["UUID type, connectorClass \"\""]++
		}
		features, _ := s.Get("features")
		for _, f := range value.StringList(features) {
			if f == "AI_AGENT_AGGREGATION" || f == "MACHINE_IDENTITY_AGGREGATION" {
				shapes[f]++
			}
		}
		attrs := s.Object("connectorAttributes")
		for _, k := range attrs.Keys() {
			v := attrs.String(k)
			plain, isSecret := emu.Secret(name, k)
			switch {
			case isSecret:
				shapes["secret"]++
				if !strings.HasPrefix(v, emu.CipherPrefix()) || strings.Contains(v, plain) {
					t.Errorf("%s: %s is returned as %q, not cipher text", name, k, v)
				}
			case strings.HasSuffix(k, "DeltaToken") || k == "cloudCacheUpdate" || k == "recommendationStatus":
				shapes["runtime "+k]++
			}
		}
		if attrs.String("status") == "SOURCE_STATE_FAILURE_SOURCE" {
			shapes["failing"]++
		}
		if attrs.String("idnProxyType") == "sp-connect" && attrs.String("spConnectorSpecId") == s.String("type") && attrs.String("spConnectorInstanceId") != "" {
			shapes["sp-connect"]++
		}

		r := tn.do("GET", "/v3/sources/"+id+"/schemas", nil)
		if r.status != 200 {
			t.Fatalf("%s: schemas: %d %s", name, r.status, r.body)
		}
		for _, sc := range r.objects(t) {
			a, _ := sc.Get("attributes")
			if list, _ := a.([]any); len(list) == 0 {
				shapes["schema attributes: []"]++
			}
			if v, ok := sc.Get("identityAttribute"); ok && v == nil {
				shapes["schema identityAttribute: null"]++
			}
			for _, at := range a.([]any) {
				switch ref, _ := at.(*value.Object).Get("schema"); r := ref.(type) {
				case nil:
					shapes["attribute schema: null"]++
				case *value.Object:
					if r.String("type") == "CONNECTOR_SCHEMA" {
						shapes["attribute schema: CONNECTOR_SCHEMA"]++
					}
				}
			}
		}

		// The tenant takes each source back as it returned it.
		got := tn.do("GET", "/v3/sources/"+id, nil)
		if got.status != 200 {
			t.Fatalf("%s: GET: %d", name, got.status)
		}
		if put := tn.do("PUT", "/v3/sources/"+id, got.object(t)); put.status != 200 {
			t.Errorf("%s: PUT as GET returned it: %d %s", name, put.status, put.body)
		} else if !bytes.Equal(withoutModified(t, put.object(t)), withoutModified(t, got.object(t))) {
			t.Errorf("%s: the PUT changed the source:\n%s\n%s", name, put.body, got.body)
		}
	}
	for _, want := range []string{"deleteThreshold: null", "managementWorkgroup: null", "accountCorrelationRule: null",
		"managerCorrelationMapping: null", "passwordPolicies: null", "beforeProvisioningRule: null", "UUID type, connectorClass \"\"",
		"AI_AGENT_AGGREGATION", "MACHINE_IDENTITY_AGGREGATION", "secret", "runtime userDeltaToken", "runtime groupsDeltaToken", "runtime directoryRolesDeltaToken",
		"runtime cloudCacheUpdate", "runtime recommendationStatus", "failing", "sp-connect", "schema attributes: []",
		"schema identityAttribute: null", "attribute schema: null", "attribute schema: CONNECTOR_SCHEMA"} {
		if shapes[want] == 0 {
			t.Errorf("no %s in the realistic tenant (%v)", want, shapes)
		}
	}
	for _, want := range []string{"Active Directory", "LDAP", "JDBC", "Workday", "ServiceNow", "Delimited File", "Badge System",
		"Microsoft Entra SaaS", "Non-Employee Risk Management", "Identity Fusion NG (tag: latest)"} {
		if !families[want] {
			t.Errorf("no %s source in the realistic tenant (%v)", want, families)
		}
	}
}

// withoutModified is a source's JSON without its modified stamp, which a PUT moves.
func withoutModified(t *testing.T, s *value.Object) []byte {
	t.Helper()
	c := s.Clone()
	c.Delete("modified")
	b, err := c.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
