package isc_test

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sailsync/sailsync/examples"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/isc"
	"github.com/sailsync/sailsync/internal/tenanttest"
	"github.com/sailsync/sailsync/internal/value"
)

// env is an emulated tenant behind the contract middleware, over real HTTP.
type env struct {
	emu *emulator.Emulator
	srv *httptest.Server
	// before and after run around each request the emulator serves (test hooks: observe
	// bearer tokens, change the tenant between pages).
	mu     sync.Mutex
	before func(r *http.Request)
	after  func(r *http.Request)
	// arrived lists "METHOD path" of every request as it arrives. The emulator's log is written
	// when a request finishes, which for a reset connection can be after the client has moved
	// on; attempt counts come from here.
	arrived []string
}

func newEnv(t *testing.T, opts emulator.Options) *env {
	t.Helper()
	if opts.Seed == nil {
		opts.Seed = examples.AcmeTenant
	}
	e := &env{}
	hooked := func(emu *emulator.Emulator) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			e.mu.Lock()
			before, after := e.before, e.after
			e.arrived = append(e.arrived, r.Method+" "+r.URL.Path)
			e.mu.Unlock()
			if before != nil {
				before(r)
			}
			emu.ServeHTTP(w, r)
			if after != nil {
				after(r)
			}
		})
	}
	tn := tenanttest.Start(t, tenanttest.Options{Emulator: opts, Handler: hooked})
	e.emu, e.srv = tn.Emu, tn.Server
	return e
}

// testClock replaces the client's clock and sleep: a wait is recorded and advances the clock
// instead of passing, so tests observe waits without timing them.
type testClock struct {
	mu     sync.Mutex
	offset time.Duration
	sleeps []time.Duration
}

func (k *testClock) now() time.Time {
	k.mu.Lock()
	defer k.mu.Unlock()
	return time.Now().Add(k.offset)
}

func (k *testClock) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.sleeps = append(k.sleeps, d)
	if d > 0 {
		k.offset += d
	}
	return nil
}

func (k *testClock) advance(d time.Duration) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.offset += d
}

func (k *testClock) waits() []time.Duration {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]time.Duration(nil), k.sleeps...)
}

func (e *env) config() isc.Config {
	return isc.Config{
		BaseURL:      e.srv.URL,
		ClientID:     e.emu.ClientID(),
		ClientSecret: e.emu.ClientSecret(),
		RatePer10s:   1e6, // tests that are not about the limiter should not wait for it
		HTTPClient:   e.srv.Client(),
		Timeout:      2 * time.Second,
		MaxRetries:   3,
	}
}

func (e *env) client(t *testing.T, mod ...func(*isc.Config)) (*isc.Client, *testClock) {
	t.Helper()
	cfg := e.config()
	for _, m := range mod {
		m(&cfg)
	}
	c, err := isc.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{}
	isc.SetTestHooks(c, clock.now, clock.sleep)
	return c, clock
}

// attempts counts the requests for method and path that reached the tenant.
func (e *env) attempts(method, path string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, a := range e.arrived {
		if a == method+" "+path {
			n++
		}
	}
	return n
}

// reset empties the emulator's log and the arrivals.
func (e *env) reset() {
	e.emu.ResetLog()
	e.mu.Lock()
	e.arrived = nil
	e.mu.Unlock()
}

// requests returns the log entries for method and a path matching prefix exactly.
func (e *env) requests(method, path string) []emulator.LogEntry {
	var out []emulator.LogEntry
	for _, l := range e.emu.Log() {
		if l.Method == method && l.Path == path {
			out = append(out, l)
		}
	}
	return out
}

func statuses(entries []emulator.LogEntry) []int {
	out := make([]int, len(entries))
	for i, l := range entries {
		out[i] = l.Status
	}
	return out
}

