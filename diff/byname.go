package diff

import (
	"fmt"
	"strings"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

// UnresolvedName is a reference given by name that the tenant does not resolve to exactly one
// object.
type UnresolvedName struct {
	config.NamedRef
	Kind   config.Kind
	Object string
	Field  string
	Pos    config.Pos
	// Candidates are the ids of the objects of that name, when there are several.
	Candidates []string
}

// String renders the name at its position, with the ids of the candidates when there are several.
func (u UnresolvedName) String() string { return fmt.Sprintf("%s: %s", u.Pos, u.Problem()) }

// Problem is String without the position: the message of an annotation on that position.
func (u UnresolvedName) Problem() string {
	where := fmt.Sprintf("%s %q %s", u.Kind, u.Object, u.Field)
	if len(u.Candidates) == 0 {
		return fmt.Sprintf("%s: the tenant has no %s named %q", where, u.Type, u.Name)
	}
	return fmt.Sprintf("%s: the tenant has %d %s objects named %q (ids %s): write the id of the one you mean",
		where, len(u.Candidates), u.Type, u.Name, strings.Join(u.Candidates, ", "))
}

// UnresolvedNamesError is returned by Compute when references given by name do not each name
// exactly one object of the tenant; it lists every one, and nothing is applied.
type UnresolvedNamesError struct {
	Names []UnresolvedName
}

// Error lists every unresolved name, one a line.
func (e *UnresolvedNamesError) Error() string { return strings.Join(e.Lines(), "\n") }

// Lines is the message as lines: a heading, then each unresolved name indented, so that the
// CLI prints (and escapes) each on a line of its own.
func (e *UnresolvedNamesError) Lines() []string {
	noun := "reference given by name does"
	if len(e.Names) > 1 {
		noun = "references given by name do"
	}
	lines := []string{fmt.Sprintf("%d %s not resolve to one object of the tenant:", len(e.Names), noun)}
	for _, u := range e.Names {
		lines = append(lines, "  "+u.String())
	}
	return lines
}

// checkNames reports every reference given by name that the live state does not resolve to
// exactly one object.
func (c *computer) checkNames() error {
	var bad []UnresolvedName
	for _, u := range c.repo.NamedRefs() {
		objs := c.live.Named[u.NamedRef]
		if len(objs) == 1 {
			continue
		}
		un := UnresolvedName{NamedRef: u.NamedRef, Kind: u.Object.Kind, Object: u.Object.Name, Field: u.Field, Pos: u.Pos}
		if u.Index >= 0 {
			un.Field = fmt.Sprintf("%s[%d]", u.Field, u.Index)
		}
		for _, o := range objs {
			un.Candidates = append(un.Candidates, o.String("id"))
		}
		bad = append(bad, un)
	}
	if len(bad) > 0 {
		return &UnresolvedNamesError{Names: bad}
	}
	return nil
}

// bindNames returns src with each reference given by name completed with the id (and the
// exact name) of the tenant's object, as the tenant's references carry them: the comparison
// then matches a live reference to the same object, and the operation's body is what apply
// sends, ids resolved at plan time (they are not secrets, and a plan is bound to its tenant).
// A source without such references is returned as it is; checkNames has run.
func (c *computer) bindNames(src *config.Source) *config.Source {
	uses := config.NamedRefsOf(&src.Object)
	if len(uses) == 0 {
		return src
	}
	fields := src.Fields.Clone()
	for _, u := range uses {
		objs := c.live.Named[u.NamedRef]
		if len(objs) != 1 {
			continue
		}
		v, _ := fields.Get(u.Field)
		if u.Index < 0 {
			fields.Set(u.Field, boundRef(v, objs[0]))
			continue
		}
		if list, ok := v.([]any); ok && u.Index < len(list) {
			list[u.Index] = boundRef(list[u.Index], objs[0])
		}
	}
	b := *src
	b.Fields = fields
	return &b
}

// boundRef returns the declared reference object ref with the id of obj before its name, and
// obj's name (the same, but for a tenant comparing names case-insensitively).
func boundRef(ref any, obj *value.Object) any {
	decl, _ := ref.(*value.Object)
	out := value.NewObjectSize(decl.Len() + 1)
	for k, v := range decl.All() {
		if k == "name" {
			out.Set("id", obj.String("id"))
			v = obj.String("name")
		}
		out.Set(k, v)
	}
	return out
}

// environmentSuffix is how a plan's heading names its environment after the tenant.
func environmentSuffix(p *Plan) string {
	if p.Environment == "" {
		return ""
	}
	return " (environment " + p.Environment + ")"
}

// lookupNote says how many references given by name the plan resolved, with how many
// requests: the lookups are part of what a plan costs.
func lookupNote(repo *config.Repo, live *Live) string {
	n := len(repo.NamedRefs())
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%s given by name resolved in the tenant with %s (their ids are in the plan's operations)",
		plural(n, "reference", "references"), plural(live.Lookups, "request", "requests"))
}
