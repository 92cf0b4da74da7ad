package diff

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// RenderMarkdown writes the plan as a pull-request comment: a heading, the summary table, the
// violations first, then one collapsible <details> per object to change with a ```diff block
// (`- before`, `+ after`). Every value is HTML-escaped and fenced so that no YAML content can
// break out of the comment's layout.
func RenderMarkdown(w io.Writer, p *Plan) error {
	bw := bufio.NewWriter(w)
	title := "sailsync plan"
	if p.Drift {
		title = "sailsync drift"
	}
	fmt.Fprintf(bw, "## %s\n\n", title)
	if p.Tenant != "" {
		fmt.Fprintf(bw, "Tenant: <code>%s</code>\n\n", mdEscape(p.Tenant))
	}
	if !p.HasChanges() {
		fmt.Fprintln(bw, noChanges)
		writeMarkdownNotes(bw, p)
		return bw.Flush()
	}
	fmt.Fprintf(bw, "**%s**\n\n", summaryLine(p, p.Drift))
	fmt.Fprintln(bw, "| Action | Objects |")
	fmt.Fprintln(bw, "| --- | ---: |")
	rows := []struct {
		label string
		n     int
		show  bool
	}{
		{"create", p.Summary.Create, true},
		{"update", p.Summary.Update, true},
		{"no change", p.Summary.NoChange, true},
		{"unmanaged", p.Summary.Unmanaged, p.Drift || p.Summary.Unmanaged > 0},
		{"violations", p.Summary.Violations, true},
	}
	for _, r := range rows {
		if r.show {
			fmt.Fprintf(bw, "| %s | %s |\n", r.label, thousands(r.n))
		}
	}
	fmt.Fprintln(bw)

	if len(p.Violations) > 0 {
		fmt.Fprintln(bw, "### Violations")
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, "Nothing is applied while the plan has violations.")
		fmt.Fprintln(bw)
		for _, v := range p.Violations {
			fmt.Fprintf(bw, "- <code>%s</code> %s <b>%s</b> <code>%s</code>: live <code>%s</code>, desired <code>%s</code> — %s\n",
				mdEscape(fmt.Sprintf("%s:%d:%d", v.File, v.Line, v.Col)), mdEscape(string(v.Kind)), mdEscape(v.Name),
				mdEscape(v.Path), mdEscape(formatValue(v.Live)), mdEscape(formatValue(v.Desired)), mdEscape(v.Rule))
		}
		fmt.Fprintln(bw)
	}

	fmt.Fprintln(bw, "### Changes")
	fmt.Fprintln(bw)
	for _, c := range p.Changes {
		if c.Action == ActionNoChange {
			continue
		}
		summary := fmt.Sprintf("<code>%s %s</code> %s <b>%s</b>", marker(c.Action), c.Action, mdEscape(string(c.Kind)), mdEscape(c.Name))
		if c.Source != "" {
			summary += " of Source <b>" + mdEscape(c.Source) + "</b>"
		}
		if pos := position(c.File, c.Line); pos != "" {
			summary += " (<code>" + mdEscape(pos) + "</code>)"
		}
		fmt.Fprintf(bw, "<details><summary>%s</summary>\n\n", summary)
		var lines []string
		for _, f := range c.Fields {
			lines = append(lines, diffLines(c.Action, f)...)
		}
		if c.Note != "" {
			lines = append(lines, "# "+c.Note)
		}
		if len(lines) > 0 {
			body := strings.Join(lines, "\n")
			fence := codeFence(body)
			fmt.Fprintf(bw, "%sdiff\n%s\n%s\n\n", fence, body, fence)
		}
		fmt.Fprint(bw, "</details>\n\n")
	}
	writeMarkdownNotes(bw, p)
	if !p.Drift {
		fmt.Fprintln(bw, mdEscape(apiCallsLine(p, DefaultRateLimit)))
	}
	return bw.Flush()
}

func writeMarkdownNotes(bw *bufio.Writer, p *Plan) {
	for _, n := range p.Notes {
		fmt.Fprintf(bw, "> %s\n\n", mdEscape(n))
	}
}

// diffLines renders a field change as diff lines: the live value removed, the desired value
// added; an immutable field is marked so that the reviewer sees why the object is blocked.
func diffLines(a Action, f Field) []string {
	suffix := ""
	if f.Immutable {
		suffix = "  # immutable"
	}
	switch {
	case f.Sensitive && a != ActionCreate:
		return []string{"+ " + f.Path + ": " + Sensitive + "  # secret sent"}
	case a == ActionCreate || f.Before == nil:
		return []string{"+ " + f.Path + ": " + fieldValue(f, f.After) + suffix}
	default:
		return []string{
			"- " + f.Path + ": " + fieldValue(f, f.Before) + suffix,
			"+ " + f.Path + ": " + fieldValue(f, f.After) + suffix,
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

// mdEscaper neutralises what GitHub markdown would interpret in text taken from the YAML or the
// tenant: table pipes, emphasis, links, code spans, @mentions and #references.
// One single-pass replacer for HTML and markdown, so that no entity is escaped twice.
var mdEscaper = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;", "\"", "&#34;", "'", "&#39;",
	"|", "&#124;", "*", "&#42;", "_", "&#95;", "[", "&#91;", "]", "&#93;", "`", "&#96;",
	"~", "&#126;", "@", "&#64;", "#", "&#35;", "\\", "&#92;", "\n", " ", "\r", " ",
)

// mdEscape makes text safe inside HTML and table cells of a GitHub comment.
func mdEscape(s string) string {
	return mdEscaper.Replace(s)
}
