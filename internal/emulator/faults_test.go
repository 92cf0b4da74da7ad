package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/tenanttest"
	"github.com/sailsync/sailsync/internal/value"
)

func TestFaultStatus(t *testing.T) {
	t.Parallel()
	emu := acme(t)
	tn := raw(t, emu)
	emu.AddFault(emulator.Fault{Method: "GET", Path: "^/v3/sources/" + adID + "$", Times: 2})
	for i, want := range []int{500, 500, 200} {
		r := tn.do("GET", "/v3/sources/"+adID, nil)
		if r.status != want {
			t.Fatalf("request %d: %d, want %d", i+1, r.status, want)
		}
		if want == 500 {
			if o := r.object(t); o.String("detailCode") != "500.0 Internal Fault" {
				t.Errorf("500 body %s", r.body)
			}
			r.errorCauses(t)
		}
	}
	// Other paths and methods are not hit.
	emu.AddFault(emulator.Fault{Method: "PUT", Kind: emulator.FaultStatus, Status: 503})
	if r := tn.do("GET", "/v3/sources", nil); r.status != 200 {
		t.Errorf("GET hit by a PUT fault: %d", r.status)
	}
	body := tn.do("GET", "/v3/sources/"+adID, nil).object(t)
	for i := 0; i < 3; i++ { // Times 0: every matching request until cleared
		if r := tn.do("PUT", "/v3/sources/"+adID, body); r.status != 503 || r.object(t).String("detailCode") != "503 Service Unavailable" {
			t.Fatalf("PUT %d: %d %s", i, r.status, r.body)
		}
	}
	if got := source(t, emu, "Corporate Directory").String("modified"); got != body.String("modified") {
		t.Error("a failed PUT changed the source")
	}
	emu.ClearFaults()
	if r := tn.do("PUT", "/v3/sources/"+adID, body); r.status != 200 {
		t.Errorf("after ClearFaults: %d", r.status)
	}
	// RemoveFault removes just one.
	a := emu.AddFault(emulator.Fault{Path: "^/v3/connectors$", Status: 502})
	emu.AddFault(emulator.Fault{Path: "^/v3/sources$", Status: 504})
	emu.RemoveFault(a)
	if r := tn.do("GET", "/v3/connectors", nil); r.status != 200 {
		t.Errorf("removed fault still applies: %d", r.status)
	}
	if r := tn.do("GET", "/v3/sources", nil); r.status != 504 {
		t.Errorf("other fault removed too: %d", r.status)
	}
}

func TestFaultReset(t *testing.T) {
	t.Parallel()
	emu := acme(t)
	tn := raw(t, emu)
	emu.AddFault(emulator.Fault{Method: "POST", Path: "^/v3/sources$", Kind: emulator.FaultReset, Times: 1})
	if _, err := tn.try(context.Background(), "POST", "/v3/sources", mustJSON(t, newSource)); err == nil {
		t.Fatal("reset connection answered")
	}
	if _, ok := emu.SourceByName("Acme HR Cloud"); ok {
		t.Error("a request reset before processing created the source")
	}
	if r := tn.do("POST", "/v3/sources", mustJSON(t, newSource)); r.status != 201 {
		t.Errorf("after the one reset: %d", r.status)
	}
}

func TestFaultResetAfter(t *testing.T) {
	t.Parallel()
	emu := acme(t)
	tn := raw(t, emu)
	emu.AddFault(emulator.Fault{Method: "POST", Path: "^/v3/sources$", Kind: emulator.FaultResetAfter, Times: 1})
	if _, err := tn.try(context.Background(), "POST", "/v3/sources", mustJSON(t, newSource)); err == nil {
		t.Fatal("reset connection answered")
	}
	if _, ok := emu.SourceByName("Acme HR Cloud"); !ok {
		t.Error("the request was not processed before the reset")
	}
	// The retry a careless client would send is a duplicate: the tenant refuses it.
	if r := tn.do("POST", "/v3/sources", mustJSON(t, newSource)); r.status != 400 {
		t.Errorf("retry: %d", r.status)
	}
	l := emu.Log()
	if e := l[1]; e.Method != "POST" || e.Status != 201 || e.Fault != "reset-after" {
		t.Errorf("log %+v", e)
	}
}

