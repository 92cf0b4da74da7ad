package sync_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	gosync "sync"
	"testing"
	"testing/fstest"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/isc"
	"github.com/sailsync/sailsync/internal/tenanttest"
	"github.com/sailsync/sailsync/internal/value"
	isync "github.com/sailsync/sailsync/sync"
)

// The seeded transforms of these tests (TransformRead objects, as the tenant stores them).
const (
	lowerEmailID = "8f2e4c1a-3b7d-4e9f-a6c5-1d0b9e7f3a24"
	hireDateID   = "3c6a9d2e-7f14-4b8a-9e0d-5a2f8c1b6e73"
	oldID        = "5d0c7a1e-9b2f-4c3d-8e6a-7f1b2c3d4e5f"
	toUpperID    = "b41d7e09-2a6c-4f35-8d1e-9c7a0f2b5d68"

	seedLowerEmail = `{"id":"` + lowerEmailID + `","name":"Lowercase Email","type":"lower","attributes":{"input":{"type":"accountAttribute","attributes":{"sourceName":"HR Database","attributeName":"email"}}},"internal":false}`
	seedHireDate   = `{"id":"` + hireDateID + `","name":"Hire Date ISO8601","type":"dateFormat","attributes":{"inputFormat":"yyyy-MM-dd","outputFormat":"ISO8601"},"internal":false}`
	seedOld        = `{"id":"` + oldID + `","name":"Old Transform","type":"static","attributes":{"value":"retired"},"internal":false}`
	seedToUpper    = `{"id":"` + toUpperID + `","name":"ToUpper","type":"upper","attributes":null,"internal":true}`
)

// YAML documents of the declared transforms.
const (
	yamlLowerEmail = `kind: Transform
name: Lowercase Email
type: lower
attributes:
  input:
    type: accountAttribute
    attributes: {sourceName: HR Database, attributeName: email}
`
	yamlHireDate = `kind: Transform
name: Hire Date ISO8601
type: dateFormat
attributes:
  inputFormat: MM/dd/yyyy
  outputFormat: ISO8601
`
	yamlDisplayName = `kind: Transform
name: Employee Display Name
type: concat
attributes:
  values:
    - {type: accountAttribute, attributes: {sourceName: HR Database, attributeName: first_name}}
    - " "
    - {type: accountAttribute, attributes: {sourceName: HR Database, attributeName: last_name}}
`
	yamlOldTombstone = `kind: Transform
name: Old Transform
absent: true
reason: replaced by Employee Display Name (CHG-2001)
`
)

// transformSeed is a seed holding only the given transforms (JSON objects), in that order.
func transformSeed(objs ...string) fstest.MapFS {
	return fstest.MapFS{"transforms/all.json": {Data: []byte("[" + strings.Join(objs, ",\n") + "]")}}
}

// sortedCopy returns s sorted, s untouched.
func sortedCopy(s []string) []string { return slices.Sorted(slices.Values(s)) }

// docs joins YAML documents into one file's content.
func docs(ds ...string) string { return strings.Join(ds, "---\n") }

// transformTenant serves a tenant seeded with the given transforms behind the contract check.
func transformTenant(t *testing.T, fold bool, handler func(*emulator.Emulator) http.Handler, objs ...string) *tenanttest.Tenant {
	t.Helper()
	return tenanttest.Start(t, tenanttest.Options{
		Emulator: emulator.Options{Seed: transformSeed(objs...), FoldNames: fold},
		Handler:  handler,
		Client:   isc.Config{MaxRetries: 2},
	})
}

// planOf fetches what repo needs with c and computes the plan, its request estimate set.
func planOf(t *testing.T, c *isc.Client, repo *config.Repo, fo isync.FetchOptions, do diff.Options) *diff.Plan {
	t.Helper()
	live, err := isync.Fetch(context.Background(), c, repo, fo)
	if err != nil {
		t.Fatal(err)
	}
	if do.Env == nil {
		do.Env = tenanttest.Env
	}
	p, err := diff.Compute(repo, live, do)
	if err != nil {
		t.Fatal(err)
	}
	p.APICalls = isync.EstimateCalls(p)
	return p
}

