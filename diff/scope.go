package diff

import (
	"fmt"
	"strings"

	"github.com/sailsync/sailsync/internal/config"
)

// SetScope records the scope a plan was computed for, so that every output says the plan is
// scoped (and a saved plan carries it), and adds a note for each document removed since
// --changed-since's commit: removing a document deletes nothing.
func SetScope(p *Plan, s *config.Scope) {
	if s == nil {
		return
	}
	p.Scope = s
	if len(s.Widened) > 0 {
		p.Notes = append(p.Notes, fmt.Sprintf("--changed-since: %s changed and feeds no object sailsync can name: the scope is every object", strings.Join(s.Widened, ", ")))
	}
	for _, r := range s.Removed {
		what := objectLabel(r.Kind, r.Name, r.Source)
		p.Notes = append(p.Notes, fmt.Sprintf("%s (%s) was removed from the repository since the commit compared with: "+
			"removing a document deletes nothing, the tenant keeps it (drift reports it as unmanaged); to delete it, declare it with absent: true and a reason", what, r.File))
	}
}

// scopeLine is the line a scoped plan shows under its first: "Scope: 3 of 1,204 objects
// (--changed-since origin/main); unscoped objects were not read." Empty for a whole plan.
func scopeLine(p *Plan) string {
	s := p.Scope
	if s == nil {
		return ""
	}
	sel := ""
	if s.Selector != "" {
		sel = " (" + s.Selector + ")"
	}
	return fmt.Sprintf("Scope: %s of %s objects%s; unscoped objects were not read.", thousands(s.Objects), thousands(s.Total), sel)
}