func TestFaultStall(t *testing.T) {
	t.Parallel()
	emu := acme(t)
	tn := raw(t, emu)
	// Stalled past the client's patience: the client gives up, the request is dropped.
	emu.AddFault(emulator.Fault{Method: "POST", Kind: emulator.FaultStall, Stall: time.Hour, Times: 1})
	ctx, cancel := context.WithCancel(context.Background())
	wrote := make(chan struct{})
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { close(wrote) }})
	errc := make(chan error, 1)
	go func() {
		_, err := tn.try(ctx, "POST", "/v3/sources", mustJSON(t, newSource))
		errc <- err
	}()
	<-wrote
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("stalled request: %v", err)
	}
	// A short stall answers normally.
	emu.AddFault(emulator.Fault{Method: "GET", Kind: emulator.FaultStall, Stall: time.Millisecond, Times: 1})
	if r := tn.do("GET", "/v3/sources/"+adID, nil); r.status != 200 {
		t.Errorf("short stall: %d", r.status)
	}
	tn.srv.Close() // returns only once the hour-long stall has given up
	if _, ok := emu.SourceByName("Acme HR Cloud"); ok {
		t.Error("a request abandoned during the stall was processed")
	}
}

func TestFaultBadBodies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		kind   emulator.FaultKind
		status int
		ctype  string
		check  func([]byte) bool
	}{
		{emulator.FaultMalformedJSON, 200, "application/json", func(b []byte) bool { return !json.Valid(b) && len(b) > 0 }},
		{emulator.FaultHTMLPage, 503, "text/html", func(b []byte) bool { return strings.HasPrefix(string(b), "<!DOCTYPE html>") }},
		{emulator.FaultWrongContentType, 200, "text/plain", func(b []byte) bool { return len(b) > 0 }},
	}
	for _, c := range cases {
		t.Run(c.kind.String(), func(t *testing.T) {
			emu := acme(t)
			tn := raw(t, emu)
			emu.AddFault(emulator.Fault{Path: "^/v3/sources", Kind: c.kind, Times: 1})
			r := tn.do("GET", "/v3/sources", nil)
			if r.status != c.status || !strings.HasPrefix(r.header.Get("Content-Type"), c.ctype) || !c.check(r.body) {
				t.Errorf("%d %q %q", r.status, r.header.Get("Content-Type"), r.body)
			}
			if r := tn.do("GET", "/v3/sources", nil); r.status != 200 || !json.Valid(r.body) {
				t.Errorf("after the fault: %d", r.status)
			}
		})
	}
	// An HTML page with a chosen status.
	emu := acme(t)
	tn := raw(t, emu)
	emu.AddFault(emulator.Fault{Kind: emulator.FaultHTMLPage, Status: 502, Times: 1})
	if r := tn.do("GET", "/v3/connectors", nil); r.status != 502 || !strings.Contains(string(r.body), "502 Bad Gateway") {
		t.Errorf("HTML 502: %d %s", r.status, r.body)
	}
}

func TestFaultTruncated(t *testing.T) {
	t.Parallel()
	emu := acme(t)
	tn := raw(t, emu)
	body := tn.do("GET", "/v3/sources/"+adID, nil).object(t)
	body.Set("description", "written before the body was cut")
	emu.AddFault(emulator.Fault{Method: "PUT", Kind: emulator.FaultTruncated, Times: 1})
	r, err := tn.try(context.Background(), "PUT", "/v3/sources/"+adID, body)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("truncated body: err %v, status %d", err, r.status)
	}
	if r.status != 200 || json.Valid(r.body) {
		t.Errorf("status %d, body %q", r.status, r.body)
	}
	if source(t, emu, "Corporate Directory").String("description") != "written before the body was cut" {
		t.Error("the truncated request was not processed")
	}
}

func TestFaultRateLimit(t *testing.T) {
	t.Parallel()
	date := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC).Format(http.TimeFormat)
	for _, ra := range []string{"", "7", date} {
		emu := acme(t)
		tn := raw(t, emu)
		emu.AddFault(emulator.Fault{Kind: emulator.FaultRateLimit, RetryAfter: ra, Times: 3})
		for i := 0; i < 3; i++ {
			r := tn.do("GET", "/v3/sources", nil)
			want := ra
			if want == "" {
				want = "1"
			}
			if r.status != 429 || r.header.Get("Retry-After") != want || r.object(t).String("message") != " Rate Limit Exceeded " {
				t.Errorf("%q: %d Retry-After %q %s", ra, r.status, r.header.Get("Retry-After"), r.body)
			}
		}
		if r := tn.do("GET", "/v3/sources", nil); r.status != 200 {
			t.Errorf("%q: after the storm: %d", ra, r.status)
		}
	}
}

