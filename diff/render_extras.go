package diff

import (
	"fmt"
	"io"
)

// The renderers' parts for a plan's context beyond its changes: the three-way classes, the ignored
// differences, the coverage and the unmanaged objects accepted by sailsync.yaml. Every value
// printed goes through the format's escaper, as in the renderers.

// maxListed bounds the lists of accepted and no-longer-declared objects a report prints: the
// JSON has them all.
const maxListed = 20

// classSuffix is what a field or change line carries for its class: " (tenant drift)",
// " (conflict: base "x")", or "".
func classSuffix(f Field) string {
	switch f.Class {
	case "":
		return ""
	case ClassConflict:
		return " (conflict: base " + fieldValue(f, f.Base) + ")"
	default:
		return " (" + f.Class.Label() + ")"
	}
}

// overwriteLine describes one field of a change that would overwrite the tenant's own change.
func overwriteLine(c Change, f Field) string {
	s := objectLabel(c.Kind, c.Name, c.Source) + " " + f.Path + ": tenant " + fieldValue(f, f.Before) + " → repository " + fieldValue(f, f.After)
	if f.Class == ClassConflict {
		s += " (conflict: base " + fieldValue(f, f.Base) + ")"
	}
	return s
}

// overwriteLines lists what an apply of a three-way plan would overwrite of the tenant's own
// changes: the drifted and conflicting fields, and the objects deleted in the tenant.
func overwriteLines(p *Plan) []string {
	var out []string
	for _, c := range OverwritesDrift(p) {
		if c.Action == ActionCreate {
			out = append(out, objectLabel(c.Kind, c.Name, c.Source)+": declared at the base, missing in the tenant (recreated)")
			continue
		}
		for _, f := range c.Fields {
			if f.Class == ClassDrift || f.Class == ClassConflict {
				out = append(out, overwriteLine(c, f))
			}
		}
	}
	return out
}

// removedLines lists the objects no longer declared since the base, at most maxListed.
func removedLines(p *Plan) []string {
	if p.Base == nil {
		return nil
	}
	var out []string
	for i, r := range p.Base.Removed {
		if i == maxListed {
			out = append(out, fmt.Sprintf("… and %s more", thousands(len(p.Base.Removed)-maxListed)))
			break
		}
		s := objectLabel(r.Kind, r.Name, r.Source)
		if pos := position(r.File, r.Line); pos != "" {
			s += " (at the base: " + pos + ")"
		}
		out = append(out, s)
	}
	return out
}

// acceptedLines lists the unmanaged objects accepted by sailsync.yaml, at most maxListed.
func acceptedLines(p *Plan) []string {
	if p.Coverage == nil {
		return nil
	}
	var out []string
	for i, a := range p.Coverage.Accepted {
		if i == maxListed {
			out = append(out, fmt.Sprintf("… and %s more", thousands(len(p.Coverage.Accepted)-maxListed)))
			break
		}
		out = append(out, fmt.Sprintf("%s: %s (%s)", objectLabel(a.Kind, a.Name, ""), quote(a.Reason), position(a.File, a.Line)))
	}
	return out
}

// ignoredLines lists the ignored differences with their rules, at most maxListed.
func ignoredLines(p *Plan) []string {
	var out []string
	for i, ig := range p.Ignored {
		if i == maxListed {
			out = append(out, fmt.Sprintf("… and %s more", thousands(len(p.Ignored)-maxListed)))
			break
		}
		f := Field{Sensitive: ig.Sensitive}
		out = append(out, fmt.Sprintf("%s %s: %s → %s, by rule %d (%s): %s", objectLabel(ig.Kind, ig.Name, ig.Source), ig.Path,
			fieldValue(f, ig.Before), fieldValue(f, ig.After), ig.Rule.Index+1, position(ig.Rule.File, ig.Rule.Line), quote(ig.Rule.Reason)))
	}
	return out
}

// writeTextExtras writes the text plan's sections for the three-way classes, the ignored
// differences and the coverage.
func writeTextExtras(w io.Writer, pl palette, p *Plan, drift bool) {
	section := func(title string, lines []string) {
		if len(lines) == 0 {
			return
		}
		fmt.Fprintln(w, pl.bold.Sprint(title))
		for _, l := range lines {
			fmt.Fprintln(w, "  "+l)
		}
		fmt.Fprintln(w)
	}
	if !drift {
		section("Tenant drift this apply would overwrite:", overwriteLines(p))
	}
	section("No longer declared since the base (sailsync deletes nothing: they stay in the tenant):", removedLines(p))
	if l := IgnoredLine(p); l != "" {
		section(l+":", ignoredLines(p))
	}
	if l := CoverageLine(p); l != "" {
		fmt.Fprintln(w, l)
		for _, a := range acceptedLines(p) {
			fmt.Fprintln(w, "  accepted: "+a)
		}
		fmt.Fprintln(w)
	}
	if l := BaseLine(p); l != "" {
		fmt.Fprintln(w, l)
		fmt.Fprintln(w)
	}
}

