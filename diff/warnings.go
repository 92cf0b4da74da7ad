package diff

import (
	"fmt"
	"io"

	"github.com/sailsync/sailsync/internal/config"
)

// Warning is one of the repository's warnings (config.Repo.Warnings) as a plan carries it: what
// the tenant accepts but a reviewer should hear about, at its YAML position. A warning never
// fails a plan or an apply.
type Warning struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// warningsOf turns the repository's warnings into the plan's; nil when there is none, so that a
// plan without warnings is the JSON it always was.
func warningsOf(repo *config.Repo) []Warning {
	if len(repo.Warnings) == 0 {
		return nil
	}
	out := make([]Warning, len(repo.Warnings))
	for i, w := range repo.Warnings {
		out[i] = Warning{File: w.Pos.File, Line: w.Pos.Line, Col: w.Pos.Col, Field: w.Field, Message: w.Message}
	}
	return out
}

// position renders the warning's place as path:line:col.
func (w Warning) position() string { return fmt.Sprintf("%s:%d:%d", w.File, w.Line, w.Col) }

// writeTextWarnings writes one `path:line:col: warning: message` line per warning, as validate
// does, and a blank line after them.
func writeTextWarnings(w io.Writer, p *Plan) {
	for _, x := range p.Warnings {
		fmt.Fprintf(w, "%s: warning: %s\n", TextEscape(x.position()), TextEscape(x.Message))
	}
	if len(p.Warnings) > 0 {
		fmt.Fprintln(w)
	}
}

// writeMarkdownWarnings writes the comment's warnings section, at most 2×maxListed lines (the
// log and the JSON have every one).
func writeMarkdownWarnings(w io.Writer, p *Plan) {
	if len(p.Warnings) == 0 {
		return
	}
	fmt.Fprintf(w, "### Warnings\n\n")
	for i, x := range p.Warnings {
		if i == 2*maxListed {
			fmt.Fprintf(w, "- … and %s more (run sailsync validate)\n", thousands(len(p.Warnings)-i))
			break
		}
		fmt.Fprintf(w, "- <code>%s</code> %s\n", MarkdownEscape(x.position()), MarkdownEscape(x.Message))
	}
	fmt.Fprintln(w)
}

// githubWarnings are the warnings as annotations on their YAML positions.
func githubWarnings(p *Plan) []Annotation {
	var out []Annotation
	for _, x := range p.Warnings {
		out = append(out, Annotation{File: x.File, Line: x.Line, Col: x.Col, Message: x.Message})
	}
	return out
}
