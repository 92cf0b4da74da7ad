// Package tenanttest is the test support shared by the packages that talk to an emulated tenant:
// an emulator served over real HTTP behind the OpenAPI contract check with a client pointed at
// it, the test secrets, copies of repositories, and the generated repository of the performance
// scenario. It imports emulator, isc, contract, examples and value only, so that the internal
// tests of config, diff and sync can use it (those of isc and value cannot: import cycle).
package tenanttest

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sailsync/sailsync/internal/contract"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/isc"
)

// Contract says whether Start checks every request against the official OpenAPI document.
type Contract int

const (
	// ContractRequired checks every request and skips the test when the document is absent.
	ContractRequired Contract = iota
	// ContractIfAvailable checks every request when the document is present, so that the test
	// still runs in a checkout without it.
	ContractIfAvailable
	// ContractOff serves the emulator bare: benchmarks, and tests whose requests the document
	// does not describe.
	ContractOff
)

// Options configure Start.
type Options struct {
	// Emulator are the emulator's options as given; a nil Seed is an empty tenant.
	Emulator emulator.Options
	Contract Contract
	// Handler, when set, serves in place of the emulator, behind the contract check: a hook
	// that sees each request as the tenant would, or that changes the tenant mid-request.
	Handler func(emu *emulator.Emulator) http.Handler
	// TLS, when set, serves HTTPS with this configuration; without certificates, with
	// httptest's (Server.Certificate).
	TLS *tls.Config
	// Client configures Tenant.Client; BaseURL and the credentials are filled in, and a zero
	// RatePer10s becomes 1e6 so that the client's limiter never slows a test.
	Client isc.Config
}

// Tenant is an emulated tenant served on loopback for the duration of a test.
type Tenant struct {
	Emu    *emulator.Emulator
	Server *httptest.Server
	// URL is the server's base URL.
	URL string
	// Client is a client of the tenant configured by Options.Client.
	Client *isc.Client
}

// Start serves a new emulator as opts say and closes it when the test ends.
func Start(t testing.TB, opts Options) *Tenant {
	t.Helper()
	emu, err := emulator.New(opts.Emulator)
	if err != nil {
		t.Fatal(err)
	}
	return Serve(t, emu, opts)
}

// Serve is Start for an emulator the test has made already; opts.Emulator is not used.
func Serve(t testing.TB, emu *emulator.Emulator, opts Options) *Tenant {
	t.Helper()
	var h http.Handler = emu
	if opts.Handler != nil {
		h = opts.Handler(emu)
	}
	switch opts.Contract {
	case ContractRequired:
		h = contract.Middleware(t, h)
	case ContractIfAvailable:
		if _, ok := contract.Available(); ok {
			h = contract.Middleware(t, h)
		}
	}
	srv := httptest.NewUnstartedServer(h)
	if opts.TLS != nil {
		srv.TLS = opts.TLS
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	tn := &Tenant{Emu: emu, Server: srv, URL: srv.URL}
	tn.Client = tn.NewClient(t, opts.Client)
	return tn
}

// NewClient returns a client of the tenant with cfg's settings; BaseURL and the credentials
// are the tenant's, and a zero RatePer10s becomes 1e6.
func (tn *Tenant) NewClient(t testing.TB, cfg isc.Config) *isc.Client {
	t.Helper()
	cfg.BaseURL, cfg.ClientID, cfg.ClientSecret = tn.URL, tn.Emu.ClientID(), tn.Emu.ClientSecret()
	if cfg.RatePer10s == 0 {
		cfg.RatePer10s = 1e6
	}
	c, err := isc.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Writes returns the write requests (anything but a GET, the token, or the start of a
// configuration export job, which changes no configuration) in the emulator's log, as
// "METHOD path".
func Writes(emu *emulator.Emulator) []string {
	var w []string
	for _, e := range emu.Log() {
		if e.Method != http.MethodGet && e.Path != "/oauth/token" && e.Path != "/beta/sp-config/export" {
			w = append(w, e.Method+" "+e.Path)
		}
	}
	return w
}
