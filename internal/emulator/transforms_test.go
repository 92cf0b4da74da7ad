package emulator_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sailsync/sailsync/examples"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/value"
)

// The seed tenant's transforms (examples/acme-tenant/transforms), in file-name order.
const (
	hireDateID  = "3c6a9d2e-7f14-4b8a-9e0d-5a2f8c1b6e73"
	lowerMailID = "8f2e4c1a-3b7d-4e9f-a6c5-1d0b9e7f3a24"
	toUpperID   = "b41d7e09-2a6c-4f35-8d1e-9c7a0f2b5d68"
)

var hexID = regexp.MustCompile(`^[0-9a-f]{32}$`)

func transform(t *testing.T, emu *emulator.Emulator, name string) *value.Object {
	t.Helper()
	tr, ok := emu.TransformByName(name)
	if !ok {
		t.Fatalf("no transform %q in the tenant", name)
	}
	return tr
}

func TestTransformSeed(t *testing.T) {
	t.Parallel()
	emu := acme(t)
	if got := names(emu.Transforms()); got != "Hire Date ISO8601,Lowercase Email,ToUpper" {
		t.Errorf("transforms = %s", got)
	}
	lower := transform(t, emu, "Lowercase Email")
	if got := strings.Join(lower.Keys(), " "); got != "id name type attributes internal" {
		t.Errorf("keys = %s", got)
	}
	if src, _ := lower.Path("attributes.input.attributes.sourceName"); src != "HR Database" {
		t.Errorf("input source = %v", src)
	}
	if _, ok := emu.SourceByName("HR Database"); !ok {
		t.Error("the seed's transforms read a source the seed does not have")
	}
	if v, _ := transform(t, emu, "ToUpper").Get("internal"); v != true {
		t.Errorf("ToUpper internal = %v", v)
	}
	if _, ok := emu.TransformByName("toupper"); ok {
		t.Error("TransformByName is not exact")
	}
	// Accessors return copies.
	lower.Set("name", "changed")
	emu.Transforms()[0].Set("name", "changed")
	if got := names(emu.Transforms()); got != "Hire Date ISO8601,Lowercase Email,ToUpper" {
		t.Errorf("a copy changed the tenant: %s", got)
	}
}

