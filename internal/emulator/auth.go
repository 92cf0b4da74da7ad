package emulator

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sailsync/sailsync/internal/value"
)

// expiredText is the tenant's documented 401 message; it answers unknown tokens too, because a
// tenant cannot tell a forged token from one it issued long ago.
const expiredText = "JWT validation failed: JWT is expired"

func writeAuthError(w http.ResponseWriter, status int, fields ...string) {
	o := value.NewObject()
	for i := 0; i+1 < len(fields); i += 2 {
		o.Set(fields[i], fields[i+1])
	}
	writeJSON(w, status, o)
}

// handleToken is POST /oauth/token with grant_type=client_credentials. The client may send its
// credentials in the form or with HTTP Basic auth (RFC 6749 §2.3.1, form-encoded), as
// golang.org/x/oauth2/clientcredentials does either way.
func (e *Emulator) handleToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeAuthError(w, http.StatusMethodNotAllowed, "error", "invalid_request", "error_description", "POST required")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		writeAuthError(w, http.StatusBadRequest, "error", "invalid_request", "error_description", "malformed form body")
		return
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok {
		if uu, err := url.QueryUnescape(u); err == nil {
			u = uu
		}
		if pp, err := url.QueryUnescape(p); err == nil {
			p = pp
		}
		id, secret = u, p
	}
	if gt := r.PostForm.Get("grant_type"); gt != "client_credentials" {
		writeAuthError(w, http.StatusBadRequest, "error", "unsupported_grant_type", "error_description", "Unsupported grant type: "+gt)
		return
	}
	if id == "" || subtle.ConstantTimeCompare([]byte(id), []byte(e.opts.ClientID)) != 1 ||
		subtle.ConstantTimeCompare([]byte(secret), []byte(e.opts.ClientSecret)) != 1 {
		writeAuthError(w, http.StatusUnauthorized, "error", "invalid_client", "error_description", "Bad credentials")
		return
	}

	var b [32]byte
	_, _ = rand.Read(b[:])
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	now := time.Now()
	e.mu.Lock()
	for k, t := range e.tokens {
		if now.Sub(t.expires) > e.opts.TokenLifetime {
			delete(e.tokens, k) // long expired: keep the map bounded in long benchmark runs
		}
	}
	e.tokens[tok] = token{clientID: id, expires: now.Add(e.opts.TokenLifetime)}
	e.mu.Unlock()

	o := value.NewObject()
	o.Set("access_token", tok)
	o.Set("token_type", "bearer")
	o.Set("expires_in", value.FromPlain(int(math.Ceil(e.opts.TokenLifetime.Seconds()))))
	o.Set("scope", "sp:scopes:all")
	o.Set("tenant_id", "3b3d0e5a-0c6c-4f2f-9a7e-acme0emulator")
	o.Set("pod", "emulator")
	o.Set("strong_auth_supported", false)
	o.Set("org", "acme")
	o.Set("claims_supported", false)
	o.Set("internal", false)
	o.Set("strong_auth", false)
	o.Set("jti", newID())
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, o)
}

// authenticate checks the bearer token and returns the client it was issued to.
func (e *Emulator) authenticate(w http.ResponseWriter, r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, found := strings.Cut(h, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		writeAuthError(w, http.StatusUnauthorized, "error", "JWT validation failed: no bearer token in the Authorization header")
		return "", false
	}
	e.mu.Lock()
	t, ok := e.tokens[strings.TrimSpace(tok)]
	e.mu.Unlock()
	if !ok || !time.Now().Before(t.expires) {
		writeAuthError(w, http.StatusUnauthorized, "error", expiredText)
		return "", false
	}
	return t.clientID, true
}

// ExpireTokens makes every token issued so far answer 401 from now on, as if its lifetime had
// run out; new tokens are issued as usual.
func (e *Emulator) ExpireTokens() {
	e.mu.Lock()
	defer e.mu.Unlock()
	past := time.Now().Add(-time.Second)
	for k, t := range e.tokens {
		t.expires = past
		e.tokens[k] = t
	}
}

// allow applies the per-client rate limit: at most RatePer10s requests in any RateWindow
// (a sliding window). A refused request gets 429, the documented body and a Retry-After in
// whole seconds until the oldest request in the window leaves it.
func (e *Emulator) allow(w http.ResponseWriter, clientID string) bool {
	if e.opts.RatePer10s <= 0 {
		return true
	}
	now := time.Now()
	e.mu.Lock()
	times := e.rate[clientID]
	cut := 0
	for cut < len(times) && now.Sub(times[cut]) >= e.opts.RateWindow {
		cut++
	}
	times = times[cut:]
	if len(times) >= e.opts.RatePer10s {
		wait := times[0].Add(e.opts.RateWindow).Sub(now)
		e.rate[clientID] = times
		e.mu.Unlock()
		writeRateLimited(w, strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
		return false
	}
	e.rate[clientID] = append(times, now)
	e.mu.Unlock()
	return true
}

func writeRateLimited(w http.ResponseWriter, retryAfter string) {
	w.Header().Set("Retry-After", retryAfter)
	o := value.NewObject()
	o.Set("message", " Rate Limit Exceeded ")
	writeJSON(w, http.StatusTooManyRequests, o)
}
