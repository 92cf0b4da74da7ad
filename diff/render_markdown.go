package diff

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// MarkdownBudget is RenderMarkdown's size limit in bytes: safely under the 65,536 characters
// GitHub allows in a pull-request comment, leaving room for what a CI job puts around the plan
// (a heading, a marker, a link to the log).
const MarkdownBudget = 60000

// RenderMarkdown writes the plan as a pull-request comment within MarkdownBudget; see
// RenderMarkdownBudget.
func RenderMarkdown(w io.Writer, p *Plan) error {
	return RenderMarkdownBudget(w, p, MarkdownBudget)
}

// RenderMarkdownBudget writes the plan as a pull-request comment: a heading, the summary table,
// the violations, then one collapsible <details> per object to change with a ```diff block
// (`- before`, `+ after`). Every value is HTML-escaped and fenced so that no YAML content can
// break out of the comment's layout. The summary and the violations are always written whole;
// objects follow while the output stays within budget bytes, then a line says how many more
// there are and where the full plan is.
func RenderMarkdownBudget(w io.Writer, p *Plan, budget int) error {
	var head, tail strings.Builder
	title := "sailsync plan"
	if p.Drift {
		title = "sailsync drift"
	}
	fmt.Fprintf(&head, "## %s\n\n", title)
	if p.Tenant != "" {
		fmt.Fprintf(&head, "Tenant: <code>%s</code>%s\n\n", MarkdownEscape(p.Tenant), MarkdownEscape(environmentSuffix(p)))
	}
	if sl := scopeLine(p); sl != "" {
		fmt.Fprintf(&head, "%s\n\n", MarkdownEscape(sl))
	}
	if !p.HasChanges() {
		fmt.Fprintln(&head, noChanges)
		if hasExtras(p) || len(p.Warnings) > 0 {
			fmt.Fprintln(&head)
			writeMarkdownWarnings(&head, p)
			writeMarkdownExtras(&head, p)
		}
		writeMarkdownNotes(&head, p)
		_, err := io.WriteString(w, head.String())
		return err
	}
	fmt.Fprintf(&head, "**%s**\n\n", summaryLine(p, p.Drift))
	fmt.Fprintln(&head, "| Action | Objects |")
	fmt.Fprintln(&head, "| --- | ---: |")
	rows := []struct {
		label string
		n     int
		show  bool
	}{
		{"create", p.Summary.Create, true},
		{"update", p.Summary.Update, true},
		{"delete", p.Summary.Delete, p.Summary.Delete > 0},
		{"no change", p.Summary.NoChange, true},
		{"unmanaged", p.Summary.Unmanaged, p.Drift || p.Summary.Unmanaged > 0},
		{"violations", p.Summary.Violations, true},
	}
	for _, r := range rows {
		if r.show {
			fmt.Fprintf(&head, "| %s | %s |\n", r.label, thousands(r.n))
		}
	}
	fmt.Fprintln(&head)

	if len(p.Violations) > 0 {
		fmt.Fprintln(&head, "### Violations")
		fmt.Fprintln(&head)
		fmt.Fprintln(&head, "Nothing is applied while the plan has violations.")
		fmt.Fprintln(&head)
		for _, v := range p.Violations {
			fmt.Fprintf(&head, "- <code>%s</code> %s <b>%s</b> <code>%s</code>: live <code>%s</code>, desired <code>%s</code> — %s\n",
				MarkdownEscape(fmt.Sprintf("%s:%d:%d", v.File, v.Line, v.Col)), MarkdownEscape(string(v.Kind)), MarkdownEscape(v.Name),
				MarkdownEscape(v.Path), MarkdownEscape(formatValue(v.Live)), MarkdownEscape(formatValue(v.Desired)), MarkdownEscape(v.Rule))
		}
		fmt.Fprintln(&head)
	}
	writeMarkdownWarnings(&head, p)
	writeMarkdownExtras(&head, p)
	fmt.Fprintln(&head, "### Changes")
	fmt.Fprintln(&head)

	writeMarkdownNotes(&tail, p)
	if !p.Drift {
		fmt.Fprintln(&tail, MarkdownEscape(apiCallsLine(p, DefaultRateLimit)))
	}

	bw := bufio.NewWriter(w)
	bw.WriteString(head.String())
	size := head.Len() + tail.Len()
	var block strings.Builder
	left := 0
	for i, c := range p.Changes {
		if c.Action == ActionNoChange {
			continue
		}
		if left > 0 {
			left++
			continue
		}
		block.Reset()
		markdownObject(&block, c)
		// Room for the object and, unless it is the last, for the "… and N more" line.
		need := block.Len()
		if hasChangeAfter(p.Changes[i+1:]) {
			need += len(moreObjects(len(p.Changes)))
		}
		if size+need > budget {
			left = 1
			continue
		}
		bw.WriteString(block.String())
		size += block.Len()
	}
	if left > 0 {
		bw.WriteString(moreObjects(left))
	}
	bw.WriteString(tail.String())
	return bw.Flush()
}

