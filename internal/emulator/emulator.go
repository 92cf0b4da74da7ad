// Package emulator is an in-memory SailPoint Identity Security Cloud tenant served over real
// HTTP. It answers the same paths (/oauth/token, /v3/..., /beta/... where the published API has
// them), bodies and status codes as a tenant for the endpoints sailsync uses, including the
// inconvenient parts: full-object PUT with immutable fields, secrets that only come back as
// cipher text, server-managed fields, RELEASED-only connector listing, expiring tokens, rate
// limiting — and faults injected from Go tests (500s, resets, stalls, malformed bodies, 429
// storms). Tests, the benchmark and the README demo all run against it.
package emulator

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"sync"
	"time"

	"github.com/sailsync/sailsync/internal/value"
)

// Default credentials of an emulator whose Options leave them empty. They are printed by
// `sailsync emulator` so a newcomer can connect without a tenant.
const (
	DefaultClientID     = "sailsync-demo"
	DefaultClientSecret = "demo-secret"
)

// Options configure an Emulator. The zero value is an empty tenant without rate limiting.
type Options struct {
	Seed                   fs.FS         // nil → empty tenant; examples.AcmeTenant for the demo
	ClientID, ClientSecret string        // "" → DefaultClientID / DefaultClientSecret
	TokenLifetime          time.Duration // 0 → 12 h
	RatePer10s             int           // 0 → no rate limiting; 100 = the documented limit (sliding window per client)
	RateWindow             time.Duration // 0 → 10 s (benchmarks scale it)
	Latency                time.Duration // added to every request
	// ScriptNameRule is how a new connector's scriptName is derived ("" → ScriptNameSlug).
	ScriptNameRule ScriptNameRule
	// FoldConnectorNames makes connector names compare case-insensitively, so that "acme hr"
	// is refused beside "Acme HR" (the API does not say how the tenant compares names).
	FoldConnectorNames bool
	// FoldNames makes the names of the plain collections' objects (transforms: a collection of
	// objects identified by name) compare case-insensitively, for the unique-name check and the
	// list's name parameter: the API does not say how the tenant compares names.
	FoldNames bool
	// ConnectorNameIsType makes a source's connectorName the connector's type instead of its
	// name: the API calls it the connector's name, but a client must not depend on it.
	ConnectorNameIsType bool
	// CipherFormat is the shape of the cipher text the tenant returns for a secret ("" is
	// CipherENC): the API does not document it.
	CipherFormat CipherFormat
	// EncryptListedOnly makes the tenant encrypt only the connectorAttributes keys that
	// connectorAttributes.encrypted names (a real tenant's connector definition fills that list)
	// and keep every other key, password-like names included, in plain text.
	EncryptListedOnly bool
	// TaskPolls is how many status reads show a source deletion's task still running before it
	// shows as completed (0: completed at once).
	TaskPolls int
	// TemplateDefault keeps ConnectorDetail's applicationXml at the template the tenant
	// generated at create: an uploaded source template shows only at the documented GET
	// /v3/connectors/{scriptName}/source-template (whether the detail reflects it is undocumented).
	TemplateDefault bool
	// SourceConfigFields names the ConnectorDetail fields that show the source config: "" or
	// FieldsBoth (sourceConfigXml and sourceConfig, as the document's schema has them),
	// FieldsXML, FieldsPlain, or FieldsNone (GET …/source-config only).
	SourceConfigFields string
	// CorrelationConfigFields names the ConnectorDetail fields that show the correlation
	// config: "" or FieldsXML (correlationConfigXml), FieldsBoth (and correlationConfig), or
	// FieldsPlain (correlationConfig only).
	CorrelationConfigFields string
	// TranslationsDetail is how the detail shows translationProperties: "" or TranslationsMap,
	// TranslationsLower, TranslationsUnderscore, TranslationsParsed or TranslationsNone.
	TranslationsDetail string
	// MetadataDetail is how the detail and the listing show connectorMetadata: "" or
	// MetadataStored, MetadataExtra (keys of the tenant's own added) or MetadataString (JSON text).
	MetadataDetail string
	// SchemaExtras answers entitlement schemas with keys in another order, attributes sorted
	// by name and properties of the tenant's own on each attribute (multi, entitlement, …).
	SchemaExtras bool
	// TickEvery plays Tick on this period until Close (0: only when asked, by Tick or a POST to
	// DebugTickPath).
	TickEvery time.Duration
	// TickStampsModified makes a tick give every source it rewrites a new `modified`: whether
	// the tenant stamps the platform's own writes is undocumented (by default it does not).
	TickStampsModified bool
	// Export is how the configuration export behaves: ExportOK, or one of the ways it fails or
	// falls short (ExportForbidden, ExportMissing, ExportFailed, ExportNoChildren,
	// ExportPartialSchemas).
	Export string
	// ExportPolls is how many status reads show an export job in progress before it completes
	// (0: complete at once): the job's latency is the tenant's.
	ExportPolls int
	// ConnectionTests answers the connection test of the sources named (by exact name);
	// every other source's passes. SetConnectionTest changes one while the tenant runs.
	ConnectionTests map[string]ConnectionTest
}