func newSource(t *testing.T, name string) *value.Object {
	t.Helper()
	var o value.Object
	body := fmt.Sprintf(`{"name":%q,"description":"test source","owner":{"type":"IDENTITY","id":"2c91808568c529c60168cca6f90c1313","name":"Amelia Ortiz"},`+
		`"connector":"delimited-file","connectorAttributes":{"delimiter":",","password":"plain-text-password-123"}}`, name)
	if err := o.UnmarshalJSON([]byte(body)); err != nil {
		t.Fatal(err)
	}
	return &o
}

func anySource(t *testing.T, e *env) *value.Object {
	t.Helper()
	all := e.emu.Sources()
	if len(all) == 0 {
		t.Fatal("seed has no sources")
	}
	return all[0]
}

func TestListSourcesPagesUntilShortPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, emulator.Options{})
	for i := range 560 {
		if _, err := e.emu.AddSource(newSource(t, fmt.Sprintf("Bulk %04d", i))); err != nil {
			t.Fatal(err)
		}
	}
	c, _ := e.client(t)
	got, err := c.ListSources(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	want := e.emu.Sources()
	if len(got) != len(want) || len(want) != 565 {
		t.Fatalf("listed %d sources, the tenant has %d (want 565)", len(got), len(want))
	}
	for i := range want {
		if got[i].String("id") != want[i].String("id") {
			t.Fatalf("source %d: id %s, want %s", i, got[i].String("id"), want[i].String("id"))
		}
	}
	var offsets []string
	for _, l := range e.requests("GET", "/v3/sources") {
		if !strings.Contains(l.Query, "limit=250") {
			t.Errorf("page request without limit=250: %s", l.Query)
		}
		for _, kv := range strings.Split(l.Query, "&") {
			if strings.HasPrefix(kv, "offset=") {
				offsets = append(offsets, kv)
			}
		}
	}
	if fmt.Sprint(offsets) != "[offset=0 offset=250 offset=500]" {
		t.Errorf("pages requested: %v", offsets)
	}
	if n := c.Stats().ByEndpoint["GET /v3/sources"]; n != 3 {
		t.Errorf("Stats GET /v3/sources = %d, want 3", n)
	}

	// A filter goes to the tenant as the documented "filters" parameter.
	one, err := c.ListSources(context.Background(), `name eq "Bulk 0042"`)
	if err != nil || len(one) != 1 || one[0].String("name") != "Bulk 0042" {
		t.Fatalf("filtered list = %v, %v", one, err)
	}
}

func TestListSourcesRestartsWhenTheCollectionShifts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, emulator.Options{})
	for i := range 300 {
		if _, err := e.emu.AddSource(newSource(t, fmt.Sprintf("Bulk %04d", i))); err != nil {
			t.Fatal(err)
		}
	}
	var once sync.Once
	e.after = func(r *http.Request) {
		if r.Method == "GET" && r.URL.Path == "/v3/sources" && r.URL.Query().Get("offset") == "0" {
			once.Do(func() {
				// Lowest possible id: sorts first, shifting every later page by one.
				o := newSource(t, "Inserted Meanwhile")
				o.Set("id", "00000000000000000000000000000000")
				if _, err := e.emu.AddSource(o); err != nil {
					t.Error(err)
				}
			})
		}
	}
	c, _ := e.client(t)
	got, err := c.ListSources(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, o := range got {
		seen[o.String("name")]++
	}
	want := e.emu.Sources()
	if len(got) != len(want) {
		t.Fatalf("listed %d sources, the tenant has %d", len(got), len(want))
	}
	for _, o := range want {
		if seen[o.String("name")] != 1 {
			t.Errorf("source %q listed %d times", o.String("name"), seen[o.String("name")])
		}
	}
}