// actions renders the plan's changes of kind k as "action name", in plan order.
func actions(p *diff.Plan, k config.Kind) []string {
	var out []string
	for _, c := range p.Changes {
		if c.Kind == k {
			out = append(out, string(c.Action)+" "+c.Name)
		}
	}
	return out
}

// attrsJSON is a transform's attributes as JSON.
func attrsJSON(t *testing.T, o *value.Object) string {
	t.Helper()
	v, _ := o.Get("attributes")
	b, err := value.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// yamlAttrs is the JSON of the attributes a YAML transform document declares, as the loader
// reads them.
func yamlAttrs(t *testing.T, doc string) string {
	t.Helper()
	repo := load(t, tenanttest.WriteDir(t, map[string]string{"t.yaml": doc}))
	return attrsJSON(t, repo.ObjectsOf(config.KindTransform)[0].Fields)
}

// TestTransformRoundTrip: a repository creating, updating, keeping and deleting transforms
// plans exactly that, under both ways a tenant may compare names; apply sends exactly the
// requests the plan estimated (token included), refuses the delete without consent to deletes, and
// leaves the tenant as declared (the new transform custom, the internal one untouched); the plan
// after it is "No changes" and a second apply writes nothing.
func TestTransformRoundTrip(t *testing.T) {
	t.Parallel()
	for _, fold := range []bool{false, true} {
		t.Run(fmt.Sprintf("FoldNames=%v", fold), func(t *testing.T) {
			tn := transformTenant(t, fold, nil, seedHireDate, seedLowerEmail, seedOld, seedToUpper)
			emu := tn.Emu
			client := func() *isc.Client { return tn.NewClient(t, isc.Config{MaxRetries: 2}) }
			dir := tenanttest.WriteDir(t, map[string]string{"transforms/all.yaml": docs(yamlLowerEmail, yamlHireDate, yamlDisplayName, yamlOldTombstone)})
			repo := load(t, dir)

			p := planOf(t, client(), repo, isync.FetchOptions{}, diff.Options{})
			want := []string{"no-change Lowercase Email", "update Hire Date ISO8601", "create Employee Display Name", "delete Old Transform"}
			if got := actions(p, config.KindTransform); !slices.Equal(sortedCopy(got), sortedCopy(want)) {
				t.Fatalf("plan %v, want %v", got, want)
			}
			if len(p.Violations) != 0 || p.Summary.Create != 1 || p.Summary.Update != 1 || p.Summary.Delete != 1 || p.Summary.NoChange != 1 {
				t.Fatalf("summary %+v, violations %v", p.Summary, p.Violations)
			}
			// POST; GET and PUT; DELETE; and the apply's own token.
			if p.APICalls != 5 {
				t.Errorf("estimate %d requests, want 5", p.APICalls)
			}

			emu.ResetLog()
			if _, err := isync.Apply(context.Background(), client(), repo, p, isync.ApplyOptions{Env: tenanttest.Env}); !errors.Is(err, isync.ErrDeletesNotAllowed) {
				t.Fatalf("apply without consent to deletes: %v", err)
			}
			if n := len(emu.Log()); n != 0 {
				t.Fatalf("apply without consent to deletes made %d requests", n)
			}

			rep, err := isync.Apply(context.Background(), client(), repo, p, isync.ApplyOptions{Env: tenanttest.Env, Deletes: isync.DeletesAllowed})
			if err != nil {
				t.Fatal(err)
			}
			if !rep.OK() || len(rep.Results) != 3 {
				t.Fatalf("apply: %+v", rep.Results)
			}
			if n := len(emu.Log()); n != p.APICalls {
				t.Errorf("the apply made %d requests, the plan estimated %d: %v", n, p.APICalls, emu.Log())
			}
			wantWrites := []string{"POST /v3/transforms", "PUT /v3/transforms/" + hireDateID, "DELETE /v3/transforms/" + oldID}
			if got := tenanttest.Writes(emu); !slices.Equal(sortedCopy(got), sortedCopy(wantWrites)) {
				t.Errorf("writes %v, want %v", got, wantWrites)
			}

			created, ok := emu.TransformByName("Employee Display Name")
			if !ok {
				t.Fatal("Employee Display Name was not created")
			}
			if v, _ := created.Get("internal"); v != false || created.String("type") != "concat" || created.String("id") == "" {
				t.Errorf("created transform %v: want a custom concat with an id", created)
			}
			if got, want := attrsJSON(t, created), yamlAttrs(t, yamlDisplayName); got != want {
				t.Errorf("created attributes %s, want %s", got, want)
			}
			hire, _ := emu.TransformByName("Hire Date ISO8601")
			if got, want := attrsJSON(t, hire), yamlAttrs(t, yamlHireDate); got != want || hire.String("id") != hireDateID {
				t.Errorf("updated transform %v, want id %s and attributes %s", hire, hireDateID, want)
			}
			if _, ok := emu.TransformByName("Old Transform"); ok {
				t.Error("Old Transform is still in the tenant")
			}
			if up, ok := emu.TransformByName("ToUpper"); !ok || up.String("id") != toUpperID {
				t.Error("the internal ToUpper was touched")
			}
			if n := len(emu.Transforms()); n != 4 {
				t.Errorf("%d transforms in the tenant, want 4", n)
			}

			again := planOf(t, client(), repo, isync.FetchOptions{}, diff.Options{})
			if n := changed(again); n != 0 || len(again.Violations) != 0 || again.APICalls != 0 {
				t.Fatalf("plan after apply: %d changes, estimate %d: %v", n, again.APICalls, again.Changes)
			}
			emu.ResetLog()
			rep, err = isync.Apply(context.Background(), client(), repo, again, isync.ApplyOptions{Env: tenanttest.Env, Deletes: isync.DeletesAllowed})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Results) != 0 || len(tenanttest.Writes(emu)) != 0 {
				t.Errorf("second apply: results %+v, writes %v", rep.Results, tenanttest.Writes(emu))
			}
		})
	}
}

