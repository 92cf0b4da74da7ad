// Package redact removes the secrets of a run from everything sailsync writes: the client
// secret, each access token and every resolved ${env:…} value, registered when they become
// known, in the forms a tenant or a proxy may echo them (as sent in a form, in JSON, in a
// Basic authorization header).
package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Mask replaces every secret.
const Mask = "[REDACTED]"

// MinLen is the shortest value treated as a secret: shorter ones ("1", "yes") would mask
// ordinary text everywhere and protect nothing.
const MinLen = 4

// authHeader finds an Authorization header's credentials echoed back in a body or a message.
var authHeader = regexp.MustCompile(`(?i)(authorization"?\s*[:=]\s*"?(?:bearer|basic)\s+)[A-Za-z0-9._~+/=-]+`)

// Set is the secrets of one run. The zero value is not usable; use New. It is safe for
// concurrent use.
type Set struct {
	mu      sync.RWMutex
	secrets []string // longest first, so a secret containing another is masked whole
	maxLen  int
}

// New returns an empty set.
func New() *Set { return &Set{} }

var (
	escapersMu sync.RWMutex
	escapers   []func(string) string
)

// AddEscaper registers an output format's escaper, so that a secret is also found as that
// format writes it: the redactor sees the escaped output, and markdown writes "_" as "&#95;".
func AddEscaper(f func(string) string) {
	escapersMu.Lock()
	defer escapersMu.Unlock()
	escapers = append(escapers, f)
}

// Add registers a secret and the forms it takes on the wire and in each output format (see
// AddEscaper). Values shorter than MinLen are ignored.
func (s *Set) Add(secret string) {
	if s == nil || len(secret) < MinLen {
		return
	}
	forms := []string{secret, url.QueryEscape(secret), url.PathEscape(secret)}
	if b, err := json.Marshal(secret); err == nil {
		forms = append(forms, string(b[1:len(b)-1]))
	}
	escapersMu.RLock()
	for _, f := range forms[:len(forms):len(forms)] {
		for _, esc := range escapers {
			forms = append(forms, esc(f))
		}
	}
	escapersMu.RUnlock()
	s.add(forms...)
}

// AddBasic registers the Basic authorization value of a client id and secret, as a token
// request may send it (RFC 6749 form-encodes both first).
func (s *Set) AddBasic(id, secret string) {
	if s == nil || len(secret) < MinLen {
		return
	}
	s.add(base64.StdEncoding.EncodeToString([]byte(id+":"+secret)),
		base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret))))
}

func (s *Set) add(forms ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range forms {
		if len(f) < MinLen || contains(s.secrets, f) {
			continue
		}
		s.secrets = append(s.secrets, f)
		s.maxLen = max(s.maxLen, len(f))
	}
	sort.Slice(s.secrets, func(i, j int) bool { return len(s.secrets[i]) > len(s.secrets[j]) })
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// String returns in with every registered secret and every echoed Authorization credential
// masked.
func (s *Set) String(in string) string {
	if s == nil {
		return in
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, sec := range s.secrets {
		if strings.Contains(in, sec) {
			in = strings.ReplaceAll(in, sec, Mask)
		}
	}
	// The regular expression only where a header can be: output is megabytes of plans.
	if strings.Contains(in, "uthorization") || strings.Contains(in, "UTHORIZATION") {
		in = authHeader.ReplaceAllString(in, "${1}"+Mask)
	}
	return in
}

// heldTail is how many bytes at the end of b could be the start of a secret: they are kept back
// until the next write shows whether the secret follows.
func (s *Set) heldTail(b string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for n := min(len(b), s.maxLen-1); n > 0; n-- {
		tail := b[len(b)-n:]
		for _, sec := range s.secrets {
			// The conversion in a comparison does not allocate.
			if len(sec) > n && sec[:n] == string(tail) {
				return n
			}
		}
	}
	return 0
}

// Writer redacts what it writes to w. A secret split across two writes is still masked: the
// bytes that could begin one are held until the next write or Flush, and nothing else is, so a
// prompt without a newline still shows at once.
type Writer struct {
	set *Set
	w   io.Writer
	mu  sync.Mutex
	buf []byte
}

// Writer returns a redacting writer over w.
func (s *Set) Writer(w io.Writer) *Writer { return &Writer{set: s, w: w} }

// Write redacts and writes p; it reports len(p) written when w took everything.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	out := w.set.String(string(w.buf))
	hold := w.set.heldTail(out)
	if _, err := io.WriteString(w.w, out[:len(out)-hold]); err != nil {
		return 0, err
	}
	w.buf = append(w.buf[:0], out[len(out)-hold:]...)
	return len(p), nil
}

// Flush writes what was held back.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.w.Write(bytes.Clone(w.buf))
	w.buf = w.buf[:0]
	return err
}

// Underlying is the writer w writes to (a terminal check looks through the redaction).
func (w *Writer) Underlying() io.Writer { return w.w }

// Set is the set w redacts with, so that what a command writes elsewhere (a step summary file)
// can pass the same redactor.
func (w *Writer) Set() *Set { return w.set }