func TestRateLimitedRequestWaitsRetryAfter(t *testing.T) {
	t.Parallel()
	e := newEnv(t, emulator.Options{})
	c, clock := e.client(t)
	src := anySource(t, e)
	type span struct{ min, max time.Duration }
	tests := []struct {
		name       string
		retryAfter func() string
		want       []span // the waits of the two retries
	}{
		{"seconds", func() string { return "7" }, []span{{7 * time.Second, 7 * time.Second}, {7 * time.Second, 7 * time.Second}}},
		// An HTTP date has one-second resolution; the second 429 repeats the date, which has
		// passed by then.
		{"http date", func() string { return clock.now().Add(30 * time.Second).UTC().Format(http.TimeFormat) },
			[]span{{28 * time.Second, 30 * time.Second}, {0, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.reset()
			before := c.Stats()
			waitsBefore := len(clock.waits())
			path := "/v3/sources/" + src.String("id")
			e.emu.AddFault(emulator.Fault{Method: "GET", Path: "^" + path + "$", Kind: emulator.FaultRateLimit, RetryAfter: tt.retryAfter(), Times: 2})
			got, err := c.GetSource(context.Background(), src.String("id"))
			if err != nil {
				t.Fatal(err)
			}
			if got.String("name") != src.String("name") {
				t.Fatalf("got %q", got.String("name"))
			}
			if st := statuses(e.requests("GET", path)); fmt.Sprint(st) != "[429 429 200]" {
				t.Fatalf("tenant saw %v, want two 429s then 200", st)
			}
			waits := clock.waits()[waitsBefore:]
			ok := len(waits) == len(tt.want)
			for i := 0; ok && i < len(waits); i++ {
				ok = waits[i] >= tt.want[i].min && waits[i] <= tt.want[i].max
			}
			if !ok {
				t.Errorf("waits %v, want %v", waits, tt.want)
			}
			after := c.Stats()
			if after.RateLimited-before.RateLimited != 2 || after.Retries-before.Retries != 2 {
				t.Errorf("stats: %d rate limited, %d retries; want 2 and 2", after.RateLimited-before.RateLimited, after.Retries-before.Retries)
			}
		})
	}
}

func TestRateLimitStormGivesUpWithTypedError(t *testing.T) {
	t.Parallel()
	e := newEnv(t, emulator.Options{})
	c, _ := e.client(t)
	e.emu.AddFault(emulator.Fault{Method: "GET", Path: "^/v3/connectors$", Kind: emulator.FaultRateLimit, RetryAfter: "1"})
	_, err := c.ListConnectors(context.Background())
	var ae *isc.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusTooManyRequests || !strings.Contains(err.Error(), "Rate Limit Exceeded") {
		t.Fatalf("err = %v, want a 429 APIError", err)
	}
	if n := e.attempts("GET", "/v3/connectors"); n < 2 || n > 50 {
		t.Errorf("%d attempts: want a bounded number of retries", n)
	}
}

// The client's own limit equal to the tenant's: the tenant must never answer 429. Not parallel:
// the margin is scheduling jitter, which the package's other tests, run beside it, add to.
func TestClientLimiterMatchingTenantLimitSeesNo429(t *testing.T) {
	// The tenant allows 30 requests per 3 s window; the client is told the same rate (100 per
	// 10 s). 34 requests cross a window boundary. The client's 2 % margin is 60 ms of a 3 s
	// window: enough for the scheduling jitter of a loaded CI machine.
	e := newEnv(t, emulator.Options{RatePer10s: 30, RateWindow: 3 * time.Second})
	c, _ := e.client(t, func(cfg *isc.Config) { cfg.RatePer10s = 100 })
	src := anySource(t, e)
	for range 34 {
		if _, err := c.GetSource(context.Background(), src.String("id")); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range e.emu.Log() {
		if l.Status == http.StatusTooManyRequests {
			t.Fatalf("tenant answered 429 to %s %s", l.Method, l.Path)
		}
	}
	if c.Stats().RateLimited != 0 {
		t.Fatal("client saw 429s")
	}
}

func TestTokenRefreshedAfter401AndBeforeExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t, emulator.Options{TokenLifetime: 20 * time.Minute})
	c, clock := e.client(t)
	ctx := context.Background()
	src := anySource(t, e)
	if _, err := c.GetSource(ctx, src.String("id")); err != nil {
		t.Fatal(err)
	}
	// Revoked behind the client's back: the API answers 401; one new token, one retry.
	e.emu.ExpireTokens()
	if _, err := c.GetSource(ctx, src.String("id")); err != nil {
		t.Fatalf("after ExpireTokens: %v", err)
	}
	path := "/v3/sources/" + src.String("id")
	if st := statuses(e.requests("GET", path)); fmt.Sprint(st) != "[200 401 200]" {
		t.Fatalf("tenant saw %v", st)
	}
	if n := e.attempts("POST", "/oauth/token"); n != 2 {
		t.Fatalf("%d token requests, want 2", n)
	}

	// Near expires_in the client renews first: no 401 at all.
	e.reset()
	clock.advance(19*time.Minute + 30*time.Second)
	if _, err := c.GetSource(ctx, src.String("id")); err != nil {
		t.Fatal(err)
	}
	if st := statuses(e.requests("GET", path)); fmt.Sprint(st) != "[200]" {
		t.Fatalf("after expiry approached, tenant saw %v", st)
	}
	if n := e.attempts("POST", "/oauth/token"); n != 1 {
		t.Fatalf("%d token requests near expiry, want 1", n)
	}
}