// putRecorder records the body of every PUT to /v3/transforms/{id} before the emulator serves it.
type putRecorder struct {
	mu     gosync.Mutex
	bodies []string
}

func (r *putRecorder) handler(emu *emulator.Emulator) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method == http.MethodPut && strings.HasPrefix(req.URL.Path, "/v3/transforms/") {
			b, _ := io.ReadAll(req.Body)
			req.Body = io.NopCloser(bytes.NewReader(b))
			r.mu.Lock()
			r.bodies = append(r.bodies, string(b))
			r.mu.Unlock()
		}
		emu.ServeHTTP(w, req)
	})
}

// TestTransformPutBody: an update's PUT is the fresh object with the declared fields laid over
// it — the live name and type exactly, the declared attributes (null included) — and never the
// tenant's id or internal; a transform in sync is not sent.
func TestTransformPutBody(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		doc  string
		put  string // the one PUT body; "" for none
	}{
		{"attributes replaced", yamlHireDate,
			`{"name":"Hire Date ISO8601","type":"dateFormat","attributes":{"inputFormat":"MM/dd/yyyy","outputFormat":"ISO8601"}}`},
		{"attributes emptied", "kind: Transform\nname: Hire Date ISO8601\ntype: dateFormat\nattributes: null\n",
			`{"name":"Hire Date ISO8601","type":"dateFormat","attributes":null}`},
		{"in sync", yamlHireDate[:strings.Index(yamlHireDate, "attributes:")] + "attributes: {inputFormat: yyyy-MM-dd, outputFormat: ISO8601}\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &putRecorder{}
			tn := transformTenant(t, false, rec.handler, seedHireDate, seedLowerEmail)
			repo := load(t, tenanttest.WriteDir(t, map[string]string{"t.yaml": tc.doc}))
			p := planOf(t, tn.Client, repo, isync.FetchOptions{}, diff.Options{})
			rep, err := isync.Apply(context.Background(), tn.Client, repo, p, isync.ApplyOptions{Env: tenanttest.Env})
			if err != nil || !rep.OK() {
				t.Fatalf("apply: %v %+v", err, rep)
			}
			var want []string
			if tc.put != "" {
				want = []string{tc.put}
			}
			if !slices.Equal(rec.bodies, want) {
				t.Errorf("PUT bodies %q, want %q", rec.bodies, want)
			}
			for _, b := range rec.bodies {
				if strings.Contains(b, `"id"`) || strings.Contains(b, `"internal"`) {
					t.Errorf("a PUT carries a server-managed field: %s", b)
				}
			}
			hire, _ := tn.Emu.TransformByName("Hire Date ISO8601")
			wantAttrs := `{"inputFormat":"yyyy-MM-dd","outputFormat":"ISO8601"}`
			if tc.put != "" {
				var sent value.Object
				if err := sent.UnmarshalJSON([]byte(tc.put)); err != nil {
					t.Fatal(err)
				}
				wantAttrs = attrsJSON(t, &sent)
			}
			if got := attrsJSON(t, hire); got != wantAttrs {
				t.Errorf("attributes in the tenant %s, want %s", got, wantAttrs)
			}
			if again := planOf(t, tn.Client, repo, isync.FetchOptions{}, diff.Options{}); changed(again) != 0 {
				t.Errorf("plan after apply: %v", again.Changes)
			}
		})
	}
}

