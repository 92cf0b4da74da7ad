package sync_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/examples"
	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/isc"
	"github.com/sailsync/sailsync/internal/tenanttest"
	"github.com/sailsync/sailsync/internal/value"
	isync "github.com/sailsync/sailsync/sync"
)

// The fault-injection suite: every fault the tenant or the network can throw at an apply, each
// against the emulator over real HTTP behind the OpenAPI contract check. Every case asserts the
// same promises (see faultFixture.verify): no panic, a failure message that names the object
// and carries the tenant's trackingId when there is one, every unaffected object applied, no
// duplicate object, no field of any source lost, and a plain re-run after the fault is gone
// reaching "No changes".

// faultFixture is one emulated tenant with the example repository planned against it.
type faultFixture struct {
	t    *testing.T
	emu  *emulator.Emulator
	c    *isc.Client
	url  string
	tn   *tenanttest.Tenant
	repo *config.Repo
	// ids of the seeded sources by name.
	ids map[string]string

	hookMu gosync.Mutex
	hook   func(r *http.Request) // called before the emulator serves each request

	// inflight counts requests being served. A request the client abandoned (a stall past its
	// timeout) is logged only when its handler notices; checks of the log wait for those.
	inflight gosync.WaitGroup
}

// faultConfig is the client configuration of the suite: retries and backoff short enough that
// a case takes a second or two, timeout as the case needs.
func faultConfig(timeout time.Duration) isc.Config {
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	return isc.Config{MaxRetries: 3, RetryBackoff: time.Millisecond, Timeout: timeout}
}

func newFaultFixture(t *testing.T, timeout time.Duration) *faultFixture {
	t.Helper()
	f := &faultFixture{t: t, ids: map[string]string{}}
	// The hook sits between the contract check and the emulator: it sees requests exactly as
	// the tenant would, and can change the tenant (expire tokens, cancel the apply) while a
	// request is in flight.
	hooked := func(emu *emulator.Emulator) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			f.hookMu.Lock()
			h := f.hook
			f.hookMu.Unlock()
			f.inflight.Add(1)
			defer f.inflight.Done()
			if h != nil {
				h(r)
			}
			emu.ServeHTTP(w, r)
		})
	}
	f.tn = tenanttest.Start(t, tenanttest.Options{Emulator: emulator.Options{Seed: examples.AcmeTenant}, Handler: hooked, Client: faultConfig(timeout)})
	emu := f.tn.Emu
	f.emu, f.url, f.c = emu, f.tn.URL, f.tn.Client
	f.repo = load(t, "../examples/acme")
	for _, s := range emu.Sources() {
		f.ids[s.String("name")] = s.String("id")
	}
	return f
}

func (f *faultFixture) setHook(h func(r *http.Request)) {
	f.hookMu.Lock()
	defer f.hookMu.Unlock()
	f.hook = h
}