func TestPersistent401IsRefreshedOnlyOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, emulator.Options{})
	c, _ := e.client(t)
	e.emu.AddFault(emulator.Fault{Method: "GET", Path: "^/v3/connectors$", Kind: emulator.FaultStatus, Status: 401})
	_, err := c.ListConnectors(context.Background())
	var ae *isc.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized {
		t.Fatalf("err = %v, want 401 APIError", err)
	}
	if n := e.attempts("GET", "/v3/connectors"); n != 2 {
		t.Errorf("%d attempts, want 2 (one retry with a new token)", n)
	}
	if n := e.attempts("POST", "/oauth/token"); n != 2 {
		t.Errorf("%d token requests, want 2", n)
	}
}

func TestBadCredentialsAreNotRetried(t *testing.T) {
	t.Parallel()
	e := newEnv(t, emulator.Options{})
	c, _ := e.client(t, func(cfg *isc.Config) { cfg.ClientSecret = "wrong-secret-value" })
	_, err := c.ListConnectors(context.Background())
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("err = %v, want a 401 from the token endpoint", err)
	}
	if strings.Contains(err.Error(), "wrong-secret-value") {
		t.Fatalf("error leaks the secret: %v", err)
	}
	if n := e.attempts("POST", "/oauth/token"); n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}
	if n := e.attempts("GET", "/v3/connectors"); n != 0 {
		t.Errorf("API called %d times without a token", n)
	}
}

