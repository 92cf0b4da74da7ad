package emulator_test

import (
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/value"
)

const hrID = "2c9180845e3b1f0a015e3b8c7d9a0417"

func attrNames(t *testing.T, schema *value.Object) string {
	t.Helper()
	v, _ := schema.Get("attributes")
	var n []string
	for _, a := range v.([]any) {
		n = append(n, a.(*value.Object).String("name"))
	}
	return strings.Join(n, ",")
}

func TestListSchemas(t *testing.T) {
	t.Parallel()
	tn := checked(t, acme(t))
	for q, want := range map[string]string{
		"":                          "account,group",
		"?include-types=group":      "group",
		"?include-names=account":    "account",
		"?include-names=group,nope": "group",
		"?include-types=user":       "account,group",
		"?include-types=user&include-names=group": "group",
	} {
		r := tn.do("GET", "/v3/sources/"+adID+"/schemas"+q, nil)
		if got := names(r.objects(t)); r.status != 200 || got != want {
			t.Errorf("%q: %d %s, want %s", q, r.status, got, want)
		}
	}
	if r := tn.do("GET", "/v3/sources/"+hrID+"/schemas", nil); string(r.body) != "[]" {
		t.Errorf("no schemas: %s", r.body)
	}
	if r := tn.do("GET", "/v3/sources/2c9180835d191a86015d28455b4a0000/schemas", nil); r.status != 404 {
		t.Errorf("unknown source: %d", r.status)
	}
	r := tn.do("GET", "/v3/sources/"+adID+"/schemas/2c9180835d191a86015d28455b4b232b", nil)
	if r.status != 200 || r.object(t).String("name") != "group" {
		t.Errorf("GET schema by id: %d %s", r.status, r.body)
	}
	if r := tn.do("GET", "/v3/sources/"+adID+"/schemas/2c9180835d191a86015d28455b4b0000", nil); r.status != 404 {
		t.Errorf("unknown schema: %d", r.status)
	}
}

func TestUploadEntitlementSchema(t *testing.T) {
	t.Parallel()
	for _, prefix := range []string{"/v3", "/beta"} {
		t.Run(prefix, func(t *testing.T) {
			emu := acme(t)
			tn := checked(t, emu)
			old := emu.Schemas("Corporate Directory")[1]
			srcBefore := source(t, emu, "Corporate Directory")

			// Replace the group schema: same id and created, new attributes, modified bumped.
			r := tn.do("POST", prefix+"/sources/"+adID+"/schemas/entitlements?schemaName=group",
				multipartFile(t, "file", "group.csv", "\ufeffid,name,displayName,description,memberOf,managedBy\nCN=x,x,X,,,\n"))
			if r.status != 200 {
				t.Fatalf("upload: %d %s", r.status, r.body)
			}
			s := r.object(t)
			if got := attrNames(t, s); got != "id,name,displayName,description,memberOf,managedBy" {
				t.Errorf("attributes %s", got)
			}
			if s.String("id") != old.String("id") || s.String("created") != old.String("created") || s.String("modified") <= old.String("modified") {
				t.Errorf("replace: id %s→%s, created %s→%s, modified %s→%s", old.String("id"), s.String("id"),
					old.String("created"), s.String("created"), old.String("modified"), s.String("modified"))
			}
			if s.String("identityAttribute") != "id" || s.String("displayAttribute") != "displayName" {
				t.Errorf("identity %q display %q", s.String("identityAttribute"), s.String("displayAttribute"))
			}
			a, _ := s.Get("attributes")
			first := a.([]any)[0].(*value.Object)
			if first.String("type") != "STRING" || first.String("description") != "" {
				t.Errorf("attribute %s", mustMarshal(t, first))
			}
			for _, flag := range []string{"isMulti", "isEntitlement", "isGroup"} {
				if v, _ := first.Get(flag); v != false {
					t.Errorf("%s = %v", flag, v)
				}
			}
			if got := emu.Schemas("Corporate Directory"); len(got) != 2 || attrNames(t, got[1]) != "id,name,displayName,description,memberOf,managedBy" {
				t.Errorf("stored schemas %s", names(got))
			}
			// Replacing does not touch the source.
			if mustMarshal(t, source(t, emu, "Corporate Directory")) != mustMarshal(t, srcBefore) {
				t.Error("replacing a schema changed the source")
			}

			// A new schema name creates a schema and a reference on the source.
			r = tn.do("POST", prefix+"/sources/"+hrID+"/schemas/entitlements?schemaName=role",
				multipartFile(t, "file", "role.csv", "id,name,description\r\n"))
			if r.status != 200 {
				t.Fatalf("upload role: %d %s", r.status, r.body)
			}
			role := r.object(t)
			if role.String("name") != "role" || attrNames(t, role) != "id,name,description" || role.String("created") == "" {
				t.Errorf("role schema %s", r.body)
			}
			hr := source(t, emu, "HR Database")
			refs, _ := hr.Get("schemas")
			if l := refs.([]any); len(l) != 1 || l[0].(*value.Object).String("id") != role.String("id") || l[0].(*value.Object).String("type") != "CONNECTOR_SCHEMA" {
				t.Errorf("source schema refs %v", mustMarshal(t, hr))
			}
			// A PUT built from the source as read before the upload does not drop the reference.
			stale := tn.do("GET", "/v3/sources/"+hrID, nil).object(t)
			stale.Set("schemas", []any{})
			if r := tn.do("PUT", "/v3/sources/"+hrID, stale); r.status != 200 {
				t.Fatalf("PUT: %d", r.status)
			}
			if refs, _ := source(t, emu, "HR Database").Get("schemas"); len(refs.([]any)) != 1 {
				t.Error("PUT dropped the schema reference")
			}
		})
	}
}

