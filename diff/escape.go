package diff

import (
	"bytes"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sailsync/sailsync/internal/redact"
)

// The redactor sees what a format wrote, so it must know each format's form of a secret.
func init() {
	redact.AddEscaper(MarkdownEscape)
	redact.AddEscaper(GitHubData)
	redact.AddEscaper(TextEscape)
}

// The escapers of this file are the only ones: every value sailsync prints — names, paths, field
// values, messages, notes, rules, report lines, errors — passes the one of its output format.
// What comes from a repository or a tenant must not drive a terminal (ESC, BEL, C1 controls),
// reorder what a reviewer reads (bidi overrides), start a line of its own, or be read by a GitHub
// runner as a workflow command: `::cmd::` at the start of a line (after blanks), and the legacy
// `##[cmd]` anywhere in a line (actions/runner ActionCommand.TryParse looks for it anywhere).

// unsafeRune reports whether r must never reach an output raw: C0 and C1 controls, DEL, the
// bidirectional formatting characters, and the Unicode line and paragraph separators.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

// needsEscape reports whether s holds anything an escaper changes (other than the characters
// of a format's own syntax), so that the common case costs one scan and no allocation.
func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return true
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || unsafeRune(r) {
			return true
		}
		i += n
	}
	return strings.Contains(s, "##[") || leadingCommand(s)
}

// leadingCommand reports whether s, printed at the start of a line, would be a workflow command.
func leadingCommand(s string) bool {
	return strings.HasPrefix(strings.TrimLeftFunc(s, unicode.IsSpace), "::")
}

// writeEscapedRune writes r as Go writes it in a quoted string: \n, \t, \x1b, \u202e.
func writeEscapedRune(b *strings.Builder, r rune) {
	switch r {
	case '\n':
		b.WriteString(`\n`)
	case '\r':
		b.WriteString(`\r`)
	case '\t':
		b.WriteString(`\t`)
	default:
		if r < 0x80 {
			b.WriteString(`\x`)
			if r < 0x10 {
				b.WriteByte('0')
			}
			b.WriteString(strconv.FormatInt(int64(r), 16))
			return
		}
		b.WriteString(`\u`)
		h := strconv.FormatInt(int64(r), 16)
		b.WriteString(strings.Repeat("0", 4-len(h)))
		b.WriteString(h)
	}
}

// escapeWith escapes s for a format: special may write a rune in the format's own way (and
// report true); every other unsafe rune or invalid byte is written as Go escapes it, `##[`
// becomes `##\x5b`, and a leading `::` (after blanks) becomes `\x3a:`.
func escapeWith(s string, special func(b *strings.Builder, r rune) bool) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	lead := leadingCommand(s)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case special != nil && special(&b, r):
		case r == utf8.RuneError && n == 1:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatInt(int64(s[i]), 16))
		case unsafeRune(r):
			writeEscapedRune(&b, r)
		case r == ':' && lead:
			// The first colon of a leading "::": the runner sees no command, a reader sees ":".
			b.WriteString(`\x3a`)
			lead = false
		case r == '[' && strings.HasSuffix(s[:i], "##"):
			b.WriteString(`\x5b`)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// TextEscape makes s safe in text output (a terminal, a CI log): control characters, bidi
// controls and invalid UTF-8 are written as Go escapes them (`\n`, `\x1b`, `\u202e`), and
// workflow-command syntax is broken up; anything else is kept as it is.
func TextEscape(s string) string {
	if !needsEscape(s) {
		return s
	}
	return escapeWith(s, nil)
}

// mdEscaper neutralises what GitHub markdown would interpret in text taken from the YAML or the
// tenant: table pipes, emphasis, links, code spans, @mentions and #references.
// One single-pass replacer for HTML and markdown, so that no entity is escaped twice.
var mdEscaper = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;", "\"", "&#34;", "'", "&#39;",
	"|", "&#124;", "*", "&#42;", "_", "&#95;", "[", "&#91;", "]", "&#93;", "`", "&#96;",
	"~", "&#126;", "@", "&#64;", "#", "&#35;", "\\", "&#92;",
)

// MarkdownEscape makes text safe inside HTML, a code span (<code>) and a table cell of a GitHub
// comment or step summary: TextEscape's escapes, then HTML and markdown syntax as entities, so
// that no value leaves its cell or span or turns into markup.
func MarkdownEscape(s string) string {
	return mdEscaper.Replace(TextEscape(s))
}

// ghEscapeData writes what the runner unescapes in a workflow command's message.
func ghEscapeData(b *strings.Builder, r rune) bool {
	switch r {
	case '%':
		b.WriteString("%25")
	case '\r':
		b.WriteString("%0D")
	case '\n':
		b.WriteString("%0A")
	default:
		return false
	}
	return true
}

// ghEscapeProperty writes what the runner unescapes in a workflow command's property value.
func ghEscapeProperty(b *strings.Builder, r rune) bool {
	switch r {
	case ':':
		b.WriteString("%3A")
	case ',':
		b.WriteString("%2C")
	default:
		return ghEscapeData(b, r)
	}
	return true
}

// GitHubData escapes a workflow command's message: %, CR and LF as the runner unescapes them
// (so a message stays one command), every other unsafe character as TextEscape writes it.
func GitHubData(s string) string {
	if !needsEscape(s) && !strings.ContainsRune(s, '%') {
		return s
	}
	return escapeWith(s, ghEscapeData)
}

// GitHubProperty escapes a workflow command's property value (file, title): as GitHubData, plus
// ':' and ','.
func GitHubProperty(s string) string {
	if !needsEscape(s) && !strings.ContainsAny(s, "%:,") {
		return s
	}
	return escapeWith(s, ghEscapeProperty)
}

// JSONEscape makes encoded JSON safe to print: encoding/json leaves DEL, C1 controls and bidi
// controls raw and cannot know `##[`; inside strings (the only place such bytes can be in valid
// JSON) they become \u escapes, so the document decodes to the same values.
func JSONEscape(doc []byte) []byte {
	if !jsonNeedsEscape(doc) {
		return doc
	}
	var out bytes.Buffer
	out.Grow(len(doc) + 16)
	for i := 0; i < len(doc); {
		r, n := utf8.DecodeRune(doc[i:])
		switch {
		case r >= 0x7f && unsafeRune(r):
			out.WriteString(`\u`)
			h := strconv.FormatInt(int64(r), 16)
			out.WriteString(strings.Repeat("0", 4-len(h)))
			out.WriteString(h)
		case r == '[' && bytes.HasSuffix(doc[:i], []byte("##")):
			out.WriteString(`\u005b`)
		default:
			out.Write(doc[i : i+n])
		}
		i += n
	}
	return out.Bytes()
}

// jsonNeedsEscape reports whether JSONEscape changes doc: a rune from DEL on that is unsafe, or
// `##[`.
func jsonNeedsEscape(doc []byte) bool {
	for i := 0; i < len(doc); {
		if doc[i] < 0x7f {
			i++
			continue
		}
		r, n := utf8.DecodeRune(doc[i:])
		if unsafeRune(r) {
			return true
		}
		i += n
	}
	return bytes.Contains(doc, []byte("##["))
}