// TestTransformTypeIsImmutable: a declared type other than the tenant's is a violation at the
// line of type, with the PUT's rule; apply of that plan sends nothing.
func TestTransformTypeIsImmutable(t *testing.T) {
	t.Parallel()
	tn := transformTenant(t, false, nil, seedHireDate, seedLowerEmail)
	doc := docs(yamlHireDate, "kind: Transform\nname: Lowercase Email\n# now upper\ntype: upper\nattributes: null\n")
	repo := load(t, tenanttest.WriteDir(t, map[string]string{"t.yaml": doc}))
	p := planOf(t, tn.Client, repo, isync.FetchOptions{}, diff.Options{})
	if len(p.Violations) != 1 {
		t.Fatalf("violations %+v, want 1", p.Violations)
	}
	v := p.Violations[0]
	if v.Kind != config.KindTransform || v.Name != "Lowercase Email" || v.Path != "type" || v.File != "t.yaml" || v.Line != 11 ||
		v.Live != "lower" || v.Desired != "upper" || !strings.Contains(v.Rule, "PUT /v3/transforms/{id} rejects changes to type") {
		t.Errorf("violation %+v, want type at t.yaml:11", v)
	}
	tn.Emu.ResetLog()
	if _, err := isync.Apply(context.Background(), tn.Client, repo, p, isync.ApplyOptions{Env: tenanttest.Env}); !errors.Is(err, isync.ErrViolations) {
		t.Errorf("apply: %v, want ErrViolations", err)
	}
	if n := len(tn.Emu.Log()); n != 0 {
		t.Errorf("apply of a plan with a violation made %d requests", n)
	}
}

