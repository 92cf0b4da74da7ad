package emulator

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// FaultKind is what an injected fault does to a matching request.
type FaultKind int

// The fault kinds. Kinds that answer for the tenant (status, reset, malformed JSON, HTML page,
// wrong content type, rate limit) do not process the request: nothing changes in the tenant.
// FaultResetAfter and FaultTruncated process the request first (the change happens) and then
// fail the answer — the ambiguous failures a client must not turn into duplicates.
// FaultStall waits Stall and then processes the request normally; if the client gives up during
// the stall, the request is dropped unprocessed (a gateway timeout before the backend saw it).
const (
	FaultStatus           FaultKind = iota // answer Status (default 500) with the documented error body
	FaultReset                             // close the connection (TCP reset) without answering
	FaultResetAfter                        // process the request, then reset instead of answering
	FaultStall                             // sleep Stall before processing and answering
	FaultMalformedJSON                     // 200, application/json, a body that is not valid JSON
	FaultHTMLPage                          // an HTML error page (Status, default 503) as proxies send
	FaultWrongContentType                  // 200 with a text/plain body
	FaultTruncated                         // process, then send a Content-Length larger than the body and close
	FaultRateLimit                         // 429 with RetryAfter (default "1") and the documented body
	FaultEndlessList                       // a full page of fresh sources at every offset, X-Total-Count only when Total is set
	FaultHugeTotal                         // the real answer with X-Total-Count set to Total (default 2,000,000,000)
	// FaultEcho answers Status (default 400) with the documented error body whose message
	// echoes the request's headers and body, as misconfigured gateways and debug builds do: the
	// Authorization header, a token request's client_secret, a PUT's secrets.
	FaultEcho
	// FaultEchoHTML is FaultEcho as an HTML error page (Status, default 502).
	FaultEchoHTML
)

// HugeTotal is FaultHugeTotal's X-Total-Count unless Fault.Total says otherwise: what a broken
// proxy or a hostile tenant may claim.
const HugeTotal = 2_000_000_000

var faultNames = map[FaultKind]string{
	FaultStatus:           "status",
	FaultReset:            "reset",
	FaultResetAfter:       "reset-after",
	FaultStall:            "stall",
	FaultMalformedJSON:    "malformed-json",
	FaultHTMLPage:         "html-page",
	FaultWrongContentType: "wrong-content-type",
	FaultTruncated:        "truncated",
	FaultRateLimit:        "rate-limit",
	FaultEndlessList:      "endless-list",
	FaultHugeTotal:        "huge-total",
	FaultEcho:             "echo",
	FaultEchoHTML:         "echo-html",
}

// String names the kind as the request log records it.
func (k FaultKind) String() string {
	if n, ok := faultNames[k]; ok {
		return n
	}
	return "fault(" + strconv.Itoa(int(k)) + ")"
}

// Fault describes requests to fail and how.
type Fault struct {
	Method     string        // "" any
	Path       string        // regexp matched against the URL path, "" any
	Kind       FaultKind     // see the FaultKind constants
	Status     int           // FaultStatus (default 500), FaultHTMLPage (default 503)
	RetryAfter string        // FaultRateLimit: Retry-After value, seconds or an HTTP date (default "1")
	Stall      time.Duration // FaultStall
	Total      int           // FaultEndlessList, FaultHugeTotal: the X-Total-Count to send
	Times      int           // how many matching requests it hits; 0 = every one until cleared
}

type faultEntry struct {
	id   int
	f    Fault
	re   *regexp.Regexp
	left int // remaining hits when f.Times > 0
}

// AddFault injects a fault and returns its id (for RemoveFault). Faults are tried in the order
// they were added; the first that matches a request and has hits left applies. It panics when
// Path is not a valid regular expression, like regexp.MustCompile: that is a bug in the test.
func (e *Emulator) AddFault(f Fault) (id int) {
	fe := &faultEntry{f: f, left: f.Times}
	if f.Path != "" {
		fe.re = regexp.MustCompile(f.Path)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.nextFault++
	fe.id = e.nextFault
	e.faults = append(e.faults, fe)
	return fe.id
}

// RemoveFault removes one fault by the id AddFault returned.
func (e *Emulator) RemoveFault(id int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, fe := range e.faults {
		if fe.id == id {
			e.faults = append(e.faults[:i:i], e.faults[i+1:]...)
			return
		}
	}
}

// ClearFaults removes every fault.
func (e *Emulator) ClearFaults() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = nil
}

