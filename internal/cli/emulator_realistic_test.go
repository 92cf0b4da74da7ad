package cli

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/isc"
)

// TestEmulatorRealisticFlags: `sailsync emulator --realistic --tick` serves the generated tenant
// of --realistic-sources sources, says how to tick it, and ticks it on its own: every source's
// runtime state moves while nothing else does; POST /debug/tick answers how many it rewrote.
func TestEmulatorRealisticFlags(t *testing.T) {
	t.Parallel()
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		err := runEmulator(ctx, &emulatorOptions{Addr: "127.0.0.1:0", Realistic: true, RealisticSources: 23, RealisticSeed: 4,
			Tick: 20 * time.Millisecond, stdout: pw, stderr: io.Discard})
		pw.CloseWithError(io.EOF)
		done <- err
	}()
	defer func() { cancel(); <-done }()
	var printed []string
	env := map[string]string{}
	sc := bufio.NewScanner(pr)
	for len(printed) < 6 && sc.Scan() {
		printed = append(printed, sc.Text())
		if rest, ok := strings.CutPrefix(sc.Text(), "export "); ok {
			k, v, _ := strings.Cut(rest, "=")
			env[k] = v
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	base := env["SAIL_BASE_URL"]
	if len(printed) < 6 || !strings.Contains(printed[0], "a realistic tenant of 23 sources (seed 4)") ||
		printed[5] != "# the platform ticks every 20ms (runtime state of every source); curl -X POST "+base+"/debug/tick ticks now" {
		t.Fatalf("printed %q", printed)
	}
	c, err := isc.New(isc.Config{BaseURL: base, ClientID: env["SAIL_CLIENT_ID"], ClientSecret: env["SAIL_CLIENT_SECRET"], RatePer10s: 1e6})
	if err != nil {
		t.Fatal(err)
	}
	list := func() map[string][2]string {
		t.Helper()
		srcs, err := c.ListSources(context.Background(), "")
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][2]string{}
		for _, s := range srcs {
			out[s.String("name")] = [2]string{s.Object("connectorAttributes").String("since"), s.String("description") + "|" + s.String("modified")}
		}
		return out
	}
	first := list()
	if len(first) != 23 {
		t.Fatalf("the tenant lists %d sources, want 23", len(first))
	}
	deadline := time.Now().Add(5 * time.Second)
	var moved int
	for moved < len(first) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		moved = 0
		for name, now := range list() {
			if now[0] != first[name][0] {
				moved++
			}
			if now[1] != first[name][1] {
				t.Fatalf("%s: a tick changed description or modified: %q → %q", name, first[name][1], now[1])
			}
		}
	}
	if moved < len(first) {
		t.Errorf("after 5 s of --tick 20ms, %d of %d sources' runtime state moved", moved, len(first))
	}
	resp, err := http.Post(base+emulator.DebugTickPath, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != `{"sources":23}` {
		t.Errorf("POST /debug/tick: %d %s", resp.StatusCode, b)
	}
}

// TestEmulatorRealisticFlagErrors: contradictory or out-of-range flags are errors before
// anything listens.
func TestEmulatorRealisticFlagErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		opts emulatorOptions
		want string
	}{
		{emulatorOptions{Realistic: true, RealisticSources: 10, Seed: "examples/acme-tenant"}, "--realistic and --seed: choose one tenant"},
		{emulatorOptions{Realistic: true, RealisticSources: 0}, "--realistic-sources 0: must be from 1 to 100000"},
		{emulatorOptions{Realistic: true, RealisticSources: 100001}, "--realistic-sources 100001: must be from 1 to 100000"},
		{emulatorOptions{Tick: -time.Second}, "--tick -1s: must be 0 or more"},
	} {
		opts := tc.opts
		opts.Addr, opts.stdout, opts.stderr = "127.0.0.1:0", io.Discard, io.Discard
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := runEmulator(ctx, &opts)
		cancel()
		if err == nil || err.Error() != tc.want {
			t.Errorf("%+v: %v, want %q", tc.opts, err, tc.want)
		}
	}
}