// markdownObject writes one object to change as a collapsed <details> block.
func markdownObject(bw *strings.Builder, c Change) {
	summary := fmt.Sprintf("<code>%s %s</code> %s <b>%s</b>", marker(c.Action), c.Action, MarkdownEscape(string(c.Kind)), MarkdownEscape(c.Name))
	if c.Source != "" {
		summary += " of Source <b>" + MarkdownEscape(c.Source) + "</b>"
	}
	if pos := position(c.File, c.Line); pos != "" {
		summary += " (<code>" + MarkdownEscape(pos) + "</code>)"
	}
	if c.Class != "" {
		summary += " <i>" + MarkdownEscape(c.Class.Label()) + "</i>"
	}
	fmt.Fprintf(bw, "<details><summary>%s</summary>\n\n", summary)
	var lines []string
	for _, f := range c.Fields {
		fl := diffLines(c.Action, f)
		if f.Class != "" {
			fl[len(fl)-1] += "  #" + classSuffix(f)
		}
		lines = append(lines, fl...)
	}
	if c.Note != "" {
		lines = append(lines, "# "+TextEscape(c.Note))
	}
	if len(lines) > 0 {
		body := strings.Join(lines, "\n")
		fence := codeFence(body)
		fmt.Fprintf(bw, "%sdiff\n%s\n%s\n\n", fence, body, fence)
	}
	fmt.Fprint(bw, "</details>\n\n")
}

func hasChangeAfter(cs []Change) bool {
	for _, c := range cs {
		if c.Action != ActionNoChange {
			return true
		}
	}
	return false
}

// moreObjects is the line that stands for the n objects left out of a comment.
func moreObjects(n int) string {
	return fmt.Sprintf("**… and %s more objects** (full plan: the job's log / artifact)\n\n", thousands(n))
}

func writeMarkdownNotes(bw io.Writer, p *Plan) {
	for _, n := range p.Notes {
		fmt.Fprintf(bw, "> %s\n\n", MarkdownEscape(n))
	}
}

// diffLines renders a field change as diff lines: the live value removed, the desired value
// added; an immutable field is marked so that the reviewer sees why the object is blocked.
func diffLines(a Action, f Field) []string {
	suffix := ""
	if f.Immutable {
		suffix = "  # immutable"
	}
	path := TextEscape(f.Path)
	switch {
	case f.Summary != "":
		// A document's change: its size, then its own diff lines, indented under it.
		out := []string{"# " + f.Path + ": " + f.Summary}
		for _, l := range f.Diff {
			if len(l) > 1 && (l[0] == '-' || l[0] == '+') {
				out = append(out, l[:1]+"      "+l[1:])
			} else {
				out = append(out, "      "+l)
			}
		}
		return out
	case f.Sensitive && a != ActionCreate:
		return []string{"+ " + path + ": " + sensitiveText(f) + "  # secret sent"}
	case a == ActionCreate || f.Before == nil:
		return []string{"+ " + path + ": " + fieldValue(f, f.After) + suffix}
	default:
		return []string{
			"- " + path + ": " + fieldValue(f, f.Before) + suffix,
			"+ " + path + ": " + fieldValue(f, f.After) + suffix,
		}
	}
}

// codeFence returns a backtick fence longer than any run of backticks in body.
func codeFence(body string) string {
	longest, run := 0, 0
	for _, r := range body {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}