// TestTransformNamesDifferingInCase: the repository declares "lowercase email" where the tenant
// has "Lowercase Email". A tenant that compares names without case would refuse its create as a
// duplicate, so plan shows a violation at name whichever way the tenant compares, for one
// declared transform or more (the listing's first page, read without trusting how a filter
// compares names), and apply sends nothing. (A lookup by `name eq` first, exact in a tenant whose
// unique-name check is not, gave a green create the tenant refused.) A tenant that has both spellings
// gives the declared name its own: plan updates that one, and apply goes through.
func TestTransformNamesDifferingInCase(t *testing.T) {
	t.Parallel()
	lower := strings.Replace(yamlLowerEmail, "name: Lowercase Email", "name: lowercase email", 1)
	// The other spelling, as a tenant comparing names exactly may hold it beside the seed's.
	const seedLowerSpelling = `{"id":"0aa0c1d2-e3f4-4a5b-8c6d-7e8f9a0b1c2d","name":"lowercase email","type":"lower","attributes":null,"internal":false}`
	for _, tc := range []struct {
		name   string
		fold   bool
		others bool   // also declare three other transforms: the listing is read
		both   bool   // the tenant has both spellings
		want   string // the plan's action for "lowercase email"
	}{
		{"exact names, one declared", false, false, false, "violation"},
		{"exact names, four declared", false, true, false, "violation"},
		{"folded names, one declared", true, false, false, "violation"},
		{"folded names, four declared", true, true, false, "violation"},
		{"both spellings, one declared", false, false, true, "update"},
		{"both spellings, four declared", false, true, true, "update"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seed := []string{seedHireDate, seedLowerEmail, seedOld}
			if tc.both {
				seed = append(seed, seedLowerSpelling)
			}
			tn := transformTenant(t, tc.fold, nil, seed...)
			emu := tn.Emu
			content := lower
			if tc.others {
				content = docs(yamlHireDate, yamlDisplayName, strings.Replace(yamlOldTombstone, "absent: true\nreason: replaced by Employee Display Name (CHG-2001)\n", "type: static\nattributes: {value: retired}\n", 1), lower)
			}
			repo := load(t, tenanttest.WriteDir(t, map[string]string{"t.yaml": content}))
			emu.ResetLog()
			p := planOf(t, tn.Client, repo, isync.FetchOptions{}, diff.Options{})
			var listings []string
			for _, e := range emu.Log() {
				if e.Method == http.MethodGet && e.Path == "/v3/transforms" {
					q, _ := url.QueryUnescape(e.Query)
					listings = append(listings, q)
				}
			}
			if len(listings) != 1 || strings.Contains(listings[0], "filters") {
				t.Errorf("reads %v, want the first page alone", listings)
			}
			got := ""
			for _, c := range p.Changes {
				if c.Name == "lowercase email" {
					got = string(c.Action)
				}
			}
			if got != tc.want {
				t.Fatalf("plan: %s, want %s (%v, violations %+v)", got, tc.want, actions(p, config.KindTransform), p.Violations)
			}

			emu.ResetLog()
			rep, err := isync.Apply(context.Background(), tn.Client, repo, p, isync.ApplyOptions{Env: tenanttest.Env})
			if tc.want == "violation" {
				line := 2
				if tc.others {
					line = 23
				}
				var at []string
				for _, v := range p.Violations {
					at = append(at, fmt.Sprintf("%s %s %s:%d %v", v.Name, v.Path, v.File, v.Line, v.Live))
				}
				if w := fmt.Sprintf("lowercase email name t.yaml:%d Lowercase Email", line); !slices.Equal(at, []string{w}) {
					t.Errorf("violations %q, want %q", at, w)
				}
				if !errors.Is(err, isync.ErrViolations) || len(emu.Log()) != 0 {
					t.Errorf("apply of a plan with a violation: %v, %d requests", err, len(emu.Log()))
				}
				return
			}
			// A green plan is a deploy that goes through, to the object of the declared spelling.
			if err != nil || !rep.OK() {
				t.Fatalf("apply of a plan without violations failed: %v %+v", err, rep)
			}
			if w := tenanttest.Writes(emu); !slices.Contains(w, "PUT /v3/transforms/0aa0c1d2-e3f4-4a5b-8c6d-7e8f9a0b1c2d") {
				t.Errorf("writes %v, want the PUT of the declared spelling's transform", w)
			}
			if got, want := func() string { o, _ := emu.TransformByName("lowercase email"); return attrsJSON(t, o) }(), yamlAttrs(t, lower); got != want {
				t.Errorf("lowercase email: attributes %s, want %s", got, want)
			}
			if o, _ := emu.TransformByName("Lowercase Email"); o.String("id") != lowerEmailID {
				t.Errorf("Lowercase Email changed: %v", o)
			}
			if again := planOf(t, tn.Client, repo, isync.FetchOptions{}, diff.Options{}); changed(again) != 0 {
				t.Errorf("plan after apply: %v", again.Changes)
			}
		})
	}
}

