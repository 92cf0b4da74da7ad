package emulator_test

import (
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/tenanttest"
	"github.com/sailsync/sailsync/internal/value"
)

// entra adds an Entra source holding a password, a listed pin and delta tokens.
func entra(t *testing.T, emu *emulator.Emulator) {
	t.Helper()
	s := tenanttest.LiveSource("Entra", "Microsoft Entra ID")
	s.Set("connector", "azure-active-directory")
	attrs := value.NewObject()
	attrs.Set("password", "pw1")
	attrs.Set("encrypted", []any{"pin"})
	attrs.Set("pin", "1234")
	attrs.Set("userDeltaToken", "u0")
	s.Set("connectorAttributes", attrs)
	if _, err := emu.AddSource(s); err != nil {
		t.Fatal(err)
	}
}

// TestCipherFormats: the tenant writes each format's cipher text, decrypts every format whatever
// its own, encrypts password-like names or, under EncryptListedOnly, only listed ones, and never
// its own runtime state (userDeltaToken).
func TestCipherFormats(t *testing.T) {
	t.Parallel()
	prefixes := map[emulator.CipherFormat]string{emulator.CipherENC: "2:ENC-", emulator.CipherACP: "1:ACP:", emulator.CipherBare: "2:"}
	for _, f := range emulator.CipherFormats() {
		for _, listedOnly := range []bool{false, true} {
			emu, err := emulator.New(emulator.Options{CipherFormat: f, EncryptListedOnly: listedOnly})
			if err != nil {
				t.Fatal(err)
			}
			if emu.CipherPrefix() != prefixes[f] {
				t.Errorf("%s: prefix %q", f, emu.CipherPrefix())
			}
			entra(t, emu)
			s, _ := emu.SourceByName("Entra")
			attrs := s.Object("connectorAttributes")
			for k, secret := range map[string]bool{"password": !listedOnly, "pin": true, "userDeltaToken": false} {
				v := attrs.String(k)
				if enc := strings.HasPrefix(v, prefixes[f]) && len(v) > 40; enc != secret {
					t.Errorf("%s listed-only=%v: %s = %q, encrypted %v, want %v", f, listedOnly, k, v, enc, secret)
				}
			}
			if p, ok := emu.Secret("Entra", "pin"); !ok || p != "1234" {
				t.Errorf("%s: Secret(pin) = %q, %v", f, p, ok)
			}
		}
	}
	// A cipher text of another format (a seed written under the default) decrypts too.
	def, _ := emulator.New(emulator.Options{})
	entra(t, def)
	s, _ := def.SourceByName("Entra")
	enc := s.Object("connectorAttributes").String("pin")
	acp, _ := emulator.New(emulator.Options{CipherFormat: emulator.CipherACP})
	entra(t, acp)
	if err := acp.UpdateSource("Entra", func(o *value.Object) { o.Object("connectorAttributes").Set("pin", enc) }); err != nil {
		t.Fatal(err)
	}
	got, _ := acp.SourceByName("Entra")
	if p, ok := acp.Secret("Entra", "pin"); got.Object("connectorAttributes").String("pin") != enc || !ok || p != "1234" {
		t.Errorf("a 2:ENC- cipher text under acp: kept %v, decrypts to %q %v", got.Object("connectorAttributes").String("pin") == enc, p, ok)
	}
	if _, err := emulator.ParseCipherFormat("rot13"); err == nil {
		t.Error("ParseCipherFormat accepts rot13")
	}
}

// TestAggregate: an aggregation rewrites the runtime state in plain text and nothing else.
func TestAggregate(t *testing.T) {
	t.Parallel()
	emu, err := emulator.New(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	entra(t, emu)
	before, _ := emu.SourceByName("Entra")
	if err := emu.Aggregate("Entra"); err != nil {
		t.Fatal(err)
	}
	after, _ := emu.SourceByName("Entra")
	b, a := before.Object("connectorAttributes"), after.Object("connectorAttributes")
	if tok := a.String("userDeltaToken"); tok == "u0" || len(tok) < 64 || strings.Contains(tok, ":") {
		t.Errorf("userDeltaToken %q: want a fresh plain cursor", tok)
	}
	for _, k := range []string{"cloudCacheUpdate", "processing", "hasFullAggregationCompleted", "sourceConnected", "recommendationStatus", "status"} {
		if _, ok := a.Get(k); !ok {
			t.Errorf("no %s after an aggregation", k)
		}
	}
	for _, k := range []string{"password", "pin", "encrypted", "cloudExternalId"} {
		bv, _ := b.Get(k)
		av, _ := a.Get(k)
		if value.ToPlain(bv) == nil || !equalPlain(bv, av) {
			t.Errorf("%s changed: %v → %v", k, bv, av)
		}
	}
	if before.String("modified") != after.String("modified") {
		t.Error("an aggregation bumped modified")
	}
	if err := emu.Aggregate("nope"); err == nil {
		t.Error("aggregating a missing source succeeded")
	}
}

func equalPlain(a, b any) bool {
	return strings.Join(value.StringList(a), ",") == strings.Join(value.StringList(b), ",")
}