func TestFaultOnTokenEndpoint(t *testing.T) {
	t.Parallel()
	emu := acme(t)
	tn := raw(t, emu)
	emu.AddFault(emulator.Fault{Path: "^/oauth/token$", Status: 500, Times: 1})
	resp, err := tn.http.Post(tn.srv.URL+"/oauth/token", "application/x-www-form-urlencoded", strings.NewReader("grant_type=client_credentials"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 500 {
		t.Errorf("token endpoint fault: %d", resp.StatusCode)
	}
	tn.token() // the next one works
}

func TestFaultBadPathPanics(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("an invalid Path regexp was accepted")
		}
	}()
	acme(t).AddFault(emulator.Fault{Path: "("})
}

func TestRequestLog(t *testing.T) {
	t.Parallel()
	emu := acme(t)
	tn := raw(t, emu) // one token request
	tn.do("GET", "/v3/sources?limit=2&offset=0", nil)
	emu.AddFault(emulator.Fault{Method: "GET", Path: "^/v3/connectors$", Status: 502, Times: 1})
	tn.do("GET", "/v3/connectors", nil)
	tn.do("GET", "/v3/sources/nope", nil)
	tn.do("POST", "/v3/sources", mustJSON(t, newSource))

	type row struct {
		method, path, query string
		status              int
		fault               string
	}
	want := []row{
		{"POST", "/oauth/token", "", 200, ""},
		{"GET", "/v3/sources", "limit=2&offset=0", 200, ""},
		{"GET", "/v3/connectors", "", 502, "status"},
		{"GET", "/v3/sources/nope", "", 404, ""},
		{"POST", "/v3/sources", "", 201, ""},
	}
	log := emu.Log()
	if len(log) != len(want) {
		t.Fatalf("log has %d entries: %+v", len(log), log)
	}
	for i, w := range want {
		e := log[i]
		if (row{e.Method, e.Path, e.Query, e.Status, e.Fault}) != w {
			t.Errorf("entry %d = %+v, want %+v", i, e, w)
		}
		if e.Time.IsZero() || (i > 0 && e.Time.Before(log[i-1].Time)) {
			t.Errorf("entry %d time %v", i, e.Time)
		}
	}
	emu.ResetLog()
	if len(emu.Log()) != 0 {
		t.Error("ResetLog left entries")
	}
	tn.do("GET", "/v3/sources", nil)
	if l := emu.Log(); len(l) != 1 || l[0].Path != "/v3/sources" {
		t.Errorf("after ResetLog: %+v", l)
	}
}

// TestConcurrentRequests runs readers and writers at once; with -race it proves the state is
// guarded, and it checks that no write is lost.
func TestConcurrentRequests(t *testing.T) {
	t.Parallel()
	emu := acme(t)
	tn := raw(t, emu)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(3)
		go func() {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				tn.do("GET", "/v3/sources", nil)
			}
		}()
		go func(i int) {
			defer wg.Done()
			s := mustJSON(t, newSource)
			s.Set("name", "Parallel "+string(rune('A'+i)))
			if r := tn.do("POST", "/v3/sources", s); r.status != 201 {
				t.Errorf("POST: %d", r.status)
			}
		}(i)
		go func() {
			defer wg.Done()
			_ = emu.UpdateSource("HR Database", func(o *value.Object) { o.Set("description", "bumped") })
			_ = emu.Sources()
			_ = emu.Log()
		}()
	}
	wg.Wait()
	if n := len(emu.Sources()); n != 5+8 {
		t.Errorf("%d sources, want 13", n)
	}
}

// TestLogEntryBeforeAnswer: a request is in the log, with its final status and fault, by the time
// the client sees any answer — or sees its connection reset or cut. Without that, a client's
// retry could be logged ahead of the attempt it retries. Each case runs a few times because an
// entry logged after the answer is a race, seen only now and then.
func TestLogEntryBeforeAnswer(t *testing.T) {
	t.Parallel()
	emu := acme(t)
	tn := raw(t, emu)
	// Creates, not GETs or PUTs: the HTTP client silently resends an idempotent request whose
	// reused connection was reset, which would log two attempts.
	cases := []struct {
		name   string
		fault  *emulator.Fault
		status int
		broken bool // the client sees an error instead of an answer
	}{
		{"no fault", nil, 201, false},
		{"status", &emulator.Fault{Kind: emulator.FaultStatus, Status: 502}, 502, false},
		{"rate limit", &emulator.Fault{Kind: emulator.FaultRateLimit}, 429, false},
		{"reset", &emulator.Fault{Kind: emulator.FaultReset}, 0, true},
		{"reset after", &emulator.Fault{Kind: emulator.FaultResetAfter}, 201, true},
		{"truncated", &emulator.Fault{Kind: emulator.FaultTruncated}, 201, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantFault := ""
			if c.fault != nil {
				wantFault = c.fault.Kind.String()
			}
			for i := 0; i < 10; i++ {
				emu.ClearFaults()
				if c.fault != nil {
					emu.AddFault(*c.fault)
				}
				emu.ResetLog()
				src := mustJSON(t, newSource)
				src.Set("name", fmt.Sprintf("Log check %s %d", c.name, i))
				_, err := tn.try(context.Background(), "POST", "/v3/sources", src)
				if (err != nil) != c.broken {
					t.Fatalf("attempt %d: err %v, want an error: %t", i, err, c.broken)
				}
				l := emu.Log()
				if len(l) != 1 || l[0].Method != "POST" || l[0].Status != c.status || l[0].Fault != wantFault {
					t.Fatalf("attempt %d: log right after the answer %+v, want one POST with status %d and fault %q", i, l, c.status, wantFault)
				}
			}
		})
	}
	emu.ClearFaults()
}