func TestTransientFailuresAreRetriedForGetAndPut(t *testing.T) {
	t.Parallel()
	kinds := []struct {
		name string
		f    emulator.Fault
	}{
		{"500", emulator.Fault{Kind: emulator.FaultStatus, Status: 500}},
		{"502", emulator.Fault{Kind: emulator.FaultStatus, Status: 502}},
		{"503", emulator.Fault{Kind: emulator.FaultStatus, Status: 503}},
		{"504", emulator.Fault{Kind: emulator.FaultStatus, Status: 504}},
		{"reset", emulator.Fault{Kind: emulator.FaultReset}},
		{"reset after processing", emulator.Fault{Kind: emulator.FaultResetAfter}},
		{"stall past timeout", emulator.Fault{Kind: emulator.FaultStall, Stall: 5 * time.Second}},
		{"malformed JSON", emulator.Fault{Kind: emulator.FaultMalformedJSON}},
		{"HTML page", emulator.Fault{Kind: emulator.FaultHTMLPage}},
		{"wrong content type", emulator.Fault{Kind: emulator.FaultWrongContentType}},
		{"truncated", emulator.Fault{Kind: emulator.FaultTruncated}},
	}
	e := newEnv(t, emulator.Options{})
	// The timeout is what the stall outlasts; a loaded machine (the suite run three times at
	// once) answered a plain request after more than 300 ms, an attempt more than counted.
	c, _ := e.client(t, func(cfg *isc.Config) { cfg.Timeout = 1500 * time.Millisecond })
	ctx := context.Background()
	src := anySource(t, e)
	id := src.String("id")
	path := "/v3/sources/" + id
	for _, k := range kinds {
		t.Run(k.name+"/GET", func(t *testing.T) {
			e.emu.ClearFaults()
			e.reset()
			f := k.f
			f.Method, f.Path, f.Times = "GET", "^"+path+"$", 2
			e.emu.AddFault(f)
			got, err := c.GetSource(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if got.String("id") != id {
				t.Fatalf("got source %s", got.String("id"))
			}
			if n := e.attempts("GET", path); n != 3 {
				t.Errorf("%d attempts, want 3 (two faults, then success)", n)
			}
		})
		t.Run(k.name+"/PUT", func(t *testing.T) {
			e.emu.ClearFaults()
			e.reset()
			cur, err := c.GetSource(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			desc := "changed after " + k.name
			cur.Set("description", desc)
			f := k.f
			f.Method, f.Path, f.Times = "PUT", "^"+path+"$", 1
			e.emu.AddFault(f)
			got, err := c.PutSource(ctx, id, cur)
			if err != nil {
				t.Fatal(err)
			}
			if got.String("description") != desc {
				t.Errorf("PUT returned description %q", got.String("description"))
			}
			stored, _ := e.emu.SourceByName(src.String("name"))
			if stored.String("description") != desc {
				t.Errorf("tenant has description %q", stored.String("description"))
			}
			if n := e.attempts("PUT", path); n != 2 {
				t.Errorf("%d PUT attempts, want 2", n)
			}
		})
	}
}

func TestPermanentServerErrorIsBoundedAndTyped(t *testing.T) {
	t.Parallel()
	e := newEnv(t, emulator.Options{})
	c, clock := e.client(t)
	src := anySource(t, e)
	path := "/v3/sources/" + src.String("id") + "/schemas"
	e.emu.AddFault(emulator.Fault{Method: "GET", Path: "^" + path + "$", Kind: emulator.FaultStatus, Status: 500})
	_, err := c.ListSchemas(context.Background(), src.String("id"))
	var ae *isc.APIError
	if !errors.As(err, &ae) || ae.Status != 500 {
		t.Fatalf("err = %v, want a 500 APIError", err)
	}
	if ae.TrackingID == "" || !strings.Contains(err.Error(), ae.TrackingID) {
		t.Errorf("error %q does not name the trackingId %q", err, ae.TrackingID)
	}
	if n := e.attempts("GET", path); n != 4 {
		t.Errorf("%d attempts, want 4 (MaxRetries 3)", n)
	}
	if n := len(clock.waits()); n != 3 {
		t.Errorf("%d backoff waits, want 3", n)
	}
	if n := c.Stats().ByEndpoint["GET /v3/sources/{id}/schemas"]; n != 4 {
		t.Errorf("Stats by endpoint = %v", c.Stats().ByEndpoint)
	}
}

func TestCreateSourceAfterAmbiguousFailureMakesNoDuplicate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind      emulator.FaultKind
		wantPosts int // the failed one plus a retry when the tenant had not processed it
	}{
		{emulator.FaultResetAfter, 1},
		{emulator.FaultTruncated, 1},
		{emulator.FaultReset, 2},
		{emulator.FaultStatus, 2},
		{emulator.FaultMalformedJSON, 2},
		{emulator.FaultHTMLPage, 2},
	}
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			e := newEnv(t, emulator.Options{})
			c, _ := e.client(t)
			e.emu.AddFault(emulator.Fault{Method: "POST", Path: "^/v3/sources$", Kind: tt.kind, Times: 1})
			name := "Created Once " + tt.kind.String()
			got, err := c.CreateSource(context.Background(), newSource(t, name), isc.CreateSourceOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got.String("name") != name || got.String("id") == "" {
				t.Fatalf("CreateSource returned %s/%s", got.String("name"), got.String("id"))
			}
			n := 0
			for _, s := range e.emu.Sources() {
				if s.String("name") == name {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("tenant has %d sources named %q", n, name)
			}
			if posts := e.attempts("POST", "/v3/sources"); posts != tt.wantPosts {
				t.Errorf("%d POSTs, want %d", posts, tt.wantPosts)
			}
			lookups := e.requests("GET", "/v3/sources")
			if len(lookups) != 1 || !strings.Contains(lookups[0].Query, "filters=name+eq+%22Created+Once") {
				t.Errorf("lookups by name: %+v", lookups)
			}
		})
	}
}

