package redact

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	s := New()
	s.Add("p@ss w\"rd/1")
	s.Add("abc") // too short to be told from ordinary text
	s.AddBasic("client", "p@ss w\"rd/1")
	for _, in := range []string{
		`p@ss w"rd/1`,                     // raw
		`client_secret=p%40ss+w%22rd%2F1`, // form-encoded
		`"password":"p@ss w\"rd/1"`,       // in JSON
		"Authorization: Basic Y2xpZW50OnBAc3MgdyJyZC8x",
		`{"authorization": "Bearer eyJhbGciOi.x-y_z"}`, // an unregistered token, echoed
	} {
		out := s.String(in)
		if !strings.Contains(out, Mask) || strings.Contains(out, "rd/1") || strings.Contains(out, "eyJhbGciOi") {
			t.Errorf("String(%q) = %q", in, out)
		}
	}
	if got := s.String("abc and 123"); got != "abc and 123" {
		t.Errorf("a short value was masked: %q", got)
	}
}

// TestWriterSplitSecret: a secret written in two pieces is still masked, and a prompt with no
// secret in it is written at once, not held back.
func TestWriterSplitSecret(t *testing.T) {
	s := New()
	s.Add("supersecret-value")
	var out bytes.Buffer
	w := s.Writer(&out)
	for _, piece := range []string{"token: super", "secret-", "value; done\nApply? "} {
		if _, err := w.Write([]byte(piece)); err != nil {
			t.Fatal(err)
		}
	}
	if got := out.String(); got != "token: "+Mask+"; done\nApply? " {
		t.Errorf("before Flush: %q", got)
	}
	if _, err := w.Write([]byte("supersec")); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "supersec") {
		t.Errorf("a possible secret's start was written before its end: %q", out.String())
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(out.String(), "supersec") {
		t.Errorf("Flush lost the held bytes: %q", out.String())
	}
}

// BenchmarkWriter is the redaction of a plan's text: 4 KB writes, as a bufio.Writer flushes.
func BenchmarkWriter(b *testing.B) {
	s := New()
	s.Add("demo-secret")
	s.AddBasic("sailsync-demo", "demo-secret")
	chunk := bytes.Repeat([]byte("  ~ description: \"Bench source 12 (created in the UI)\" → \"Bench source 12\"\n"), 55)[:4096]
	w := s.Writer(io.Discard)
	b.SetBytes(int64(len(chunk)))
	for b.Loop() {
		if _, err := w.Write(chunk); err != nil {
			b.Fatal(err)
		}
	}
}
