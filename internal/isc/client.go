// Package isc is the REST client for SailPoint Identity Security Cloud: client-credentials auth
// with refresh on 401, one rate limiter shared by every request, bounded retries that never
// repeat a create blindly, paging, and typed API errors. Objects travel as *value.Object so that
// every field the tenant sends survives a read-modify-write.
package isc

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/sailsync/sailsync/internal/redact"
	"golang.org/x/time/rate"
)

// maxBody bounds a response body; a list page of 250 sources is far below it.
const maxBody = 64 << 20

// Client talks to one tenant. It is safe for concurrent use; all its requests share one rate
// limiter and one access token.
type Client struct {
	base       string // scheme://host
	tenant     string // base as TenantOf normalises it
	hc         *http.Client
	timeout    time.Duration
	maxRetries int
	limiter    *rate.Limiter
	tokens     *tokens

	// Hooks and tunables, replaced by tests so that waits are observed rather than slept.
	now          func() time.Time
	sleep        func(ctx context.Context, d time.Duration) error
	jitter       func(max time.Duration) time.Duration
	backoffBase  time.Duration // first retry after a transient failure waits up to this
	backoffMax   time.Duration
	rlBackoff    time.Duration // 429 without Retry-After: first wait up to this
	maxRLRetries int           // 429s tolerated per call (storms can last a while)
	maxRetryWait time.Duration // a longer Retry-After is an error rather than a silent stall

	pauseMu    sync.Mutex
	pauseUntil time.Time // after a 429 every request waits, not only the one that got it

	debug   io.Writer
	debugMu sync.Mutex
	red     *redact.Set // every secret of the run: never in a log line

	statsMu sync.Mutex
	stats   Stats // ByEndpoint left empty: see byEndpoint
	// byEndpoint counts requests by method and path template; Stats() spells the keys. Kept
	// apart so that counting a request does not build its "METHOD /template" string.
	byEndpoint map[endpoint]int
}

// endpoint is a request's method and path template, e.g. GET and /v3/sources/{id}/schemas.
type endpoint struct{ method, tmpl string }

// Stats counts the requests a Client made.
type Stats struct {
	// Requests is every HTTP request sent, retries and token requests included.
	Requests int
	// ByEndpoint counts requests by "METHOD /path/template", e.g. "GET /v3/sources/{id}/schemas".
	ByEndpoint map[string]int
	// RateLimited counts 429 answers.
	RateLimited int
	// Retries counts requests repeated after a failure (429, 401, transient errors).
	Retries int
}

// rateSafety keeps the client a little under the configured rate: the tenant counts arrivals,
// and network jitter can move two requests sent exactly one window apart into one window.
const rateSafety = 0.98

// Tenant is the tenant the client talks to, as TenantOf names it.
func (c *Client) Tenant() string { return c.tenant }

