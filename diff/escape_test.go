package diff

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"

	"github.com/sailsync/sailsync/internal/redact"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

// hostile is the corpus of hostile strings: what a repository's file names and values or a tenant's
// object names may hold to drive a terminal or a CI log.
var hostile = []string{
	"x\n::error file=x::injected by a newline",
	"%0A::error::percent-encoded newline",
	"esc\x1b[31mred\x1b]8;;https://evil.example\x07link\x1b]8;;\x07",
	"bell\x07",
	"bidi\u202eevil\u2066isolate\u2069\u200f",
	"tick`code` ```fence",
	"pipe|cell|",
	"<script>alert(1)</script>",
	"::warning::at the start",
	"  ::notice::after blanks",
	"legacy ##[error]anywhere in a line",
	"c1 csi\u009b31m",
	"cr\roverwrites",
	"nel\u0085ls\u2028ps\u2029",
	"bad utf-8 \xff\xfe",
}

// forbidden is what no output holds raw, stated apart from the escapers: controls but the line
// break, the bidi controls, line and paragraph separators, invalid UTF-8.
func forbidden(r rune) bool {
	return unicode.IsControl(r) || r == utf8.RuneError || r == 0x061c || r == 0x200e || r == 0x200f ||
		r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x2028 || r == 0x2029
}

// ghCommand is the one form a workflow command of sailsync's takes: a level, properties without
// a raw ':', then the message.
var ghCommand = regexp.MustCompile(`^::(error|warning|notice)( [^:]*)?::`)

// checkSafe asserts what no output may hold whatever the values: a raw control character but the
// line break (colour is off), a bidi control, a C1 control, a legacy `##[` command, a line the
// runner reads as a command unless it is one of the format's own; it returns the lines that are
// workflow commands.
func checkSafe(t *testing.T, format, out string) (commands []string) {
	t.Helper()
	for i := 0; i < len(out); {
		r, n := utf8.DecodeRuneInString(out[i:])
		if r != '\n' && forbidden(r) {
			t.Errorf("%s: raw %U at byte %d: %q", format, r, i, out[max(0, i-30):min(len(out), i+30)])
		}
		i += n
	}
	if strings.Contains(out, "##[") {
		t.Errorf("%s: a legacy workflow command `##[` is in the output", format)
	}
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(strings.TrimLeftFunc(line, unicode.IsSpace), "::") {
			continue
		}
		if format != "github" || !ghCommand.MatchString(line) {
			t.Errorf("%s: a line the runner reads as a workflow command: %q", format, line)
		}
		commands = append(commands, line)
	}
	return commands
}

// hostilePlan puts every hostile string in every place a plan prints: names, sources, files,
// field paths, values (strings and object keys), notes, violations, the tenant.
func hostilePlan() *Plan {
	p := &Plan{FormatVersion: FormatVersion, Tenant: hostile[0], Notes: hostile}
	for i, h := range hostile {
		obj := value.NewObject()
		obj.Set(h, h)
		p.Changes = append(p.Changes, Change{
			Kind: config.KindSource, Name: h, Action: ActionUpdate, File: h + ".yaml", Line: i + 1, LiveID: h, Note: h,
			Fields: []Field{
				{Path: "description", Before: h, After: "x" + h, Line: i + 1},
				{Path: "connectorAttributes." + h, Before: nil, After: obj},
			},
		}, Change{Kind: config.KindEntitlementSchema, Name: h, Source: h, Action: ActionCreate, File: h, Line: 1,
			Fields: []Field{{Path: "attributes", After: []any{h}}}})
		p.Violations = append(p.Violations, Violation{Kind: config.KindSource, Name: h, Path: "type." + h, File: h, Line: 2, Col: 3,
			Live: h, Desired: "y" + h, Rule: h})
	}
	p.Summary = Summary{Create: len(hostile), Update: len(hostile), Violations: len(hostile)}
	return p
}

// TestRenderHostileValues renders a plan made of the hostile corpus in every format: nothing
// reaches a terminal or a runner raw, markdown stays in its cells and spans, and JSON decodes to
// the very values.
func TestRenderHostileValues(t *testing.T) {
	t.Parallel()
	p := hostilePlan()
	for _, r := range renderers {
		if r.name == "text_color" {
			continue // its ESC sequences are sailsync's own
		}
		t.Run(r.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := r.render(&b, p); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			commands := checkSafe(t, r.name, out)
			switch r.name {
			case "github":
				errs := 0
				for _, c := range commands {
					if strings.HasPrefix(c, "::error ") {
						errs++
					}
				}
				if errs != MaxAnnotations {
					t.Errorf("github: %d ::error commands, want %d (one per violation, capped)", errs, MaxAnnotations)
				}
			case "markdown":
				checkMarkdown(t, out)
			case "json":
				var back Plan
				if err := json.Unmarshal(b.Bytes(), &back); err != nil {
					t.Fatal(err)
				}
				for i, h := range hostile {
					var want string // what encoding/json makes of invalid UTF-8
					enc, _ := json.Marshal(h)
					_ = json.Unmarshal(enc, &want)
					if back.Changes[2*i].Name != want || back.Violations[i].Rule != want || back.Notes[i] != want {
						t.Errorf("json: %q came back as %q", want, back.Changes[2*i].Name)
					}
				}
			}
		})
	}
}