// Emulator is an in-memory tenant. It is an http.Handler (use it with httptest.NewServer) and is
// safe for concurrent use: every piece of tenant state sits behind mu, and the request log
// behind logMu.
type Emulator struct {
	opts Options

	mu        sync.Mutex
	state     []any                      // each kind's state, by its index in kindHandlers (kinds.go)
	directory map[string][]*value.Object // the lookup collections by seed directory (see directory.go)
	tokens    map[string]token
	rate      map[string][]time.Time // request times per client id within the current window
	faults    []*faultEntry
	nextFault int
	lastStamp time.Time
	tasks     map[string]*task          // background tasks by id (source deletions)
	exports   map[string]*exportJob     // configuration export jobs by id
	connTests map[string]ConnectionTest // SetConnectionTest's, by lower-cased source name

	stopTicks chan struct{} // closed by Close to stop the TickEvery timer
	closeOnce sync.Once

	// The log has its own lock because a request is logged as its answer begins, and some
	// handlers write their answer with mu held. Lock order: mu, then logMu.
	logMu  sync.Mutex
	log    []LogEntry
	logGen uint64 // bumped by ResetLog; entries of requests from an older generation are dropped
}

type token struct {
	clientID string
	expires  time.Time
}

// New returns an emulator seeded from opts.Seed. A seed that cannot be read or holds an invalid
// object is an error naming the file.
func New(opts Options) (*Emulator, error) {
	if opts.ClientID == "" {
		opts.ClientID = DefaultClientID
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = DefaultClientSecret
	}
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = 12 * time.Hour
	}
	if opts.RateWindow <= 0 {
		opts.RateWindow = 10 * time.Second
	}
	switch opts.Export {
	case ExportOK, ExportForbidden, ExportMissing, ExportFailed, ExportNoChildren, ExportPartialSchemas:
	default:
		return nil, fmt.Errorf("emulator: unknown export mode %q", opts.Export)
	}
	if _, err := ParseScriptNameRule(string(opts.ScriptNameRule)); err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	if err := checkVariants(opts); err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	e := &Emulator{
		opts:   opts,
		state:  newKindStates(),
		tokens: map[string]token{},
		rate:   map[string][]time.Time{},
	}
	if opts.Seed != nil {
		if err := e.loadSeed(opts.Seed); err != nil {
			return nil, fmt.Errorf("emulator seed: %w", err)
		}
	}
	if opts.TickEvery > 0 {
		e.stopTicks = make(chan struct{})
		go e.tickEvery(opts.TickEvery, e.stopTicks)
	}
	return e, nil
}

// ClientID is the client id the token endpoint accepts.
func (e *Emulator) ClientID() string { return e.opts.ClientID }

// ClientSecret is the client secret the token endpoint accepts.
func (e *Emulator) ClientSecret() string { return e.opts.ClientSecret }