// TestFetchTransformCalls holds the reads of transforms to the fewest requests: none for a
// repository that declares none (drift included), the first page (all of a tenant's custom
// transforms, mostly), then the fewer of the other pages and `name sw` lookups of the names it
// did not hold. SailPoint's internal transforms are read (their names are taken) but never kept.
func TestFetchTransformCalls(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		tenant   int   // custom transforms t-0001…, after 5 internal ones
		declared []int // their numbers
		all      bool  // drift
		want     int   // GET /v3/transforms requests
		lookups  int   // of them, by name
	}{
		{"none declared", 600, nil, false, 0, 0},
		{"none declared, drift", 600, nil, true, 0, 0},
		{"one declared past the first page: a lookup", 600, []int{599}, false, 2, 1},
		{"one declared, drift: every page", 600, []int{1}, true, 3, 0},
		{"three in a small tenant: the first page", 200, []int{1, 100, 200}, false, 1, 0},
		{"three on the first page of 600", 600, []int{1, 2, 240}, false, 1, 0},
		{"one of three past the first page: a lookup", 600, []int{1, 2, 400}, false, 2, 1},
		{"three past the first page: 2 pages beat 3 lookups", 600, []int{300, 400, 550}, false, 3, 0},
		{"two past the first page: 2 lookups", 600, []int{1, 300, 550}, false, 3, 2},
		{"an undeclared name", 600, []int{1, 2, 9999}, false, 2, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			objs := make([]string, 0, tc.tenant+5)
			for i := range 5 {
				objs = append(objs, fmt.Sprintf(`{"name":"SailPoint %d","type":"upper","attributes":null,"internal":true}`, i))
			}
			for i := 1; i <= tc.tenant; i++ {
				objs = append(objs, fmt.Sprintf(`{"name":"t-%04d","type":"static","attributes":{"value":"%d"}}`, i, i))
			}
			tn := tenanttest.Start(t, tenanttest.Options{Emulator: emulator.Options{Seed: transformSeed(objs...)}, Contract: tenanttest.ContractOff})
			var b strings.Builder
			b.WriteString("kind: Connector\nname: Lone\nclassName: sailpoint.connector.OpenConnectorAdapter\n")
			for _, n := range tc.declared {
				fmt.Fprintf(&b, "---\nkind: Transform\nname: t-%04d\ntype: static\nattributes: {value: \"%d\"}\n", n, n)
			}
			repo := load(t, tenanttest.WriteDir(t, map[string]string{"repo.yaml": b.String()}))
			live, err := isync.Fetch(context.Background(), tn.Client, repo, isync.FetchOptions{AllSources: tc.all})
			if err != nil {
				t.Fatal(err)
			}
			var reads, lookups int
			for _, e := range tn.Emu.Log() {
				if !strings.HasPrefix(e.Path, "/v3/transforms") {
					continue
				}
				q, _ := url.QueryUnescape(e.Query)
				if e.Method != http.MethodGet || e.Path != "/v3/transforms" {
					t.Errorf("request %s %s?%s, want listings only", e.Method, e.Path, q)
				}
				reads++
				if strings.Contains(q, "name sw") {
					lookups++
				}
			}
			if reads != tc.want || lookups != tc.lookups {
				t.Errorf("%d reads of /v3/transforms, %d of them by name; want %d, %d", reads, lookups, tc.want, tc.lookups)
			}
			got := live.Objects[config.KindTransform]
			for _, n := range tc.declared {
				name := fmt.Sprintf("t-%04d", n)
				if o := got[diff.Key{Name: name}]; (n <= tc.tenant) != (o != nil) {
					t.Errorf("%s: read %v", name, o)
				}
			}
			for k, o := range got {
				if v, _ := o.Get("internal"); v != false {
					t.Errorf("%s read with internal %v", k.Name, v)
				}
			}
			if tc.all && len(tc.declared) > 0 && (len(got) != tc.tenant || !live.Listed[config.KindTransform]) {
				t.Errorf("drift read %d transforms (listed %v), want all %d custom ones", len(got), live.Listed[config.KindTransform], tc.tenant)
			}
			if len(tc.declared) == 0 && len(got) != 0 {
				t.Errorf("%d transforms read for a repository that declares none", len(got))
			}
		})
	}
}