// TestCreateConnectorAfterResetLooksUpByName: after a reset that hid the answer, the create
// looks for the connector it made by name before it POSTs again, under every scriptName rule.
// A RELEASED one is in the listing; one in development only under a derivable scriptName,
// else the retry meets the duplicate name (an error, never a second connector).
func TestCreateConnectorAfterResetLooksUpByName(t *testing.T) {
	t.Parallel()
	for _, rule := range emulator.ScriptNameRules {
		for _, status := range []string{"RELEASED", "DEVELOPMENT"} {
			t.Run(string(rule)+"/"+status, func(t *testing.T) {
				e := newEnv(t, emulator.Options{ScriptNameRule: rule})
				cl, _ := e.client(t)
				e.emu.AddFault(emulator.Fault{Method: "POST", Path: "^/v3/connectors$", Kind: emulator.FaultResetAfter, Times: 1})
				var body value.Object
				if err := body.UnmarshalJSON([]byte(`{"name":"Acme Custom REST","type":"Acme Custom REST","className":"sailpoint.connector.OpenConnectorAdapter","directConnect":true,"status":"` + status + `"}`)); err != nil {
					t.Fatal(err)
				}
				before := len(e.emu.Connectors())
				got, err := cl.CreateConnector(context.Background(), &body, "")
				if n := len(e.emu.Connectors()); n != before+1 {
					t.Fatalf("tenant has %d connectors, want %d", n, before+1)
				}
				if status == "DEVELOPMENT" && rule == emulator.ScriptNameSuffix {
					if err == nil {
						t.Fatalf("no error, yet the connector cannot have been found")
					}
					return
				}
				if n := e.attempts("GET", "/v3/connectors"); n != 1 {
					t.Errorf("%d listings, want 1", n)
				}
				if err != nil {
					t.Fatal(err)
				}
				stored, ok := e.emu.Connector(got.String("scriptName"))
				if !ok || stored.String("name") != "Acme Custom REST" {
					t.Fatalf("scriptName %q is not the connector the tenant stored", got.String("scriptName"))
				}
				if n := e.attempts("POST", "/v3/connectors"); n != 1 {
					t.Errorf("%d POSTs, want 1", n)
				}
			})
		}
	}
	e := newEnv(t, emulator.Options{})
	c, _ := e.client(t)
	if _, err := c.GetConnector(context.Background(), "no-such-connector"); !isc.IsNotFound(err) {
		t.Errorf("GetConnector(missing) err = %v, want 404", err)
	}
}

func TestTypedErrorCarriesDetailCodeAndTrackingID(t *testing.T) {
	t.Parallel()
	e := newEnv(t, emulator.Options{})
	c, _ := e.client(t)
	ctx := context.Background()
	src := anySource(t, e)
	cur, err := c.GetSource(ctx, src.String("id"))
	if err != nil {
		t.Fatal(err)
	}
	cur.Set("connector", "jdbc") // immutable
	_, err = c.PutSource(ctx, src.String("id"), cur)
	var ae *isc.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want *APIError", err)
	}
	if ae.Status != 400 || ae.DetailCode == "" || ae.TrackingID == "" || len(ae.Messages) == 0 {
		t.Fatalf("APIError = %+v", ae)
	}
	msg := err.Error()
	for _, s := range []string{"PUT", "/v3/sources/" + src.String("id"), "400", ae.DetailCode, ae.TrackingID} {
		if !strings.Contains(msg, s) {
			t.Errorf("error %q does not contain %q", msg, s)
		}
	}
	if n := e.attempts("PUT", "/v3/sources/"+src.String("id")); n != 1 {
		t.Errorf("a 400 was retried: %d PUTs", n)
	}
}