// ServeHTTP answers one request: latency, then an injected fault if one matches, then the token
// endpoint or authentication, rate limiting and the API itself. Every request is logged (see Log
// for when its entry appears).
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.logMu.Lock()
	gen := e.logGen
	e.logMu.Unlock()
	sw := &statusWriter{ResponseWriter: w, emu: e, gen: gen,
		entry: LogEntry{Time: time.Now(), Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery}}
	// Requests that end without any answer (the client gave up during a stall or the latency)
	// are logged here; every other one was logged when its answer began.
	defer sw.commit()

	if e.opts.Latency > 0 {
		bufferBody(r)
		if !sleepCtx(r.Context(), e.opts.Latency) {
			return
		}
	}
	if f, ok := e.matchFault(r); ok {
		sw.entry.Fault = f.Kind.String()
		if e.injectFault(sw, r, f) {
			return
		}
	}
	e.serve(sw, r)
}

// serve is the tenant proper, without latency or faults, and the emulator's own debug endpoint
// (DebugTickPath), which needs no token since no tenant has it.
func (e *Emulator) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/oauth/token" {
		e.handleToken(w, r)
		return
	}
	if r.URL.Path == DebugTickPath {
		e.handleDebugTick(w, r)
		return
	}
	clientID, ok := e.authenticate(w, r)
	if !ok {
		return
	}
	if !e.allow(w, clientID) {
		return
	}
	e.route(w, r)
}

// statusWriter remembers the status for the request log, appends the request's entry to the log
// before any of the answer reaches the connection, and passes Hijack through for faults. A fault
// that takes the connection over calls commit itself before hijacking it. Like any
// http.ResponseWriter it is used by the handler's goroutine only.
type statusWriter struct {
	http.ResponseWriter
	status int

	emu    *Emulator
	gen    uint64 // the log generation the request arrived in (see ResetLog)
	entry  LogEntry
	logged bool
}

// commit appends the request's entry, with the status decided so far, to the log once.
func (s *statusWriter) commit() {
	if s.logged {
		return
	}
	s.logged = true
	s.entry.Status = s.status
	s.emu.appendLog(s.gen, s.entry)
}

// WriteHeader records the status for the request log.
func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
		s.commit()
	}
	s.ResponseWriter.WriteHeader(code)
}

// Write records that a body was written (an implicit 200).
func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
		s.commit()
	}
	return s.ResponseWriter.Write(b)
}

// Flush passes on to the underlying writer when it can flush.
func (s *statusWriter) Flush() {
	if s.status == 0 { // flushing sends the implicit 200 header
		s.status = http.StatusOK
		s.commit()
	}
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection underneath.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// bufferBody reads the request body before the emulator sleeps: the server notices a client
// that went away (and cancels the request context) only once the body has been read to the end.
func bufferBody(r *http.Request) {
	if r.Body == nil || r.Body == http.NoBody {
		return
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxUpload))
	if err != nil {
		// The client went away mid-body; the handler will see the same error reading it.
		r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(data), errReader{err}))
		return
	}
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(data), r.Body))
}

// errReader is a body whose every read fails with err.
type errReader struct{ err error }

// Read fails with the reader's error.
func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// sleepCtx sleeps d and reports whether it slept the whole time (false: the client went away).
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// newID returns a 32-hex-digit id like the tenant's.
func newID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		// crypto/rand does not fail on supported platforms; a clock-derived id keeps us going.
		return fmt.Sprintf("%032x", time.Now().UnixNano())
	}
	return hex.EncodeToString(b[:])
}

// stamp returns the current time as the tenant formats it, strictly increasing so that every
// write gets a modified value different from the previous one (stale-object checks rely on it).
// The caller holds e.mu.
func (e *Emulator) stamp() string {
	now := time.Now().UTC().Truncate(time.Millisecond)
	if !now.After(e.lastStamp) {
		now = e.lastStamp.Add(time.Millisecond)
	}
	e.lastStamp = now
	return now.Format(timeLayout)
}

const timeLayout = "2006-01-02T15:04:05.000Z"

// errNotFound is returned by the state accessors for a name the tenant does not have.
var errNotFound = errors.New("not found")
