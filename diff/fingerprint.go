package diff

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"sync"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

// FingerprintOf identifies the version of a live object: its `modified` timestamp and a hash of
// its canonical JSON. The tenant has no ETags, so apply compares a fresh GET's fingerprint with
// the plan's to detect a change made since the plan. The hash covers the whole object, cipher-text
// secrets included (they are not secrets), so even a change the tenant forgets to stamp in
// `modified` is caught. Runtime state inside connectorAttributes (config.IsRuntimeAttribute) is
// left out: the platform rewrites it on every aggregation, which is no reason to refuse an
// apply, and the PUT carries the fresh read's value anyway.
func FingerprintOf(obj *value.Object) Fingerprint {
	w, ok := canonicalWriters.Get().(*canonicalWriter)
	if !ok {
		w = new(canonicalWriter)
	}
	w.b.Reset()
	w.source = true
	w.write(obj)
	w.source, w.runtime = false, false
	sum := sha256.Sum256(w.b.Bytes())
	canonicalWriters.Put(w)
	return Fingerprint{Modified: obj.String("modified"), Hash: hex.EncodeToString(sum[:])}
}

// canonicalWriters hold what FingerprintOf writes with, reused as a plan fingerprints every
// live object. The writer also keeps the stack the
// members of objects are sorted on, in place of a sorted copy of each object's keys.
var canonicalWriters = sync.Pool{New: func() any { return new(canonicalWriter) }}

// canonicalJSON writes v with object keys sorted at every level, numbers as written and no
// insignificant space, so that equal objects hash equally whatever order the server sent.
func canonicalJSON(v any) []byte {
	var w canonicalWriter
	w.write(v)
	return w.b.Bytes()
}

// canonicalWriter writes canonical JSON into b. fields is a stack of the members of the
// objects being written, each object's sorted in place above its parent's.
type canonicalWriter struct {
	b      bytes.Buffer
	fields []canonicalField
	// source is set while the next object to write is a fingerprinted live object, whose
	// connectorAttributes are written without runtime keys; runtime while that object's
	// connectorAttributes are the next value to write (without a copy of either).
	source, runtime bool
}

type canonicalField struct {
	key string
	v   any
}

func (w *canonicalWriter) write(v any) {
	b := &w.b
	switch t := v.(type) {
	case *value.Object:
		if t == nil {
			b.WriteString("null")
			return
		}
		source, runtime := w.source, w.runtime
		w.source, w.runtime = false, false
		start := len(w.fields)
		for k, e := range t.All() {
			if runtime && config.IsRuntimeAttribute(k) {
				continue
			}
			w.fields = append(w.fields, canonicalField{key: k, v: e})
		}
		end := len(w.fields)
		slices.SortFunc(w.fields[start:end], func(x, y canonicalField) int { return strings.Compare(x.key, y.key) })
		b.WriteByte('{')
		for i := start; i < end; i++ {
			if i > start {
				b.WriteByte(',')
			}
			// Indexed afresh each time: writing a member may grow (move) the stack.
			f := w.fields[i]
			writeString(b, f.key)
			b.WriteByte(':')
			w.runtime = source && f.key == "connectorAttributes"
			w.write(f.v)
			w.runtime = false
		}
		b.WriteByte('}')
		clear(w.fields[start:end]) // the pool must not keep the values alive
		w.fields = w.fields[:start]
	case map[string]any:
		// Plain values (a projection) hash as the Object they stand for; FromPlain keeps every value.
		w.write(value.FromPlain(t))
	case []any:
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			w.write(e)
		}
		b.WriteByte(']')
	case json.Number:
		b.WriteString(string(t))
	case string:
		writeString(b, t)
	case bool:
		// What json.Marshal writes, without its allocations: there are several booleans in
		// every source.
		if t {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case nil:
		b.WriteString("null")
	default:
		enc, err := json.Marshal(t)
		if err != nil {
			// Only the kinds above come out of value.Object; a value that cannot be marshalled still
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
