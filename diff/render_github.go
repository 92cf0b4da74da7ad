package diff

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// MaxAnnotations is how many annotations of one level (error, warning, notice) GitHub shows per
// step; it drops the rest silently, so sailsync writes at most this many of each.
const MaxAnnotations = 10

// Annotation is one GitHub workflow annotation. File is empty for one not tied to a file.
type Annotation struct {
	File      string
	Line, Col int
	Title     string
	Message   string
}

// WriteAnnotations writes list as `::level …` workflow commands, escaped. Beyond MaxAnnotations
// the last annotation says how many more `what` there are, and those are written as plain log
// lines, so that the job's log still has every one.
func WriteAnnotations(w io.Writer, level string, list []Annotation, what string) {
	shown := list
	if len(list) > MaxAnnotations {
		shown = list[:MaxAnnotations-1]
	}
	for _, a := range shown {
		fmt.Fprintf(w, "::%s %s::%s\n", level, a.properties(), GitHubData(a.Message))
	}
	if len(shown) == len(list) {
		return
	}
	rest := list[len(shown):]
	more := Annotation{Title: "sailsync", Message: fmt.Sprintf("… and %d more %s, not annotated (GitHub shows %d per step): see the step summary and the log",
		len(rest), what, MaxAnnotations)}
	fmt.Fprintf(w, "::%s %s::%s\n", level, more.properties(), GitHubData(more.Message))
	for _, a := range rest {
		line := a.Message
		if a.File != "" {
			line = fmt.Sprintf("%s:%d: %s", a.File, a.Line, a.Message)
		}
		// A plain line: TextEscape keeps it one line the runner does not read as a command.
		fmt.Fprintln(w, TextEscape(line))
	}
}

func (a Annotation) properties() string {
	var props []string
	if a.File != "" {
		props = append(props, "file="+GitHubProperty(a.File))
		if a.Line > 0 {
			props = append(props, fmt.Sprintf("line=%d", a.Line))
		}
		if a.Col > 0 {
			props = append(props, fmt.Sprintf("col=%d", a.Col))
		}
	}
	if a.Title != "" {
		props = append(props, "title="+GitHubProperty(a.Title))
	}
	return strings.Join(props, ",")
}

// RenderGitHub writes GitHub Actions workflow commands: an ::error annotation on the YAML
// position of every violation, then a ::notice per object to change (an update's on the line of
// its first changed field), each level capped at MaxAnnotations, then the summary line. The
// command writes the markdown rendering to $GITHUB_STEP_SUMMARY itself.
func RenderGitHub(w io.Writer, p *Plan) error {
	bw := bufio.NewWriter(w)
	var errs, notices []Annotation
	for _, v := range p.Violations {
		msg := fmt.Sprintf("%s %s: live %s, desired %s. %s", objectLabel(v.Kind, v.Name, ""), v.Path,
			formatValue(v.Live), formatValue(v.Desired), v.Rule)
		errs = append(errs, Annotation{File: v.File, Line: v.Line, Col: v.Col, Title: "Immutable field", Message: msg})
	}
	for _, c := range p.Changes {
		if c.Action == ActionNoChange || c.Action == ActionViolation {
			continue
		}
		msg := string(c.Action) + " " + objectLabel(c.Kind, c.Name, c.Source)
		line := c.Line
		// For an update the changed fields are the news; for a create every declared field would be.
		if c.Action == ActionUpdate && len(c.Fields) > 0 {
			paths := make([]string, len(c.Fields))
			for i, f := range c.Fields {
				paths[i] = f.Path
			}
			msg += ": " + strings.Join(paths, ", ")
			if l := firstFieldLine(c.Fields); l > 0 {
				line = l
			}
		}
		if c.Note != "" {
			msg += " (" + c.Note + ")"
		}
		a := Annotation{Title: "sailsync " + string(c.Action), Message: msg}
		if c.File != "" {
			a.File, a.Line = c.File, line
		}
		notices = append(notices, a)
	}
	warnings, extra := githubExtras(p)
	what := "warnings (changes that overwrite the tenant's own, secrets not set)"
	if len(p.Warnings) > 0 {
		// The repository's warnings share the level's annotations with the overwrites.
		warnings, what = append(githubWarnings(p), warnings...), "warnings"
	}
	WriteAnnotations(bw, "error", errs, "violations")
	WriteAnnotations(bw, "warning", warnings, what)
	WriteAnnotations(bw, "notice", notices, "objects to change")
	if p.Tenant != "" {
		fmt.Fprintf(bw, "Tenant: %s\n", TextEscape(p.Tenant+environmentSuffix(p)))
	}
	if sl := scopeLine(p); sl != "" {
		fmt.Fprintln(bw, TextEscape(sl))
	}
	if !p.HasChanges() {
		fmt.Fprintln(bw, noChanges)
	} else {
		fmt.Fprintln(bw, summaryLine(p, p.Drift))
	}
	for _, l := range extra {
		// Plain lines: TextEscape keeps each one line the runner does not read as a command.
		fmt.Fprintln(bw, TextEscape(l))
	}
	return bw.Flush()
}

// firstFieldLine is the smallest known line of the changed fields: the first one in the file.
func firstFieldLine(fields []Field) int {
	line := 0
	for _, f := range fields {
		if f.Line > 0 && (line == 0 || f.Line < line) {
			line = f.Line
		}
	}
	return line
}
