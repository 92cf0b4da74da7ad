package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/sailsync/sailsync/examples"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/isc"
)

// connOptions are the flags every command that talks to a tenant shares.
type connOptions struct {
	BaseURL      string
	RateLimit    string
	Debug        bool
	CACert       string
	Timeout      time.Duration
	Parallelism  int
	MaxRetries   int
	Emulator     bool
	EmulatorSeed string
	// Env is the environment of sailsync.yaml to use (see env.go).
	Env string
	// Read is --read of plan and drift: how the sources' schemas are read (sync.ParseReadMode).
	// Apply always reads per object: what it writes is read afresh anyway.
	Read string
	// NoColor turns colour off (--no-color), as NO_COLOR and TERM=dumb do.
	NoColor bool
	// Quiet leaves out the notes and progress lines on stderr (--quiet); warnings, problems
	// and errors stay.
	Quiet bool

	// deps is the run's environment, HTTP client and clock.
	deps *deps
}

// notes is where the notes of a command go: stderr, or nowhere with --quiet.
func (o *connOptions) notes(stderr io.Writer) io.Writer {
	if o.Quiet {
		return io.Discard
	}
	return stderr
}

// bindRead binds --read, for the commands that only read.
func (o *connOptions) bindRead(fs *pflag.FlagSet) {
	fs.StringVar(&o.Read, "read", "auto", "how the sources' schemas are read: per-object, export (one configuration export job, needs sp:config:read), or auto: the export when it is fewer requests")
}

func (o *connOptions) bind(fs *pflag.FlagSet, d *deps) {
	o.deps = d
	rate := "100"
	if d.rateLimit != "" {
		rate = d.rateLimit
	}
	fs.StringVar(&o.BaseURL, "base-url", "", "tenant API base URL, e.g. https://acme.api.identitynow.com (default $SAIL_BASE_URL)")
	fs.StringVar(&o.RateLimit, "rate-limit", rate, "client-side rate limit: requests per 10 s, or a share of the tenant's 100 / 10 s such as 50%")
	fs.BoolVar(&o.Debug, "debug", false, "log every request (method, path, status, duration, retries) to stderr, credentials redacted (or SAILSYNC_DEBUG=1)")
	fs.StringVar(&o.CACert, "ca-cert", "", "PEM file of extra CA certificates to trust (a corporate TLS proxy)")
	fs.DurationVar(&o.Timeout, "timeout", 60*time.Second, "timeout of one request")
	fs.IntVar(&o.Parallelism, "parallelism", 8, "requests in flight at once")
	fs.IntVar(&o.MaxRetries, "max-retries", 5, "retries of one request after a transient failure (5xx, reset, timeout), with growing waits")
	fs.BoolVar(&o.Emulator, "emulator", false, "run against a built-in emulated tenant seeded with the demo tenant instead of a real one")
	fs.StringVar(&o.EmulatorSeed, "emulator-seed", "", "with --emulator: seed the emulated tenant from this directory instead of the demo tenant")
	fs.BoolVarP(&o.Quiet, "quiet", "q", false, "no notes or progress lines on stderr (warnings, problems and errors are still printed)")
	fs.BoolVar(&o.NoColor, "no-color", false, "no colour in the output (also NO_COLOR=1 or TERM=dumb)")
	fs.StringVar(&o.Env, "env", "", "the environment of sailsync.yaml to use, e.g. sandbox or prod (default $SAILSYNC_ENV)")
}

// session is a connection to a tenant, real or emulated.
type session struct {
	client *isc.Client
	// rate is the client's limit in requests per 10 s, for the plan's duration estimate.
	rate float64
	// env looks up ${env:…} references.
	env   func(string) (string, bool)
	close func()
}