// writeMarkdownExtras writes the comment's sections for the three-way classes, the ignored
// differences and the coverage; each list is short (maxListed) so that it fits the budget.
func writeMarkdownExtras(w io.Writer, p *Plan) {
	list := func(title, intro string, lines []string) {
		if len(lines) == 0 {
			return
		}
		fmt.Fprintf(w, "### %s\n\n", MarkdownEscape(title))
		if intro != "" {
			fmt.Fprintf(w, "%s\n\n", MarkdownEscape(intro))
		}
		for i, l := range lines {
			if i == 2*maxListed {
				// The comment has a budget; the log and the JSON have every line.
				fmt.Fprintf(w, "- … and %s more (full list: the job's log / artifact)\n", thousands(len(lines)-i))
				break
			}
			fmt.Fprintf(w, "- %s\n", MarkdownEscape(l))
		}
		fmt.Fprintln(w)
	}
	if b := p.Base; b != nil {
		fmt.Fprintf(w, "%s\n\n", MarkdownEscape(BaseLine(p)))
		fmt.Fprintln(w, "| Since the base | Count |")
		fmt.Fprintln(w, "| --- | ---: |")
		for _, r := range []struct {
			label string
			n     int
		}{{"pending change", b.PendingChanges}, {"tenant drift", b.TenantDrift}, {"conflict", b.Conflicts},
			{"pending create", b.PendingCreates}, {"no longer declared", b.NoLongerDeclared}} {
			fmt.Fprintf(w, "| %s | %s |\n", r.label, thousands(r.n))
		}
		fmt.Fprintln(w)
	}
	if !p.Drift {
		list("Tenant drift this apply would overwrite", "Changes made in the tenant since the base, which this plan reverts:", overwriteLines(p))
	}
	list("No longer declared", "Declared at the base and not any more; sailsync deletes nothing, so they stay in the tenant.", removedLines(p))
	if l := IgnoredLine(p); l != "" {
		list("Ignored", l+".", ignoredLines(p))
	}
	if l := CoverageLine(p); l != "" {
		fmt.Fprintf(w, "%s\n\n", MarkdownEscape(l))
		for _, a := range acceptedLines(p) {
			fmt.Fprintf(w, "- accepted: %s\n", MarkdownEscape(a))
		}
		if len(acceptedLines(p)) > 0 {
			fmt.Fprintln(w)
		}
	}
}

// githubExtras returns the warnings a three-way plan raises (each field that overwrites the
// tenant's own change, on its YAML line) and the plain lines the github output ends with.
func githubExtras(p *Plan) (warnings []Annotation, lines []string) {
	for _, c := range OverwritesDrift(p) {
		title := "sailsync " + c.Class.Label()
		if c.Action == ActionCreate {
			warnings = append(warnings, Annotation{File: c.File, Line: c.Line, Title: title,
				Message: objectLabel(c.Kind, c.Name, c.Source) + ": declared at the base, missing in the tenant"})
			continue
		}
		for _, f := range c.Fields {
			if f.Class != ClassDrift && f.Class != ClassConflict {
				continue
			}
			a := Annotation{Title: "sailsync " + f.Class.Label(), Message: overwriteLine(c, f)}
			if c.File != "" {
				a.File, a.Line = c.File, c.Line
				if f.Line > 0 {
					a.Line = f.Line
				}
			}
			warnings = append(warnings, a)
		}
	}
	// A secret the plan could not check: a warning on the line that references it.
	files := map[string]string{}
	for _, c := range p.Changes {
		files[string(c.Kind)+"\x00"+c.Name] = c.File
	}
	for _, m := range p.UnsetEnv {
		a := Annotation{Title: "sailsync: secret not set", Message: fmt.Sprintf("%s %s: ${env:%s} is not set: shown as %s; apply refuses to run until it is set",
			objectLabel(m.Kind, m.Name, ""), m.Path, m.Var, SensitiveUnset)}
		if f := files[string(m.Kind)+"\x00"+m.Name]; f != "" {
			a.File, a.Line = f, m.Pos.Line
		}
		warnings = append(warnings, a)
	}
	for _, l := range []string{BaseLine(p), IgnoredLine(p), CoverageLine(p)} {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return warnings, lines
}

// changeClass is a change header's class mark: " [tenant drift]", or "".
func changeClass(c Change) string {
	if c.Class == "" {
		return ""
	}
	return " [" + c.Class.Label() + "]"
}

// hasExtras reports whether a plan without changes still has something to say.
func hasExtras(p *Plan) bool {
	return p.Base != nil || len(p.Ignored) > 0 || p.Coverage != nil
}