func (f *faultFixture) plan() *diff.Plan {
	f.t.Helper()
	live, err := isync.Fetch(context.Background(), f.c, f.repo, isync.FetchOptions{})
	if err != nil {
		f.t.Fatalf("fetch: %v", err)
	}
	p, err := diff.Compute(f.repo, live, diff.Options{Env: tenanttest.Env})
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

// logged returns the log entries whose method is method and whose path matches pathRE.
func (f *faultFixture) logged(method, pathRE string) []emulator.LogEntry {
	f.inflight.Wait()
	re := regexp.MustCompile(pathRE)
	var out []emulator.LogEntry
	for _, e := range f.emu.Log() {
		if e.Method == method && re.MatchString(e.Path) {
			out = append(out, e)
		}
	}
	return out
}

// processed counts the requests the tenant carried out (2xx), whatever the client then saw. A
// 200 that a fault answered in the tenant's place (malformed JSON, wrong content type) carried
// nothing out.
func processed(entries []emulator.LogEntry) int {
	n := 0
	for _, e := range entries {
		answeredByFault := e.Fault == emulator.FaultMalformedJSON.String() || e.Fault == emulator.FaultWrongContentType.String()
		if e.Status >= 200 && e.Status < 300 && !answeredByFault {
			n++
		}
	}
	return n
}

func resultKey(r isync.Result) string { return string(r.Kind) + "/" + r.Source + "/" + r.Name }

// verify checks the promises every fault case shares, given the sources as they were before the
// apply and the report.
func (f *faultFixture) verify(before []*value.Object, p *diff.Plan, rep *isync.Report) {
	t := f.t
	t.Helper()
	if len(rep.Results) != changed(p) {
		t.Errorf("report has %d results, the plan %d changes: every planned object must be reported", len(rep.Results), changed(p))
	}
	for _, r := range rep.Results {
		if r.Status == isync.StatusDone {
			continue
		}
		if r.Message == "" {
			t.Errorf("%s: %s without a message", resultKey(r), r.Status)
			continue
		}
		// A failure message names the object on its own (it is also the error text); a skip
		// names the dependency and a cancel says why, next to the object in the report line.
		if r.Status == isync.StatusFailed && !strings.Contains(r.Message, r.Name) {
			t.Errorf("%s: message %q does not name the object", resultKey(r), r.Message)
		}
		if r.TrackingID != "" && !strings.Contains(r.Message, r.TrackingID) {
			t.Errorf("%s: message %q does not carry the trackingId %s", resultKey(r), r.Message, r.TrackingID)
		}
		if strings.Contains(r.Message, "Bearer") || strings.Contains(r.Message, f.emu.ClientSecret()) {
			t.Errorf("%s: message %q carries a credential", resultKey(r), r.Message)
		}
	}
	f.noDuplicates()
	f.noFieldLost(before)
}

// noDuplicates: every source and connector name exists once in the tenant.
func (f *faultFixture) noDuplicates() {
	f.t.Helper()
	count := map[string]int{}
	for _, s := range f.emu.Sources() {
		count["source "+s.String("name")]++
	}
	for _, c := range f.emu.Connectors() {
		count["connector "+c.String("name")]++
	}
	for what, n := range count {
		if n > 1 {
			f.t.Errorf("%s exists %d times in the tenant", what, n)
		}
	}
	// The emulator refuses duplicate names like the tenant does, so also prove that no create
	// was carried out twice: one processed POST per created object at most.
	if n := processed(f.logged("POST", `^/v3/sources$`)); n > 1 {
		f.t.Errorf("the tenant carried out %d source creates; the plan creates one source", n)
	}
	if n := processed(f.logged("POST", `^/v3/connectors$`)); n > 1 {
		f.t.Errorf("the tenant carried out %d connector creates; the plan creates one connector", n)
	}
}

// noFieldLost compares every source that existed before with the tenant's copy now: every
// field is still there, and every field the repository does not declare (top level, and key by
// key inside connectorAttributes) is byte for byte the same. Only modified may change freely.
func (f *faultFixture) noFieldLost(before []*value.Object) {
	t := f.t
	t.Helper()
	now := map[string]*value.Object{}
	for _, s := range f.emu.Sources() {
		now[s.String("id")] = s
	}
	for _, b := range before {
		name := b.String("name")
		a, ok := now[b.String("id")]
		if !ok {
			t.Errorf("source %q is gone", name)
			continue
		}
		declared := value.NewObject()
		if src := f.repo.Source(name); src != nil {
			declared = src.Fields
		}
		sameExcept(t, "source "+name, b, a, declared, true)
	}
}

// sameExcept reports fields of before that are missing from after, and undeclared fields whose
// value changed. With top set, connectorAttributes is compared key by key.
func sameExcept(t *testing.T, what string, before, after, declared *value.Object, top bool) {
	t.Helper()
	for _, k := range before.Keys() {
		if top && k == "modified" {
			continue
		}
		bv, _ := before.Get(k)
		av, ok := after.Get(k)
		if !ok {
			t.Errorf("%s: field %s was lost", what, k)
			continue
		}
		dv, isDeclared := declared.Get(k)
		if top && k == "connectorAttributes" {
			battrs, _ := bv.(*value.Object)
			aattrs, _ := av.(*value.Object)
			dattrs, _ := dv.(*value.Object)
			if battrs == nil || aattrs == nil {
				t.Errorf("%s: connectorAttributes is no longer an object", what)
				continue
			}
			if dattrs == nil {
				dattrs = value.NewObject()
			}
			sameExcept(t, what+" connectorAttributes", battrs, aattrs, dattrs, false)
			continue
		}
		if isDeclared {
			continue
		}
		bj, _ := json.Marshal(bv)
		aj, _ := json.Marshal(av)
		if string(bj) != string(aj) {
			t.Errorf("%s: undeclared field %s changed from %s to %s", what, k, bj, aj)
		}
	}
}

// rerun clears the faults, plans and applies again, and requires the apply to finish the job
// and the next plan to show no changes.
func (f *faultFixture) rerun(before []*value.Object) {
	t := f.t
	t.Helper()
	f.emu.ClearFaults()
	f.setHook(nil)
	p := f.plan()
	rep, err := isync.Apply(context.Background(), f.c, f.repo, p, isync.ApplyOptions{Env: tenanttest.Env})
	if err != nil {
		t.Fatalf("re-run: %v", err)
	}
	if !rep.OK() {
		t.Fatalf("re-run after the fault was cleared not OK: %+v", rep.Results)
	}
	if n := changed(f.plan()); n != 0 {
		t.Fatalf("after the re-run the plan has %d changes, want No changes", n)
	}
	f.noDuplicates()
	f.noFieldLost(before)
}

// The keys of the example plan's objects.
const (
	keyConnector = "Connector//Acme HR"
	keyHRCloud   = "Source//Acme HR Cloud"
	keyAD        = "Source//Corporate Directory"
	keyRole      = "EntitlementSchema/Acme HR Cloud/role"
	keyGroup     = "EntitlementSchema/Corporate Directory/group"
	keyJar       = "ConnectorFile/HR Database/ojdbc8.jar"
)

type faultCase struct {
	name        string
	timeout     time.Duration // client timeout per attempt; 0 = 10 s
	parallelism int
	// setup injects the fault once the plan has been made (ids: the seeded sources by name).
	setup func(f *faultFixture)
	// want lists the objects that do not end done; every other planned object must be done.
	want map[string]isync.Status
	// wantHTTP is the status the failed objects must report.
	wantHTTP map[string]int
	// wantTracking lists failed objects whose error body carried a trackingId.
	wantTracking []string
	// wantMessage holds a part of the message of failed objects (what went wrong, in words).
	wantMessage map[string]string
	// check makes case-specific assertions on the tenant's request log.
	check func(t *testing.T, f *faultFixture, started time.Time)
}

func TestFaults(t *testing.T) {
	t.Parallel()
	var retryDate time.Time
	cases := []faultCase{
		{
			name: "429 storm, Retry-After in seconds", parallelism: 1,
			setup: func(f *faultFixture) {
				f.emu.AddFault(emulator.Fault{Kind: emulator.FaultRateLimit, RetryAfter: "1", Times: 3})
			},
			check: func(t *testing.T, f *faultFixture, _ time.Time) {
				// One request at a time: after each 429 the next request waits the second out.
				f.inflight.Wait()
				log := f.emu.Log()
				limited := 0
				for i, e := range log {
					if e.Status != http.StatusTooManyRequests {
						continue
					}
					limited++
					if i+1 < len(log) && log[i+1].Time.Sub(e.Time) < time.Second {
						t.Errorf("request %d (%s %s) came %s after a 429 with Retry-After: 1", i+1, log[i+1].Method, log[i+1].Path, log[i+1].Time.Sub(e.Time))
					}
				}
				if limited != 3 {
					t.Errorf("%d rate-limited answers, want the 3 injected", limited)
				}
				if st := f.c.Stats(); st.RateLimited != 3 {
					t.Errorf("client counted %d 429s, want 3", st.RateLimited)
				}
			},
		},
		{
			name: "429 storm, Retry-After as an HTTP date", parallelism: 1,
			setup: func(f *faultFixture) {
				retryDate = time.Now().Add(2 * time.Second).UTC().Truncate(time.Second)
				f.emu.AddFault(emulator.Fault{Kind: emulator.FaultRateLimit, RetryAfter: retryDate.Format(http.TimeFormat), Times: 5})
			},
			check: func(t *testing.T, f *faultFixture, _ time.Time) {
				f.inflight.Wait()
				log := f.emu.Log()
				first := -1
				for i, e := range log {
					if e.Status == http.StatusTooManyRequests {
						first = i
						break
					}
				}
				if first < 0 {
					t.Fatal("no 429 was served")
				}
				for _, e := range log[first+1:] {
					if e.Status != http.StatusTooManyRequests && e.Time.Before(retryDate) {
						t.Errorf("%s %s sent at %s, before the Retry-After date %s", e.Method, e.Path, e.Time.Format(time.StampMilli), retryDate.Format(time.StampMilli))
					}
				}
			},
		},
		{
			name: "429 storm on every request in flight and the token endpoint",
			setup: func(f *faultFixture) {
				// The token expires too, so the storm also meets the token request.
				f.emu.ExpireTokens()
				f.emu.AddFault(emulator.Fault{Path: "^/oauth/token$", Kind: emulator.FaultRateLimit, RetryAfter: "1", Times: 2})
				f.emu.AddFault(emulator.Fault{Kind: emulator.FaultRateLimit, RetryAfter: "1", Times: 8})
			},
			check: func(t *testing.T, f *faultFixture, _ time.Time) {
				tokens429 := 0
				for _, e := range f.logged("POST", "^/oauth/token$") {
					if e.Status == http.StatusTooManyRequests {
						tokens429++
					}
				}
				if tokens429 != 2 {
					t.Errorf("%d token requests rate-limited, want the 2 injected", tokens429)
				}
				if st := f.c.Stats(); st.RateLimited < 10 {
					t.Errorf("client counted %d 429s, want at least the 10 injected", st.RateLimited)
				}
			},
		},
		{
			name: "500 on one source, permanent",
			setup: func(f *faultFixture) {
				f.emu.AddFault(emulator.Fault{Method: "PUT", Path: "^/v3/sources/" + f.ids["Corporate Directory"] + "$", Kind: emulator.FaultStatus, Status: 500})
			},
			want:         map[string]isync.Status{keyAD: isync.StatusFailed, keyGroup: isync.StatusSkipped},
			wantHTTP:     map[string]int{keyAD: 500},
			wantTracking: []string{keyAD},
			wantMessage:  map[string]string{keyAD: "giving up after 4 attempts", keyGroup: `depends on Source "Corporate Directory", which was failed`},
		},
		{
			name: "500 on one source, intermittent",
			setup: func(f *faultFixture) {
				f.emu.AddFault(emulator.Fault{Method: "PUT", Path: "^/v3/sources/" + f.ids["Corporate Directory"] + "$", Kind: emulator.FaultStatus, Status: 500, Times: 2})
			},
			check: func(t *testing.T, f *faultFixture, _ time.Time) {
				puts := f.logged("PUT", "^/v3/sources/"+f.ids["Corporate Directory"]+"$")
				if len(puts) != 3 || processed(puts) != 1 {
					t.Errorf("PUTs %+v, want two 500s and one carried out", puts)
				}
			},
		},
		{
			name: "502 on the source create, intermittent",
			setup: func(f *faultFixture) {
				f.emu.AddFault(emulator.Fault{Method: "POST", Path: "^/v3/sources$", Kind: emulator.FaultStatus, Status: 502, Times: 2})
			},
			check: func(t *testing.T, f *faultFixture, _ time.Time) {
				// Each 502 is ambiguous for a create: the source is looked up before any retry.
				if n := len(f.logged("GET", "^/v3/sources$")); n < 2 {
					t.Errorf("%d source lookups, want one after each 502", n)
				}
				if n := processed(f.logged("POST", "^/v3/sources$")); n != 1 {
					t.Errorf("%d source creates carried out, want 1", n)
				}
			},
		},
		{
			name: "503 on a connector file upload, permanent",
			setup: func(f *faultFixture) {
				f.emu.AddFault(emulator.Fault{Method: "POST", Path: "^/v3/sources/" + f.ids["HR Database"] + "/upload-connector-file$", Kind: emulator.FaultStatus, Status: 503})
			},
			want:         map[string]isync.Status{keyJar: isync.StatusFailed},
			wantHTTP:     map[string]int{keyJar: 503},
			wantTracking: []string{keyJar},
			wantMessage:  map[string]string{keyJar: `of source "HR Database"`},
		},
		{
			name: "504 on the connector create, permanent",
			setup: func(f *faultFixture) {
				f.emu.AddFault(emulator.Fault{Method: "POST", Path: "^/v3/connectors$", Kind: emulator.FaultStatus, Status: 504})
			},
			want:         map[string]isync.Status{keyConnector: isync.StatusFailed, keyHRCloud: isync.StatusSkipped, keyRole: isync.StatusSkipped},
			wantHTTP:     map[string]int{keyConnector: 504},
			wantTracking: []string{keyConnector},
			wantMessage:  map[string]string{keyConnector: "504", keyHRCloud: `depends on Connector "Acme HR"`},
			check: func(t *testing.T, f *faultFixture, _ time.Time) {
				if n := len(f.logged("POST", "^/v3/sources$")); n != 0 {
					t.Errorf("%d source creates sent although their connector failed", n)
				}
			},
		},
		{
			name: "connection reset after the source create was carried out",
			setup: func(f *faultFixture) {
				f.emu.AddFault(emulator.Fault{Method: "POST", Path: "^/v3/sources$", Kind: emulator.FaultResetAfter, Times: 1})
			},
			check: func(t *testing.T, f *faultFixture, _ time.Time) {
				posts := f.logged("POST", "^/v3/sources$")
				if len(posts) != 1 || posts[0].Fault != "reset-after" {
					t.Errorf("source POSTs %+v, want only the one that was reset (no blind repeat)", posts)
				}
				// The role upload went to the source found by the lookup.
				if len(f.emu.Schemas("Acme HR Cloud")) == 0 {
					t.Error("the created source's schema was not uploaded")
				}
			},
		},
		{
			name: "connection reset after the connector create was carried out",
			setup: func(f *faultFixture) {
				f.emu.AddFault(emulator.Fault{Method: "POST", Path: "^/v3/connectors$", Kind: emulator.FaultResetAfter, Times: 1})
			},
			check: func(t *testing.T, f *faultFixture, _ time.Time) {
				if posts := f.logged("POST", "^/v3/connectors$"); len(posts) != 1 {
					t.Errorf("connector POSTs %+v, want only the one that was reset", posts)
				}
				if len(f.logged("GET", "^/v3/connectors/acme-hr$")) == 0 {
					t.Error("the connector was not looked up after the reset")
				}
				src, ok := f.emu.SourceByName("Acme HR Cloud")
				if !ok || src.String("connector") != "acme-hr" {
					t.Errorf("Acme HR Cloud was not created with the found connector's scriptName: %v", src)
				}
			},
		},
		{
			name: "connection reset after a PUT was carried out",
			setup: func(f *faultFixture) {
				f.emu.AddFault(emulator.Fault{Method: "PUT", Path: "^/v3/sources/", Kind: emulator.FaultResetAfter, Times: 1})
			},
		},
		{
			name: "connection reset before an upload was read",
			setup: func(f *faultFixture) {
				f.emu.AddFault(emulator.Fault{Method: "POST", Path: "/schemas/entitlements$", Kind: emulator.FaultReset, Times: 1})
			},
		},
		{
			name: "source create stalled past the client timeout", timeout: 500 * time.Millisecond,
			setup: func(f *faultFixture) {
				f.emu.AddFault(emulator.Fault{Method: "POST", Path: "^/v3/sources$", Kind: emulator.FaultStall, Stall: 5 * time.Second, Times: 1})
			},
			check: func(t *testing.T, f *faultFixture, _ time.Time) {
				posts := f.logged("POST", "^/v3/sources$")
				if len(posts) != 2 || processed(posts) != 1 {
					t.Errorf("source POSTs %+v, want the abandoned one and one retry after the lookup", posts)
				}
			},
		},
		{
			name: "PUT stalled past the client timeout, every time", timeout: 500 * time.Millisecond,
			setup: func(f *faultFixture) {
				f.emu.AddFault(emulator.Fault{Method: "PUT", Path: "^/v3/sources/" + f.ids["Corporate Directory"] + "$", Kind: emulator.FaultStall, Stall: 5 * time.Second})
			},
			want:        map[string]isync.Status{keyAD: isync.StatusFailed, keyGroup: isync.StatusSkipped},
			wantMessage: map[string]string{keyAD: "no answer within 500ms"},
		},
		{
			name: "token expires in the middle of the apply",
			setup: func(f *faultFixture) {
				var once gosync.Once
				f.setHook(func(r *http.Request) {
					if r.Method == "POST" && r.URL.Path == "/v3/sources" {
						once.Do(f.emu.ExpireTokens)
					}
				})
			},
			check: func(t *testing.T, f *faultFixture, started time.Time) {
				posts := f.logged("POST", "^/v3/sources$")
				if len(posts) != 2 || posts[0].Status != http.StatusUnauthorized || processed(posts) != 1 {
					t.Errorf("source POSTs %+v, want a 401 and one create with a fresh token", posts)
				}
				fresh := 0
				for _, e := range f.logged("POST", "^/oauth/token$") {
					if e.Time.After(started) && e.Status == http.StatusOK {
						fresh++
					}
				}
				if fresh != 1 {
					t.Errorf("%d new tokens during the apply, want 1 (concurrent 401s share one refresh)", fresh)
				}
			},
		},
		{
			name: "malformed JSON answer to a fresh read, once",
			setup: func(f *faultFixture) {
				f.emu.AddFault(emulator.Fault{Method: "GET", Path: "^/v3/sources/" + f.ids["Corporate Directory"] + "$", Kind: emulator.FaultMalformedJSON, Times: 1})
			},
		},
		{
			name: "malformed JSON answer to the connector create, every time",
			setup: func(f *faultFixture) {
				f.emu.AddFault(emulator.Fault{Method: "POST", Path: "^/v3/connectors$", Kind: emulator.FaultMalformedJSON})
			},
			want:        map[string]isync.Status{keyConnector: isync.StatusFailed, keyHRCloud: isync.StatusSkipped, keyRole: isync.StatusSkipped},
			wantMessage: map[string]string{keyConnector: "malformed 200 response body"},
		},
		{
			name: "HTML error page from a proxy, every time",
			setup: func(f *faultFixture) {
				f.emu.AddFault(emulator.Fault{Method: "PUT", Path: "^/v3/sources/" + f.ids["Corporate Directory"] + "$", Kind: emulator.FaultHTMLPage, Status: 502})
			},
			want:        map[string]isync.Status{keyAD: isync.StatusFailed, keyGroup: isync.StatusSkipped},
			wantHTTP:    map[string]int{keyAD: 502},
			wantMessage: map[string]string{keyAD: "502 Bad Gateway"},
		},
		{
			name: "unexpected content type, intermittent",
			setup: func(f *faultFixture) {
				f.emu.AddFault(emulator.Fault{Method: "POST", Path: "/upload-connector-file$", Kind: emulator.FaultWrongContentType, Times: 2})
			},
		},
		{
			name: "unexpected content type, every time",
			setup: func(f *faultFixture) {
				f.emu.AddFault(emulator.Fault{Method: "POST", Path: "^/v3/sources/" + f.ids["Corporate Directory"] + "/schemas/entitlements$", Kind: emulator.FaultWrongContentType})
			},
			want:        map[string]isync.Status{keyGroup: isync.StatusFailed},
			wantMessage: map[string]string{keyGroup: `content type "text/plain" instead of JSON`},
		},
		{
			name: "truncated answer to the source create",
			setup: func(f *faultFixture) {
				f.emu.AddFault(emulator.Fault{Method: "POST", Path: "^/v3/sources$", Kind: emulator.FaultTruncated, Times: 1})
			},
			check: func(t *testing.T, f *faultFixture, _ time.Time) {
				if posts := f.logged("POST", "^/v3/sources$"); len(posts) != 1 {
					t.Errorf("source POSTs %+v, want only the truncated one (it had been carried out)", posts)
				}
			},
		},
		{
			name: "truncated answer to a PUT, every time",
			setup: func(f *faultFixture) {
				f.emu.AddFault(emulator.Fault{Method: "PUT", Path: "^/v3/sources/" + f.ids["Corporate Directory"] + "$", Kind: emulator.FaultTruncated})
			},
			want:        map[string]isync.Status{keyAD: isync.StatusFailed, keyGroup: isync.StatusSkipped},
			wantMessage: map[string]string{keyAD: "reading 200 response"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFaultFixture(t, tc.timeout)
			p := f.plan()
			before := f.emu.Sources()
			tc.setup(f)
			f.emu.ResetLog()
			started := time.Now()
			rep, err := isync.Apply(context.Background(), f.c, f.repo, p, isync.ApplyOptions{Env: tenanttest.Env, Parallelism: tc.parallelism})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rep.Results {
				k := resultKey(r)
				if r.Status != isync.StatusDone {
					t.Logf("%s %s: %s", r.Status, k, r.Message)
				}
				want, listed := tc.want[k]
				if !listed {
					want = isync.StatusDone
				}
				if r.Status != want {
					t.Errorf("%s: %s (%s), want %s", k, r.Status, r.Message, want)
				}
				if st, ok := tc.wantHTTP[k]; ok && r.HTTPStatus != st {
					t.Errorf("%s: HTTP status %d, want %d", k, r.HTTPStatus, st)
				}
				if m, ok := tc.wantMessage[k]; ok && !strings.Contains(r.Message, m) {
					t.Errorf("%s: message %q, want it to say %q", k, r.Message, m)
				}
			}
			for _, k := range tc.wantTracking {
				for _, r := range rep.Results {
					if resultKey(r) == k && r.TrackingID == "" {
						t.Errorf("%s: no trackingId although the tenant's error body had one: %q", k, r.Message)
					}
				}
			}
			f.verify(before, p, rep)
			if tc.check != nil {
				tc.check(t, f, started)
			}
			f.rerun(before)
		})
	}
}

// TestFaultListShiftsWhilePaging: a source is created in the tenant between the first and the
// second page of the listing, and it sorts first, so every later object moves one place down.
// The listing must notice (the total changed), start over and see the new source: otherwise the
// plan would show it as missing and apply would try to create it a second time.
func TestFaultListShiftsWhilePaging(t *testing.T) {
	t.Parallel()
	var once gosync.Once
	shifting := func(emu *emulator.Emulator) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == "GET" && r.URL.Path == "/v3/sources" && r.URL.Query().Get("filters") == "" {
				q := r.URL.Query()
				// A tenant whose default order is by name, so that a new object can land on a page
				// already read.
				q.Set("sorters", "name")
				r.URL.RawQuery = q.Encode()
				if q.Get("offset") == "250" {
					once.Do(func() {
						if _, err := emu.AddSource(tenanttest.LiveSource("aaa-late", "created in the UI while the plan was reading")); err != nil {
							t.Error(err)
						}
					})
				}
			}
			emu.ServeHTTP(w, r)
		})
	}
	tn := tenanttest.Start(t, tenanttest.Options{Handler: shifting, Client: faultConfig(0)})
	seedSources(t, tn.Emu, "src", 300)
	emu, c := tn.Emu, tn.Client

	var b strings.Builder
	fmt.Fprintf(&b, "kind: Source\nname: aaa-late\ndescription: declared\nowner: %s\nconnector: delimited-file\n", owner)
	for i := 1; i <= 300; i++ {
		fmt.Fprintf(&b, "---\nkind: Source\nname: src-%04d\ndescription: seeded\nowner: %s\nconnector: delimited-file\n", i, owner)
	}
	repo := load(t, tenanttest.WriteDir(t, map[string]string{"sources.yaml": b.String()}))

	live, err := isync.Fetch(context.Background(), c, repo, isync.FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(live.Objects[config.KindSource]) != 301 {
		t.Errorf("fetched %d sources, want all 301", len(live.Objects[config.KindSource]))
	}
	firstPages := 0
	for _, e := range emu.Log() {
		if e.Method == "GET" && e.Path == "/v3/sources" && strings.Contains(e.Query, "offset=0") {
			firstPages++
		}
	}
	if firstPages != 2 {
		t.Errorf("the listing read the first page %d times, want it started over once after the total changed", firstPages)
	}
	p, err := diff.Compute(repo, live, diff.Options{Env: tenanttest.Env})
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range p.Changes {
		want := diff.ActionNoChange
		if ch.Name == "aaa-late" {
			want = diff.ActionUpdate
		}
		if ch.Action != want {
			t.Errorf("%s %q: %s, want %s", ch.Kind, ch.Name, ch.Action, want)
		}
	}
	before, _ := emu.SourceByName("aaa-late")
	emu.ResetLog()
	rep, err := isync.Apply(context.Background(), c, repo, p, isync.ApplyOptions{Env: tenanttest.Env})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("apply not OK: %+v", rep.Results)
	}
	if posts := filterLog(emu.Log(), "POST"); len(posts) != 0 {
		t.Errorf("apply sent creates: %+v", posts)
	}
	n := 0
	for _, s := range emu.Sources() {
		if s.String("name") == "aaa-late" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("aaa-late exists %d times", n)
	}
	after, _ := emu.SourceByName("aaa-late")
	sameExcept(t, "source aaa-late", before, after, repo.Source("aaa-late").Fields, true)
	live, err = isync.Fetch(context.Background(), c, repo, isync.FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	again, err := diff.Compute(repo, live, diff.Options{Env: tenanttest.Env})
	if err != nil {
		t.Fatal(err)
	}
	if n := changed(again); n != 0 {
		t.Errorf("plan after apply has %d changes, want No changes", n)
	}
}

