package isc_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sailsync/sailsync/examples"
	"github.com/sailsync/sailsync/internal/contract"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/isc"
)

// tokenRewriter serves the emulator with its token answers rewritten by rewrite, counting the
// token requests.
func tokenRewriter(t *testing.T, rewrite func(answer map[string]any)) (*emulator.Emulator, *httptest.Server, *atomic.Int32) {
	t.Helper()
	emu, err := emulator.New(emulator.Options{Seed: examples.AcmeTenant})
	if err != nil {
		t.Fatal(err)
	}
	var tokens atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/oauth/token" {
			emu.ServeHTTP(w, r)
			return
		}
		tokens.Add(1)
		rec := httptest.NewRecorder()
		emu.ServeHTTP(rec, r)
		var answer map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil {
			t.Errorf("token answer: %v", err)
		}
		rewrite(answer)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.Code)
		_ = json.NewEncoder(w).Encode(answer)
	})
	srv := httptest.NewServer(contract.Middleware(t, h))
	t.Cleanup(srv.Close)
	return emu, srv, &tokens
}

func tokenClient(t *testing.T, emu *emulator.Emulator, srv *httptest.Server) *isc.Client {
	t.Helper()
	c, err := isc.New(isc.Config{BaseURL: srv.URL, ClientID: emu.ClientID(), ClientSecret: emu.ClientSecret(),
		RatePer10s: 1e6, HTTPClient: srv.Client(), Timeout: 2 * time.Second, MaxRetries: 5, RetryBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestTokenWithControlCharactersRefused: an access_token holding CR/LF or ESC is one clear
// error after one token request, not a retry loop of requests net/http refuses to send.
func TestTokenWithControlCharactersRefused(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"Zq9\r\nX-Injected: 1", "Zq9\x1b[2J", "Zq9 x", "Zq9\u202e"} {
		emu, srv, tokens := tokenRewriter(t, func(a map[string]any) { a["access_token"] = bad })
		c := tokenClient(t, emu, srv)
		_, err := c.ListSources(context.Background(), "")
		if err == nil || !strings.Contains(err.Error(), "access_token with a control, space or non-ASCII character") {
			t.Errorf("%q: err = %v", bad, err)
		}
		if err != nil && strings.Contains(err.Error(), "Zq9") {
			t.Errorf("%q: the error shows the token: %v", bad, err)
		}
		if n := tokens.Load(); n != 1 {
			t.Errorf("%q: %d token requests, want 1", bad, n)
		}
	}
}

// TestNegativeExpiresInIsShort: a token answered with a negative expires_in is used for a while
// (isc's minimum token life), not fetched again before every call.
func TestNegativeExpiresInIsShort(t *testing.T) {
	t.Parallel()
	for _, expiresIn := range []float64{-3600, -1, 1} {
		emu, srv, tokens := tokenRewriter(t, func(a map[string]any) { a["expires_in"] = expiresIn })
		c := tokenClient(t, emu, srv)
		for range 5 {
			if _, err := c.ListSources(context.Background(), ""); err != nil {
				t.Fatal(err)
			}
		}
		if n := tokens.Load(); n != 1 {
			t.Errorf("expires_in %v: %d token requests for 5 calls, want 1", expiresIn, n)
		}
	}
}