// New validates cfg and returns a client. It does not contact the tenant.
func New(cfg Config) (*Client, error) {
	u, err := checkBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	tenant, err := TenantOf(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(cfg.ClientID) == "" || cfg.ClientSecret == "" {
		return nil, fmt.Errorf("no API credentials: set %s and %s (a personal access token or API client)", EnvClientID, EnvClientSecret)
	}
	hc, err := httpClient(cfg)
	if err != nil {
		return nil, err
	}
	per10s := cfg.RatePer10s
	if per10s == 0 {
		per10s = DefaultRatePer10s
	}
	if per10s < 0 {
		return nil, fmt.Errorf("rate limit %v per 10 s: must be positive", cfg.RatePer10s)
	}
	c := &Client{
		base:         u.String(),
		tenant:       tenant,
		timeout:      cfg.Timeout,
		maxRetries:   cfg.MaxRetries,
		now:          time.Now,
		sleep:        sleepCtx,
		jitter:       func(max time.Duration) time.Duration { return rand.N(max + 1) },
		backoffBase:  500 * time.Millisecond,
		backoffMax:   30 * time.Second,
		rlBackoff:    2 * time.Second,
		maxRLRetries: 20,
		maxRetryWait: 10 * time.Minute,
		debug:        cfg.Debug,
		byEndpoint:   map[endpoint]int{},
	}
	if c.timeout <= 0 {
		c.timeout = 60 * time.Second
	}
	if c.maxRetries <= 0 {
		c.maxRetries = 5
	}
	if cfg.RetryBackoff > 0 {
		c.backoffBase, c.rlBackoff = cfg.RetryBackoff, cfg.RetryBackoff
	}
	// Burst 1: the tenant counts requests in a 10 s window, and a token bucket with burst b and
	// rate r admits b + r·10s requests in any 10 s, so any burst above one token would overrun a
	// window that a steady client exactly fills.
	c.limiter = rate.NewLimiter(rate.Limit(per10s*rateSafety/10), 1)
	c.red = cfg.Redact
	if c.red == nil {
		c.red = redact.New()
	}
	c.remember(cfg.ClientSecret)
	c.red.AddBasic(cfg.ClientID, cfg.ClientSecret)
	hc.Transport = &meteredTransport{c: c, next: hc.Transport}
	c.hc = hc
	c.tokens = newTokens(c.base, cfg, hc, c.timeout, func() time.Time { return c.now() }, c.logf, c.remember)
	return c, nil
}

// Stats returns the counts so far (a copy).
func (c *Client) Stats() Stats {
	c.statsMu.Lock()
	defer c.statsMu.Unlock()
	s := c.stats
	s.ByEndpoint = make(map[string]int, len(c.byEndpoint))
	for k, v := range c.byEndpoint {
		s.ByEndpoint[k.method+" "+k.tmpl] += v
	}
	return s
}

func (c *Client) count(f func(*Stats)) {
	c.statsMu.Lock()
	defer c.statsMu.Unlock()
	f(&c.stats)
}

// endpointKey carries the *request of an API call in its attempt's context.
type endpointKey struct{}

// meteredTransport counts every request and makes the token call wait for the shared rate
// limiter and any 429 pause like the API calls do.
type meteredTransport struct {
	c    *Client
	next http.RoundTripper
}

// RoundTrip sends r and counts it.
func (m *meteredTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	ctx := r.Context()
	var key endpoint
	if req, ok := ctx.Value(endpointKey{}).(*request); ok {
		key = endpoint{req.method, req.tmpl}
	} else {
		// The token call (API calls waited for their turn before their deadline started).
		key = endpoint{r.Method, r.URL.Path}
		if err := m.c.waitTurn(ctx); err != nil {
			if r.Body != nil {
				_ = r.Body.Close()
			}
			return nil, err
		}
	}
	m.c.statsMu.Lock()
	m.c.stats.Requests++
	m.c.byEndpoint[key]++
	m.c.statsMu.Unlock()
	return m.next.RoundTrip(r)
}

// waitTurn waits out a 429 pause, then for the limiter.
func (c *Client) waitTurn(ctx context.Context) error {
	for {
		c.pauseMu.Lock()
		d := c.pauseUntil.Sub(c.now())
		c.pauseMu.Unlock()
		if d <= 0 {
			break
		}
		if err := c.sleep(ctx, d); err != nil {
			return err
		}
	}
	return c.limiter.Wait(ctx)
}

// waitTurnInterruptible is waitTurn for an attempt not yet sent: the interrupt of ctx ends the
// wait with ErrInterrupted, unless ctx is a ContinueWrite whose interrupt came before the call
// (its first attempt is part of a write already under way).
func (c *Client) waitTurnInterruptible(ctx context.Context) error {
	ic, ok := ctx.Value(interruptKey{}).(context.Context)
	if !ok {
		return c.waitTurn(ctx)
	}
	if cont, _ := ctx.Value(continueKey{}).(bool); cont && ic.Err() != nil {
		// The rest of a write still goes out after the interrupt, but a 429 pause (minutes,
		// as the tenant asks) is not sat out for it: the re-run sends it.
		c.pauseMu.Lock()
		paused := c.pauseUntil.After(c.now())
		c.pauseMu.Unlock()
		if paused {
			return ErrInterrupted
		}
		return c.waitTurn(ctx)
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(ic, cancel)()
	err := c.waitTurn(wctx)
	if err != nil && ctx.Err() == nil && ic.Err() != nil {
		return ErrInterrupted
	}
	return err
}

func (c *Client) pause(d time.Duration) {
	c.pauseMu.Lock()
	defer c.pauseMu.Unlock()
	if until := c.now().Add(d); until.After(c.pauseUntil) {
		c.pauseUntil = until
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// request is one API call; it may take several attempts.
type request struct {
	method string
	path   string // escaped, e.g. /v3/sources/2c91…
	tmpl   string // for stats and logs, e.g. /v3/sources/{id}
	query  url.Values
	body   []byte  // JSON body, re-sent on every attempt
	upload *upload // multipart body, reopened on every attempt
	// create marks a POST that creates an object: it is never repeated after an ambiguous
	// failure; the caller looks the object up instead.
	create bool
	// contentType is body's type when it is not application/json (a JSON Patch).
	contentType string
	// accept is the answer's media type when it is not JSON (a bundle part's XML or properties
	// text); the answer's content type is then not checked.
	accept string
	// decode checks and keeps a 2xx body; an error makes the attempt a failure like a 5xx
	// (malformed or truncated body).
	decode func(h http.Header, body []byte) error
}

type upload struct {
	field string
	f     Upload
}

// errAmbiguous wraps the failure of a create whose outcome is unknown.
type errAmbiguous struct{ err error }

// Error is the wrapped error's message.
func (e *errAmbiguous) Error() string { return e.err.Error() }

// Unwrap returns the wrapped error.
func (e *errAmbiguous) Unwrap() error { return e.err }

// attempt is the outcome of one try.
type attempt struct {
	status int
	header http.Header
	body   []byte
	err    error // transport error, token failure or bad 2xx body
	sent   bool  // the request may have reached the tenant
	token  string
}

// verdict is what one attempt means for its request: how do's loop goes on.
type verdict int

const (
	succeeded   verdict = iota // req.decode accepted a 2xx body: done
	refused                    // final: return step.err
	rateLimited                // wait with every request held (the window is per client), then again
	reauthorise                // the token was rejected: fetch a new one once, then again at once
	failed                     // transient: again after a backoff, unless a create may have landed
)

// step is one attempt classified: its verdict and what the loop needs to act on it.
type step struct {
	verdict verdict
	err     error  // refused: the error to return; otherwise the attempt's failure
	reason  string // why it is retried, for --debug
	// wait is what a rate-limited answer asked for when known; otherwise the loop backs off.
	wait      time.Duration
	waitKnown bool
	// capped refuses a wait over maxRetryWait instead of waiting it (the tenant's Retry-After).
	capped bool
	// bare is set when err does not name the request (a token failure), so messages add it.
	bare bool
}

// classify is the table of attempt outcomes: success, refusal, or which kind of retry.
func classify(req *request, a attempt, reauthed bool, now time.Time) step {
	tf := asTokenFailure(a.err)
	switch {
	case a.err == nil && a.status >= 200 && a.status < 300:
		return step{verdict: succeeded}
	case tf != nil && !tf.retryable:
		return step{verdict: refused, err: fmt.Errorf("%s %s: %w", req.method, req.tmpl, a.err)}
	case tf != nil && tf.status == http.StatusTooManyRequests:
		return step{verdict: rateLimited, err: a.err, reason: "token endpoint rate limited",
			wait: tf.retryIn, waitKnown: tf.retryIn != 0, bare: true}
	case tf != nil:
		// The API request was not sent: no ambiguity even for a create.
		return step{verdict: failed, err: a.err, reason: "token request failed"}
	case isPermanent(a.err):
		return step{verdict: refused, err: withRequest(req, a.err)}
	case a.err != nil:
		return step{verdict: failed, err: a.err, reason: "transient failure"}
	}
	apiErr := newAPIError(req.method, req.path, a.status, a.header, a.body)
	switch {
	case a.status == http.StatusTooManyRequests:
		d, ok := parseRetryAfter(a.header.Get("Retry-After"), now)
		return step{verdict: rateLimited, err: apiErr, reason: "rate limited (429)", wait: d, waitKnown: ok, capped: true}
	case a.status == http.StatusUnauthorized && !reauthed:
		// A token the tenant no longer accepts (expired early, revoked). A 401 is a refusal,
		// so even a create can safely be repeated.
		return step{verdict: reauthorise, err: apiErr, reason: "access token rejected (401), fetching a new one"}
	case retryableStatus(a.status):
		return step{verdict: failed, err: apiErr, reason: "server error"}
	}
	return step{verdict: refused, err: apiErr}
}

// do runs req with retries and returns nil once req.decode accepted a 2xx body.
func (c *Client) do(ctx context.Context, req *request) error {
	retries, rlRetries := 0, 0
	reauthed := false
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%s %s: %w", req.method, req.tmpl, err)
		}
		var start time.Time
		if c.debug != nil {
			start = c.now()
		}
		a := c.try(ctx, req)
		if err := ctx.Err(); err != nil {
			// Cancelled by the caller: never retried, whatever the attempt saw.
			if c.debug != nil {
				c.logf("isc: %s %s cancelled after %s", req.method, c.shown(req), c.now().Sub(start).Round(time.Millisecond))
			}
			return fmt.Errorf("%s %s: %w", req.method, req.tmpl, err)
		}
		if c.debug != nil {
			// Only with --debug: the arguments alone (the query encoded again, the values
			// boxed) cost a request several allocations.
			c.logAttempt(req, a, c.now().Sub(start))
		}

		s := classify(req, a, reauthed, c.now())
		var wait time.Duration
		switch s.verdict {
		case succeeded:
			return nil
		case refused:
			return s.err
		case rateLimited:
			c.count(func(s *Stats) { s.RateLimited++ })
			rlRetries++
			if rlRetries > c.maxRLRetries {
				err := fmt.Errorf("still rate limited after %d retries: %w", c.maxRLRetries, s.err)
				if s.bare {
					err = fmt.Errorf("%s %s: %w", req.method, req.tmpl, err)
				}
				return err
			}
			wait = s.wait
			if !s.waitKnown {
				wait = c.backoff(c.rlBackoff, rlRetries-1)
			}
			if s.capped && wait > c.maxRetryWait {
				return fmt.Errorf("tenant asks to wait %s before retrying (more than %s): %w", wait.Round(time.Second), c.maxRetryWait, s.err)
			}
			c.pause(wait)
		case reauthorise:
			reauthed = true
			c.tokens.invalidate(a.token)
		case failed:
			if req.create && a.sent {
				return &errAmbiguous{err: s.err}
			}
			if retries >= c.maxRetries {
				return fmt.Errorf("giving up after %d attempts: %w", retries+1, withRequest(req, s.err))
			}
			wait = c.backoff(c.backoffBase, retries)
			retries++
		}
		if interrupted(ctx) {
			return notRetried(req, s.err)
		}
		c.count(func(s *Stats) { s.Retries++ })
		if c.debug != nil {
			c.logf("isc: retrying %s %s in %s: %s", req.method, c.shown(req), wait.Round(time.Millisecond), s.reason)
		}
		if err := c.waitInterruptible(ctx, wait); err != nil {
			if interrupted(ctx) {
				return notRetried(req, s.err)
			}
			return fmt.Errorf("%s %s: %w", req.method, req.tmpl, err)
		}
	}
}

// asTokenFailure returns the *tokenFailure in err's chain, or nil. A function of its own so
// that the variable errors.As needs escapes only when there is an error to look into, not
// on every attempt.
func asTokenFailure(err error) *tokenFailure {
	if err == nil {
		return nil
	}
	var tf *tokenFailure
	if errors.As(err, &tf) {
		return tf
	}
	return nil
}

// logAttempt writes the debug line of one attempt.
func (c *Client) logAttempt(req *request, a attempt, elapsed time.Duration) {
	if a.err == nil && a.status >= 400 {
		ae := newAPIError(req.method, req.path, a.status, a.header, a.body)
		c.logf("isc: %s %s %d %s%s", req.method, c.shown(req), a.status, elapsed.Round(time.Millisecond), c.redact(ae.detail()))
	} else if a.err == nil {
		c.logf("isc: %s %s %d %s", req.method, c.shown(req), a.status, elapsed.Round(time.Millisecond))
	} else if a.status != 0 {
		c.logf("isc: %s %s %d %s: %v", req.method, c.shown(req), a.status, elapsed.Round(time.Millisecond), c.redact(a.err.Error()))
	} else {
		c.logf("isc: %s %s failed after %s: %v", req.method, c.shown(req), elapsed.Round(time.Millisecond), c.redact(a.err.Error()))
	}
}

// ErrInterrupted is wrapped by the error of a call that made no further attempt because the
// interrupt of its context (WithInterrupt) ended.
var ErrInterrupted = errors.New("interrupted: no further attempt made")

type interruptKey struct{}

// WithInterrupt returns ctx carrying interrupt. Requests made with it are never cut off by
// interrupt (only ctx can cancel an attempt), but once interrupt is done no further attempt
// starts: no retry, no lookup after a create whose outcome is unknown, no waiting out a backoff
// or a 429 pause. Apply uses it so that Ctrl-C lets each write in flight finish and then stops.
func WithInterrupt(ctx, interrupt context.Context) context.Context {
	return context.WithValue(ctx, interruptKey{}, interrupt)
}

type continueKey struct{}

// ContinueWrite marks ctx's calls as the rest of a write under way (a new connector's bundle
// after its create): an interrupt that came before such a call still lets its first attempt go
// out, and only stops its retries. Without it the attempt went out or not by goroutine timing.
func ContinueWrite(ctx context.Context) context.Context {
	return context.WithValue(ctx, continueKey{}, true)
}

func interrupted(ctx context.Context) bool {
	ic, ok := ctx.Value(interruptKey{}).(context.Context)
	return ok && ic.Err() != nil
}

// waitInterruptible waits like waitTurn's sleeps do, ending early when ctx or its interrupt
// ends.
func (c *Client) waitInterruptible(ctx context.Context, d time.Duration) error {
	if ic, ok := ctx.Value(interruptKey{}).(context.Context); ok {
		wctx, cancel := context.WithCancel(ctx)
		defer cancel()
		defer context.AfterFunc(ic, cancel)()
		ctx = wctx
	}
	return c.sleep(ctx, d)
}

// notRetried is the error of a call whose last attempt failed with last and that was not
// retried because of the interrupt.
func notRetried(req *request, last error) error {
	return fmt.Errorf("%w (%w)", withRequest(req, last), ErrInterrupted)
}

// withRequest names the request in errors that do not already (APIError does).
func withRequest(req *request, err error) error {
	var ae *APIError
	if errors.As(err, &ae) {
		return err
	}
	return fmt.Errorf("%s %s: %w", req.method, req.path, err)
}

// backoff is exponential with full jitter: uniformly random up to base·2^n, capped.
func (c *Client) backoff(base time.Duration, n int) time.Duration {
	ceil := base
	for i := 0; i < n && ceil < c.backoffMax; i++ {
		ceil *= 2
	}
	ceil = min(ceil, c.backoffMax)
	if ceil <= 0 {
		return 0
	}
	return c.jitter(ceil)
}

// retryableStatus: server errors worth repeating (not 501 Not Implemented or 505).
func retryableStatus(st int) bool {
	return st >= 500 && st <= 599 && st != http.StatusNotImplemented && st != http.StatusHTTPVersionNotSupported
}

// try makes one attempt, waiting for its turn first.
func (c *Client) try(ctx context.Context, req *request) attempt {
	tok, bearer, err := c.tokens.header(ctx)
	if err != nil {
		return attempt{err: err}
	}
	// Wait for the rate limiter before the attempt's deadline starts: a queue is not a timeout.
	if err := c.waitTurnInterruptible(ctx); err != nil {
		// Cancelled, or the caller's deadline comes before our turn: waiting again cannot help.
		return attempt{err: &localError{err}}
	}
	actx, cancel := context.WithTimeout(context.WithValue(ctx, endpointKey{}, req), c.timeout)
	defer cancel()
	u := c.base + req.path
	if len(req.query) > 0 {
		u += "?" + req.query.Encode()
	}
	var body io.Reader
	var contentType string
	switch {
	case req.upload != nil:
		rc, err := req.upload.f.Open()
		if err != nil {
			// A local problem (file gone): not the tenant's, not retried.
			return attempt{status: 0, err: &localError{fmt.Errorf("open %s: %w", req.upload.f.Name, err)}}
		}
		pr, ct := multipartStream(req.upload.field, req.upload.f.Name, rc)
		defer pr.Close()
		body, contentType = pr, ct
	case req.body != nil:
		body, contentType = bytes.NewReader(req.body), "application/json"
		if req.contentType != "" {
			contentType = req.contentType
		}
	}
	hr, err := http.NewRequestWithContext(actx, req.method, u, body)
	if err != nil {
		return attempt{err: &localError{err}}
	}
	// The keys are canonical already, and the values share one array: Header.Set
	// canonicalised each key and allocated each value's slice.
	accept := "application/json"
	if req.accept != "" {
		accept = req.accept
	}
	vals := [...]string{bearer, accept, "sailsync", contentType}
	h := hr.Header
	h["Authorization"], h["Accept"], h["User-Agent"] = vals[0:1:1], vals[1:2:2], vals[2:3:3]
	if contentType != "" {
		h["Content-Type"] = vals[3:4:4]
	}
	resp, err := c.send(hr)
	if err != nil {
		// url.Error repeats method and URL, which every message here names already. Unwrapped
		// before the timeout is named, or the naming would be unwrapped away with it.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if ctx.Err() == nil && actx.Err() != nil {
			err = fmt.Errorf("no answer within %s: %w", c.timeout, err)
		}
		return attempt{err: transportError(err), sent: true, token: tok}
	}
	defer resp.Body.Close()
	ok := resp.StatusCode >= 200 && resp.StatusCode <= 299
	var data []byte
	if ok {
		// A 2xx body is read into a pooled buffer and given back once decoded: decode copies
		// what it keeps, and do looks at no 2xx body (a.body stays nil).
		buf := bodyPool.Get().(*[]byte)
		data, err = readBody(resp.Body, resp.ContentLength, *buf)
		defer func() {
			if cap(data) <= maxPooled {
				*buf = data[:0]
				bodyPool.Put(buf)
			}
		}()
	} else {
		data, err = readBody(resp.Body, resp.ContentLength, nil)
	}
	a := attempt{status: resp.StatusCode, header: resp.Header, sent: true, token: tok}
	if !ok {
		a.body = data
	}
	if err != nil {
		// Truncated (connection closed before Content-Length), or timed out mid-body.
		a.err = fmt.Errorf("reading %d response: %w", resp.StatusCode, transportError(err))
		return a
	}
	if len(data) > maxBody {
		a.err = &localError{fmt.Errorf("response larger than %d MiB", maxBody>>20)}
		return a
	}
	if !ok {
		return a
	}
	if ct := resp.Header.Get("Content-Type"); req.accept == "" && len(data) > 0 && ct != "" && !jsonType(ct) {
		mt, _, _ := mime.ParseMediaType(ct)
		a.err = fmt.Errorf("%d response with content type %q instead of JSON: %s", resp.StatusCode, sanitize(mt, 60), snippet(data, ct))
		return a
	}
	if req.decode != nil {
		if err := req.decode(resp.Header, data); err != nil {
			a.err = fmt.Errorf("malformed %d response body: %w", resp.StatusCode, err)
		}
	}
	return a
}

// send sends one API request through the client's transport, as c.hc.Do would: redirects are
// refused (CheckRedirect) and Client.Timeout is 0, so all that http.Client added was its
// redirect bookkeeping, which copies every request's headers first. A client with a cookie
// jar (a caller's HTTPClient) still goes through Do.
func (c *Client) send(hr *http.Request) (*http.Response, error) {
	if c.hc.Jar != nil {
		return c.hc.Do(hr)
	}
	resp, err := c.hc.Transport.RoundTrip(hr)
	if err != nil {
		if resp != nil && resp.Body != nil {
			_ = resp.Body.Close()
		}
		return nil, err
	}
	if resp == nil {
		return nil, fmt.Errorf("http: RoundTripper implementation (%T) returned a nil *Response with a nil error", c.hc.Transport)
	}
	if resp.Body == nil {
		resp.Body = http.NoBody
	}
	return resp, nil
}

// bodyPool holds the buffers 2xx bodies are read into, reused because io.ReadAll grows a new
// buffer, several times the body's size, for every response.
var bodyPool = sync.Pool{New: func() any { return new([]byte) }}

// maxPooled is the largest buffer bodyPool keeps; a rare huge body is left to the collector.
const maxPooled = 4 << 20

// readBody reads r to its end like io.ReadAll(io.LimitReader(r, maxBody+1)) does (the same
// bytes and errors), appending to buf[:0]. A known size up to maxPooled sizes the buffer at
// once (a larger one may be a lie, and is read as it comes).
func readBody(r io.Reader, size int64, buf []byte) ([]byte, error) {
	b := buf[:0]
	if size >= 0 && size <= maxPooled && int64(cap(b)) <= size {
		// One byte more than the body: the read that sees the end needs room to be made.
		b = make([]byte, 0, size+1)
	}
	lr := io.LimitedReader{R: r, N: maxBody + 1}
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := lr.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return b, err
		}
	}
}