// filterLog returns the entries of log with method (the token request excluded).
func filterLog(log []emulator.LogEntry, method string) []emulator.LogEntry {
	var out []emulator.LogEntry
	for _, e := range log {
		if e.Method == method && e.Path != "/oauth/token" {
			out = append(out, e)
		}
	}
	return out
}

// TestFaultInterruptMidApply: Ctrl-C arrives while the PUT of Corporate Directory is in flight.
// That PUT finishes (no half-written request), nothing new starts, the report lists every
// planned object, and a plain re-run finishes the job.
func TestFaultInterruptMidApply(t *testing.T) {
	t.Parallel()
	f := newFaultFixture(t, 0)
	p := f.plan()
	before := f.emu.Sources()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	adPath := "/v3/sources/" + f.ids["Corporate Directory"]
	f.setHook(func(r *http.Request) {
		if r.Method == "PUT" && r.URL.Path == adPath {
			cancel()
		}
	})
	f.emu.ResetLog()
	rep, err := isync.Apply(ctx, f.c, f.repo, p, isync.ApplyOptions{Env: tenanttest.Env})
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]isync.Status{}
	for _, r := range rep.Results {
		status[resultKey(r)] = r.Status
		switch r.Status {
		case isync.StatusDone, isync.StatusCancelled:
		case isync.StatusSkipped:
			if !strings.Contains(r.Message, "cancelled") {
				t.Errorf("%s skipped for another reason than an interrupted dependency: %s", resultKey(r), r.Message)
			}
		default:
			t.Errorf("%s: %s (%s) after an interrupt", resultKey(r), r.Status, r.Message)
		}
	}
	if status[keyAD] != isync.StatusDone {
		t.Errorf("the PUT in flight at the interrupt: %s, want done (let finish)", status[keyAD])
	}
	if ad, _ := f.emu.SourceByName("Corporate Directory"); ad.String("description") != f.repo.Source("Corporate Directory").Fields.String("description") {
		t.Errorf("the PUT in flight at the interrupt was not carried out: description %q", ad.String("description"))
	}
	if status[keyGroup] != isync.StatusCancelled {
		t.Errorf("the upload that depends on the interrupted source: %s, want cancelled (not started after Ctrl-C)", status[keyGroup])
	}
	// No write was cut off, and each write belongs to an object reported done.
	f.inflight.Wait()
	writes := 0
	for _, e := range f.emu.Log() {
		if e.Method == "GET" || e.Path == "/oauth/token" {
			continue
		}
		if e.Path != "/v3/connectors" && strings.HasPrefix(e.Path, "/v3/connectors/") {
			// A connector's bundle requests belong to its create: one object, one write.
			if e.Status < 200 || e.Status > 299 {
				t.Errorf("%s %s ended %d after the interrupt: a write must finish", e.Method, e.Path, e.Status)
			}
			continue
		}
		writes++
		if e.Status < 200 || e.Status > 299 {
			t.Errorf("%s %s ended %d after the interrupt: a write must finish", e.Method, e.Path, e.Status)
		}
	}
	if done := rep.Count(isync.StatusDone); writes != done {
		t.Errorf("%d writes reached the tenant, %d objects reported done", writes, done)
	}
	f.verify(before, p, rep)
	f.rerun(before)
}

