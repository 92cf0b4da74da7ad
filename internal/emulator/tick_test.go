package emulator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/value"
)

// tickRuntime are the connectorAttributes keys a tick may rewrite, besides delta tokens; the
// source's own healthy, status and since are the tenant's too.
var tickRuntime = map[string]bool{"since": true, "healthy": true, "status": true, "processing": true, "sourceConnected": true,
	"recommendationStatus": true, "cloudCacheUpdate": true, "hasFullAggregationCompleted": true}

// adminView is a source without what the platform writes: what must not change in a tick.
func adminView(t *testing.T, s *value.Object, withModified bool) string {
	t.Helper()
	c := s.Clone()
	for _, k := range []string{"healthy", "status", "since"} {
		c.Delete(k)
	}
	if !withModified {
		c.Delete("modified")
	}
	attrs := c.Object("connectorAttributes")
	for _, k := range attrs.Keys() {
		if tickRuntime[k] || strings.HasSuffix(k, "DeltaToken") {
			attrs.Delete(k)
		}
	}
	b, err := c.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestTick: a tick rewrites every source's runtime state (a passing health check: since,
// cloudCacheUpdate, a fresh cursor for each delta token; a failing one: since only, the failure
// kept), and nothing an admin owns, cipher text included; `modified` stays unless the tenant is
// told to stamp the platform's writes, when every source gets a new one.
func TestTick(t *testing.T) {
	t.Parallel()
	for _, stamps := range []bool{false, true} {
		emu, err := emulator.New(emulator.Options{Seed: emulator.RealisticTenant(emulator.RealisticSources, 7), TickStampsModified: stamps})
		if err != nil {
			t.Fatal(err)
		}
		before := emu.Sources()
		if n := emu.Tick(); n != len(before) {
			t.Fatalf("Tick rewrote %d sources of %d", n, len(before))
		}
		after := emu.Sources()
		var failing, tokens int
		for i, b := range before {
			a := after[i]
			name := b.String("name")
			if adminView(t, b, !stamps) != adminView(t, a, !stamps) {
				t.Errorf("stamps=%v: %s: the tick changed what an admin owns:\n%s\n%s", stamps, name, adminView(t, b, !stamps), adminView(t, a, !stamps))
			}
			if stamps == (a.String("modified") == b.String("modified")) {
				t.Errorf("stamps=%v: %s: modified %s → %s", stamps, name, b.String("modified"), a.String("modified"))
			}
			ba, aa := b.Object("connectorAttributes"), a.Object("connectorAttributes")
			if ba.String("since") == aa.String("since") || a.String("since") == b.String("since") {
				t.Errorf("%s: since not rewritten", name)
			}
			for _, k := range ba.Keys() {
				if secret, _ := emu.Secret(name, k); secret != "" && ba.String(k) != aa.String(k) {
					t.Errorf("%s: the tick rewrote the secret %s", name, k)
				}
			}
			healthy, _ := ba.Get("healthy")
			if healthy == false {
				failing++
				if h, _ := aa.Get("healthy"); h != false || aa.String("status") != ba.String("status") || a.String("status") != ba.String("status") {
					t.Errorf("%s: a failing source became %v %q", name, h, aa.String("status"))
				}
				if bv, _ := ba.Get("cloudCacheUpdate"); !sameValue(bv, mustGet(aa, "cloudCacheUpdate")) {
					t.Errorf("%s: a failing source's cache was refreshed", name)
				}
				continue
			}
			if bv, _ := ba.Get("cloudCacheUpdate"); sameValue(bv, mustGet(aa, "cloudCacheUpdate")) {
				t.Errorf("%s: cloudCacheUpdate not rewritten", name)
			}
			if n, ok := aa.Get("cloudCacheUpdate"); !ok || !isEpochMillis(n) {
				t.Errorf("%s: cloudCacheUpdate %v is not epoch milliseconds", name, n)
			}
			if aa.String("status") != "SOURCE_STATE_HEALTHY" || a.String("status") != "SOURCE_STATE_HEALTHY" {
				t.Errorf("%s: status %q / %q", name, aa.String("status"), a.String("status"))
			}
			for _, k := range ba.Keys() {
				if strings.HasSuffix(k, "DeltaToken") {
					tokens++
					if tok := aa.String(k); tok == ba.String(k) || len(tok) < 64 || strings.Contains(tok, ":") {
						t.Errorf("%s: %s %q: want a fresh plain cursor", name, k, tok)
					}
				}
			}
		}
		// The seed's draw holds both kinds of source, and Entra's cursors.
		if failing == 0 || failing == len(before) || tokens == 0 {
			t.Errorf("seed 7: %d failing sources of %d, %d delta tokens: the test covers less than it says", failing, len(before), tokens)
		}
	}
}

func mustGet(o *value.Object, k string) any { v, _ := o.Get(k); return v }

func sameValue(a, b any) bool { return value.ToPlain(a) == value.ToPlain(b) }

func isEpochMillis(v any) bool {
	n, ok := v.(json.Number)
	if !ok {
		return false
	}
	i, err := n.Int64()
	return err == nil && i > time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
}

// TestDebugTick: POST /debug/tick, without a token and behind the contract check (which lets the
// emulator's own path through), ticks and answers how many sources it rewrote; another method is
// 405 and changes nothing.
func TestDebugTick(t *testing.T) {
	t.Parallel()
	emu, err := emulator.New(emulator.Options{Seed: emulator.RealisticTenant(12, 3)})
	if err != nil {
		t.Fatal(err)
	}
	tn := checked(t, emu)
	// No token: the endpoint is the emulator's, not the API's.
	send := func(method string) (int, http.Header, string) {
		t.Helper()
		req, err := http.NewRequest(method, tn.srv.URL+emulator.DebugTickPath, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := tn.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	name := emu.Sources()[0].String("name")
	since := func() string { s, _ := emu.SourceByName(name); return s.Object("connectorAttributes").String("since") }
	first := since()
	if status, h, _ := send("GET"); status != 405 || h.Get("Allow") != "POST" {
		t.Errorf("GET: %d %v", status, h)
	}
	if since() != first {
		t.Error("a GET ticked")
	}
	if status, _, body := send("POST"); status != 200 || body != `{"sources":12}` {
		t.Fatalf("POST: %d %s", status, body)
	}
	if since() == first {
		t.Error("POST did not tick")
	}
	tn.tok = ""
	if r := tn.do("GET", "/v3/sources", nil); r.status != 401 {
		t.Errorf("the API without a token: %d", r.status)
	}
}

// TestTickEvery: Options.TickEvery ticks on its own until Close, and not after.
func TestTickEvery(t *testing.T) {
	t.Parallel()
	emu, err := emulator.New(emulator.Options{Seed: emulator.RealisticTenant(3, 5), TickEvery: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	name := emu.Sources()[0].String("name")
	since := func() string { s, _ := emu.SourceByName(name); return s.String("since") }
	first := since()
	deadline := time.Now().Add(5 * time.Second)
	for since() == first && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if since() == first {
		t.Fatal("no tick in 5 s at a 5 ms period")
	}
	emu.Close()
	emu.Close()                       // again: nothing
	time.Sleep(10 * time.Millisecond) // a tick under way when Close was called ends
	stopped := since()
	time.Sleep(50 * time.Millisecond)
	if since() != stopped {
		t.Error("ticks after Close")
	}
}