// TestTransformDrift: drift reports the tenant's custom transforms the repository does not
// declare as unmanaged, counts them in the coverage, accepts those an unmanaged rule names, and
// never shows SailPoint's internal ones. A transform under another spelling of a declared name
// is the declared one's (a violation at name) unless the tenant also has the declared spelling:
// then it is unmanaged, whichever the listing shows first (it was dropped from the report and
// the coverage), as is a second other spelling.
func TestTransformDrift(t *testing.T) {
	t.Parallel()
	lower := strings.Replace(yamlLowerEmail, "name: Lowercase Email", "name: lowercase email", 1)
	spelling := strings.Replace(seedLowerEmail, `"name":"Lowercase Email"`, `"name":"lowercase email"`, 1)
	spelling = strings.Replace(spelling, lowerEmailID, "0aa0c1d2-e3f4-4a5b-8c6d-7e8f9a0b1c2d", 1)
	shouting := strings.Replace(spelling, `"name":"lowercase email"`, `"name":"LOWERCASE EMAIL"`, 1)
	for _, tc := range []struct {
		name      string
		seed      []string
		declared  string
		settings  string
		action    string // of the declared transform
		unmanaged []string
		accepted  []string
	}{
		{"reported", []string{seedLowerEmail, seedOld, seedToUpper}, yamlLowerEmail, "", "no-change", []string{"Old Transform"}, nil},
		{"accepted by a rule", []string{seedLowerEmail, seedOld, seedToUpper}, yamlLowerEmail,
			"unmanaged:\n  - kind: Transform\n    name: Old *\n    reason: owned by the HR team\n", "no-change", nil, []string{"Old Transform"}},
		{"a rule of another kind", []string{seedLowerEmail, seedOld, seedToUpper}, yamlLowerEmail,
			"unmanaged:\n  - kind: Source\n    name: Old *\n    reason: not a transform\n", "no-change", []string{"Old Transform"}, nil},
		{"another spelling only", []string{seedLowerEmail, seedOld, seedToUpper}, lower, "", "violation", []string{"Old Transform"}, nil},
		{"both spellings, the declared one listed first", []string{spelling, seedToUpper, seedLowerEmail}, lower, "", "no-change", []string{"Lowercase Email"}, nil},
		{"both spellings, the other listed first", []string{seedLowerEmail, seedToUpper, spelling}, lower, "", "no-change", []string{"Lowercase Email"}, nil},
		{"two other spellings: the first listed is the declared one's", []string{seedLowerEmail, seedToUpper, shouting}, lower, "", "violation", []string{"LOWERCASE EMAIL"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tn := transformTenant(t, false, nil, tc.seed...)
			files := map[string]string{"t.yaml": tc.declared}
			if tc.settings != "" {
				files["sailsync.yaml"] = tc.settings
			}
			repo := load(t, tenanttest.WriteDir(t, files))
			p := planOf(t, tn.Client, repo, isync.FetchOptions{AllSources: true}, diff.Options{Drift: true})
			if got := actions(p, config.KindTransform); !slices.Contains(got, tc.action+" "+repo.ObjectsOf(config.KindTransform)[0].Name) {
				t.Errorf("changes %v, want %s of the declared transform", got, tc.action)
			}
			var unmanaged []string
			for _, c := range p.Changes {
				if c.Action == diff.ActionUnmanaged {
					if c.Kind != config.KindTransform {
						t.Errorf("unmanaged %s %q", c.Kind, c.Name)
					}
					unmanaged = append(unmanaged, c.Name)
				}
			}
			if !slices.Equal(unmanaged, tc.unmanaged) {
				t.Errorf("unmanaged %v, want %v", unmanaged, tc.unmanaged)
			}
			if p.Coverage == nil || p.Coverage.Kinds[config.KindTransform] != (diff.Count{Managed: 1, All: 2}) {
				t.Fatalf("coverage %+v, want 1 of 2 transforms", p.Coverage)
			}
			var accepted []string
			for _, a := range p.Coverage.Accepted {
				accepted = append(accepted, a.Name)
			}
			if !slices.Equal(accepted, tc.accepted) {
				t.Errorf("accepted %v, want %v", accepted, tc.accepted)
			}
			if line := diff.CoverageLine(p); !strings.Contains(line, ", 1 of 2 transforms (50 %) managed") {
				t.Errorf("coverage line %q", line)
			}
			for _, c := range p.Changes {
				if c.Name == "ToUpper" {
					t.Errorf("the internal transform is in the drift report: %+v", c)
				}
			}
		})
	}
}