func TestTransformSeedErrors(t *testing.T) {
	t.Parallel()
	ok := `{"name":"A","type":"lower","attributes":null}`
	cases := []struct {
		name  string
		opts  emulator.Options
		files fstest.MapFS
		want  string
	}{
		{"bad JSON", emulator.Options{}, fstest.MapFS{"transforms/a.json": {Data: []byte(`{"name":`)}}, "transforms/a.json"},
		{"no name", emulator.Options{}, fstest.MapFS{"transforms/a.json": {Data: []byte(`{"type":"lower","attributes":null}`)}}, "transforms/a.json: transform without a name"},
		{"duplicate name", emulator.Options{}, fstest.MapFS{"transforms/a.json": {Data: []byte(ok)}, "transforms/b.json": {Data: []byte(ok)}}, `transforms/b.json: second transform named "A"`},
		{"duplicate folded name", emulator.Options{FoldNames: true}, fstest.MapFS{"transforms/a.json": {Data: []byte(ok)}, "transforms/b.json": {Data: []byte(`{"name":"a","type":"lower","attributes":null}`)}}, `transforms/b.json: second transform named "a"`},
		{"duplicate id", emulator.Options{}, fstest.MapFS{"transforms/all.json": {Data: []byte(`[{"id":"1","name":"A"},{"id":"1","name":"B"}]`)}}, `transforms/all.json: second transform with id "1"`},
		{"internal not a boolean", emulator.Options{}, fstest.MapFS{"transforms/a.json": {Data: []byte(`{"name":"A","internal":"yes"}`)}}, "transforms/a.json: transform \"A\": internal"},
		{"attributes not an object", emulator.Options{}, fstest.MapFS{"transforms/a.json": {Data: []byte(`{"name":"A","attributes":[]}`)}}, "transforms/a.json: transform \"A\": attributes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.opts.Seed = c.files
			_, err := emulator.New(c.opts)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want it to name %q", err, c.want)
			}
		})
	}

	// Names differing in case are two transforms unless the tenant folds them; a missing id is
	// generated, a missing internal is false and missing attributes are null.
	emu, err := emulator.New(emulator.Options{Seed: fstest.MapFS{
		"transforms/a.json": {Data: []byte(ok)},
		"transforms/b.json": {Data: []byte(`{"name":"a","type":"upper"}`)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	b := transform(t, emu, "a")
	if !hexID.MatchString(b.String("id")) {
		t.Errorf("missing id not generated: %q", b.String("id"))
	}
	if v, ok := b.Get("internal"); !ok || v != false {
		t.Errorf("missing internal = %v, %v", v, ok)
	}
	if v, ok := b.Get("attributes"); !ok || v != nil {
		t.Errorf("missing attributes = %v, %v", v, ok)
	}
	// No transforms/ directory is a tenant without transforms; one is enough for a seed.
	if emu, err := emulator.New(emulator.Options{Seed: fstest.MapFS{"sources/README.md": {Data: []byte("x")}}}); err != nil || len(emu.Transforms()) != 0 {
		t.Errorf("no transforms/: %v, %d transforms", err, len(emu.Transforms()))
	}
	if err := emulator.CheckSeedDir(fstest.MapFS{"transforms/a.json": {Data: []byte(ok)}}); err != nil {
		t.Errorf("CheckSeedDir(transforms/ only) = %v", err)
	}
	if err := emulator.CheckSeedDir(fstest.MapFS{"notes.txt": {Data: []byte("x")}}); err == nil || !strings.Contains(err.Error(), "transforms/") {
		t.Errorf("CheckSeedDir does not name transforms/: %v", err)
	}
}

func TestListTransforms(t *testing.T) {
	t.Parallel()
	tn := checked(t, acme(t))
	cases := []struct {
		query  string
		status int
		want   string // names, for a 200
		total  string // X-Total-Count
	}{
		{"", 200, "Hire Date ISO8601,Lowercase Email,ToUpper", ""},
		{"count=true", 200, "Hire Date ISO8601,Lowercase Email,ToUpper", "3"},
		{"limit=1&offset=1&count=true", 200, "Lowercase Email", "3"},
		{"offset=3", 200, "", ""},
		{"filters=" + url.QueryEscape(`name eq "ToUpper"`), 200, "ToUpper", ""},
		{"filters=" + url.QueryEscape(`name eq "toupper"`), 200, "", ""},
		{"filters=" + url.QueryEscape(`name sw "Hire"`), 200, "Hire Date ISO8601", ""},
		{"filters=" + url.QueryEscape(`internal eq true`), 200, "ToUpper", ""},
		{"filters=" + url.QueryEscape(`internal eq false`) + "&count=true&limit=1", 200, "Hire Date ISO8601", "2"},
		{"filters=" + url.QueryEscape(`internal eq false and name sw "Low"`), 200, "Lowercase Email", ""},
		{"name=ToUpper", 200, "ToUpper", ""},
		{"name=Nope", 200, "", ""},
		{"filters=" + url.QueryEscape(`type eq "upper"`), 400, "", ""},
		{"filters=" + url.QueryEscape(`id eq "`+toUpperID+`"`), 400, "", ""},
		{"filters=" + url.QueryEscape(`name co "Date"`), 400, "", ""},
		{"filters=" + url.QueryEscape(`internal ne true`), 400, "", ""},
		{"filters=" + url.QueryEscape(`name eq ToUpper`), 400, "", ""},
	}
	for _, prefix := range []string{"/v3", "/beta"} {
		for _, c := range cases {
			t.Run(prefix+"?"+c.query, func(t *testing.T) {
				r := tn.do("GET", prefix+"/transforms?"+c.query, nil)
				if r.status != c.status {
					t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
				}
				if c.status != 200 {
					if !strings.Contains(r.errorCauses(t), "filters") {
						t.Errorf("cause does not name the parameter: %s", r.body)
					}
					return
				}
				if got := names(r.objects(t)); got != c.want {
					t.Errorf("got %q, want %q", got, c.want)
				}
				if got := r.header.Get("X-Total-Count"); got != c.total {
					t.Errorf("X-Total-Count %q, want %q", got, c.total)
				}
			})
		}
	}
	rt := raw(t, acme(t))
	for _, q := range []string{"limit=251", "offset=-1", "count=maybe"} {
		if r := rt.do("GET", "/v3/transforms?"+q, nil); r.status != 400 {
			t.Errorf("%s: status %d", q, r.status)
		}
	}
}

func TestGetTransform(t *testing.T) {
	t.Parallel()
	tn := checked(t, acme(t))
	for _, prefix := range []string{"/v3", "/beta"} {
		r := tn.do("GET", prefix+"/transforms/"+hireDateID, nil)
		if r.status != 200 || r.object(t).String("name") != "Hire Date ISO8601" {
			t.Errorf("%s GET: %d %s", prefix, r.status, r.body)
		}
		if got, _ := r.object(t).Path("attributes.outputFormat"); got != "ISO8601" {
			t.Errorf("%s outputFormat = %v", prefix, got)
		}
		r = tn.do("GET", prefix+"/transforms/00000000-0000-0000-0000-000000000000", nil)
		if r.status != 404 || r.object(t).String("detailCode") != "404 Not found" {
			t.Errorf("%s unknown: %d %s", prefix, r.status, r.body)
		}
		r.errorCauses(t)
	}
}

func TestCreateTransform(t *testing.T) {
	t.Parallel()
	emu := acme(t)
	tn := checked(t, emu)
	rt := raw(t, emu) // for bodies the document itself forbids
	cases := []struct {
		name   string
		raw    bool // the document forbids the request: not through the contract middleware
		prefix string
		body   string
		status int
		cause  string // in the 400's causes
	}{
		{"lower", false, "/v3", `{"name":"Lowercase Login","type":"lower","attributes":{"input":{"type":"accountAttribute","attributes":{"sourceName":"Corporate Directory","attributeName":"sAMAccountName"}}}}`, 201, ""},
		{"on beta", false, "/beta", `{"name":"Department Lookup","type":"lookup","attributes":{"table":{"IT":"Information Technology","default":"Unknown"}}}`, 201, ""},
		{"null attributes", false, "/v3", `{"name":"Random UUID","type":"uuid","attributes":null}`, 201, ""},
		{"id ignored, internal false accepted", false, "/v3", `{"id":"` + lowerMailID + `","name":"Trim Title","type":"trim","attributes":{},"internal":false}`, 201, ""},
		{"50 characters", false, "/v3", `{"name":"` + strings.Repeat("é", 50) + `","type":"upper","attributes":{}}`, 201, ""},
		{"internal true", false, "/v3", `{"name":"Mine","type":"upper","attributes":{},"internal":true}`, 400, "internal"},
		{"internal not a boolean", false, "/v3", `{"name":"Mine","type":"upper","attributes":{},"internal":"no"}`, 400, "internal"},
		{"duplicate name", false, "/v3", `{"name":"ToUpper","type":"upper","attributes":{}}`, 400, "already exists"},
		{"duplicate name on beta", false, "/beta", `{"name":"Lowercase Email","type":"lower","attributes":{}}`, 400, "already exists"},
		{"no name", true, "/v3", `{"type":"upper","attributes":{}}`, 400, "'name' is required"},
		{"empty name", true, "/v3", `{"name":"","type":"upper","attributes":{}}`, 400, "'name' is required"},
		{"51 characters", true, "/v3", `{"name":"` + strings.Repeat("x", 51) + `","type":"upper","attributes":{}}`, 400, "'name' must be 1 to 50"},
		{"no type", true, "/v3", `{"name":"Mine","attributes":{}}`, 400, "'type' is required"},
		{"undocumented type", true, "/v3", `{"name":"Mine","type":"titleCase","attributes":{}}`, 400, "'type' must be one of"},
		{"no attributes", true, "/v3", `{"name":"Mine","type":"upper"}`, 400, "'attributes' is required"},
		{"attributes a string", true, "/v3", `{"name":"Mine","type":"upper","attributes":"x"}`, 400, "'attributes' must be an object or null"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			client := tn
			if c.raw {
				client = rt
			}
			body := mustJSON(t, c.body)
			r := client.do("POST", c.prefix+"/transforms", body)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			if c.status != 201 {
				if causes := r.errorCauses(t); !strings.Contains(causes, c.cause) {
					t.Errorf("causes %q do not say %q", causes, c.cause)
				}
				if _, ok := emu.TransformByName(body.String("name")); ok && c.cause != "already exists" {
					t.Error("a refused transform was stored")
				}
				return
			}
			got := r.object(t)
			if strings.Join(got.Keys(), " ") != "id name type attributes internal" {
				t.Errorf("keys %v", got.Keys())
			}
			if !hexID.MatchString(got.String("id")) || got.String("id") == body.String("id") {
				t.Errorf("id %q: not one of the tenant's", got.String("id"))
			}
			if v, _ := got.Get("internal"); v != false {
				t.Errorf("internal = %v", v)
			}
			want, _ := body.Get("attributes")
			if have, _ := got.Get("attributes"); !sameJSON(t, have, want) {
				t.Errorf("attributes %v, want %v", have, want)
			}
			stored := transform(t, emu, body.String("name"))
			if !sameJSON(t, stored, got) {
				t.Errorf("stored %v, answered %v", stored, got)
			}
			if r := tn.do("GET", "/v3/transforms/"+got.String("id"), nil); r.status != 200 {
				t.Errorf("GET the new transform: %d", r.status)
			}
		})
	}
	// Creation order is list order.
	want := "Hire Date ISO8601,Lowercase Email,ToUpper,Lowercase Login,Department Lookup,Random UUID,Trim Title," + strings.Repeat("é", 50)
	if got := names(tn.do("GET", "/v3/transforms", nil).objects(t)); got != want {
		t.Errorf("list %s", got)
	}
}

// TestTransformNameFolding: how the tenant compares names is undocumented, so both readings
// are served (Options.FoldNames).
func TestTransformNameFolding(t *testing.T) {
	t.Parallel()
	for _, fold := range []bool{false, true} {
		emu, err := emulator.New(emulator.Options{Seed: examples.AcmeTenant, FoldNames: fold})
		if err != nil {
			t.Fatal(err)
		}
		tn := checked(t, emu)
		r := tn.do("POST", "/v3/transforms", mustJSON(t, `{"name":"lowercase email","type":"lower","attributes":null}`))
		switch {
		case !fold && r.status != 201:
			t.Errorf("exact names: a name differing in case refused: %d %s", r.status, r.body)
		case fold && (r.status != 400 || !strings.Contains(r.errorCauses(t), "already exists")):
			t.Errorf("folded names: a name differing in case accepted: %d %s", r.status, r.body)
		}
		if r := tn.do("POST", "/v3/transforms", mustJSON(t, `{"name":"Lowercase Email","type":"lower","attributes":null}`)); r.status != 400 {
			t.Errorf("fold %v: the same name accepted: %d", fold, r.status)
		}
		want := "ToUpper"
		if !fold {
			want = ""
		}
		if got := names(tn.do("GET", "/v3/transforms?name=toupper", nil).objects(t)); got != want {
			t.Errorf("fold %v: name=toupper lists %q", fold, got)
		}
	}
}

func TestPutTransform(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		raw    bool
		id     string
		body   string
		status int
		cause  string
	}{
		{"attributes change", false, lowerMailID, `{"name":"Lowercase Email","type":"lower","attributes":{"input":{"type":"accountAttribute","attributes":{"sourceName":"Corporate Directory","attributeName":"mail"}}}}`, 200, ""},
		{"same id and internal", false, lowerMailID, `{"id":"` + lowerMailID + `","name":"Lowercase Email","type":"lower","attributes":null,"internal":false}`, 200, ""},
		{"name change", false, lowerMailID, `{"name":"Lowercase Mail","type":"lower","attributes":null}`, 400, "'name'"},
		{"name case change", false, lowerMailID, `{"name":"lowercase email","type":"lower","attributes":null}`, 400, "'name'"},
		{"type change", false, lowerMailID, `{"name":"Lowercase Email","type":"upper","attributes":null}`, 400, "'type'"},
		{"id change", false, lowerMailID, `{"id":"` + hireDateID + `","name":"Lowercase Email","type":"lower","attributes":null}`, 400, "'id'"},
		{"internal change", false, lowerMailID, `{"name":"Lowercase Email","type":"lower","attributes":null,"internal":true}`, 400, "'internal'"},
		{"internal transform", false, toUpperID, `{"name":"ToUpper","type":"upper","attributes":{}}`, 400, "internal"},
		{"internal transform as read", false, toUpperID, `{"id":"` + toUpperID + `","name":"ToUpper","type":"upper","attributes":null,"internal":true}`, 400, "internal"},
		{"unknown id", false, "00000000-0000-0000-0000-000000000000", `{"name":"X","type":"upper","attributes":null}`, 404, ""},
		{"no attributes", true, lowerMailID, `{"name":"Lowercase Email","type":"lower"}`, 400, "'attributes' is required"},
		{"no name", true, lowerMailID, `{"type":"lower","attributes":null}`, 400, "'name' is required"},
	}
	for _, prefix := range []string{"/v3", "/beta"} {
		for _, c := range cases {
			t.Run(prefix+" "+c.name, func(t *testing.T) {
				emu := acme(t)
				client := checked(t, emu)
				if c.raw {
					client = raw(t, emu)
				}
				before := emu.Transforms()
				body := mustJSON(t, c.body)
				r := client.do("PUT", prefix+"/transforms/"+c.id, body)
				if r.status != c.status {
					t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
				}
				if c.status != 200 {
					if causes := r.errorCauses(t); !strings.Contains(causes, c.cause) {
						t.Errorf("causes %q do not say %q", causes, c.cause)
					}
					if !sameJSON(t, emu.Transforms(), before) {
						t.Error("a refused PUT changed the tenant")
					}
					return
				}
				got := r.object(t)
				want, _ := body.Get("attributes")
				if have, _ := got.Get("attributes"); !sameJSON(t, have, want) {
					t.Errorf("attributes %v, want %v", have, want)
				}
				if got.String("id") != c.id || strings.Join(got.Keys(), " ") != "id name type attributes internal" {
					t.Errorf("answer %s", r.body)
				}
				if !sameJSON(t, transform(t, emu, "Lowercase Email"), got) {
					t.Error("the answer is not what is stored")
				}
				if names(emu.Transforms()) != names(before) {
					t.Errorf("PUT moved the transform: %s", names(emu.Transforms()))
				}
			})
		}
	}
}

func TestDeleteTransform(t *testing.T) {
	t.Parallel()
	emu := acme(t)
	tn := checked(t, emu)
	if r := tn.do("DELETE", "/v3/transforms/"+lowerMailID, nil); r.status != 204 || len(r.body) != 0 {
		t.Errorf("DELETE: %d %s", r.status, r.body)
	}
	if _, ok := emu.TransformByName("Lowercase Email"); ok {
		t.Error("still stored")
	}
	if r := tn.do("GET", "/v3/transforms/"+lowerMailID, nil); r.status != 404 {
		t.Errorf("GET after DELETE: %d", r.status)
	}
	if r := tn.do("DELETE", "/beta/transforms/"+lowerMailID, nil); r.status != 404 {
		t.Errorf("DELETE again: %d", r.status)
	}
	if r := tn.do("DELETE", "/beta/transforms/"+hireDateID, nil); r.status != 204 {
		t.Errorf("DELETE on beta: %d", r.status)
	}
	for _, prefix := range []string{"/v3", "/beta"} {
		r := tn.do("DELETE", prefix+"/transforms/"+toUpperID, nil)
		if r.status != 400 || !strings.Contains(r.errorCauses(t), "internal") {
			t.Errorf("%s DELETE internal: %d %s", prefix, r.status, r.body)
		}
	}
	if got := names(emu.Transforms()); got != "ToUpper" {
		t.Errorf("left %s", got)
	}
	// The name of a deleted transform is free again.
	if r := tn.do("POST", "/v3/transforms", mustJSON(t, `{"name":"Lowercase Email","type":"lower","attributes":null}`)); r.status != 201 {
		t.Errorf("re-create: %d %s", r.status, r.body)
	}
}

func TestTransformMethods(t *testing.T) {
	t.Parallel()
	rt := raw(t, acme(t)) // the document has none of these
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{"PATCH", "/v3/transforms/" + lowerMailID, 405},
		{"POST", "/v3/transforms/" + lowerMailID, 405},
		{"PUT", "/v3/transforms", 405},
		{"DELETE", "/beta/transforms", 405},
		{"GET", "/v3/transforms/" + lowerMailID + "/x", 404},
	} {
		r := rt.do(c.method, c.path, nil)
		if r.status != c.status {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, r.status, c.status)
			continue
		}
		r.errorCauses(t)
	}
}

// sameJSON compares two JSON values by their encoding.
func sameJSON(t *testing.T, a, b any) bool {
	t.Helper()
	ja, err := value.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := value.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(ja) == string(jb)
}