// connect opens a session. With --emulator an emulated tenant is started on a loopback port for
// the lifetime of the command.
func (o *connOptions) connect(ctx context.Context, stderr io.Writer) (*session, error) {
	if o.Emulator && o.BaseURL != "" {
		// It would be ignored: the emulator is its own tenant, and a plan of it is not one of that URL.
		return nil, fmt.Errorf("--base-url %s and --emulator do not go together: --emulator runs against a built-in tenant; drop one", o.BaseURL)
	}
	if o.Parallelism < 1 {
		return nil, fmt.Errorf("--parallelism must be at least 1, not %d", o.Parallelism)
	}
	if o.MaxRetries < 1 {
		return nil, fmt.Errorf("--max-retries must be at least 1, not %d", o.MaxRetries)
	}
	rate, err := isc.ParseRateLimit(o.RateLimit)
	if err != nil {
		return nil, fmt.Errorf("--rate-limit: %w", err)
	}
	cfg := isc.ConfigFrom(o.deps.getenv)
	cfg.HTTPClient = o.deps.httpClient
	if o.BaseURL != "" {
		cfg.BaseURL = o.BaseURL
	}
	cfg.RatePer10s = rate
	cfg.CACertFile = o.CACert
	cfg.Timeout = o.Timeout
	cfg.MaxRetries = o.MaxRetries
	// SAILSYNC_DEBUG turns debugging on as --debug does; either way the lines go to the
	// command's stderr.
	if o.Debug || cfg.Debug != nil {
		cfg.Debug = stderr
	}
	s := &session{rate: rate, env: o.deps.lookupEnv, close: func() {}}
	if o.Emulator {
		emu, url, stop, err := startEmulator(o.EmulatorSeed)
		if err != nil {
			return nil, err
		}
		s.close = stop
		cfg.BaseURL, cfg.ClientID, cfg.ClientSecret = url, emu.ClientID(), emu.ClientSecret()
		s.env = demoEnv(o.deps.lookupEnv, o.notes(stderr))
	}
	if cfg.BaseURL == "" {
		s.close()
		return nil, errors.New("no tenant: set SAIL_BASE_URL (or --base-url), SAIL_CLIENT_ID and SAIL_CLIENT_SECRET, or use --emulator")
	}
	// Every secret of the run is registered with the redactor as it becomes known: the
	// credentials now, tokens as the client gets them, ${env:…} values as they are looked up.
	red := redactor(ctx)
	cfg.Redact = red
	lookup := s.env
	s.env = func(name string) (string, bool) {
		v, ok := lookup(name)
		if ok {
			red.Add(v)
		}
		return v, ok
	}
	c, err := isc.New(cfg)
	if err != nil {
		s.close()
		return nil, err
	}
	s.client = c
	return s, nil
}

// startEmulator serves an emulated tenant on a free loopback port.
func startEmulator(seedDir string) (*emulator.Emulator, string, func(), error) {
	opts := emulator.Options{Seed: examples.AcmeTenant}
	if seedDir != "" {
		// A mistyped directory would otherwise seed an empty tenant and plan everything as new.
		st, err := os.Stat(seedDir)
		if err != nil {
			return nil, "", nil, fmt.Errorf("--emulator-seed: %w", err)
		}
		if !st.IsDir() {
			return nil, "", nil, fmt.Errorf("--emulator-seed %s: not a directory", seedDir)
		}
		opts.Seed = os.DirFS(seedDir)
		if err := emulator.CheckSeedDir(opts.Seed); err != nil {
			return nil, "", nil, fmt.Errorf("--emulator-seed %s: %w", seedDir, err)
		}
	}
	emu, err := emulator.New(opts)
	if err != nil {
		return nil, "", nil, fmt.Errorf("emulator: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", nil, fmt.Errorf("emulator: %w", err)
	}
	srv := &http.Server{Handler: emu, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return emu, "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

// demoEnv stands in for secrets that are not set when running against the emulator: the demo
// tenant is not a real system, and a newcomer should see the plan without exporting passwords.
// Set variables are still used as they are.
func demoEnv(lookupEnv func(string) (string, bool), stderr io.Writer) func(string) (string, bool) {
	var mu sync.Mutex
	warned := map[string]bool{}
	return func(name string) (string, bool) {
		if v, ok := lookupEnv(name); ok {
			return v, true
		}
		mu.Lock()
		defer mu.Unlock()
		if !warned[name] {
			warned[name] = true
			fmt.Fprintf(stderr, "note: %s is not set; using a placeholder value for the emulated tenant\n", name)
		}
		return "emulator-placeholder-" + name, true
	}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w any) bool {
	if r, ok := w.(interface{ Underlying() io.Writer }); ok {
		return isTerminal(r.Underlying())
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// useColor decides colour output: only on a terminal that can show it, never with --no-color
// (off) or NO_COLOR set to a non-empty value (no-color.org: an empty NO_COLOR does not disable
// colour).
func (d *deps) useColor(w io.Writer, off bool) bool {
	if off || d.noColor() {
		return false
	}
	return d.fancyTerminal(w)
}

// fancyTerminal reports whether w is a terminal that understands escape sequences (colour, a
// progress line redrawn in place): not one with TERM=dumb (Emacs shells, some CI consoles).
func (d *deps) fancyTerminal(w any) bool {
	return d.getenv("TERM") != "dumb" && isTerminal(w)
}

// noColor reports whether the user asked for no colour.
func (d *deps) noColor() bool { return d.getenv("NO_COLOR") != "" }