// TestTransformNamedLikeAnInternalOne: SailPoint's own transforms are not the tenant's to change,
// but their names are taken. Declaring one, in its spelling or another, is a violation at name
// whichever way the tenant compares names (never a create it refuses as a duplicate), a
// tombstone of one too (never a delete it refuses), and apply sends nothing; the internal
// transform is never planned, reported or changed otherwise.
func TestTransformNamedLikeAnInternalOne(t *testing.T) {
	t.Parallel()
	const internal = `{"id":"b41d7e09-2a6c-4f35-8d1e-9c7a0f2b5d68","name":"ToUpper","type":"upper","attributes":null,"internal":true}`
	const tombstone = "\nabsent: true\nreason: not ours (CHG-1)\n"
	for _, tc := range []struct {
		name, declared, rest string
		fold                 bool
		rule                 string
	}{
		{"its name", "ToUpper", "\ntype: upper\nattributes: null\n", false, "(internal: true) has this name"},
		{"its name, folding tenant", "ToUpper", "\ntype: upper\nattributes: null\n", true, "(internal: true) has this name"},
		{"another case, exact tenant", "toupper", "\ntype: upper\nattributes: null\n", false, "(internal: true) has this name"},
		{"another case, folding tenant", "toupper", "\ntype: upper\nattributes: null\n", true, "(internal: true) has this name"},
		{"a tombstone of it", "ToUpper", tombstone, false, "(internal: true) cannot be deleted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tn := transformTenant(t, tc.fold, nil, internal, seedLowerEmail)
			repo := load(t, tenanttest.WriteDir(t, map[string]string{"t.yaml": "kind: Transform\nname: " + tc.declared + tc.rest}))
			p := planOf(t, tn.Client, repo, isync.FetchOptions{}, diff.Options{})
			if len(p.Violations) != 1 || p.Violations[0].Path != "name" || p.Violations[0].Line != 2 ||
				!strings.Contains(p.Violations[0].Rule, tc.rule) {
				t.Fatalf("violations %+v, want one at name (t.yaml:2): %q", p.Violations, tc.rule)
			}
			tn.Emu.ResetLog()
			if _, err := isync.Apply(context.Background(), tn.Client, repo, p, isync.ApplyOptions{Env: tenanttest.Env, Deletes: isync.DeletesAllowed}); !errors.Is(err, isync.ErrViolations) || len(tn.Emu.Log()) != 0 {
				t.Errorf("apply: %v, %d requests; want ErrViolations and none", err, len(tn.Emu.Log()))
			}
			drift := planOf(t, tn.Client, repo, isync.FetchOptions{AllSources: true}, diff.Options{Drift: true})
			for _, c := range drift.Changes {
				if c.Action == diff.ActionUnmanaged && c.Name == "ToUpper" {
					t.Errorf("the internal transform is reported as unmanaged: %+v", c)
				}
			}
		})
	}
}