// TestFaultInterruptStopsRetries: Ctrl-C arrives while a PUT is in flight, and the tenant
// answers that PUT with an error that would normally be retried (a 500, a 429 asking for a long
// wait). The attempt in flight finishes, but no further attempt is made and no wait is sat out:
// a retry is a new request, and after Ctrl-C none starts.
func TestFaultInterruptStopsRetries(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		fault emulator.Fault
	}{
		{"500", emulator.Fault{Kind: emulator.FaultStatus, Status: 500}},
		{"429 with a long Retry-After", emulator.Fault{Kind: emulator.FaultRateLimit, RetryAfter: "300"}},
		{"reset after a create was carried out", emulator.Fault{Kind: emulator.FaultResetAfter}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFaultFixture(t, 0)
			p := f.plan()
			before := f.emu.Sources()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			method, path := "PUT", "/v3/sources/"+f.ids["Corporate Directory"]
			key := keyAD
			if tc.fault.Kind == emulator.FaultResetAfter {
				method, path, key = "POST", "/v3/connectors", keyConnector
			}
			fault := tc.fault
			fault.Method, fault.Path = method, "^"+path+"$"
			f.emu.AddFault(fault)
			f.setHook(func(r *http.Request) {
				if r.Method == method && r.URL.Path == path {
					cancel()
				}
			})
			f.emu.ResetLog()
			rep, err := isync.Apply(ctx, f.c, f.repo, p, isync.ApplyOptions{Env: tenanttest.Env})
			if err != nil {
				t.Fatal(err)
			}
			if n := len(f.logged(method, "^"+path+"$")); n != 1 {
				t.Errorf("%d %s requests, want only the one in flight at the interrupt", n, method)
			}
			for _, r := range rep.Results {
				if resultKey(r) != key {
					continue
				}
				if r.Status != isync.StatusCancelled || !strings.Contains(r.Message, "interrupted") {
					t.Errorf("%s: %s (%s), want cancelled, saying it was interrupted", key, r.Status, r.Message)
				}
				if tc.fault.Kind == emulator.FaultStatus && (r.HTTPStatus != 500 || r.TrackingID == "") {
					t.Errorf("%s: status %d, trackingId %q: the tenant's answer must stay in the report", key, r.HTTPStatus, r.TrackingID)
				}
			}
			f.verify(before, p, rep)
			// The interrupted process would exit here; the re-run is a new process, without the
			// 429 pause this client still honours.
			f.c = f.tn.NewClient(t, faultConfig(0))
			f.rerun(before)
		})
	}
}
