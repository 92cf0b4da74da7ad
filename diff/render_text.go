package diff

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/fatih/color"
)

// TextOptions tune RenderText.
type TextOptions struct {
	// Color turns on ANSI colours. The command decides (a terminal, no NO_COLOR); the renderer
	// never looks at the environment or the global color.NoColor.
	Color bool
	// Drift renders a drift report: "Drift: …" summary, no apply cost.
	Drift bool
	// RateLimit is the client's limit in requests per 10 s, for the apply duration estimate;
	// 0 means the documented 100.
	RateLimit float64
}

// palette holds the colours of one rendering, each switched on or off explicitly.
type palette struct {
	create, update, violation, unmanaged, dim, bold *color.Color
}

func newPalette(on bool) palette {
	mk := func(attrs ...color.Attribute) *color.Color {
		c := color.New(attrs...)
		if on {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c
	}
	return palette{
		create:    mk(color.FgGreen),
		update:    mk(color.FgYellow),
		violation: mk(color.FgRed, color.Bold),
		unmanaged: mk(color.FgCyan),
		dim:       mk(color.Faint),
		bold:      mk(color.Bold),
	}
}

func (pl palette) of(a Action) *color.Color {
	switch a {
	case ActionCreate:
		return pl.create
	case ActionUpdate:
		return pl.update
	case ActionViolation, ActionDelete:
		return pl.violation
	default:
		return pl.unmanaged
	}
}

// RenderText writes the plan for a terminal or a log: the summary line and the tenant first (a
// long plan's end may be far below), one block per object to change (`+ create`, `~ update`,
// `! violation`, `? unmanaged`) with its field changes, the violations with their YAML position
// and rule, the notes, the summary line again and what an apply costs. Objects with no change
// are counted, not shown.
func RenderText(w io.Writer, p *Plan, opts TextOptions) error {
	bw := bufio.NewWriter(w)
	pl := newPalette(opts.Color)
	drift := opts.Drift || p.Drift
	first := noChanges
	if p.HasChanges() {
		first = pl.bold.Sprint(summaryLine(p, drift))
	}
	if p.Tenant != "" {
		// First, so that nobody reads a plan without seeing which tenant it is true of.
		first += " Tenant: " + TextEscape(p.Tenant+environmentSuffix(p))
	}
	fmt.Fprintln(bw, first)
	if sl := scopeLine(p); sl != "" {
		fmt.Fprintln(bw, sl)
	}
	fmt.Fprintln(bw)

	for _, c := range p.Changes {
		if c.Action == ActionNoChange {
			continue
		}
		col := pl.of(c.Action)
		header := col.Sprint(marker(c.Action)+" "+string(c.Action)) + " " + objectLabel(c.Kind, c.Name, c.Source)
		if pos := position(c.File, c.Line); pos != "" {
			header += " " + pl.dim.Sprint("("+pos+")")
		} else if c.LiveID != "" {
			header += " " + pl.dim.Sprint("(id "+TextEscape(c.LiveID)+")")
		}
		fmt.Fprintln(bw, header+changeClass(c))
		for _, f := range c.Fields {
			fmt.Fprintln(bw, "  "+textField(pl, c.Action, f)+classSuffix(f))
			for _, l := range f.Diff {
				fmt.Fprintln(bw, "      "+diffColor(pl, l))
			}
		}
		if c.Note != "" {
			fmt.Fprintln(bw, "    "+pl.dim.Sprint(TextEscape(c.Note)))
		}
		fmt.Fprintln(bw)
	}

	if len(p.Violations) > 0 {
		fmt.Fprintln(bw, pl.violation.Sprint("Violations:"))
		for _, v := range p.Violations {
			fmt.Fprintf(bw, "  %s %s: %s %s: live %s, desired %s\n", pl.violation.Sprint("!"),
				fmt.Sprintf("%s:%d:%d", TextEscape(v.File), v.Line, v.Col), objectLabel(v.Kind, v.Name, ""), TextEscape(v.Path),
				formatValue(v.Live), formatValue(v.Desired))
			fmt.Fprintln(bw, "    "+TextEscape(v.Rule))
		}
		fmt.Fprintln(bw)
	}

	writeTextWarnings(bw, p)
	writeTextExtras(bw, pl, p, drift)
	for _, n := range p.Notes {
		fmt.Fprintln(bw, "Note: "+TextEscape(n))
	}
	if len(p.Notes) > 0 {
		fmt.Fprintln(bw)
	}

	if !p.HasChanges() {
		return bw.Flush() // the first line said it all
	}
	fmt.Fprintln(bw, pl.bold.Sprint(summaryLine(p, drift)))
	if !drift {
		fmt.Fprintln(bw, apiCallsLine(p, opts.RateLimit))
	}
	return bw.Flush()
}

// textField renders one field line: `+ path: value` for what is added, `~ path: old → new` for
// what changes, `! path: old → new (immutable)` for what cannot change.
func textField(pl palette, a Action, f Field) string {
	path := TextEscape(f.Path)
	switch {
	case f.Summary != "":
		// A document's change: its size, the lines themselves follow (Diff).
		return pl.update.Sprint("~") + " " + f.Path + ": " + f.Summary
	case f.Immutable:
		return pl.violation.Sprint("!") + " " + path + ": " + fieldValue(f, f.Before) + " → " + fieldValue(f, f.After) + " " +
			pl.violation.Sprint("(immutable)")
	case f.Sensitive && a != ActionCreate:
		return pl.update.Sprint("~") + " " + path + ": " + sensitiveText(f)
	case a == ActionCreate || f.Before == nil:
		return pl.create.Sprint("+") + " " + path + ": " + fieldValue(f, f.After)
	default:
		return pl.update.Sprint("~") + " " + path + ": " + fieldValue(f, f.Before) + " → " + fieldValue(f, f.After)
	}
}

// diffColor colours a line of a document's diff: removals like violations, additions like
// creates. The lines are escaped when the plan is computed (see Field.Diff).
func diffColor(pl palette, l string) string {
	switch {
	case strings.HasPrefix(l, "- "):
		return pl.violation.Sprint(l)
	case strings.HasPrefix(l, "+ "):
		return pl.create.Sprint(l)
	default:
		return pl.dim.Sprint(l)
	}
}
