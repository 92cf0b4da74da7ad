package diff

import (
	"bytes"
	"encoding/json"
	"math/big"
	"testing"
)

// TestWriteStringMatchesTheEncoder: the fast path for plain strings writes exactly what
// encoding/json does, so fingerprints are unchanged by it.
func TestWriteStringMatchesTheEncoder(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"", "Corporate Directory", "a<b>&c", "2025-03-11T07:42:18.311Z", "~!@#$%^*()_+{}|:?`-=[];',./",
		`say "hi"`, `C:\path`, "tab\there", "line\nbreak", "\x7f", "Zürich", "\u2028", "bad\xffutf8",
	} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		writeString(&got, s)
		if got.String() != string(bytes.TrimRight(want.Bytes(), "\n")) {
			t.Errorf("writeString(%q) = %s, want %s", s, got.String(), want.String())
		}
	}
}

// TestPlainIntegerIsCanonical: every number the fast path keeps is the spelling big.Rat gives.
func TestPlainIntegerIsCanonical(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"0", "-0", "7", "25", "-3", "007", "1e3", "1.0", "10.50", "-", "", "123456789012345678901234567890"} {
		got := canonicalNumbers(json.Number(s))
		want := canonicalNumbersSlow(json.Number(s))
		if got != want {
			t.Errorf("canonicalNumbers(%q) = %v, want %v", s, got, want)
		}
	}
}

func canonicalNumbersSlow(n json.Number) any {
	r, ok := new(big.Rat).SetString(string(n))
	if !ok {
		return n
	}
	return json.Number(r.RatString())
}
