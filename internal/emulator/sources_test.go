package emulator_test

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/value"
)

const adID = "2c9180835d191a86015d28455b4a2329"

func names(objs []*value.Object) string {
	var n []string
	for _, o := range objs {
		n = append(n, o.String("name"))
	}
	return strings.Join(n, ",")
}

func TestSeedLoads(t *testing.T) {
	t.Parallel()
	emu := acme(t)
	if got := names(emu.Sources()); got != "Corporate Directory,HR Database,Legacy Mainframe,Microsoft Entra ID,Contractors (NERM)" {
		t.Errorf("sources = %s", got)
	}
	ad := source(t, emu, "Corporate Directory")
	if ad.String("description") != "Corporate directory" {
		t.Errorf("description = %q", ad.String("description"))
	}
	if v, _ := ad.Get("deleteThreshold"); v != json.Number("25") {
		t.Errorf("deleteThreshold = %v", v)
	}
	if got := names(emu.Schemas("Corporate Directory")); got != "account,group" {
		t.Errorf("schemas = %s", got)
	}
	if _, ok := source(t, emu, "HR Database").Path("connectorAttributes.connector_files"); ok {
		t.Error("HR Database must not have connector_files yet (the scenario plans the upload)")
	}
	if got := names(emu.Connectors()); got != "Active Directory,Delimited File,JDBC,Payroll Bridge" {
		t.Errorf("connectors = %s", got)
	}
	if _, ok := emu.Connector("acme-hr"); ok {
		t.Error("the seed must not have Acme HR (the scenario plans its creation)")
	}
	if got, ok := emu.Secret("Corporate Directory", "password"); !ok || got != "Acme-AD-bind-2024!" {
		t.Errorf("Secret = %q, %v", got, ok)
	}

	tn := checked(t, emu)
	r := tn.do("GET", "/v3/sources/"+adID, nil)
	if r.status != 200 {
		t.Fatalf("GET: %d %s", r.status, r.body)
	}
	if strings.Contains(string(r.body), "Acme-AD-bind") {
		t.Error("GET reveals the plain-text password")
	}
	// Every field round-trips in the seed's order, unknown ones included.
	wantKeys := "id name description owner cluster accountCorrelationConfig accountCorrelationRule managerCorrelationMapping managerCorrelationRule beforeProvisioningRule schemas passwordPolicies features type connector connectorClass connectorAttributes deleteThreshold authoritative managementWorkgroup healthy status since connectorId connectorName connectionType connectorImplementationId created modified credentialProviderEnabled category"
	if got := strings.Join(r.object(t).Keys(), " "); got != wantKeys {
		t.Errorf("keys\n got %s\nwant %s", got, wantKeys)
	}
}

