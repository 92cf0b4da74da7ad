package diff

import (
	"fmt"
	"strings"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

// Ignored is one difference that an ignore rule of sailsync.yaml left out of the plan: it is not
// a change, not drift and not sent, but listed so that nothing disappears silently.
type Ignored struct {
	Kind   config.Kind `json:"kind"`
	Name   string      `json:"name"`
	Source string      `json:"source,omitempty"`
	// Path is the field path as a plan's field line spells it.
	Path   string `json:"path"`
	Before any    `json:"before"`
	After  any    `json:"after"`
	// Sensitive marks a secret: Before and After are both Sensitive.
	Sensitive bool `json:"sensitive,omitempty"`
	// Rule is the rule that matched.
	Rule IgnoredBy `json:"rule"`
}

// IgnoredBy names the ignore rule that matched a difference.
type IgnoredBy struct {
	// Index is the rule's place in the `ignore:` list, from 0.
	Index int `json:"index"`
	// File and Line are where the rule is written.
	File string `json:"file"`
	Line int    `json:"line"`
	// Field is the rule's field that covers the difference's path.
	Field  string `json:"field"`
	Reason string `json:"reason"`
	Until  string `json:"until,omitempty"`
}

// ignoreFields takes out of fields those an ignore rule covers, returning the kept ones and the
// ignored ones. Rules are tried in the order written; the first that covers a path names it.
func ignoreFields(rules []config.IgnoreRule, kind config.Kind, name, source string, fields []Field) (kept []Field, ignored []Ignored) {
	if len(rules) == 0 || len(fields) == 0 {
		return fields, nil
	}
	kept = fields[:0:0]
	for _, f := range fields {
		by, ok := ruleFor(rules, kind, name, f.Path)
		if !ok {
			kept = append(kept, f)
			continue
		}
		ignored = append(ignored, Ignored{Kind: kind, Name: name, Source: source, Path: f.Path,
			Before: f.Before, After: f.After, Sensitive: f.Sensitive, Rule: by})
	}
	return kept, ignored
}

// ruleFor returns the first rule covering the field path p of the object.
func ruleFor(rules []config.IgnoreRule, kind config.Kind, name, p string) (IgnoredBy, bool) {
	for i, r := range rules {
		if !r.Matches(kind, name) {
			continue
		}
		if f := r.Covers(p); f != "" {
			return IgnoredBy{Index: i, File: r.Pos.File, Line: r.Pos.Line, Field: f, Reason: r.Reason, Until: r.Until}, true
		}
	}
	return IgnoredBy{}, false
}

// withoutIgnored returns the update body of a source with the ignored paths taken out, so that
// apply, which lays the body over a fresh GET, keeps the live value as for an undeclared field.
// A top-level field or a connectorAttributes key is left out of the body; a path deeper in an
// object that apply replaces whole gets the live value the plan was computed against (a fresh
// GET that differs makes the object stale, so that value is the one apply would keep).
func withoutIgnored(body, live *value.Object, ignored []Ignored) *value.Object {
	if len(ignored) == 0 {
		return body
	}
	out := body.Clone()
	for _, ig := range ignored {
		segs := ignoredSegments(out, live, ig.Path)
		switch {
		case len(segs) == 1:
			out.Delete(segs[0])
		case len(segs) == 2 && segs[0] == "connectorAttributes":
			if attrs := out.Object(segs[0]); attrs != nil {
				attrs.Delete(segs[1])
			}
		default:
			lv, ok := getPath(live, segs)
			parent, _ := getPath(out, segs[:len(segs)-1])
			if po, isObj := parent.(*value.Object); isObj {
				if ok {
					po.Set(segs[len(segs)-1], value.Clone(lv))
				} else {
					po.Delete(segs[len(segs)-1])
				}
			}
		}
	}
	return out
}

// ignoredSegments splits the plan's dotted path p into the keys it names, which may hold a dot
// themselves (connectorAttributes' "ldap.referral"): resolved against the body, then the live
// object, taking at each level the longest key p continues with; a plain split otherwise.
func ignoredSegments(body, live *value.Object, p string) []string {
	for _, o := range []*value.Object{body, live} {
		if segs, ok := keySegments(o, p); ok {
			return segs
		}
	}
	return strings.Split(p, ".")
}

// keySegments resolves p against o's keys as ignoredSegments says, and false when some level
// has no key that p continues with.
func keySegments(o *value.Object, p string) ([]string, bool) {
	var segs []string
	for cur := o; cur != nil; {
		best := ""
		for _, k := range cur.Keys() {
			if len(k) > len(best) && (p == k || strings.HasPrefix(p, k+".")) {
				best = k
			}
		}
		if best == "" {
			return nil, false
		}
		segs = append(segs, best)
		if p == best {
			return segs, true
		}
		p = p[len(best)+1:]
		next, _ := cur.Get(best)
		cur, _ = next.(*value.Object)
	}
	return nil, false
}

// leavesNotIgnored drops the secret leaves an ignored difference names: they are not sent.
func leavesNotIgnored(leaves []secretLeaf, ignored []Ignored) []secretLeaf {
	if len(ignored) == 0 {
		return leaves
	}
	skip := map[string]bool{}
	for _, ig := range ignored {
		skip[ig.Path] = true
	}
	var out []secretLeaf
	for _, l := range leaves {
		if !skip[strings.Join(l.path, ".")] {
			out = append(out, l)
		}
	}
	return out
}

// IgnoredLine is the line every output prints about ignored differences: "3 differences
// ignored by 2 rules (sailsync.yaml)", or "" when nothing was ignored.
func IgnoredLine(p *Plan) string {
	if len(p.Ignored) == 0 {
		return ""
	}
	rules := map[int]bool{}
	file := ""
	for _, ig := range p.Ignored {
		rules[ig.Rule.Index] = true
		file = ig.Rule.File
	}
	s := fmt.Sprintf("%s ignored by %s", plural(len(p.Ignored), "difference", "differences"), plural(len(rules), "rule", "rules"))
	if file != "" {
		s += " (" + file + ")"
	}
	return s
}
