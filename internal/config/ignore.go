package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// IgnoreRule is one entry of the settings' `ignore:` list: differences in Fields of the objects
// of Kind whose name matches Name are not changes, not drift, and not sent by apply.
type IgnoreRule struct {
	Kind Kind `json:"kind"`
	// Name is a glob on the object's name (see Glob); empty matches every object of the kind.
	Name string `json:"name,omitempty"`
	// Fields are field paths as the plan spells them; a path covers what lies below it.
	Fields []string `json:"fields"`
	Reason string   `json:"reason"`
	// Until is the rule's last day, YYYY-MM-DD; empty for no end. An expired rule is a problem.
	Until string `json:"until,omitempty"`
	// Pos is where the rule starts in the settings file.
	Pos Pos `json:"pos"`
}

// UnmanagedRule is one entry of the settings' `unmanaged:` list: tenant objects knowingly kept
// out of the repository, counted in drift's coverage but not reported as unmanaged.
type UnmanagedRule struct {
	// Kind is empty for every kind drift reports unmanaged objects of.
	Kind Kind `json:"kind,omitempty"`
	// Name is a name or a glob (see Glob).
	Name   string `json:"name"`
	Reason string `json:"reason"`
	Pos    Pos    `json:"pos"`
}

// Matches reports whether the rule covers the object of kind k called name.
func (r IgnoreRule) Matches(k Kind, name string) bool {
	return r.Kind == k && (r.Name == "" || Glob(r.Name, name))
}

// Covers returns the rule's field that covers the field path p (p itself or a parent of it), or "".
func (r IgnoreRule) Covers(p string) string {
	for _, f := range r.Fields {
		if p == f || strings.HasPrefix(p, f+".") {
			return f
		}
	}
	return ""
}

// Matches reports whether the rule accepts the unmanaged object of kind k called name.
func (r UnmanagedRule) Matches(k Kind, name string) bool {
	return (r.Kind == "" || r.Kind == k) && Glob(r.Name, name)
}

// Glob matches name against pattern: `*` any run of characters (`/` included, as names may hold
// one), `?` one character, everything else itself. Unlike path.Match it has no syntax errors.
func Glob(pattern, name string) bool {
	p, n := []rune(pattern), []rune(name)
	// Iterative matching with one backtrack point: linear in practice, never exponential.
	pi, ni, star, mark := 0, 0, -1, 0
	for ni < len(n) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == n[ni]):
			pi++
			ni++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ni
			pi++
		case star >= 0:
			pi, mark = star+1, mark+1
			ni = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// checkRules checks what the settings schema cannot: kinds from the table of kinds, dates that
// exist, and rules past their `until` (so that nothing is ignored forever by accident). It sets
// each rule's Pos from the YAML tree root of file.
func checkRules(file string, root *yaml.Node, s *Settings, now time.Time, report func(Problem)) {
	at := func(toks ...string) Pos {
		n, _, _, _ := nodeAt(root, toks)
		return posOf(file, n)
	}
	today := now.UTC().Format(time.DateOnly)
	for i := range s.Ignore {
		r := &s.Ignore[i]
		idx := strconv.Itoa(i)
		r.Pos = at("ignore", idx)
		if !knownKind(r.Kind) {
			report(Problem{Pos: at("ignore", idx, "kind"), Field: "ignore[" + idx + "].kind",
				Message: fmt.Sprintf("ignore[%s].kind: %q is not a kind: use %s", idx, r.Kind, userKindList())})
		}
		if r.Until == "" {
			continue
		}
		field := "ignore[" + idx + "].until"
		if _, err := time.Parse(time.DateOnly, r.Until); err != nil {
			report(Problem{Pos: at("ignore", idx, "until"), Field: field,
				Message: fmt.Sprintf("%s: %q is not a date (YYYY-MM-DD)", field, r.Until)})
		} else if r.Until < today {
			report(Problem{Pos: at("ignore", idx, "until"), Field: field, Message: fmt.Sprintf(
				"%s: the rule expired on %s (%s): review it, then extend until or remove the rule", field, r.Until, r.Reason)})
		}
	}
	for i := range s.Unmanaged {
		r := &s.Unmanaged[i]
		idx := strconv.Itoa(i)
		r.Pos = at("unmanaged", idx)
		if r.Kind == "" {
			continue
		}
		if spec := row(r.Kind); spec == nil || !spec.Unmanaged {
			report(Problem{Pos: at("unmanaged", idx, "kind"), Field: "unmanaged[" + idx + "].kind",
				Message: fmt.Sprintf("unmanaged[%s].kind: %q: drift reports unmanaged objects of %s only", idx, r.Kind, unmanagedKindList())})
		}
	}
}

// unmanagedKindList names the kinds drift reports unmanaged objects of, for messages.
func unmanagedKindList() string {
	var names []string
	for _, s := range table() {
		if s.Unmanaged {
			names = append(names, string(s.Kind))
		}
	}
	return orList(names)
}