func TestUploads(t *testing.T) {
	t.Parallel()
	e := newEnv(t, emulator.Options{})
	c, _ := e.client(t)
	ctx := context.Background()
	src := anySource(t, e)
	id := src.String("id")
	opens := 0
	csv := Upload("entitlements.csv", "id,name,description\n", &opens)

	// The first attempt fails: the file is opened again and sent whole.
	e.emu.AddFault(emulator.Fault{Method: "POST", Path: "/schemas/entitlements$", Kind: emulator.FaultStatus, Status: 503, Times: 1})
	schema, err := c.UploadEntitlementSchema(ctx, id, "group", csv)
	if err != nil {
		t.Fatal(err)
	}
	if schema.String("name") != "group" || opens != 2 {
		t.Fatalf("schema %q after %d opens", schema.String("name"), opens)
	}
	var found bool
	for _, s := range e.emu.Schemas(src.String("name")) {
		if s.String("name") == "group" {
			found = true
		}
	}
	if !found {
		t.Fatal("tenant has no group schema after upload")
	}

	jarOpens := 0
	jar := Upload("drivers/ojdbc11.jar", "PK\x03\x04 not really a jar", &jarOpens)
	got, err := c.UploadConnectorFile(ctx, id, jar)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := got.Path("connectorAttributes.connector_files")
	if s, _ := files.(string); !strings.Contains(s, "ojdbc11.jar") {
		t.Fatalf("connector_files = %v", files)
	}

	// A file that cannot be opened is a local error: nothing sent, no retry.
	e.reset()
	_, err = c.UploadConnectorFile(ctx, id, isc.Upload{Name: "gone.jar", Open: func() (io.ReadCloser, error) { return nil, os.ErrNotExist }})
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v", err)
	}
	e.mu.Lock()
	n := len(e.arrived)
	e.mu.Unlock()
	if n != 0 {
		t.Errorf("%d requests sent for an unreadable file", n)
	}
}

// Upload returns an isc.Upload of content that counts its opens.
func Upload(name, content string, opens *int) isc.Upload {
	return isc.Upload{Name: name, Open: func() (io.ReadCloser, error) {
		*opens++
		return io.NopCloser(strings.NewReader(content)), nil
	}}
}