// matchFault finds the fault for r and uses up one of its hits.
func (e *Emulator) matchFault(r *http.Request) (Fault, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, fe := range e.faults {
		if fe.f.Method != "" && !strings.EqualFold(fe.f.Method, r.Method) {
			continue
		}
		if fe.re != nil && !fe.re.MatchString(r.URL.Path) {
			continue
		}
		if fe.f.Times > 0 {
			fe.left--
			if fe.left <= 0 {
				e.faults = append(e.faults[:i:i], e.faults[i+1:]...)
			}
		}
		return fe.f, true
	}
	return Fault{}, false
}

// injectFault applies f and reports whether the request is finished (false: serve it normally).
func (e *Emulator) injectFault(w *statusWriter, r *http.Request, f Fault) bool {
	switch f.Kind {
	case FaultStatus:
		status := f.Status
		if status == 0 {
			status = http.StatusInternalServerError
		}
		if status < 500 {
			writeError(w, &apiError{status: status, detail: fmt.Sprintf("%d %s", status, http.StatusText(status)), text: http.StatusText(status)})
		} else {
			writeError(w, serverError(status))
		}
		return true
	case FaultReset:
		w.commit() // status 0: the tenant never answered
		resetConn(w)
		return true
	case FaultResetAfter:
		buf := &bufferWriter{header: http.Header{}}
		e.serve(buf, r)
		w.status = buf.status // the log shows what the tenant did, the client saw a reset
		w.commit()            // before the reset: a retry must not be logged ahead of this attempt
		resetConn(w.ResponseWriter)
		return true
	case FaultStall:
		bufferBody(r)
		// false when the client gave up: drop the request unprocessed (status 0 in the log).
		return !sleepCtx(r.Context(), f.Stall)
	case FaultMalformedJSON:
		w.Header().Set("Content-Type", jsonContentType)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"id":"2c9180835d191a86015d28455b4a2329","name":"Corporate Directory","owner":{"type":"IDENTITY",,"id":`))
		return true
	case FaultHTMLPage:
		status := f.Status
		if status == 0 {
			status = http.StatusServiceUnavailable
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, "<!DOCTYPE html>\n<html><head><title>%d %s</title></head>\n<body><h1>%d %s</h1><p>The server is temporarily unable to service your request. Please try again later.</p></body></html>\n",
			status, http.StatusText(status), status, http.StatusText(status))
		return true
	case FaultWrongContentType:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("OK\n"))
		return true
	case FaultTruncated:
		buf := &bufferWriter{header: http.Header{}}
		e.serve(buf, r)
		w.status = buf.status
		w.commit() // before the cut answer: a retry must not be logged ahead of this attempt
		writeTruncated(w.ResponseWriter, buf)
		return true
	case FaultEcho, FaultEchoHTML:
		echo := echoRequest(r)
		status := f.Status
		if f.Kind == FaultEchoHTML {
			if status == 0 {
				status = http.StatusBadGateway
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(status)
			_, _ = fmt.Fprintf(w, "<html><body><h1>%d Bad Gateway</h1><pre>%s</pre></body></html>\n", status, echo)
			return true
		}
		if status == 0 {
			status = http.StatusBadRequest
		}
		writeError(w, &apiError{status: status, detail: "Request rejected: " + echo, text: echo})
		return true
	case FaultRateLimit:
		ra := f.RetryAfter
		if ra == "" {
			ra = "1"
		}
		writeRateLimited(w, ra)
		return true
	case FaultEndlessList:
		writeEndlessPage(w, r, f.Total)
		return true
	case FaultHugeTotal:
		buf := &bufferWriter{header: http.Header{}}
		e.serve(buf, r)
		total := f.Total
		if total == 0 {
			total = HugeTotal
		}
		for k, v := range buf.header {
			w.Header()[k] = v
		}
		w.Header().Set("X-Total-Count", strconv.Itoa(total))
		if buf.status == 0 {
			buf.status = http.StatusOK
		}
		w.WriteHeader(buf.status)
		_, _ = w.Write(buf.body.Bytes())
		return true
	}
	return false
}

// writeEndlessPage answers a list request as a listing that never ends: as many sources as the
// limit asks (at most 250), each with an id and name no other offset has.
func writeEndlessPage(w http.ResponseWriter, r *http.Request, total int) {
	pg, aerr := parsePage(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	var b bytes.Buffer
	b.WriteByte('[')
	for i := range pg.limit {
		if i > 0 {
			b.WriteByte(',')
		}
		n := pg.offset + i
		fmt.Fprintf(&b, `{"id":"%032x","name":"endless %d","connector":"endless","owner":{"type":"IDENTITY","id":"2c91808568c529c60168cca6f90c1313","name":"endless"}}`, n+1, n)
	}
	b.WriteByte(']')
	if total > 0 {
		w.Header().Set("X-Total-Count", strconv.Itoa(total))
	}
	w.Header().Set("Content-Type", jsonContentType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b.Bytes())
}

// resetConn closes the client connection without an answer; with SO_LINGER 0 the client sees
// a TCP reset rather than an orderly close.
func resetConn(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Not hijackable (HTTP/2): abort the handler, which makes the server reset the stream.
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// writeTruncated sends buf's status and headers with a Content-Length larger than the body,
// writes half of the body and closes the connection.
func writeTruncated(w http.ResponseWriter, buf *bufferWriter) {
	conn, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	status := buf.status
	if status == 0 {
		status = http.StatusOK
	}
	body := buf.body.Bytes()
	var head bytes.Buffer
	fmt.Fprintf(&head, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	buf.header.Del("Content-Length")
	_ = buf.header.Write(&head)
	fmt.Fprintf(&head, "Content-Length: %d\r\nConnection: close\r\n\r\n", len(body)+512)
	_, _ = rw.Write(head.Bytes())
	_, _ = rw.Write(body[:len(body)/2])
	_ = rw.Flush()
}

// bufferWriter captures an answer so that a fault can deliver it differently.
type bufferWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

// Header is the buffered answer's header.
func (b *bufferWriter) Header() http.Header { return b.header }

// WriteHeader buffers the status.
func (b *bufferWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

// Write buffers the body.
func (b *bufferWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// LogEntry is one request the emulator served.
type LogEntry struct {
	Time   time.Time // when the request was received
	Method string
	Path   string
	Query  string // raw query string
	Status int    // the status the tenant decided on; 0 when it never answered (FaultReset, or the client gave up first)
	Fault  string // the injected fault's kind ("" for none)
}

// Log returns the requests served since the emulator started or the last ResetLog, in the order
// the emulator answered them. A request's entry, with its final Status and Fault, is appended
// before any of its answer reaches the connection — before the status line, and before the
// connection is reset or cut by FaultReset, FaultResetAfter or FaultTruncated. So once a client
// has seen the answer to a request, or seen its connection fail, that request is in the log, and
// any request the client sends afterwards (a retry, the next call) comes after it. Requests
// served concurrently appear in the order their answers began; Time is when each was received.
// The one entry that can appear later is that of a request the client abandoned before any
// answer (during Options.Latency or a FaultStall): it is appended, with Status 0, once the
// emulator notices the client is gone, so a test counting such requests must first wait for the
// emulator's handlers to return (for example by closing the httptest.Server).
func (e *Emulator) Log() []LogEntry {
	e.logMu.Lock()
	defer e.logMu.Unlock()
	return append([]LogEntry(nil), e.log...)
}

// ResetLog empties the request log. Requests received before it that are still being served are
// never logged: afterwards the log holds only requests received after the last ResetLog, so a
// slow request left over from an earlier step cannot turn up among the next step's entries.
func (e *Emulator) ResetLog() {
	e.logMu.Lock()
	defer e.logMu.Unlock()
	e.log = nil
	e.logGen++
}

// appendLog records one finished request, unless ResetLog was called since it arrived.
func (e *Emulator) appendLog(gen uint64, entry LogEntry) {
	e.logMu.Lock()
	defer e.logMu.Unlock()
	if gen == e.logGen {
		e.log = append(e.log, entry)
	}
}

// echoRequest renders a request's credentials first (so that a client shortening the message
// still shows them), then its method, path, other headers and body, as an echoing gateway does.
func echoRequest(r *http.Request) string {
	var b strings.Builder
	if v := r.Header.Get("Authorization"); v != "" {
		fmt.Fprintf(&b, "Authorization: %s\n", v)
	}
	if r.Body != nil {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		b.Write(body)
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "%s %s\n", r.Method, r.URL.RequestURI())
	keys := make([]string, 0, len(r.Header))
	for k := range r.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range r.Header[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	return b.String()
}
