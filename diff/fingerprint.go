package diff

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"sync"

	"github.com/sailsync/sailsync/isc"
)

// FingerprintOf identifies the version of a live object: its `modified` timestamp and a hash of
// its canonical JSON. The tenant has no ETags, so apply compares a fresh GET's fingerprint with
// the plan's to detect a change made since the plan. The hash covers the whole object, cipher-text
// secrets included (they are not secrets), so even a change the tenant forgets to stamp in
// `modified` is caught.
func FingerprintOf(obj *isc.Object) Fingerprint {
	b, ok := fingerprintBufs.Get().(*bytes.Buffer)
	if !ok {
		b = new(bytes.Buffer)
	}
	b.Reset()
	writeCanonical(b, obj)
	sum := sha256.Sum256(b.Bytes())
	fingerprintBufs.Put(b)
	return Fingerprint{Modified: obj.String("modified"), Hash: hex.EncodeToString(sum[:])}
}

// fingerprintBufs holds the buffers FingerprintOf writes the canonical JSON into: a plan
// fingerprints every live source, and growing a fresh buffer each time was a third of it.
var fingerprintBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// canonicalJSON writes v with object keys sorted at every level, numbers as written and no
// insignificant space, so that equal objects hash equally whatever order the server sent.
func canonicalJSON(v any) []byte {
	var b bytes.Buffer
	writeCanonical(&b, v)
	return b.Bytes()
}

func writeCanonical(b *bytes.Buffer, v any) {
	switch t := v.(type) {
	case *isc.Object:
		if t == nil {
			b.WriteString("null")
			return
		}
		keys := t.Keys()
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, k)
			b.WriteByte(':')
			e, _ := t.Get(k)
			writeCanonical(b, e)
		}
		b.WriteByte('}')
	case map[string]any:
		// Plain values (a projection) hash as the Object they stand for; FromPlain keeps every value.
		writeCanonical(b, isc.FromPlain(t))
	case []any:
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			writeCanonical(b, e)
		}
		b.WriteByte(']')
	case json.Number:
		b.WriteString(string(t))
	case string:
		writeString(b, t)
	default:
		enc, err := json.Marshal(t)
		if err != nil {
			// Only the kinds above come out of isc.Object; a value that cannot be marshalled still
			// contributes to the hash rather than being dropped.
			writeString(b, "?"+err.Error())
			return
		}
		b.Write(enc)
	}
}

func writeString(b *bytes.Buffer, s string) {
	if plainASCII(s) {
		// What the encoder below writes for such a string, without its cost (a fingerprint is
		// computed for every live object of a plan: this was a sixth of Compute's time).
		b.WriteByte('"')
		b.WriteString(s)
		b.WriteByte('"')
		return
	}
	var tmp bytes.Buffer
	enc := json.NewEncoder(&tmp)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	b.Write(bytes.TrimRight(tmp.Bytes(), "\n"))
}

// plainASCII reports whether s is printable ASCII without quote or backslash: a JSON string
// that needs no escaping.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