func TestSeedErrors(t *testing.T) {
	t.Parallel()
	conn := `{"name":"JDBC","scriptName":"jdbc","className":"sailpoint.connector.JDBCConnector","status":"RELEASED"}`
	src := `{"name":"A","owner":{"type":"IDENTITY","id":"x"},"connector":"jdbc"}`
	cases := []struct {
		name  string
		files fstest.MapFS
		want  string
	}{
		{"bad JSON", fstest.MapFS{"sources/a.json": {Data: []byte(`{"name":`)}}, "sources/a.json"},
		{"not an object", fstest.MapFS{"sources/a.json": {Data: []byte(`"x"`)}}, "sources/a.json"},
		{"no name", fstest.MapFS{"sources/a.json": {Data: []byte(`{"id":"1"}`)}}, "sources/a.json: source without a name"},
		{"duplicate", fstest.MapFS{"sources/a.json": {Data: []byte(src)}, "sources/b.json": {Data: []byte(src)}}, `sources/b.json: second source named "A"`},
		{"duplicate connector", fstest.MapFS{"connectors/a.json": {Data: []byte(conn)}, "connectors/b.json": {Data: []byte(conn)}}, "connectors/b.json"},
		{"schema of unknown source", fstest.MapFS{"schemas/Nope/group.json": {Data: []byte(`{"name":"group"}`)}}, "schemas/Nope"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := emulator.New(emulator.Options{Seed: c.files})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want it to name %q", err, c.want)
			}
		})
	}
	// A plain-text secret in a seed is encrypted on load; arrays of objects are accepted.
	emu, err := emulator.New(emulator.Options{Seed: fstest.MapFS{
		"connectors/all.json": {Data: []byte("[" + conn + "]")},
		"sources/a.json":      {Data: []byte(`{"name":"A","owner":{"type":"IDENTITY","id":"x"},"connector":"jdbc","connectorAttributes":{"password":"plain"}}`)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	a := source(t, emu, "A")
	if p := a.Object("connectorAttributes").String("password"); !strings.HasPrefix(p, emulator.CipherPrefix) {
		t.Errorf("seeded plain-text password stored as %q", p)
	}
	if got, _ := emu.Secret("A", "password"); got != "plain" {
		t.Errorf("Secret = %q", got)
	}
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(a.String("id")) {
		t.Errorf("missing id not generated: %q", a.String("id"))
	}
}

func TestGetSourceNotFound(t *testing.T) {
	t.Parallel()
	tn := checked(t, acme(t))
	r := tn.do("GET", "/v3/sources/2c9180835d191a86015d28455b4a0000", nil)
	if r.status != 404 {
		t.Fatalf("status %d", r.status)
	}
	o := r.object(t)
	if o.String("detailCode") != "404 Not found" {
		t.Errorf("detailCode = %q", o.String("detailCode"))
	}
	r.errorCauses(t)
}

func TestListSourcesPaging(t *testing.T) {
	t.Parallel()
	emu := acme(t)
	for i := 0; i < 600; i++ {
		s := mustJSON(t, `{"name":"","owner":{"type":"IDENTITY","id":"2c91808568c529c60168cca6f90c1313"},"connector":"delimited-file"}`)
		s.Set("name", "Bulk "+strconv.Itoa(i))
		if _, err := emu.AddSource(s); err != nil {
			t.Fatal(err)
		}
	}
	tn := checked(t, emu)
	var all []*value.Object
	for _, offset := range []int{0, 250, 500} {
		r := tn.do("GET", "/v3/sources?limit=250&count=true&offset="+strconv.Itoa(offset), nil)
		if r.status != 200 || r.header.Get("X-Total-Count") != "605" {
			t.Fatalf("offset %d: %d, X-Total-Count %q", offset, r.status, r.header.Get("X-Total-Count"))
		}
		all = append(all, r.objects(t)...)
	}
	if len(all) != 605 || all[0].String("name") != "Corporate Directory" || all[604].String("name") != "Bulk 599" {
		t.Errorf("paged %d sources, first %q, last %q", len(all), all[0].String("name"), all[len(all)-1].String("name"))
	}
	if r := tn.do("GET", "/v3/sources", nil); len(r.objects(t)) != 250 || r.header.Get("X-Total-Count") != "" {
		t.Errorf("default page: %d objects, X-Total-Count %q", len(r.objects(t)), r.header.Get("X-Total-Count"))
	}
	if r := tn.do("GET", "/v3/sources?offset=1000", nil); string(r.body) != "[]" {
		t.Errorf("past the end: %s", r.body)
	}
	rawTn := raw(t, emu)
	for _, q := range []string{"limit=251", "limit=-1", "limit=x", "offset=-1", "count=maybe"} {
		if r := rawTn.do("GET", "/v3/sources?"+q, nil); r.status != 400 {
			t.Errorf("%s: status %d", q, r.status)
		}
	}
}

func TestListSourcesFilters(t *testing.T) {
	t.Parallel()
	tn := checked(t, acme(t))
	cases := []struct{ filter, want string }{
		{`name eq "HR Database"`, "HR Database"},
		{`name in ("Legacy Mainframe","HR Database")`, "HR Database,Legacy Mainframe"},
		{`id eq "` + adID + `"`, "Corporate Directory"},
		{`id in ("` + adID + `","2c9180875f0e6b7c015f0f2a1c3d5e6f")`, "Corporate Directory,Legacy Mainframe"},
		{`name eq "Nope"`, ""},
		{`authoritative eq true`, "HR Database"},
		{`name sw "corp"`, "Corporate Directory"},
		{`type eq "JDBC" or type eq "DelimitedFile"`, "HR Database,Legacy Mainframe"},
		{`not (name eq "HR Database") and connectionType eq "direct"`, "Corporate Directory,Microsoft Entra ID,Contractors (NERM)"},
		{`features ca ("SEARCH","UNLOCK")`, "Corporate Directory"},
		{`owner.id eq "2c91808568c529c60168cca6f90c1313"`, "Corporate Directory,HR Database,Legacy Mainframe,Microsoft Entra ID"},
		{`cluster.id isnull`, ""}, // not a supported field: checked below as an error
	}
	for _, c := range cases[:len(cases)-1] {
		r := tn.do("GET", "/v3/sources?filters="+url.QueryEscape(c.filter), nil)
		if r.status != 200 {
			t.Errorf("%s: %d %s", c.filter, r.status, r.body)
			continue
		}
		if got := names(r.objects(t)); got != c.want {
			t.Errorf("%s: got %q, want %q", c.filter, got, c.want)
		}
	}
	for _, bad := range []string{`cluster.id isnull`, `bogus eq "x"`, `name lt "x"`, `name eq`, `name eq "open`, `name eq HR`, `name in "x"`, `(name eq "x"`, `name eq "x" extra`} {
		r := tn.do("GET", "/v3/sources?filters="+url.QueryEscape(bad), nil)
		if r.status != 400 {
			t.Errorf("%s: status %d, want 400", bad, r.status)
			continue
		}
		if !strings.Contains(r.errorCauses(t), "filters") {
			t.Errorf("%s: cause does not name the parameter: %s", bad, r.body)
		}
	}
	if r := tn.do("GET", "/v3/sources?sorters=-name", nil); names(r.objects(t)) != "Microsoft Entra ID,Legacy Mainframe,HR Database,Corporate Directory,Contractors (NERM)" {
		t.Errorf("sorters=-name: %s", names(r.objects(t)))
	}
	if r := tn.do("GET", "/v3/sources?sorters=password", nil); r.status != 400 {
		t.Errorf("bad sorter: %d", r.status)
	}
	if r := tn.do("GET", "/beta/sources?filters="+url.QueryEscape(`name eq "HR Database"`), nil); names(r.objects(t)) != "HR Database" {
		t.Errorf("/beta/sources: %s", r.body)
	}
}

const newSource = `{
  "name": "Acme HR Cloud",
  "description": "Acme HR SaaS",
  "owner": {"type": "IDENTITY", "id": "2c91808568c529c60168cca6f90c1313", "name": "Amelia Ortiz"},
  "cluster": {"type": "CLUSTER", "id": "2c9180866166b5b0016167c32ef31a66", "name": "Acme Primary VA Cluster"},
  "connector": "jdbc",
  "connectorClass": "sailpoint.connector.JDBCConnector",
  "type": "JDBC",
  "connectorAttributes": {"url": "jdbc:x", "apiToken": "s3cret-token", "tokenUrl": "https://idp/token", "pageSize": 500}
}`

func TestCreateSource(t *testing.T) {
	t.Parallel()
	emu := acme(t)
	tn := checked(t, emu)
	r := tn.do("POST", "/v3/sources", mustJSON(t, newSource))
	if r.status != 201 {
		t.Fatalf("POST: %d %s", r.status, r.body)
	}
	o := r.object(t)
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(o.String("id")) {
		t.Errorf("id %q", o.String("id"))
	}
	for path, want := range map[string]any{
		"connectorId": "jdbc", "connectorName": "JDBC", "connectionType": "direct", "connectorImplementationId": "jdbc",
		"healthy": true, "status": "SOURCE_STATE_HEALTHY", "authoritative": false,
		"connectorAttributes.tokenUrl": "https://idp/token", "connectorAttributes.cloudDisplayName": "Acme HR Cloud",
		"connectorAttributes.healthy": true,
	} {
		if got, _ := o.Path(path); got != want {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}
	for _, path := range []string{"created", "modified", "since", "connectorAttributes.cloudExternalId", "connectorAttributes.since"} {
		if v, _ := o.Path(path); v == "" || v == nil {
			t.Errorf("%s not filled in", path)
		}
	}
	// The client's fields keep their order, after the id.
	if got := strings.Join(o.Keys()[:9], " "); got != "id name description owner cluster connector connectorClass type connectorAttributes" {
		t.Errorf("key order: %s", got)
	}
	tokenCipher := o.Object("connectorAttributes").String("apiToken")
	if !strings.HasPrefix(tokenCipher, emulator.CipherPrefix) || strings.Contains(string(r.body), "s3cret") {
		t.Errorf("apiToken not encrypted: %q", tokenCipher)
	}
	if got, _ := emu.Secret("Acme HR Cloud", "apiToken"); got != "s3cret-token" {
		t.Errorf("Secret = %q", got)
	}
	// GET returns what POST returned.
	if g := tn.do("GET", "/v3/sources/"+o.String("id"), nil); string(g.body) != string(r.body) {
		t.Errorf("GET after POST differs:\n%s\n%s", g.body, r.body)
	}
	// Duplicate name.
	if d := tn.do("POST", "/v3/sources", mustJSON(t, newSource)); d.status != 400 || !strings.Contains(d.errorCauses(t), "already exists") {
		t.Errorf("duplicate: %d %s", d.status, d.body)
	}
	if n := len(emu.Sources()); n != 6 {
		t.Errorf("%d sources after a refused duplicate", n)
	}
	// Unknown connector (a dependency apply must create first).
	bad := mustJSON(t, newSource)
	bad.Set("name", "Other")
	bad.Set("connector", "acme-hr")
	if d := tn.do("POST", "/v3/sources", bad); d.status != 400 || !strings.Contains(d.errorCauses(t), `"acme-hr"`) {
		t.Errorf("unknown connector: %d %s", d.status, d.body)
	}
	// provisionAsCsv makes a delimited-file source.
	csv := mustJSON(t, `{"name":"Badges","owner":{"type":"IDENTITY","id":"2c91808568c529c60168cca6f90c1313"},"connector":"delimited-file"}`)
	c := tn.do("POST", "/v3/sources?provisionAsCsv=true", csv).object(t)
	if c.String("type") != "DelimitedFile" || c.String("connectionType") != "file" || c.String("connectorClass") != "sailpoint.connector.DelimitedFileConnector" {
		t.Errorf("provisionAsCsv: type %q, connectionType %q, class %q", c.String("type"), c.String("connectionType"), c.String("connectorClass"))
	}
}

func TestCreateSourceRequiredFields(t *testing.T) {
	t.Parallel()
	tn := raw(t, acme(t)) // these bodies violate the document on purpose
	for _, field := range []string{"name", "owner", "connector"} {
		t.Run(field, func(t *testing.T) {
			body := mustJSON(t, newSource)
			body.Delete(field)
			r := tn.do("POST", "/v3/sources", body)
			if r.status != 400 || !strings.Contains(r.errorCauses(t), "'"+field+"'") {
				t.Errorf("status %d, body %s", r.status, r.body)
			}
		})
	}
	for name, body := range map[string]string{
		"not JSON":         `{"name":`,
		"array":            `[]`,
		"owner type":       `{"name":"X","owner":{"type":"USER","id":"1"},"connector":"jdbc"}`,
		"deleteThreshold":  `{"name":"X","owner":{"type":"IDENTITY","id":"1"},"connector":"jdbc","deleteThreshold":101}`,
		"attributes array": `{"name":"X","owner":{"type":"IDENTITY","id":"1"},"connector":"jdbc","connectorAttributes":[]}`,
	} {
		r, err := tn.try(t.Context(), "POST", "/v3/sources", &upload{data: []byte(body), ctype: "application/json"})
		if err != nil || r.status != 400 {
			t.Errorf("%s: %v %d %s", name, err, r.status, r.body)
		}
	}
}

func TestPutImmutableFields(t *testing.T) {
	t.Parallel()
	cases := []struct {
		field string
		value any
	}{
		{"id", "2c9180835d191a86015d28455b4a9999"},
		{"type", "OpenLDAP - Direct"},
		{"authoritative", true},
		{"connector", "jdbc"},
		{"connectorClass", "sailpoint.connector.LDAPConnector"},
		{"passwordPolicies", []any{}},
	}
	for _, c := range cases {
		t.Run(c.field, func(t *testing.T) {
			emu := acme(t)
			tn := checked(t, emu)
			before := source(t, emu, "Corporate Directory")
			body := tn.do("GET", "/v3/sources/"+adID, nil).object(t)
			body.Set(c.field, c.value)
			body.Set("description", "changed too")
			r := tn.do("PUT", "/v3/sources/"+adID, body)
			if r.status != 400 {
				t.Fatalf("status %d %s", r.status, r.body)
			}
			if o := r.object(t); o.String("detailCode") != "400.1 Bad Request Content" {
				t.Errorf("detailCode %q", o.String("detailCode"))
			}
			if causes := r.errorCauses(t); !strings.Contains(causes, "'"+c.field+"'") {
				t.Errorf("error does not name %s: %s", c.field, causes)
			}
			after := source(t, emu, "Corporate Directory")
			if a, b := mustMarshal(t, after), mustMarshal(t, before); a != b {
				t.Errorf("a refused PUT changed the source")
			}
		})
	}
	// Dropping an immutable field is a change too (authoritative defaults to false, so dropping
	// it from an authoritative source is refused; from a non-authoritative one it is not).
	emu := acme(t)
	tn := checked(t, emu)
	hr := tn.do("GET", "/v3/sources/2c9180845e3b1f0a015e3b8c7d9a0417", nil).object(t)
	hr.Delete("authoritative")
	if r := tn.do("PUT", "/v3/sources/2c9180845e3b1f0a015e3b8c7d9a0417", hr); r.status != 400 {
		t.Errorf("dropping authoritative: %d", r.status)
	}
	ad := tn.do("GET", "/v3/sources/"+adID, nil).object(t)
	ad.Delete("authoritative")
	ad.Delete("id")
	if r := tn.do("PUT", "/v3/sources/"+adID, ad); r.status != 200 {
		t.Errorf("dropping a false authoritative and the id: %d %s", r.status, r.body)
	}
	// The same password policies by reference, in another order or without names, are no change.
	cd := tn.do("GET", "/v3/sources/"+adID, nil).object(t)
	cd.Set("passwordPolicies", []any{mustJSON(t, `{"type":"PASSWORD_POLICY","id":"2c9180855d191c59015d28583727245b"}`)})
	if r := tn.do("PUT", "/v3/sources/"+adID, cd); r.status != 200 {
		t.Errorf("same policy by id: %d %s", r.status, r.body)
	}
}

func mustMarshal(t *testing.T, o *value.Object) string {
	t.Helper()
	b, err := o.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPutReplacesWholeObject(t *testing.T) {
	t.Parallel()
	emu := acme(t)
	tn := checked(t, emu)
	before := source(t, emu, "Corporate Directory")
	body := tn.do("GET", "/v3/sources/"+adID, nil).object(t)
	body.Set("description", "Acme's forest")
	body.Set("deleteThreshold", json.Number("10"))
	body.Delete("managementWorkgroup")                              // full replace: gone
	body.Object("connectorAttributes").Delete("healthCheckTimeout") // gone too
	body.Object("connectorAttributes").Delete("cloudExternalId")    // server-managed: kept
	body.Set("created", "1999-01-01T00:00:00.000Z")                 // server-managed: ignored
	body.Delete("connectorName")                                    // server-managed: kept
	body.Set("healthy", false)                                      // server-managed: ignored
	body.Set("xUndocumented", "kept as sent")

	r := tn.do("PUT", "/v3/sources/"+adID, body)
	if r.status != 200 {
		t.Fatalf("PUT: %d %s", r.status, r.body)
	}
	got := source(t, emu, "Corporate Directory")
	if mustMarshal(t, r.object(t)) != mustMarshal(t, got) {
		t.Error("PUT response differs from the stored source")
	}
	check := map[string]any{
		"description": "Acme's forest", "deleteThreshold": json.Number("10"), "xUndocumented": "kept as sent",
		"created": before.String("created"), "connectorName": "Active Directory", "healthy": true,
		"connectorAttributes.cloudExternalId": "62867",
	}
	for path, want := range check {
		if v, _ := got.Path(path); v != want {
			t.Errorf("%s = %v, want %v", path, v, want)
		}
	}
	for _, path := range []string{"managementWorkgroup", "connectorAttributes.healthCheckTimeout"} {
		if _, ok := got.Path(path); ok {
			t.Errorf("%s survived a full replace without it", path)
		}
	}
	if got.String("modified") <= before.String("modified") {
		t.Errorf("modified not bumped: %s → %s", before.String("modified"), got.String("modified"))
	}
	// Two writes in a row still get different modified stamps.
	r2 := tn.do("PUT", "/v3/sources/"+adID, got).object(t)
	if r2.String("modified") <= got.String("modified") {
		t.Errorf("second PUT: modified %s → %s", got.String("modified"), r2.String("modified"))
	}
	// Unknown id, duplicate name.
	if r := tn.do("PUT", "/v3/sources/2c9180835d191a86015d28455b4a0000", func() *value.Object { c := got.Clone(); c.Delete("id"); return c }()); r.status != 404 {
		t.Errorf("unknown id: %d", r.status)
	}
	dup := got.Clone()
	dup.Set("name", "HR Database")
	if r := tn.do("PUT", "/v3/sources/"+adID, dup); r.status != 400 {
		t.Errorf("rename onto another source: %d", r.status)
	}
}

func TestSecretsRoundTrip(t *testing.T) {
	t.Parallel()
	emu := acme(t)
	tn := checked(t, emu)
	get := func() *value.Object { return tn.do("GET", "/v3/sources/"+adID, nil).object(t) }
	cipher := func(o *value.Object) string { return o.Object("connectorAttributes").String("password") }
	put := func(o *value.Object) {
		t.Helper()
		if r := tn.do("PUT", "/v3/sources/"+adID, o); r.status != 200 {
			t.Fatalf("PUT: %d %s", r.status, r.body)
		}
	}

	// The cipher text sent back keeps the secret.
	o := get()
	old := cipher(o)
	put(o)
	if cipher(get()) != old {
		t.Error("cipher text sent back was not kept")
	}
	if p, _ := emu.Secret("Corporate Directory", "password"); p != "Acme-AD-bind-2024!" {
		t.Errorf("secret after cipher round trip = %q", p)
	}
	// Plain text is encrypted: a new cipher text, never the plain text.
	o = get()
	o.Object("connectorAttributes").Set("password", "rotated-Pa55")
	put(o)
	n := get()
	if c := cipher(n); c == old || !strings.HasPrefix(c, emulator.CipherPrefix) || strings.Contains(mustMarshal(t, n), "rotated-Pa55") {
		t.Errorf("plain text not re-encrypted: %q", c)
	}
	if p, _ := emu.Secret("Corporate Directory", "password"); p != "rotated-Pa55" {
		t.Errorf("secret after rotation = %q", p)
	}
	// The same plain text again is re-encrypted (a fresh cipher text, same secret).
	o = get()
	prev := cipher(o)
	o.Object("connectorAttributes").Set("password", "rotated-Pa55")
	put(o)
	if c := cipher(get()); c == prev {
		t.Error("plain text sent again kept the old cipher text instead of re-encrypting")
	}
	// Names listed in "encrypted" are secret whatever they are called; look-alikes are not.
	o = get()
	attrs := o.Object("connectorAttributes")
	attrs.Set("encrypted", "bindCode, otherThing")
	attrs.Set("bindCode", "1234")
	attrs.Set("tokenUrl", "https://login.example/token")
	attrs.Set("client_secret", "cs")
	put(o)
	attrs = get().Object("connectorAttributes")
	for k, secret := range map[string]bool{"bindCode": true, "client_secret": true, "tokenUrl": false} {
		if enc := strings.HasPrefix(attrs.String(k), emulator.CipherPrefix); enc != secret {
			t.Errorf("%s encrypted = %v, want %v", k, enc, secret)
		}
	}
	if p, ok := emu.Secret("Corporate Directory", "bindCode"); !ok || p != "1234" {
		t.Errorf("Secret(bindCode) = %q, %v", p, ok)
	}
	if _, ok := emu.Secret("Corporate Directory", "tokenUrl"); ok {
		t.Error("Secret reports a plain attribute as a secret")
	}
}

func TestIsSecretAttribute(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{
		"password": true, "bindPassword": true, "Password": true, "client_secret": true, "apiToken": true,
		"refresh_token": true, "private_key": true, "apiKey": true, "passphrase": true, "credentials": true,
		"tokenUrl": false, "passwordPolicyName": false, "user": false, "host": false, "keyAttribute": false,
	} {
		if got := emulator.IsSecretAttribute(name, nil); got != want {
			t.Errorf("IsSecretAttribute(%q) = %v", name, got)
		}
	}
	if !emulator.IsSecretAttribute("pin", []string{"pin"}) {
		t.Error("names listed in encrypted are secret")
	}
}

func TestStateAccessors(t *testing.T) {
	t.Parallel()
	emu := acme(t)
	before := source(t, emu, "HR Database")
	before.Set("description", "changed on a copy")
	if source(t, emu, "HR Database").String("description") == "changed on a copy" {
		t.Fatal("SourceByName returns the stored object, not a copy")
	}
	err := emu.UpdateSource("HR Database", func(o *value.Object) {
		o.Set("deleteThreshold", json.Number("50"))
		o.Object("connectorAttributes").Set("password", "ui-set")
	})
	if err != nil {
		t.Fatal(err)
	}
	after := source(t, emu, "HR Database")
	if v, _ := after.Get("deleteThreshold"); v != json.Number("50") || after.String("modified") <= before.String("modified") {
		t.Errorf("UpdateSource: deleteThreshold %v, modified %s", v, after.String("modified"))
	}
	if p, _ := emu.Secret("HR Database", "password"); p != "ui-set" {
		t.Errorf("UpdateSource did not encrypt the password: %q", p)
	}
	if err := emu.UpdateSource("Nope", func(*value.Object) {}); err == nil {
		t.Error("UpdateSource of an unknown source succeeded")
	}
	if _, err := emu.AddSource(mustJSON(t, `{"name":"HR Database","owner":{"type":"IDENTITY","id":"1"},"connector":"jdbc"}`)); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("AddSource with a duplicate name: %v", err)
	}
	id := "0123456789abcdef0123456789abcdef"
	added, err := emu.AddSource(mustJSON(t, `{"id":"`+id+`","name":"X","owner":{"type":"IDENTITY","id":"1"},"connector":"jdbc"}`))
	if err != nil || added.String("id") != id || added.String("connectorName") != "JDBC" {
		t.Errorf("AddSource: id %q, connectorName %q, err %v", added.String("id"), added.String("connectorName"), err)
	}
	// An empty tenant can be filled directly, connector or not.
	empty, err := emulator.New(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s, err := empty.AddSource(mustJSON(t, `{"name":"Y","owner":{"type":"IDENTITY","id":"1"},"connector":"delimited-file"}`)); err != nil || s.String("connectorId") != "delimited-file" {
		t.Errorf("AddSource to an empty tenant: %v", err)
	}
}