func TestCancelStopsRetrying(t *testing.T) {
	t.Parallel()
	e := newEnv(t, emulator.Options{})
	c, err := isc.New(e.config()) // real sleeps: the cancel must interrupt the backoff
	if err != nil {
		t.Fatal(err)
	}
	isc.SetBackoff(c, time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.emu.AddFault(emulator.Fault{Method: "GET", Path: "^/v3/connectors$", Kind: emulator.FaultStatus, Status: 503})
	e.after = func(r *http.Request) {
		if r.URL.Path == "/v3/connectors" {
			cancel()
		}
	}
	_, err = c.ListConnectors(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := e.attempts("GET", "/v3/connectors"); n != 1 {
		t.Errorf("%d attempts after cancel, want 1", n)
	}
}

func TestDebugLogHasNoSecrets(t *testing.T) {
	t.Parallel()
	e := newEnv(t, emulator.Options{})
	var tokens []string
	var mu sync.Mutex
	e.before = func(r *http.Request) {
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			mu.Lock()
			tokens = append(tokens, tok)
			mu.Unlock()
		}
	}
	var log strings.Builder
	var logMu sync.Mutex
	c, _ := e.client(t, func(cfg *isc.Config) {
		cfg.Debug = writerFunc(func(p []byte) { logMu.Lock(); log.Write(p); logMu.Unlock() })
	})
	ctx := context.Background()
	src := newSource(t, "Debug Source")
	e.emu.AddFault(emulator.Fault{Method: "POST", Path: "^/v3/sources$", Kind: emulator.FaultResetAfter, Times: 1})
	created, err := c.CreateSource(ctx, src, isc.CreateSourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e.emu.ExpireTokens()
	created.Set("connector", "jdbc")
	_, putErr := c.PutSource(ctx, created.String("id"), created)
	if putErr == nil {
		t.Fatal("PUT changing the connector succeeded")
	}
	logMu.Lock()
	out := log.String()
	logMu.Unlock()
	for _, want := range []string{"POST /v3/sources", "401", "retrying", "PUT /v3/sources/" + created.String("id") + " 400"} {
		if !strings.Contains(out, want) {
			t.Errorf("debug log lacks %q:\n%s", want, out)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(tokens) < 2 {
		t.Fatalf("saw %d tokens, want at least 2", len(tokens))
	}
	secrets := append([]string{e.emu.ClientSecret(), "plain-text-password-123"}, tokens...)
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("debug log contains the secret %q", s)
		}
		if strings.Contains(putErr.Error(), s) {
			t.Errorf("error contains the secret %q", s)
		}
	}
}

type writerFunc func(p []byte)

func (f writerFunc) Write(p []byte) (int, error) { f(p); return len(p), nil }

func TestCACertFileTrustsTenantBehindProxy(t *testing.T) {
	t.Parallel()
	tn := tenanttest.Start(t, tenanttest.Options{Emulator: emulator.Options{Seed: examples.AcmeTenant}, TLS: &tls.Config{}})
	emu, srv := tn.Emu, tn.Server
	caFile := filepath.Join(t.TempDir(), "proxy-ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := isc.Config{BaseURL: srv.URL, ClientID: emu.ClientID(), ClientSecret: emu.ClientSecret(), RatePer10s: 1e6}

	untrusted, err := isc.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := untrusted.ListConnectors(context.Background()); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("without the CA: err = %v, want a certificate error", err)
	}
	if n := untrusted.Stats().Requests; n != 1 {
		t.Errorf("certificate failure retried: %d requests", n)
	}

	cfg.CACertFile = caFile
	trusted, err := isc.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := trusted.ListConnectors(context.Background()); err != nil {
		t.Fatalf("with the CA: %v", err)
	}
}

func TestConcurrentCallsShareOneTokenRefresh(t *testing.T) {
	t.Parallel()
	e := newEnv(t, emulator.Options{})
	c, _ := e.client(t)
	ctx := context.Background()
	sources := e.emu.Sources()
	if _, err := c.ListConnectors(ctx); err != nil {
		t.Fatal(err)
	}
	e.emu.ExpireTokens()
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := sources[i%len(sources)].String("id")
			if _, err := c.GetSource(ctx, id); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// One token before, and the 401s of all goroutines answered by a single new one.
	if n := e.attempts("POST", "/oauth/token"); n != 2 {
		t.Errorf("%d token requests, want 2", n)
	}
	st := c.Stats()
	if st.Requests != st.ByEndpoint["POST /oauth/token"]+st.ByEndpoint["GET /v3/connectors"]+st.ByEndpoint["GET /v3/sources/{id}"] {
		t.Errorf("stats do not add up: %+v", st)
	}
}

// TestContinueWriteSendsItsFirstAttempt: the rest of a write under way (a new connector's
// bundle) goes out once even when the interrupt came first, whatever the goroutines' timing; it is
// not retried.
func TestContinueWriteSendsItsFirstAttempt(t *testing.T) {
	t.Parallel()
	e := newEnv(t, emulator.Options{})
	c, _ := e.client(t)
	src := anySource(t, e)
	interrupt, cancel := context.WithCancel(context.Background())
	cancel()
	ctx := isc.ContinueWrite(isc.WithInterrupt(context.Background(), interrupt))
	for range 20 {
		if _, err := c.GetSource(ctx, src.String("id")); err != nil {
			t.Fatalf("a continued write's attempt was not sent: %v", err)
		}
	}
	e.emu.AddFault(emulator.Fault{Method: "GET", Kind: emulator.FaultStatus, Status: 503})
	before := len(e.requests("GET", "/v3/sources/"+src.String("id")))
	if _, err := c.GetSource(ctx, src.String("id")); !errors.Is(err, isc.ErrInterrupted) {
		t.Errorf("err %v, want no retry after the interrupt", err)
	}
	if n := len(e.requests("GET", "/v3/sources/"+src.String("id"))) - before; n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
}
