package config

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/sailsync/sailsync/internal/value"
	"github.com/sailsync/sailsync/schema"
)

// Environment is one tenant the repository is applied to (sandbox, production, …), declared
// under `environments:` in the settings file.
type Environment struct {
	// Name is the environment's key in the settings file, what --env selects.
	Name string
	// BaseURL is the tenant's API base URL, or empty when the environment does not say.
	BaseURL string
	// Vars are the values of ${var:NAME}, as converted from YAML (string, json.Number, bool,
	// nil, []any, *value.Object); never nil.
	Vars *value.Object
	// Pos is the position of the environment's mapping in the settings file.
	Pos Pos
	// BaseURLPos is the position of baseUrl's value (Pos when there is none).
	BaseURLPos Pos
}

// Environment returns the declared environment called name.
func (s Settings) Environment(name string) (*Environment, bool) {
	for i := range s.Environments {
		if s.Environments[i].Name == name {
			return &s.Environments[i], true
		}
	}
	return nil, false
}

// EnvironmentNames lists the declared environments in the order written.
func (s Settings) EnvironmentNames() []string {
	out := make([]string, len(s.Environments))
	for i, e := range s.Environments {
		out[i] = e.Name
	}
	return out
}

// environmentsOf reads `environments:` from the settings mapping, which the schema accepted.
func environmentsOf(obj *value.Object, d *document) []Environment {
	envs := obj.Object("environments")
	if envs == nil {
		return nil
	}
	var out []Environment
	for name, v := range envs.All() {
		e, _ := v.(*value.Object)
		if e == nil {
			e = value.NewObject()
		}
		vars := e.Object("vars")
		if vars == nil {
			vars = value.NewObject()
		}
		pos, ok := d.positions["environments."+name]
		if !ok {
			pos = d.rootPos
		}
		bpos, ok := d.positions["environments."+name+".baseUrl"]
		if !ok {
			bpos = pos
		}
		out = append(out, Environment{Name: name, BaseURL: e.String("baseUrl"), Vars: vars, Pos: pos, BaseURLPos: bpos})
	}
	return out
}

// ForEnvironment returns the repository as the environment called name sees it: every
// ${var:NAME} replaced by that environment's value, so that a var is compared, shown and sent
// like any value written in place (it is not a secret). A value that is a string's only content
// keeps its type (a list stays a list); a value spliced into a longer string must be a string,
// number or boolean. Values are literal: a "${" in one is escaped, never expanded again.
// Objects without a var are shared with r. With name "" (no environment) r is returned as it
// is; Load has checked every reference against every environment, so an error here means a
// repository that did not come from Load.
func (r *Repo) ForEnvironment(name string) (*Repo, error) {
	if name == "" {
		return r, nil
	}
	env, ok := r.Settings.Environment(name)
	if !ok {
		return nil, fmt.Errorf("environment %q is not declared in %s", name, SettingsFile)
	}
	out := *r
	out.Env = name
	bind := func(o *Object) (Object, error) {
		c := *o
		if !holdsVar(o.Fields) {
			return c, nil
		}
		v, err := substituteVars(o.Fields, "", env, o)
		if err != nil {
			return c, err
		}
		c.Fields = v.(*value.Object)
		return c, nil
	}
	out.objects = make(map[Kind][]Declared, len(r.objects))
	for k, list := range r.objects {
		bound := make([]Declared, len(list))
		for i, d := range list {
			o, err := bind(d.Common())
			if err != nil {
				return nil, err
			}
			if rebind := loaders[k].bind; rebind != nil {
				bound[i] = rebind(d, o)
			} else {
				bound[i] = &o
			}
		}
		out.objects[k] = bound
	}
	return &out, nil
}

// holdsVar reports whether a ${var:…} may be in v (a "$${var:" escape included: the
// substitution keeps it as it is).
func holdsVar(v any) bool {
	return anyString(v, func(s string) bool { return strings.Contains(s, "${"+SchemeVar+":") })
}

