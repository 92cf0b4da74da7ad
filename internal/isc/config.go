package isc

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/sailsync/sailsync/internal/redact"
)

// Config is how to reach a tenant. The zero values of the optional fields mean the documented
// defaults.
type Config struct {
	// BaseURL is https://{tenant}.api.identitynow.com, without a version suffix. Plain http:// is
	// accepted only for loopback hosts (the emulator).
	BaseURL      string
	ClientID     string
	ClientSecret string
	// RatePer10s is the client-side limit in requests per 10 s; 0 means the documented 100.
	RatePer10s float64
	// HTTPClient is optional (tests); its Transport carries the API calls and the token call.
	HTTPClient *http.Client
	// CACertFile is an extra PEM bundle trusted in addition to the system pool (corporate TLS
	// proxies).
	CACertFile string
	// Timeout bounds each request attempt; 0 means 60 s.
	Timeout time.Duration
	// MaxRetries bounds the retries of one call after transient failures; 0 means 5.
	MaxRetries int
	// RetryBackoff is the longest first wait before retrying a transient failure (5xx, reset,
	// timeout) or a 429 without Retry-After; each further retry may wait twice as long (full
	// jitter, capped at 30 s). 0 means 500 ms, and 2 s for 429s. A Retry-After is always obeyed
	// as sent. Tests shorten it; a real tenant wants the default.
	RetryBackoff time.Duration
	// Debug receives one line per request (method, path, status, duration) and per retry (its
	// reason); nil turns logging off. Credentials and bodies are never written.
	Debug io.Writer
	// Redact, when set, is the run's redactor: the client registers the client secret and each
	// token it gets, and masks every secret of the run in its log lines.
	Redact *redact.Set
}

// Environment variables read by ConfigFromEnv; the names are the ones SailPoint's CLI and SDKs use.
const (
	EnvBaseURL      = "SAIL_BASE_URL"
	EnvClientID     = "SAIL_CLIENT_ID"
	EnvClientSecret = "SAIL_CLIENT_SECRET"
	EnvDebug        = "SAILSYNC_DEBUG"
)

// DefaultRatePer10s is the documented per-client limit of the tenant.
const DefaultRatePer10s = 100

// ConfigFromEnv reads SAIL_BASE_URL, SAIL_CLIENT_ID and SAIL_CLIENT_SECRET, and turns debug
// logging to stderr on when SAILSYNC_DEBUG=1.
func ConfigFromEnv() Config { return ConfigFrom(os.Getenv) }

// ConfigFrom is ConfigFromEnv reading the variables with getenv, so that a caller (a test) can
// give an environment of its own.
func ConfigFrom(getenv func(string) string) Config {
	cfg := Config{
		BaseURL:      strings.TrimSpace(getenv(EnvBaseURL)),
		ClientID:     strings.TrimSpace(getenv(EnvClientID)),
		ClientSecret: getenv(EnvClientSecret),
	}
	if d := strings.TrimSpace(getenv(EnvDebug)); d != "" && d != "0" && !strings.EqualFold(d, "false") {
		cfg.Debug = os.Stderr
	}
	return cfg
}

// ParseRateLimit reads a --rate-limit value as requests per 10 s: "100" (per 10 s), "50%" (of
// the documented 100 per 10 s) or an explicit window such as "1000/10s" or "5/1s".
func ParseRateLimit(s string) (float64, error) {
	in := strings.TrimSpace(s)
	bad := func(why string) (float64, error) {
		return 0, fmt.Errorf("rate limit %q: %s (use e.g. 100, 50%% or 100/10s)", s, why)
	}
	if in == "" {
		return bad("empty")
	}
	num := func(v string) (float64, bool) {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f <= 0 {
			return 0, false
		}
		return f, true
	}
	switch {
	case strings.HasSuffix(in, "%"):
		p, ok := num(strings.TrimSuffix(in, "%"))
		if !ok {
			return bad("not a positive percentage")
		}
		return DefaultRatePer10s * p / 100, nil
	case strings.Contains(in, "/"):
		n, per, _ := strings.Cut(in, "/")
		f, ok := num(n)
		if !ok {
			return bad("not a positive number of requests")
		}
		per = strings.TrimSpace(per)
		if per != "" && (per[0] < '0' || per[0] > '9') {
			per = "1" + per // "100/s"
		}
		d, err := time.ParseDuration(per)
		if err != nil || d <= 0 {
			return bad("not a positive duration after /")
		}
		return f * float64(10*time.Second) / float64(d), nil
	default:
		f, ok := num(in)
		if !ok {
			return bad("not a positive number")
		}
		return f, nil
	}
}

