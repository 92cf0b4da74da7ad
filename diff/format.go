package diff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

// DefaultRateLimit is the tenant's documented limit, requests per 10 s per client.
const DefaultRateLimit = 100

// formatValue renders a value on one line for humans: strings JSON-quoted (so control characters
// cannot reach a terminal or break a line), numbers as written, lists and objects in flow style
// with keys in their order.
func formatValue(v any) string {
	var b strings.Builder
	writeValue(&b, v)
	return b.String()
}

func writeValue(b *strings.Builder, v any) {
	switch t := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		b.WriteString(quote(t))
	case json.Number:
		b.WriteString(string(t))
	case bool:
		b.WriteString(strconv.FormatBool(t))
	case []any:
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteString(", ")
			}
			writeValue(b, e)
		}
		b.WriteByte(']')
	case *value.Object:
		b.WriteByte('{')
		for i, k := range t.Keys() {
			if i > 0 {
				b.WriteString(", ")
			}
			e, _ := t.Get(k)
			b.WriteString(TextEscape(k))
			b.WriteString(": ")
			writeValue(b, e)
		}
		b.WriteByte('}')
	case map[string]any:
		// Plain values render as the Object they stand for, keys sorted (FromPlain's order).
		writeValue(b, value.FromPlain(t))
	default:
		enc, err := json.Marshal(t)
		if err != nil {
			fmt.Fprintf(b, "%v", t)
			return
		}
		b.Write(enc)
	}
}

// quote JSON-quotes s without escaping <, > and &, and with what JSONEscape adds (C1 and bidi
// controls, `##[`), so that a quoted value is safe in every format.
func quote(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimRight(string(JSONEscape(buf.Bytes())), "\n")
}

// fieldValue renders one side of a field change; secrets are never shown.
func fieldValue(f Field, v any) string {
	if f.Sensitive {
		return sensitiveText(f)
	}
	return formatValue(v)
}

// sensitiveText is what stands for a secret field: Sensitive, or SensitiveUnset when its
// variable is not set.
func sensitiveText(f Field) string {
	if f.Unset {
		return SensitiveUnset
	}
	return Sensitive
}

// objectLabel names an object for headers: `Source "HR Database"`, `EntitlementSchema "group" of
// Source "Corporate Directory"`.
func objectLabel(kind config.Kind, name, source string) string {
	s := string(kind) + " " + quote(name)
	if source != "" {
		s += " of Source " + quote(source)
	}
	return s
}

// thousands formats n with comma separators: 2014 → "2,014".
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(n) + " " + many
}

// formatSeconds renders a duration: "1.4 s" under a minute (tenths, rounded up, as it is a lower
// bound), "3 min 22 s" from a minute on.
func formatSeconds(secs float64) string {
	if secs < 60 {
		tenths := math.Max(0, math.Ceil(secs*10-1e-9))
		return strconv.FormatFloat(tenths/10, 'f', -1, 64) + " s"
	}
	total := int(math.Ceil(secs - 1e-9))
	m, s := total/60, total%60
	if s == 0 {
		return thousands(m) + " min"
	}
	return fmt.Sprintf("%s min %d s", thousands(m), s)
}

func formatRate(rate float64) string {
	if rate == math.Trunc(rate) && rate < 1e15 {
		return thousands(int(rate))
	}
	return strconv.FormatFloat(rate, 'f', -1, 64)
}

// apiCallsLine is the line saying what an apply costs: its requests and the least time they take
// at the client's rate limit.
func apiCallsLine(p *Plan, rate float64) string {
	if len(p.Violations) > 0 {
		return "apply: blocked, nothing is sent while the plan has violations"
	}
	if rate <= 0 {
		rate = DefaultRateLimit
	}
	secs := float64(p.APICalls) * 10 / rate
	return fmt.Sprintf("apply: %s, at least %s at %s requests / 10 s",
		plural(p.APICalls, "request", "requests"), formatSeconds(secs), formatRate(rate))
}

// HasChanges reports whether a plan has anything to show: objects to create or update,
// unmanaged sources or violations. It is what makes plan and drift exit 2 (or 1) and apply ask.
func (p *Plan) HasChanges() bool {
	s := p.Summary
	return s.Create+s.Update+s.Delete+s.Unmanaged+s.Violations > 0
}

// summaryLine is "Plan: 1 to create, 3 to update, 1 violation." (or "Drift: …").
func summaryLine(p *Plan, drift bool) string {
	s := p.Summary
	head := "Plan"
	if drift {
		head = "Drift"
	}
	parts := []string{thousands(s.Create) + " to create", thousands(s.Update) + " to update"}
	if s.Delete > 0 {
		parts = append(parts, thousands(s.Delete)+" to delete")
	}
	if drift || s.Unmanaged > 0 {
		parts = append(parts, thousands(s.Unmanaged)+" unmanaged")
	}
	if s.Violations > 0 {
		parts = append(parts, plural(s.Violations, "violation", "violations"))
	}
	return head + ": " + strings.Join(parts, ", ") + "."
}

const noChanges = "No changes. The tenant matches the configuration."

// marker is the one-character sign of an action.
func marker(a Action) string {
	switch a {
	case ActionCreate:
		return "+"
	case ActionUpdate:
		return "~"
	case ActionViolation:
		return "!"
	case ActionUnmanaged:
		return "?"
	case ActionDelete:
		return "-"
	default:
		return " "
	}
}

// position renders file:line for a change header ("" when the object has no file).
func position(file string, line int) string {
	if file == "" {
		return ""
	}
	if line > 0 {
		return fmt.Sprintf("%s:%d", TextEscape(file), line)
	}
	return TextEscape(file)
}