// TestResetLogDropsRequestsInFlight: a request received before ResetLog that ends after it (here
// abandoned during a stall) does not turn up in the emptied log among later requests.
func TestResetLogDropsRequestsInFlight(t *testing.T) {
	t.Parallel()
	emu := acme(t)
	reading := make(chan struct{})
	var once sync.Once
	// The emulator reads the body of a stalled request once it has received the request (and
	// taken its place in the log's generation), before it starts waiting.
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" && r.URL.Path == "/v3/sources" {
			r.Body = &notifyBody{ReadCloser: r.Body, first: func() { once.Do(func() { close(reading) }) }}
		}
		emu.ServeHTTP(w, r)
	})
	tn := start(t, emu, tenanttest.Options{Contract: tenanttest.ContractOff, Handler: func(*emulator.Emulator) http.Handler { return h }})
	emu.AddFault(emulator.Fault{Method: "POST", Kind: emulator.FaultStall, Stall: time.Hour, Times: 1})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := tn.try(ctx, "POST", "/v3/sources", mustJSON(t, newSource))
		errc <- err
	}()
	<-reading
	emu.ResetLog()
	tn.do("GET", "/v3/connectors", nil)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("stalled request: %v", err)
	}
	tn.srv.Close() // waits for the stalled handler to give up
	if l := emu.Log(); len(l) != 1 || l[0].Path != "/v3/connectors" {
		t.Errorf("log after ResetLog %+v, want only the GET sent after it", l)
	}
}

type notifyBody struct {
	io.ReadCloser
	first func()
}

func (b *notifyBody) Read(p []byte) (int, error) {
	b.first()
	return b.ReadCloser.Read(p)
}

// TestFaultListings: FaultEndlessList answers every offset with a full page of sources no other
// offset has, with X-Total-Count only when Total is set; FaultHugeTotal is the real answer with
// a claimed total of two billion.
func TestFaultListings(t *testing.T) {
	t.Parallel()
	emu := acme(t)
	tn := raw(t, emu)
	id := emu.AddFault(emulator.Fault{Method: "GET", Path: "^/v3/sources$", Kind: emulator.FaultEndlessList})
	seen := map[string]bool{}
	for _, offset := range []int{0, 250, 1_000_000} {
		r := tn.do("GET", fmt.Sprintf("/v3/sources?limit=250&offset=%d&count=true", offset), nil)
		objs := r.objects(t)
		if r.status != 200 || len(objs) != 250 || r.header.Get("X-Total-Count") != "" {
			t.Fatalf("offset %d: %d, %d objects, X-Total-Count %q", offset, r.status, len(objs), r.header.Get("X-Total-Count"))
		}
		for _, o := range objs {
			if seen[o.String("id")] || seen[o.String("name")] {
				t.Fatalf("offset %d: %s repeated", offset, o.String("name"))
			}
			seen[o.String("id")], seen[o.String("name")] = true, true
		}
	}
	emu.RemoveFault(id)
	emu.AddFault(emulator.Fault{Method: "GET", Path: "^/v3/sources$", Kind: emulator.FaultHugeTotal})
	r := tn.do("GET", "/v3/sources?count=true", nil)
	if r.status != 200 || len(r.objects(t)) != len(emu.Sources()) || r.header.Get("X-Total-Count") != "2000000000" {
		t.Errorf("huge total: %d, %d objects, X-Total-Count %q", r.status, len(r.objects(t)), r.header.Get("X-Total-Count"))
	}
}