// checkBaseURL validates the base URL and returns it without a trailing slash.
func checkBaseURL(raw string) (*url.URL, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, fmt.Errorf("no tenant base URL: set --base-url or %s (https://{tenant}.api.identitynow.com)", EnvBaseURL)
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		// url.Error quotes the input, which could hold user:password@; say what is wrong without it.
		return nil, errors.New("tenant base URL is not a valid URL")
	}
	if u.User != nil {
		return nil, errors.New("tenant base URL must not contain credentials (user:password@); use SAIL_CLIENT_ID and SAIL_CLIENT_SECRET")
	}
	if u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("tenant base URL %q must be https://{tenant}.api.identitynow.com", u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("tenant base URL %s must not have a query or fragment", u.Scheme+"://"+u.Host)
	}
	p := strings.TrimRight(u.Path, "/")
	if p != "" {
		if p == "/v3" || p == "/beta" || p == "/v2024" || p == "/v2025" {
			return nil, fmt.Errorf("tenant base URL %s must not include the API version (%s): sailsync adds it per endpoint", u.Scheme+"://"+u.Host+p, p)
		}
		return nil, fmt.Errorf("tenant base URL %s must not have a path", u.Scheme+"://"+u.Host+p)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("refusing plain http:// for %s: credentials and tokens would cross the network unencrypted; use https:// (plain http is allowed only for loopback hosts such as the emulator)", u.Host)
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}

// TenantOf returns the tenant a base URL names, normalised so that two spellings of one tenant
// compare equal: scheme and host in lower case, no trailing dot, no default port, no slash.
// Plans record it, and apply refuses a plan made for another tenant.
func TenantOf(baseURL string) (string, error) {
	u, err := checkBaseURL(baseURL)
	if err != nil {
		return "", err
	}
	host := strings.ToLower(u.Hostname())
	host = strings.TrimSuffix(host, ".")
	if strings.Contains(host, ":") {
		host = "[" + host + "]" // an IPv6 literal
	}
	if port := u.Port(); port != "" && !(u.Scheme == "https" && port == "443") && !(u.Scheme == "http" && port == "80") {
		host += ":" + port
	}
	return strings.ToLower(u.Scheme) + "://" + host, nil
}

func isLoopback(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	// Only "localhost" itself: Go's resolver sends other *.localhost names to DNS, which may
	// answer with any address, so plain http to them could leave the machine.
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// maxIdleConnsPerHost is how many idle connections to the tenant the client keeps. The
// default transport keeps 2: with 8 requests in flight every burst closed and re-dialled the
// others (a plan of 10,000 sources left ~330 connections in TIME_WAIT). Parallelism above it
// still works, it only dials more.
const maxIdleConnsPerHost = 64

// defaultTransport returns a copy of http.DefaultTransport keeping maxIdleConnsPerHost idle
// connections per host.
func defaultTransport() *http.Transport {
	base, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		// Replaced by something else in this process: start from Go's defaults.
		base = &http.Transport{Proxy: http.ProxyFromEnvironment, ForceAttemptHTTP2: true}
	}
	tr := base.Clone()
	tr.MaxIdleConnsPerHost = maxIdleConnsPerHost
	return tr
}

// httpClient returns the client for API and token calls: the configured one or a fresh transport
// (never http.DefaultTransport, which the CA option must not change), redirects refused (the API
// does not redirect; following one could carry the bearer token or a body elsewhere).
func httpClient(cfg Config) (*http.Client, error) {
	var hc http.Client
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient
	}
	if cfg.CACertFile != "" {
		var tr *http.Transport
		switch t := hc.Transport.(type) {
		case nil:
			tr = defaultTransport()
		case *http.Transport:
			tr = t.Clone()
		default:
			return nil, errors.New("CA certificate file given together with a custom HTTP transport; configure the CA on that transport instead")
		}
		pool, err := caPool(cfg.CACertFile)
		if err != nil {
			return nil, err
		}
		if tr.TLSClientConfig == nil {
			tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		tr.TLSClientConfig.RootCAs = pool
		hc.Transport = tr
	}
	if hc.Transport == nil {
		hc.Transport = defaultTransport()
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	// Per-attempt deadlines come from contexts; a client-wide timeout would cut long uploads.
	hc.Timeout = 0
	return &hc, nil
}

func caPool(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("CA certificate file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA certificate file %s: no PEM certificate found", file)
	}
	return pool, nil
}
