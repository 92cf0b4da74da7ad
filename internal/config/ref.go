package config

import (
	"fmt"
	"strings"

	"github.com/sailsync/sailsync/internal/value"
)

// Ref is one ${scheme:name} reference inside a string value.
type Ref struct {
	// Scheme is "env" (a secret from the environment), "connector" (a declared connector's
	// scriptName) or "var" (a variable of the selected environment in sailsync.yaml).
	Scheme string
	Name   string
}

// String renders the reference as written.
func (r Ref) String() string { return "${" + r.Scheme + ":" + r.Name + "}" }

// The reference schemes.
const (
	SchemeEnv       = "env"
	SchemeConnector = "connector"
	SchemeVar       = "var"
)

// Refs returns the references in s, in order. A "${" that does not open a well-formed reference
// is an error: a typo must not be sent to the tenant as a literal value. "$${" escapes a literal
// "${".
func Refs(s string) ([]Ref, error) {
	var refs []Ref
	_, err := expand(s, func(r Ref) (string, error) {
		refs = append(refs, r)
		return "", nil
	})
	return refs, err
}

// Expand replaces every reference in s with what resolve returns for it. It is a single pass: a
// resolved value that itself contains "${…}" is not expanded again, so a secret can never smuggle
// in another reference.
func Expand(s string, resolve func(Ref) (string, error)) (string, error) {
	return expand(s, resolve)
}

func expand(s string, resolve func(Ref) (string, error)) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "$${") {
			b.WriteString("${")
			i += 3
			continue
		}
		if !strings.HasPrefix(s[i:], "${") {
			b.WriteByte(s[i])
			i++
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", fmt.Errorf("unterminated reference %q: a reference is ${env:NAME}, ${var:NAME} or ${connector:NAME}", s[i:])
		}
		body := s[i+2 : i+end]
		scheme, name, ok := strings.Cut(body, ":")
		switch {
		case !ok:
			return "", fmt.Errorf("malformed reference %q: a reference is ${env:NAME}, ${var:NAME} or ${connector:NAME}", s[i:i+end+1])
		case scheme != SchemeEnv && scheme != SchemeConnector && scheme != SchemeVar:
			return "", fmt.Errorf("unknown reference scheme %q in %q: use env, var or connector", scheme, s[i:i+end+1])
		case strings.TrimSpace(name) == "" || strings.Contains(name, "${"):
			return "", fmt.Errorf("malformed reference %q: the name is empty", s[i:i+end+1])
		case scheme == SchemeEnv && !validEnvName(name):
			return "", fmt.Errorf("malformed reference %q: an environment variable name is letters, digits and _", s[i:i+end+1])
		case scheme == SchemeVar && !validEnvName(name):
			return "", fmt.Errorf("malformed reference %q: a var name is letters, digits and _", s[i:i+end+1])
		}
		v, err := resolve(Ref{Scheme: scheme, Name: name})
		if err != nil {
			return "", err
		}
		b.WriteString(v)
		i += end + 1
	}
	return b.String(), nil
}

func validEnvName(s string) bool {
	for i, r := range s {
		switch {
		case r == '_', r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return s != ""
}

// ExpandValue expands references in every string of v (an Object value: string, []any, *value.Object
// at any depth) and returns a new value; v is not modified.
func ExpandValue(v any, resolve func(Ref) (string, error)) (any, error) {
	switch t := v.(type) {
	case string:
		return Expand(t, resolve)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			x, err := ExpandValue(e, resolve)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	case *value.Object:
		out := value.NewObject()
		for _, k := range t.Keys() {
			e, _ := t.Get(k)
			x, err := ExpandValue(e, resolve)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out.Set(k, x)
		}
		return out, nil
	default:
		return v, nil
	}
}

// IsSecret reports whether v holds an ${env:…} reference anywhere: such values are write-only,
// never compared and never shown.
func IsSecret(v any) bool {
	switch t := v.(type) {
	case string:
		refs, _ := Refs(t)
		for _, r := range refs {
			if r.Scheme == SchemeEnv {
				return true
			}
		}
	case []any:
		for _, e := range t {
			if IsSecret(e) {
				return true
			}
		}
	case *value.Object:
		for _, k := range t.Keys() {
			e, _ := t.Get(k)
			if IsSecret(e) {
				return true
			}
		}
	}
	return false
}