// substituteVars replaces the ${var:…} references in v (a declared value at field) with env's
// values. Other references and escapes are kept as written for the later stages.
func substituteVars(v any, field string, env *Environment, o *Object) (any, error) {
	switch t := v.(type) {
	case string:
		if !strings.Contains(t, "${"+SchemeVar+":") {
			return t, nil
		}
		return substituteString(t, field, env, o)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			x, err := substituteVars(e, field, env, o)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	case *value.Object:
		out := value.NewObjectSize(t.Len())
		for k, e := range t.All() {
			x, err := substituteVars(e, join(field, k), env, o)
			if err != nil {
				return nil, err
			}
			out.Set(k, x)
		}
		return out, nil
	default:
		return v, nil
	}
}

// substituteString replaces the var references of one string. It scans the string itself
// rather than through Expand, which would also turn "$${" escapes into "${".
func substituteString(s, field string, env *Environment, o *Object) (any, error) {
	at := func(err error) error { return fmt.Errorf("%s: %s: %w", o.PosOf(field), field, err) }
	if name, whole := wholeVar(s); whole {
		v, ok := env.Vars.Get(name)
		if !ok {
			return nil, at(fmt.Errorf("${var:%s} is not defined in environment %q", name, env.Name))
		}
		return escapeValue(value.Clone(v)), nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "$${"):
			b.WriteString("$${")
			i += 3
		case strings.HasPrefix(s[i:], "${"+SchemeVar+":"):
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return nil, at(fmt.Errorf("unterminated reference %q", s[i:]))
			}
			name := s[i+len("${"+SchemeVar+":") : i+end]
			v, ok := env.Vars.Get(name)
			if !ok {
				return nil, at(fmt.Errorf("${var:%s} is not defined in environment %q", name, env.Name))
			}
			text, ok := scalarText(v)
			if !ok {
				return nil, at(fmt.Errorf("${var:%s} is %s in environment %q: such a value can only be a field's whole value", name, varKind(v), env.Name))
			}
			b.WriteString(strings.ReplaceAll(text, "${", "$${"))
			i += end + 1
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String(), nil
}

// wholeVar reports whether s is exactly one ${var:NAME} reference, and its name.
func wholeVar(s string) (string, bool) {
	rest, ok := strings.CutPrefix(s, "${"+SchemeVar+":")
	if !ok || !strings.HasSuffix(rest, "}") {
		return "", false
	}
	name := strings.TrimSuffix(rest, "}")
	return name, validEnvName(name)
}

// scalarText is how a var's value reads inside a longer string: strings as they are, numbers
// as written, booleans as true/false. Lists, mappings and null have no such text.
func scalarText(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case json.Number:
		return string(t), true
	case bool:
		return strconv.FormatBool(t), true
	}
	return "", false
}

// escapeValue escapes "${" in every string of a var's value (in place: v is a copy), so that
// the value is taken literally by the stages that expand ${env:…} and ${connector:…}.
func escapeValue(v any) any {
	switch t := v.(type) {
	case string:
		return strings.ReplaceAll(t, "${", "$${")
	case []any:
		for i, e := range t {
			t[i] = escapeValue(e)
		}
	case *value.Object:
		for _, k := range t.Keys() {
			e, _ := t.Get(k)
			t.Set(k, escapeValue(e))
		}
	}
	return v
}

// varValued reports whether the value at the schema path toks of obj is, or lies in, a string
// holding a ${var:…}: its schema errors are judged per environment (checkEnvironments), once
// the var has its value, not on the reference as written.
func varValued(obj *value.Object, toks []string) bool {
	var v any = obj
	for _, t := range toks {
		switch x := v.(type) {
		case string:
			return strings.Contains(x, "${"+SchemeVar+":")
		case *value.Object:
			e, ok := x.Get(t)
			if !ok {
				return false
			}
			v = e
		case []any:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(x) {
				return false
			}
			v = x[i]
		default:
			return false
		}
	}
	s, ok := v.(string)
	return ok && strings.Contains(s, "${"+SchemeVar+":")
}

