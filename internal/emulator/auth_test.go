package emulator_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/sailsync/sailsync/internal/emulator"
)

func TestTokenEndpoint(t *testing.T) {
	t.Parallel()
	emu := acme(t)
	srv := httptest.NewServer(emu)
	defer srv.Close()
	post := func(form url.Values, user, pass string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest("POST", srv.URL+"/oauth/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if user != "" {
			req.SetBasicAuth(url.QueryEscape(user), url.QueryEscape(pass))
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatalf("token answer is not JSON: %v", err)
		}
		return resp.StatusCode, body
	}
	cc := url.Values{"grant_type": {"client_credentials"}}
	withCreds := url.Values{"grant_type": {"client_credentials"}, "client_id": {"sailsync-demo"}, "client_secret": {"demo-secret"}}
	cases := []struct {
		name       string
		form       url.Values
		user, pass string
		status     int
		errField   string
	}{
		{"form credentials", withCreds, "", "", 200, ""},
		{"basic auth", cc, "sailsync-demo", "demo-secret", 200, ""},
		{"wrong secret", url.Values{"grant_type": {"client_credentials"}, "client_id": {"sailsync-demo"}, "client_secret": {"nope"}}, "", "", 401, "invalid_client"},
		{"wrong basic", cc, "sailsync-demo", "nope", 401, "invalid_client"},
		{"no credentials", cc, "", "", 401, "invalid_client"},
		{"wrong grant", url.Values{"grant_type": {"password"}, "client_id": {"sailsync-demo"}, "client_secret": {"demo-secret"}}, "", "", 400, "unsupported_grant_type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := post(c.form, c.user, c.pass)
			if status != c.status {
				t.Fatalf("status %d, want %d (%v)", status, c.status, body)
			}
			if c.status == 200 {
				if body["token_type"] != "bearer" || body["access_token"] == "" || body["expires_in"] != float64(12*3600) {
					t.Errorf("token answer %v", body)
				}
				return
			}
			if body["error"] != c.errField {
				t.Errorf("error = %v, want %q", body["error"], c.errField)
			}
		})
	}
}

// The client helper uses golang.org/x/oauth2/clientcredentials; both ways it may send the
// credentials must work.
func TestOAuth2ClientCredentials(t *testing.T) {
	t.Parallel()
	emu := acme(t)
	srv := httptest.NewServer(emu)
	defer srv.Close()
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams, oauth2.AuthStyleAutoDetect} {
		cfg := clientcredentials.Config{ClientID: emu.ClientID(), ClientSecret: emu.ClientSecret(), TokenURL: srv.URL + "/oauth/token", AuthStyle: style}
		ctx := context.WithValue(context.Background(), oauth2.HTTPClient, srv.Client())
		resp, err := cfg.Client(ctx).Get(srv.URL + "/v3/sources")
		if err != nil {
			t.Fatalf("style %d: %v", style, err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("style %d: status %d", style, resp.StatusCode)
		}
	}
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	emu := acme(t)
	tn := raw(t, emu)
	get := func(auth string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", tn.srv.URL+"/v3/sources", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := tn.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]string
		_ = json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body["error"]
	}
	if s, _ := get("Bearer " + tn.tok); s != 200 {
		t.Fatalf("valid token: %d", s)
	}
	for name, auth := range map[string]string{"missing": "", "not bearer": "Basic eDp5", "empty bearer": "Bearer "} {
		if s, msg := get(auth); s != 401 || msg == "" {
			t.Errorf("%s: %d %q", name, s, msg)
		}
	}
	if s, msg := get("Bearer forged"); s != 401 || msg != "JWT validation failed: JWT is expired" {
		t.Errorf("unknown token: %d %q", s, msg)
	}
	emu.ExpireTokens()
	if s, msg := get("Bearer " + tn.tok); s != 401 || msg != "JWT validation failed: JWT is expired" {
		t.Errorf("expired token: %d %q", s, msg)
	}
	if s, _ := get("Bearer " + tn.token()); s != 200 {
		t.Errorf("a new token after expiry: %d", s)
	}
}

func TestTokenLifetime(t *testing.T) {
	t.Parallel()
	// A lifetime of 1 ns has run out by the time the token is used: no sleeping needed.
	emu, err := emulator.New(emulator.Options{TokenLifetime: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	tn := raw(t, emu)
	if r := tn.do("GET", "/v3/sources", nil); r.status != 401 || !strings.Contains(string(r.body), "JWT is expired") {
		t.Errorf("short-lived token: %d %s", r.status, r.body)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	emu, err := emulator.New(emulator.Options{RatePer10s: 3, RateWindow: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	tn := raw(t, emu)
	for i := 0; i < 3; i++ {
		if r := tn.do("GET", "/v3/sources", nil); r.status != 200 {
			t.Fatalf("request %d: %d", i+1, r.status)
		}
	}
	r := tn.do("GET", "/v3/connectors", nil)
	if r.status != 429 {
		t.Fatalf("4th request: %d", r.status)
	}
	if o := r.object(t); o.String("message") != " Rate Limit Exceeded " {
		t.Errorf("429 body %s", r.body)
	}
	// The window is an hour, so the oldest request leaves it in about 3600 s.
	if ra, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || ra < 3500 || ra > 3600 {
		t.Errorf("Retry-After %q", r.header.Get("Retry-After"))
	}
	// The token endpoint is not rate limited (a client that was limited can still re-authenticate).
	tn.token()
	// A refused request does not count: still limited, not more so.
	if r := tn.do("GET", "/v3/sources", nil); r.status != 429 {
		t.Errorf("still limited: %d", r.status)
	}
}

func TestLatencyHonoursCancellation(t *testing.T) {
	t.Parallel()
	// With an hour of latency the request can only end by the client giving up; the handler
	// must return then (httptest's Close would otherwise wait an hour) and log it unanswered.
	emu, err := emulator.New(emulator.Options{Latency: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	ctx, cancel := context.WithCancel(context.Background())
	wrote := make(chan struct{})
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { close(wrote) }})
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/v3/sources", nil)
	done := make(chan error, 1)
	go func() {
		resp, err := srv.Client().Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		done <- err
	}()
	<-wrote
	cancel()
	if err := <-done; err == nil {
		t.Error("request with an hour of latency answered")
	}
	srv.Close() // waits for the handler
	for _, l := range emu.Log() {
		if l.Status != 0 {
			t.Errorf("abandoned request logged with status %d", l.Status)
		}
	}
}