// checkMarkdown asserts that markdown output keeps its structure: table rows have their cells,
// <code> spans close on their line, no backtick or HTML from a value outside a fenced block (a
// fence is longer than any run of backticks in its block).
func checkMarkdown(t *testing.T, out string) {
	t.Helper()
	fence := ""
	for _, line := range strings.Split(out, "\n") {
		if fence != "" {
			if line == fence {
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(line, "```") {
			fence = strings.TrimSuffix(line, "diff")
			continue
		}
		if strings.Contains(strings.ToLower(line), "<script") {
			t.Errorf("markdown: a <script> tag from a value outside a code block: %q", line)
		}
		if strings.Contains(line, "`") {
			t.Errorf("markdown: a backtick outside a fence: %q", line)
		}
		if strings.Count(line, "<code>") != strings.Count(line, "</code>") {
			t.Errorf("markdown: an unbalanced code span: %q", line)
		}
		if strings.HasPrefix(line, "|") && strings.Count(line, "|") != 3 {
			t.Errorf("markdown: a table row with other cells than the table's: %q", line)
		}
	}
	if fence != "" {
		t.Error("markdown: a fence left open")
	}
}

// TestEscapers holds each format's escaper to its rules on the corpus and on what must pass
// unchanged.
func TestEscapers(t *testing.T) {
	t.Parallel()
	for _, h := range hostile {
		for name, esc := range map[string]func(string) string{
			"text": TextEscape, "markdown": MarkdownEscape, "github data": GitHubData, "github property": GitHubProperty,
			"quote": quote,
		} {
			got := esc(h)
			if strings.ContainsAny(got, "\n\r") {
				t.Errorf("%s(%q) = %q: a line break", name, h, got)
			}
			checkSafe(t, name, got)
		}
		if strings.ContainsAny(MarkdownEscape(h), "|`<>") {
			t.Errorf("MarkdownEscape(%q) = %q", h, MarkdownEscape(h))
		}
		if strings.Contains(GitHubProperty(h), ":") || strings.Contains(GitHubProperty(h), ",") {
			t.Errorf("GitHubProperty(%q) = %q", h, GitHubProperty(h))
		}
	}
	cases := []struct {
		esc      func(string) string
		in, want string
	}{
		{TextEscape, "Corporate Directory", "Corporate Directory"},
		{TextEscape, "sources/ä 漢字.yaml", "sources/ä 漢字.yaml"},
		{TextEscape, "a\nb\tc\x1b[0m\x07", `a\nb\tc\x1b[0m\x07`},
		{TextEscape, "rtl\u202egpj.exe", `rtl\u202egpj.exe`},
		{TextEscape, " ::error::x", ` \x3a:error::x`},
		{TextEscape, "a ##[error]b", `a ##\x5berror]b`},
		{TextEscape, "\xff", `\xff`},
		{GitHubData, "50% done\r\nnext\x1b", `50%25 done%0D%0Anext\x1b`},
		{GitHubProperty, "a:b,c%\n", "a%3Ab%2Cc%25%0A"},
		{MarkdownEscape, "a|b\n`c`", "a&#124;b&#92;n&#96;c&#96;"},
		{quote, "x\u202e##[y", `"x\u202e##\u005by"`},
	}
	for _, c := range cases {
		if got := c.esc(c.in); got != c.want {
			t.Errorf("escape %q = %q, want %q", c.in, got, c.want)
		}
	}
	doc := []byte(`{"a":"x` + "\u202e\u0085" + `##[y"}`)
	var back map[string]string
	if err := json.Unmarshal(JSONEscape(doc), &back); err != nil || back["a"] != "x\u202e\u0085##[y" {
		t.Errorf("JSONEscape changed the value: %q, %v", back["a"], err)
	}
	checkSafe(t, "json", string(JSONEscape(doc)))
}

// TestSecretsRedactedAsEachFormatWritesThem: a token with characters markdown writes as
// entities ("_" → "&#95;") is still masked in the escaped output, where the redactor sees it.
func TestSecretsRedactedAsEachFormatWritesThem(t *testing.T) {
	t.Parallel()
	const token = "_oDql4Jw*AqCI~LiaN0xx|DDob`wc5dO75g6AZ2R8FltUNU"
	for name, esc := range map[string]func(string) string{"markdown": MarkdownEscape, "github": GitHubData, "text": TextEscape} {
		t.Run(name, func(t *testing.T) {
			set := redact.New()
			set.Add(token)
			var b strings.Builder
			w := set.Writer(&b)
			if _, err := w.Write([]byte("error: Bearer " + esc(token) + " rejected\n")); err != nil {
				t.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(b.String(), esc(token)) || !strings.Contains(b.String(), redact.Mask) {
				t.Errorf("%s output not redacted: %q", name, b.String())
			}
		})
	}
}
