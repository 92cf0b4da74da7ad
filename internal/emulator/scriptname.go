package emulator

import (
	"fmt"
	"hash/fnv"
	"strings"
)

// ScriptNameRule is how the emulated tenant derives a new connector's scriptName from its name.
// The API documents only "a url friendly unique scriptname", so the emulator can play each
// plausible rule and the tests run under every one of them: a client that guesses fails one.
type ScriptNameRule string

// The rules the emulator can play.
const (
	// ScriptNameSlug: lower case, each run of characters other than ASCII letters and digits
	// becomes one "-", leading and trailing "-" trimmed ("Acme HR" → "acme-hr").
	ScriptNameSlug ScriptNameRule = "slug"
	// ScriptNameDash: lower case, each character other than an ASCII letter or digit becomes
	// its own "-" ("Acme  HR!" → "acme--hr-").
	ScriptNameDash ScriptNameRule = "dash"
	// ScriptNameSuffix: the slug plus an opaque suffix no client can derive
	// ("Acme HR" → "acme-hr-5f3c9a1e").
	ScriptNameSuffix ScriptNameRule = "suffix"
)

// ScriptNameRules lists every rule, for flags and for tests that run under each.
var ScriptNameRules = []ScriptNameRule{ScriptNameSlug, ScriptNameDash, ScriptNameSuffix}

// ParseScriptNameRule returns the rule called s ("" is the default, slug).
func ParseScriptNameRule(s string) (ScriptNameRule, error) {
	if s == "" {
		return ScriptNameSlug, nil
	}
	for _, r := range ScriptNameRules {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown scriptName rule %q (one of slug, dash, suffix)", s)
}

// derive returns the scriptName rule r gives a connector called name; seq makes the suffix
// rule's names differ between tenants and between a connector and its re-creation.
func (r ScriptNameRule) derive(name string, seq int) string {
	switch r {
	case ScriptNameDash:
		var b strings.Builder
		for _, c := range strings.ToLower(name) {
			if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
				b.WriteRune(c)
			} else {
				b.WriteByte('-')
			}
		}
		return b.String()
	case ScriptNameSuffix:
		h := fnv.New32a()
		fmt.Fprintf(h, "%s\x00%d", name, seq)
		base := ScriptNameSlug.derive(name, seq)
		if base == "" {
			base = "connector"
		}
		return fmt.Sprintf("%s-%08x", base, h.Sum32())
	}
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(name) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(c)
			continue
		}
		dash = true
	}
	return b.String()
}
