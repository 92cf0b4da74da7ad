package isc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// tokenPath is the tenant's OAuth token endpoint below the base URL.
const tokenPath = "/oauth/token"

// minTokenLife is the shortest time a token is used before a new one is fetched, whatever
// expires_in says (a negative one included); an expired token is replaced on the API's 401.
const minTokenLife = time.Minute

// tokens hands out the current access token, fetching one with the client-credentials grant
// when there is none or it is about to expire, and forgets it when the API rejects it (401) so
// the next call fetches a fresh one. oauth2.Transport cannot do the latter: it trusts expires_in
// alone, and a tenant revokes tokens before that (key rotation, restarts).
type tokens struct {
	conf    *clientcredentials.Config
	hc      *http.Client // carries the token call through the client's metering transport
	timeout time.Duration
	now     func() time.Time
	log     func(format string, args ...any)
	// remember registers each issued token with the redactor.
	remember func(secret string)

	lock    chan struct{} // a mutex that a waiting caller can abandon when its context ends
	mu      sync.Mutex    // guards cur, bearer and refresh
	cur     *oauth2.Token
	bearer  string    // "Bearer " + cur.AccessToken, spelled once per token, not per request
	refresh time.Time // when to fetch a new one ahead of expiry
}

func newTokens(base string, cfg Config, hc *http.Client, timeout time.Duration, now func() time.Time, log func(string, ...any), remember func(string)) *tokens {
	return &tokens{
		conf: &clientcredentials.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			TokenURL:     base + tokenPath,
			// In the form body: never in the URL (where proxies log it), and no auto-detection
			// round trip that costs a failed request per token.
			AuthStyle: oauth2.AuthStyleInParams,
		},
		hc:       hc,
		timeout:  timeout,
		now:      now,
		log:      log,
		remember: remember,
		lock:     make(chan struct{}, 1),
	}
}

// valid returns the current token and its Authorization header value when it can still be
// used.
func (t *tokens) valid() (*oauth2.Token, string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cur == nil || t.cur.AccessToken == "" {
		return nil, ""
	}
	if !t.refresh.IsZero() && !t.now().Before(t.refresh) {
		return nil, ""
	}
	return t.cur, t.bearer
}

// token returns a usable access token, fetching one if needed. Concurrent callers share one
// fetch.
func (t *tokens) token(ctx context.Context) (string, error) {
	tok, _, err := t.header(ctx)
	return tok, err
}

// header returns a usable access token and the Authorization header value that sends it,
// fetching a token if needed.
func (t *tokens) header(ctx context.Context) (access, bearer string, err error) {
	if tok, bearer := t.valid(); tok != nil {
		return tok.AccessToken, bearer, nil
	}
	select {
	case t.lock <- struct{}{}:
	case <-ctx.Done():
		return "", "", ctx.Err()
	}
	defer func() { <-t.lock }()
	if tok, bearer := t.valid(); tok != nil {
		return tok.AccessToken, bearer, nil
	}
	start := t.now()
	tctx, cancel := context.WithTimeout(context.WithValue(ctx, oauth2.HTTPClient, t.hc), t.timeout)
	defer cancel()
	tok, err := t.conf.Token(tctx)
	if err != nil {
		return "", "", tokenError(err)
	}
	if tok.AccessToken == "" {
		return "", "", &tokenFailure{msg: "token response has no access_token", retryable: true}
	}
	t.remember(tok.AccessToken)
	if i := strings.IndexFunc(tok.AccessToken, func(r rune) bool { return r <= ' ' || r > '~' }); i >= 0 {
		// A header value with CR/LF would be refused by net/http on every request (a retry
		// loop), one with ESC would reach a log: the token endpoint's answer is broken.
		return "", "", &tokenFailure{msg: fmt.Sprintf("the token endpoint answered an access_token with a control, space or non-ASCII character (at byte %d): refused", i)}
	}
	var refresh time.Time
	if !tok.Expiry.IsZero() {
		// Renew a little before expiry so that a token does not lapse in flight: a tenth of its
		// lifetime, at most a minute.
		life := tok.Expiry.Sub(start)
		refresh = tok.Expiry.Add(-min(time.Minute, life/10))
		if life < minTokenLife {
			// Zero or negative expires_in: short, not "fetch before every call"; a 401
			// replaces it sooner if the tenant meant it.
			refresh = start.Add(minTokenLife)
		}
	}
	bearer = "Bearer " + tok.AccessToken
	t.mu.Lock()
	t.cur, t.bearer, t.refresh = tok, bearer, refresh
	t.mu.Unlock()
	if refresh.IsZero() {
		t.log("isc: new access token (no expires_in; kept until the API rejects it)")
	} else {
		t.log("isc: new access token, expires in %s", tok.Expiry.Sub(start).Round(time.Second))
	}
	return tok.AccessToken, bearer, nil
}

// invalidate forgets access, if it is still the current token (another caller may already have
// replaced it after its own 401).
func (t *tokens) invalidate(access string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cur != nil && t.cur.AccessToken == access {
		t.cur = nil
	}
}

// tokenFailure is a failed token request, described without the credentials.
type tokenFailure struct {
	status    int
	msg       string
	retryable bool
	retryIn   time.Duration // from Retry-After on a 429
	api       *APIError
	cause     error
}

// Error says why no token was issued.
func (e *tokenFailure) Error() string {
	if e.api != nil {
		return "get access token: " + e.api.Error()
	}
	return "get access token: " + e.msg
}

// Unwrap returns the underlying error.
func (e *tokenFailure) Unwrap() error {
	if e.api != nil {
		return e.api
	}
	return e.cause
}

// tokenError converts what clientcredentials returned. Its RetrieveError embeds the raw body;
// the message is rebuilt from the parsed fields instead.
func tokenError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		st := re.Response.StatusCode
		api := newAPIError(http.MethodPost, tokenPath, st, re.Response.Header, re.Body)
		if re.ErrorCode != "" && len(api.Messages) == 0 {
			api.Messages = []string{sanitize(re.ErrorCode+" "+re.ErrorDescription, 300)}
		}
		f := &tokenFailure{status: st, api: api, retryable: st == http.StatusTooManyRequests || retryableStatus(st)}
		if st == http.StatusTooManyRequests {
			if d, ok := parseRetryAfter(re.Response.Header.Get("Retry-After"), time.Now()); ok {
				f.retryIn = d
			}
		}
		if st >= 200 && st < 300 {
			// A 2xx that did not parse: truncated or malformed, worth another try.
			f.retryable = true
			api.Messages = append(api.Messages, "malformed token response")
		}
		return f
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &tokenFailure{msg: "timed out or cancelled", retryable: true, cause: err}
	}
	// Transport failures (reset, refused, malformed JSON in a 200). The error text of these
	// carries no credential: the URL has none and the body is not included.
	err = transportError(err)
	return &tokenFailure{msg: fmt.Sprintf("%v", err), retryable: !isPermanent(err), cause: err}
}

// Authenticate gets an access token now, if the client holds no valid one. Callers about to
// send many requests at once call it first, so that bad credentials are reported once, as what
// they are, instead of against whichever request happened to ask for the token.
func (c *Client) Authenticate(ctx context.Context) error {
	_, err := c.tokens.token(ctx)
	return err
}