func TestUploadEntitlementSchemaBadRequests(t *testing.T) {
	t.Parallel()
	tn := raw(t, acme(t)) // these requests violate the document on purpose
	path := "/v3/sources/" + adID + "/schemas/entitlements?schemaName=group"
	cases := map[string]*upload{
		"wrong field name": multipartFile(t, "upload", "group.csv", "id,name\n"),
		"not multipart":    {data: []byte("id,name\n"), ctype: "text/csv"},
		"empty file":       multipartFile(t, "file", "group.csv", ""),
		"empty column":     multipartFile(t, "file", "group.csv", "id,,name\n"),
		"duplicate column": multipartFile(t, "file", "group.csv", "id,name,id\n"),
	}
	for name, body := range cases {
		r := tn.do("POST", path, body)
		if r.status != 400 {
			t.Errorf("%s: %d %s", name, r.status, r.body)
			continue
		}
		r.errorCauses(t)
	}
	if r := tn.do("POST", path, multipartFile(t, "upload", "group.csv", "id\n")); !strings.Contains(r.errorCauses(t), "'file'") {
		t.Errorf("the error does not name the field: %s", r.body)
	}
}

func TestUploadConnectorFile(t *testing.T) {
	t.Parallel()
	emu := acme(t)
	tn := checked(t, emu)
	files := func() string {
		v, _ := source(t, emu, "HR Database").Path("connectorAttributes.connector_files")
		s, _ := v.(string)
		return s
	}
	before := source(t, emu, "HR Database")
	for _, c := range []struct{ name, want string }{
		{"ojdbc8.jar", "ojdbc8.jar"},
		{"drivers/ojdbc8.jar", "ojdbc8.jar"}, // base name only, no duplicate
		{`C:\jars\orai18n.jar`, "ojdbc8.jar,orai18n.jar"},
	} {
		r := tn.do("POST", "/v3/sources/"+hrID+"/upload-connector-file", multipartFile(t, "file", c.name, "PK\x03\x04 not really a jar"))
		if r.status != 200 {
			t.Fatalf("%s: %d %s", c.name, r.status, r.body)
		}
		if got := files(); got != c.want {
			t.Errorf("%s: connector_files %q, want %q", c.name, got, c.want)
		}
		if o := r.object(t); o.String("name") != "HR Database" || o.String("modified") <= before.String("modified") {
			t.Errorf("%s: answer is not the updated Source: %s", c.name, r.body)
		}
	}
	if r := tn.do("POST", "/beta/sources/"+hrID+"/upload-connector-file", multipartFile(t, "file", "x.jar", "PK")); r.status != 200 || files() != "ojdbc8.jar,orai18n.jar,x.jar" {
		t.Errorf("/beta: %d %q", r.status, files())
	}
	// The file name list is a plain connectorAttributes key: a full PUT without it drops it, as
	// on a tenant, so clients must send it back.
	o := tn.do("GET", "/v3/sources/"+hrID, nil).object(t)
	o.Object("connectorAttributes").Delete("connector_files")
	tn.do("PUT", "/v3/sources/"+hrID, o)
	if files() != "" {
		t.Errorf("connector_files after a PUT without it: %q", files())
	}

	rt := raw(t, emu)
	if r := rt.do("POST", "/v3/sources/"+hrID+"/upload-connector-file", multipartFile(t, "jar", "a.jar", "PK")); r.status != 400 || !strings.Contains(r.errorCauses(t), "'file'") {
		t.Errorf("wrong field: %d %s", r.status, r.body)
	}
	if r := rt.do("POST", "/v3/sources/2c9180835d191a86015d28455b4a0000/upload-connector-file", multipartFile(t, "file", "a.jar", "PK")); r.status != 400 {
		t.Errorf("unknown source: %d", r.status)
	}
}
