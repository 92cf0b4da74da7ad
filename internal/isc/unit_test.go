package isc

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"7", 7 * time.Second, true},
		{" 0 ", 0, true},
		{"1.5", 1500 * time.Millisecond, true},
		{"-3", 0, false},
		{"NaN", 0, false},
		{"soon", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{"Sun, 01 Mar 2026 12:00:30 GMT", 30 * time.Second, true},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestParseRateLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    float64
		wantErr bool
	}{
		{"100", 100, false},
		{"50%", 50, false},
		{"12.5%", 12.5, false},
		{"1000/10s", 1000, false},
		{"5/1s", 50, false},
		{"5/s", 50, false},
		{"60/1m", 10, false},
		{" 30 ", 30, false},
		{"", 0, true},
		{"0", 0, true},
		{"-5", 0, true},
		{"abc", 0, true},
		{"%", 0, true},
		{"0%", 0, true},
		{"10/0s", 0, true},
		{"10/xs", 0, true},
		{"Inf", 0, true},
		{"NaN", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseRateLimit(tt.in)
		if (err != nil) != tt.wantErr || (!tt.wantErr && got != tt.want) {
			t.Errorf("ParseRateLimit(%q) = %v, %v; want %v (error %v)", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestCheckBaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    string
		wantErr string
	}{
		{in: "https://acme.api.identitynow.com", want: "https://acme.api.identitynow.com"},
		{in: "https://acme.api.identitynow.com/", want: "https://acme.api.identitynow.com"},
		{in: "http://127.0.0.1:8787", want: "http://127.0.0.1:8787"},
		{in: "http://127.9.9.9:1", want: "http://127.9.9.9:1"},
		{in: "http://localhost:8787", want: "http://localhost:8787"},
		{in: "http://[::1]:8787", want: "http://[::1]:8787"},
		{in: "http://acme.api.identitynow.com", wantErr: "refusing plain http://"},
		{in: "http://10.0.0.1:8080", wantErr: "refusing plain http://"},
		{in: "http://localhost.evil.com", wantErr: "refusing plain http://"},
		{in: "https://acme.api.identitynow.com/v3", wantErr: "must not include the API version"},
		{in: "https://acme.api.identitynow.com/api", wantErr: "must not have a path"},
		{in: "https://user:hunter2@acme.api.identitynow.com", wantErr: "must not contain credentials"},
		{in: "ftp://acme", wantErr: "must be https://"},
		{in: "acme.api.identitynow.com", wantErr: "must be https://"},
		{in: "", wantErr: "SAIL_BASE_URL"},
		{in: "https://acme.api.identitynow.com?x=1", wantErr: "query"},
	}
	for _, tt := range tests {
		u, err := checkBaseURL(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("checkBaseURL(%q) error = %v, want one containing %q", tt.in, err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Errorf("checkBaseURL(%q) error leaks the password: %v", tt.in, err)
			}
			continue
		}
		if err != nil || u.String() != tt.want {
			t.Errorf("checkBaseURL(%q) = %v, %v; want %q", tt.in, u, err, tt.want)
		}
	}
}

// TestTenantOf: spellings of one tenant name it alike, so that a plan's tenant check cannot be
// fooled by case, a trailing slash or dot, or a default port; other tenants differ.
func TestTenantOf(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"https://acme.api.identitynow.com", "https://acme.api.identitynow.com"},
		{"HTTPS://Acme.API.identitynow.com/", "https://acme.api.identitynow.com"},
		{"https://acme.api.identitynow.com.:443", "https://acme.api.identitynow.com"},
		{"https://acme.api.identitynow.com:8443", "https://acme.api.identitynow.com:8443"},
		{"http://127.0.0.1:8787", "http://127.0.0.1:8787"},
		{"http://[::1]:80/", "http://[::1]"},
		{"https://acme-sb.api.identitynow.com", "https://acme-sb.api.identitynow.com"},
	} {
		got, err := TenantOf(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("TenantOf(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := TenantOf("https://acme.api.identitynow.com/v3"); err == nil {
		t.Error("TenantOf accepted a base URL with a version")
	}
}

func TestNewRefusesPlainHTTPForRemoteHosts(t *testing.T) {
	t.Parallel()
	_, err := New(Config{BaseURL: "http://acme.api.identitynow.com", ClientID: "id", ClientSecret: "s3cret-value"})
	if err == nil || !strings.Contains(err.Error(), "refusing plain http://") {
		t.Fatalf("New with a remote http:// URL: err = %v", err)
	}
	if strings.Contains(err.Error(), "s3cret-value") {
		t.Fatalf("error leaks the secret: %v", err)
	}
	if _, err := New(Config{BaseURL: "https://acme.api.identitynow.com", ClientID: "id"}); err == nil || !strings.Contains(err.Error(), EnvClientSecret) {
		t.Fatalf("New without a secret: err = %v", err)
	}
}

func TestConfigFromEnv(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		EnvBaseURL:      " https://acme.api.identitynow.com ",
		EnvClientID:     "cid",
		EnvClientSecret: "sec",
		EnvDebug:        "1",
	}
	getenv := func(k string) string { return env[k] }
	cfg := ConfigFrom(getenv)
	if cfg.BaseURL != "https://acme.api.identitynow.com" || cfg.ClientID != "cid" || cfg.ClientSecret != "sec" || cfg.Debug != os.Stderr {
		t.Fatalf("ConfigFrom() = %+v", cfg)
	}
	env[EnvDebug] = "0"
	if ConfigFrom(getenv).Debug != nil {
		t.Fatal("SAILSYNC_DEBUG=0 turned debug on")
	}
}

func TestNewAPIError(t *testing.T) {
	t.Parallel()
	jsonHdr := http.Header{"Content-Type": {"application/json;charset=utf-8"}}
	tests := []struct {
		name     string
		status   int
		header   http.Header
		body     string
		detail   string
		tracking string
		messages []string
		causes   []string
		contains []string
		absent   []string
	}{
		{
			name: "standard body", status: 400, header: jsonHdr,
			body: `{"detailCode":"400.1 Bad Request Content","trackingId":"e7eab60924f64aa284175b9fa3309599",` +
				`"messages":[{"locale":"en-US","localeOrigin":"DEFAULT","text":"The request was syntactically correct but its content is semantically invalid."}],` +
				`"causes":[{"locale":"en-US","localeOrigin":"DEFAULT","text":"connector cannot be changed"},"plain cause"]}`,
			detail: "400.1 Bad Request Content", tracking: "e7eab60924f64aa284175b9fa3309599",
			messages: []string{"The request was syntactically correct but its content is semantically invalid."},
			causes:   []string{"connector cannot be changed", "plain cause"},
			contains: []string{"PUT", "/v3/sources/abc", "400", "400.1 Bad Request Content", "trackingId e7eab60924f64aa284175b9fa3309599", "semantically invalid", "connector cannot be changed"},
		},
		{
			name: "401 error body", status: 401, header: jsonHdr,
			body:     `{"error":"JWT validation failed: JWT is expired"}`,
			messages: []string{"JWT validation failed: JWT is expired"},
			contains: []string{"401 Unauthorized", "JWT is expired"},
		},
		{
			name: "429 message body", status: 429, header: http.Header{"Content-Type": {"application/json"}, "Retry-After": {"3"}},
			body:     `{"message":" Rate Limit Exceeded "}`,
			messages: []string{"Rate Limit Exceeded"},
			contains: []string{"429 Too Many Requests", "Rate Limit Exceeded"},
		},
		{
			name: "HTML page from a proxy", status: 502, header: http.Header{"Content-Type": {"text/html"}},
			body:     "<html><head><title>502 Bad Gateway</title><style>x{}</style></head><body><h1>Bad\tGateway</h1><script>alert(1)</script></body></html>",
			messages: []string{"unexpected response (text/html): 502 Bad Gateway"},
			contains: []string{"502 Bad Gateway"},
			absent:   []string{"<html", "script"},
		},
		{
			name: "HTML without title", status: 503, header: http.Header{"Content-Type": {"text/html; charset=utf-8"}},
			body:     "<html><body><p>Service\n\n   down</p></body></html>",
			messages: []string{"unexpected response (text/html; charset=utf-8): Service down"},
		},
		{
			name: "terminal escapes and long text are cut", status: 500, header: http.Header{"Content-Type": {"text/plain"}},
			body:   "\x1b[31mboom\x1b[0m " + strings.Repeat("x", 1000),
			absent: []string{"\x1b", strings.Repeat("x", 200)},
		},
		{
			name: "tracking id from header", status: 500, header: http.Header{"Content-Type": {"application/json"}, "Slpt-Request-Id": {"hdr-123"}},
			body: `{"detailCode":"500.0 Internal Fault"}`, detail: "500.0 Internal Fault", tracking: "hdr-123",
			contains: []string{"trackingId hdr-123"},
		},
		{
			name: "wrong content type with JSON-looking body", status: 404, header: http.Header{"Content-Type": {"text/plain"}},
			body:     `{"detailCode":"404 Not found"}`,
			messages: []string{`unexpected response (text/plain): {"detailCode":"404 Not found"}`},
		},
		{
			name: "empty body", status: 404, header: http.Header{},
			contains: []string{"404 Not Found"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newAPIError("PUT", "/v3/sources/abc", tt.status, tt.header, []byte(tt.body))
			if e.Status != tt.status || e.Method != "PUT" || e.Path != "/v3/sources/abc" {
				t.Errorf("status/method/path = %d %s %s", e.Status, e.Method, e.Path)
			}
			if tt.detail != "" && e.DetailCode != tt.detail {
				t.Errorf("DetailCode = %q, want %q", e.DetailCode, tt.detail)
			}
			if e.TrackingID != tt.tracking {
				t.Errorf("TrackingID = %q, want %q", e.TrackingID, tt.tracking)
			}
			if tt.messages != nil && fmt.Sprint(e.Messages) != fmt.Sprint(tt.messages) {
				t.Errorf("Messages = %q, want %q", e.Messages, tt.messages)
			}
			if tt.causes != nil && fmt.Sprint(e.Causes) != fmt.Sprint(tt.causes) {
				t.Errorf("Causes = %q, want %q", e.Causes, tt.causes)
			}
			msg := e.Error()
			for _, s := range tt.contains {
				if !strings.Contains(msg, s) {
					t.Errorf("Error() = %q, missing %q", msg, s)
				}
			}
			for _, s := range tt.absent {
				if strings.Contains(msg, s) {
					t.Errorf("Error() = %q, contains %q", msg, s)
				}
			}
		})
	}
}

func TestIsNotFound(t *testing.T) {
	t.Parallel()
	nf := fmt.Errorf("get connector x: %w", &APIError{Status: 404})
	if !IsNotFound(nf) {
		t.Error("IsNotFound(wrapped 404) = false")
	}
	if IsNotFound(&APIError{Status: 400}) || IsNotFound(errors.New("404")) || IsNotFound(nil) {
		t.Error("IsNotFound true for a non-404")
	}
}

func TestRedaction(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	c, err := New(Config{BaseURL: "https://acme.api.identitynow.com", ClientID: "cid", ClientSecret: "super-secret-value", Debug: &buf})
	if err != nil {
		t.Fatal(err)
	}
	c.remember("tok3n-abcdef")
	c.remember("ab") // too short to redact safely: ignored
	c.logf("secret=%s token=%s plain=%s", "super-secret-value", "tok3n-abcdef", "ab")
	got := buf.String()
	if strings.Contains(got, "super-secret-value") || strings.Contains(got, "tok3n-abcdef") {
		t.Fatalf("log leaks a secret: %q", got)
	}
	if !strings.Contains(got, "secret=[REDACTED] token=[REDACTED] plain=ab") {
		t.Fatalf("log = %q", got)
	}
}

func TestBackoffBounded(t *testing.T) {
	t.Parallel()
	c := &Client{backoffMax: time.Second, jitter: func(max time.Duration) time.Duration { return max }}
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, time.Second, time.Second}
	for n, w := range want {
		if got := c.backoff(100*time.Millisecond, n); got != w {
			t.Errorf("backoff ceiling for retry %d = %v, want %v", n, got, w)
		}
	}
	c.jitter = func(max time.Duration) time.Duration { return 0 }
	if got := c.backoff(100*time.Millisecond, 3); got != 0 {
		t.Errorf("full jitter lower bound = %v, want 0", got)
	}
}

func TestFilterString(t *testing.T) {
	t.Parallel()
	if got := QuoteFilter(`HR "Prod" \ x`); got != `"HR \"Prod\" \\ x"` {
		t.Errorf("QuoteFilter = %s", got)
	}
}

func TestCACertFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.pem")
	if err := os.WriteFile(bad, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := New(Config{BaseURL: "https://acme.api.identitynow.com", ClientID: "c", ClientSecret: "s", CACertFile: bad})
	if err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Fatalf("bad CA file: err = %v", err)
	}
	_, err = New(Config{BaseURL: "https://acme.api.identitynow.com", ClientID: "c", ClientSecret: "s", CACertFile: filepath.Join(dir, "missing.pem")})
	if err == nil || !strings.Contains(err.Error(), "CA certificate file") {
		t.Fatalf("missing CA file: err = %v", err)
	}
}
