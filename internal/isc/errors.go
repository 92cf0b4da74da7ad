package isc

import (
	"errors"
	"fmt"
	"html"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sailsync/sailsync/internal/value"
)

// APIError is a non-success answer from the tenant, with the fields of ISC's error body. Every
// documented error shape is parsed into it: the standard {detailCode, trackingId, messages,
// causes}, the 401 {error} and the 429 {message}; anything else (an HTML page from a proxy, a
// wrong content type) becomes a short, sanitised snippet in Messages.
type APIError struct {
	Status     int
	Method     string
	Path       string
	DetailCode string
	TrackingID string
	Messages   []string
	Causes     []string
}

// Error names the status, request, detailCode, message and trackingId (the handle SailPoint
// support asks for). It never contains a credential: the request path carries none and the
// messages come from the tenant.
func (e *APIError) Error() string {
	return fmt.Sprintf("%s %s: %d %s%s", e.Method, e.Path, e.Status, http.StatusText(e.Status), e.detail())
}

// detail is everything after the status: detailCode, messages, causes, trackingId.
func (e *APIError) detail() string {
	var b strings.Builder
	if e.DetailCode != "" && !strings.EqualFold(strings.TrimSpace(e.DetailCode), fmt.Sprintf("%d %s", e.Status, http.StatusText(e.Status))) {
		fmt.Fprintf(&b, " (%s)", e.DetailCode)
	}
	if len(e.Messages) > 0 {
		b.WriteString(": ")
		b.WriteString(strings.Join(e.Messages, "; "))
	}
	if len(e.Causes) > 0 {
		b.WriteString(" (causes: ")
		b.WriteString(strings.Join(e.Causes, "; "))
		b.WriteString(")")
	}
	if e.TrackingID != "" {
		fmt.Fprintf(&b, " [trackingId %s]", e.TrackingID)
	}
	return b.String()
}

// IsNotFound reports whether err is (or wraps) an APIError with status 404.
func IsNotFound(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == http.StatusNotFound
}

// newAPIError builds the error for a non-success response from its body.
func newAPIError(method, path string, status int, header http.Header, body []byte) *APIError {
	e := &APIError{Status: status, Method: method, Path: path}
	if isJSON(header.Get("Content-Type")) || (header.Get("Content-Type") == "" && looksLikeJSON(body)) {
		if v, err := value.Decode(body); err == nil {
			if obj, ok := v.(*value.Object); ok {
				fillFromBody(e, obj)
			}
		}
	}
	if e.TrackingID == "" {
		// ISC also returns the request id as a header; it is what support asks for.
		e.TrackingID = strings.TrimSpace(header.Get("SLPT-Request-ID"))
	}
	if len(e.Messages) == 0 && len(e.Causes) == 0 && e.DetailCode == "" {
		if s := snippet(body, header.Get("Content-Type")); s != "" {
			ct := header.Get("Content-Type")
			if ct == "" {
				ct = "no content type"
			}
			e.Messages = []string{fmt.Sprintf("unexpected response (%s): %s", sanitize(ct, 60), s)}
		}
	}
	return e
}

func fillFromBody(e *APIError, obj *value.Object) {
	e.DetailCode = sanitize(obj.String("detailCode"), 200)
	e.TrackingID = sanitize(obj.String("trackingId"), 100)
	e.Messages = messageTexts(obj, "messages")
	e.Causes = messageTexts(obj, "causes")
	// 401 {"error": "..."}, OAuth's error_description, and 429 {"message": " Rate Limit Exceeded "}.
	for _, k := range []string{"error", "error_description", "message"} {
		if s := sanitize(obj.String(k), 500); s != "" {
			e.Messages = append(e.Messages, s)
		}
	}
}

// messageTexts reads an array of ErrorMessageDto ({locale, localeOrigin, text}) or of plain
// strings (the guide's "causes: […]" is not always objects).
func messageTexts(obj *value.Object, key string) []string {
	v, _ := obj.Get(key)
	arr, ok := v.([]any)
	if !ok {
		return nil
	}
	var out []string
	for _, m := range arr {
		var s string
		switch t := m.(type) {
		case string:
			s = t
		case *value.Object:
			s = t.String("text")
		}
		if s = sanitize(s, 500); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

func looksLikeJSON(b []byte) bool {
	s := strings.TrimSpace(string(b[:min(len(b), 16)]))
	return strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[")
}

var (
	titleRE = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	tagRE   = regexp.MustCompile(`(?s)<[^>]*>`)
	dropRE  = regexp.MustCompile(`(?is)<(script|style|head)[^>]*>.*?</(script|style|head)>`)
)

// snippet turns an unexpected body into one short printable line: the title of an HTML page or
// its text, else the first characters.
func snippet(body []byte, contentType string) string {
	if len(body) == 0 {
		return ""
	}
	s := string(body[:min(len(body), 8192)])
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	if strings.Contains(strings.ToLower(contentType), "html") || strings.Contains(strings.ToLower(s), "<html") {
		if m := titleRE.FindStringSubmatch(s); m != nil && strings.TrimSpace(m[1]) != "" {
			s = m[1]
		} else {
			s = tagRE.ReplaceAllString(dropRE.ReplaceAllString(s, " "), " ")
		}
		s = html.UnescapeString(s)
	}
	return sanitize(s, 160)
}

// sanitize collapses whitespace, drops control and format characters (no terminal escapes from
// a hostile body) and truncates to max runes.
func sanitize(s string, max int) string {
	var b strings.Builder
	space := false
	n := 0
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if unicode.IsControl(r) || unicode.In(r, unicode.Cf) || r == utf8.RuneError {
			continue
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		if n >= max {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}