// checkVar reports a ${var:…} reference, in string s at field of an object, that some
// environment cannot fill: the var is not defined there, or it is a list or mapping spliced
// into a longer string. Every environment is checked, so that validate finds what a later
// promotion would trip on.
func (l *loader) checkVar(repo *Repo, at Pos, field, s string, r Ref) {
	if l.settingsBroken {
		return // the settings file's own problems are reported; its vars are unknown
	}
	if len(repo.Settings.Environments) == 0 {
		l.add(Problem{Pos: at, Field: field, Message: fmt.Sprintf("%s: %s: %s declares no environments, so no var is defined: add environments: with vars", field, r, SettingsFile)})
		return
	}
	_, whole := wholeVar(s)
	whole = whole && s == r.String()
	for _, env := range repo.Settings.Environments {
		v, ok := env.Vars.Get(r.Name)
		if !ok {
			hint := ""
			if s := schema.Suggest(r.Name, env.Vars.Keys()); s != "" {
				hint = fmt.Sprintf(" (did you mean ${var:%s}?)", s)
			}
			l.add(Problem{Pos: at, Field: field, Message: fmt.Sprintf("%s: %s is not defined in environment %q (%s:%d)%s", field, r, env.Name, env.Pos.File, env.Pos.Line, hint)})
			continue
		}
		if _, scalar := scalarText(v); !whole && !scalar {
			l.add(Problem{Pos: at, Field: field, Message: fmt.Sprintf("%s: %s is %s in environment %q: such a value can only be a field's whole value", field, r, varKind(v), env.Name)})
		}
	}
}

// checkEnvironments validates, for every environment, the objects that hold a ${var:…} with
// the environment's values in place: a var may stand for a number, a list or an enum value,
// which the reference as written cannot be checked as. Only errors about var-valued fields are
// reported here; the others were reported once, on the object as written.
func (l *loader) checkEnvironments(repo *Repo) {
	if l.settingsBroken || len(repo.Settings.Environments) == 0 {
		return
	}
	check := func(o *Object) {
		if !holdsVar(o.Fields) {
			return
		}
		for i := range repo.Settings.Environments {
			env := &repo.Settings.Environments[i]
			v, err := substituteVars(o.Fields, "", env, o)
			if err != nil {
				continue // a missing or misplaced var, reported by checkVar
			}
			plain, _ := value.ToPlain(v).(map[string]any)
			if plain == nil {
				continue
			}
			plain["kind"] = string(o.Kind)
			report := func(errs []schema.Error, add func(Problem)) {
				for _, e := range errs {
					if !varValued(o.Fields, e.Path) {
						continue
					}
					field := fieldOf(e.Path)
					add(Problem{Pos: o.PosOf(field), Field: field, Message: fmt.Sprintf("%s: in environment %q: %s", strings.Join(e.Path, "."), env.Name, e.Message)})
				}
			}
			report(schema.Validate(o.Kind, plain), l.add)
			// A var's value outside an open enum is a warning, as it is written in place.
			report(schema.Warnings(o.Kind, plain), l.warn)
		}
	}
	for _, o := range repo.Objects() {
		check(o)
	}
}

// fieldOf turns schema path tokens into the dotted path Positions uses (list elements share
// their list's path).
func fieldOf(toks []string) string {
	field := ""
	for _, t := range toks {
		if _, err := strconv.Atoi(t); err == nil {
			continue
		}
		field = join(field, t)
	}
	return field
}

// varKind names the kind of a var's value that cannot be spliced into a string.
func varKind(v any) string {
	switch v.(type) {
	case []any:
		return "a list"
	case *value.Object:
		return "a mapping"
	case nil:
		return "null"
	}
	return showValue(v)
}