// jsonType is isJSON without parsing the spellings tenants send (mime.ParseMediaType
// allocates).
func jsonType(ct string) bool {
	switch ct {
	case "application/json", "application/json;charset=utf-8", "application/json; charset=utf-8", "application/json;charset=UTF-8", "application/json; charset=UTF-8":
		return true
	}
	return isJSON(ct)
}

// localError is a failure on this side that another attempt cannot fix.
type localError struct{ err error }

// Error is the wrapped error's message.
func (e *localError) Error() string { return e.err.Error() }

// Unwrap returns the wrapped error.
func (e *localError) Unwrap() error { return e.err }

type permanentError struct{ err error }

// Error is the wrapped error's message.
func (e *permanentError) Error() string { return e.err.Error() }

// Unwrap returns the wrapped error.
func (e *permanentError) Unwrap() error { return e.err }

// transportError marks failures that retrying cannot fix (TLS verification, unknown host).
// A certificate failure also says what usually causes it and what to do.
func transportError(err error) error {
	if !permanentTransportError(err) {
		return err
	}
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	if errors.As(err, &certErr) || errors.As(err, &unknownCA) {
		err = fmt.Errorf("%w (%s)", err, certHint)
	}
	return &permanentError{err}
}

// certHint follows a certificate verification failure: behind a TLS-inspecting proxy the
// tenant's certificate is re-signed by a CA only the company trusts.
const certHint = "the tenant's certificate is not trusted; behind a TLS-inspecting proxy, trust the proxy's CA with --ca-cert FILE"

func isPermanent(err error) bool {
	var le *localError
	var pe *permanentError
	return errors.As(err, &le) || errors.As(err, &pe)
}

func permanentTransportError(err error) bool {
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &certErr), errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &invalid):
		return true
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return true
	}
	return false
}

// shown is the path with query as logged: the query holds filters and paging, never a secret.
func (c *Client) shown(req *request) string {
	if len(req.query) == 0 {
		return req.path
	}
	return req.path + "?" + req.query.Encode()
}

// remember registers a value that must never appear in a log line or error.
func (c *Client) remember(secret string) { c.red.Add(secret) }

func (c *Client) redact(s string) string { return c.red.String(s) }

// logf writes one debug line. Only method, path, status, duration and reasons are ever passed;
// redaction is the second line of defence.
func (c *Client) logf(format string, args ...any) {
	if c.debug == nil {
		return
	}
	line := c.redact(fmt.Sprintf(format, args...))
	c.debugMu.Lock()
	defer c.debugMu.Unlock()
	_, _ = io.WriteString(c.debug, strings.TrimRight(line, "\n")+"\n")
}
