package diff

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode"

	"github.com/aymanbagabas/go-udiff/lcs"

	"github.com/sailsync/sailsync/internal/config"
)

// CanonicalXML renders an XML document one markup item per line, indented by depth, so that
// two documents that differ only in what XML does not mean compare equal and a line diff of
// them reads as the change: white space between elements and around text is dropped, attributes
// are sorted, `<a></a>` is `<a/>`, entities and character references are resolved (and
// written one way), and the XML declaration is left out (the tenant writes its own). Comments,
// processing instructions and DOCTYPE stay: they are content someone wrote. Every character
// that is not printable is written as a character reference, so the lines are safe to print.
// It fails on anything that is not well-formed, on elements nested deeper than
// config.MaxXMLDepth and on a rendering longer than MaxCanonicalXML: the caller then compares the
// text as it is. A leading byte order mark is not content.
func CanonicalXML(data []byte) (string, error) {
	dec := xml.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	dec.Strict = true
	var b strings.Builder
	depth := 0
	// pending is a start tag not yet written: `<a>` or, when its end follows at once, `<a/>`.
	var pending *xml.StartElement
	flush := func(selfClose bool) {
		if pending == nil {
			return
		}
		writeIndent(&b, depth-1)
		b.WriteString("<" + rawName(pending.Name))
		attrs := append([]xml.Attr(nil), pending.Attr...)
		sort.Slice(attrs, func(i, j int) bool { return rawName(attrs[i].Name) < rawName(attrs[j].Name) })
		for _, a := range attrs {
			b.WriteString(" " + rawName(a.Name) + `="` + escapeXML(a.Value, true) + `"`)
		}
		if selfClose {
			b.WriteString("/>\n")
		} else {
			b.WriteString(">\n")
		}
		pending = nil
	}
	for {
		if b.Len() > MaxCanonicalXML {
			return "", fmt.Errorf("canonical XML longer than %d MiB", MaxCanonicalXML>>20)
		}
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("not well-formed XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			flush(false)
			se := t.Copy()
			pending = &se
			depth++
			if depth > config.MaxXMLDepth {
				return "", fmt.Errorf("elements nested deeper than %d levels", config.MaxXMLDepth)
			}
		case xml.EndElement:
			if depth == 0 {
				return "", fmt.Errorf("not well-formed XML: unexpected </%s>", rawName(t.Name))
			}
			if pending != nil {
				flush(true)
				depth--
				continue
			}
			depth--
			writeIndent(&b, depth)
			b.WriteString("</" + rawName(t.Name) + ">\n")
		case xml.CharData:
			text := strings.TrimSpace(string(t))
			if text == "" {
				continue // insignificant white space: indentation, line breaks
			}
			flush(false)
			writeIndent(&b, depth)
			b.WriteString(escapeXML(text, false) + "\n")
		case xml.Comment:
			flush(false)
			writeIndent(&b, depth)
			b.WriteString("<!--" + escapeXML(strings.TrimSpace(string(t)), false) + "-->\n")
		case xml.ProcInst:
			if t.Target == "xml" {
				continue // the declaration: version and encoding, which the tenant rewrites
			}
			flush(false)
			writeIndent(&b, depth)
			b.WriteString("<?" + t.Target + " " + escapeXML(strings.TrimSpace(string(t.Inst)), false) + "?>\n")
		case xml.Directive:
			flush(false)
			writeIndent(&b, depth)
			b.WriteString("<!" + escapeXML(strings.Join(strings.Fields(string(t)), " "), false) + ">\n")
		}
	}
	if depth != 0 {
		return "", errors.New("not well-formed XML: unclosed element")
	}
	if b.Len() > MaxCanonicalXML {
		return "", fmt.Errorf("canonical XML longer than %d MiB", MaxCanonicalXML>>20)
	}
	return b.String(), nil
}

// MaxCanonicalXML bounds CanonicalXML's rendering: 16 MiB, 16 times the largest bundle file. The
// indentation grows with depth, so a file of 1 MiB nested within config.MaxXMLDepth could render
// to some 70 MiB; a real connector document, about 10 deep, renders to about its own size.
const MaxCanonicalXML = 16 << 20

func rawName(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

func writeIndent(b *strings.Builder, depth int) {
	for range depth {
		b.WriteString("  ")
	}
}

// escapeXML writes s as XML text (or an attribute value, attr): the markup characters as
// entities and every character that is not printable as a character reference, so that no
// control or bidirectional character of a document reaches a terminal or a comment.
func escapeXML(s string, attr bool) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"' && attr:
			b.WriteString("&quot;")
		case r == ' ':
			b.WriteRune(r)
		case !unicode.IsGraphic(r) || unicode.Is(unicode.Bidi_Control, r):
			fmt.Fprintf(&b, "&#x%X;", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// maxDiffLines bounds a field's line diff so that a rewritten document cannot flood a plan or a
// pull-request comment; the count of changed lines stays exact.
const maxDiffLines = 40

// lineDiff compares two texts line by line and returns the number of changed lines (a line
// replaced counts once: each run of removals and additions counts its longer side) and the
// diff lines with one line of context, at most maxDiffLines of them.
func lineDiff(before, after string) (int, []string) {
	a, b := splitLines(before), splitLines(after)
	var ops []diffOp
	changed, i := 0, 0
	// go-udiff's LCS bounds its search, so that two documents of thousands of differing lines
	// cost a few hundred edits' work.
	edits := lcs.DiffLines(a, b)
	for k := 0; k < len(edits); k++ {
		// Edits that touch are one run, shown as its removals then its additions.
		run := edits[k]
		for k+1 < len(edits) && edits[k+1].Start == run.End {
			k++
			run.End, run.ReplEnd = edits[k].End, edits[k].ReplEnd
		}
		ops = appendOps(ops, ' ', a[i:run.Start])
		ops = appendOps(ops, '-', a[run.Start:run.End])
		ops = appendOps(ops, '+', b[run.ReplStart:run.ReplEnd])
		changed += max(run.End-run.Start, run.ReplEnd-run.ReplStart)
		i = run.End
	}
	ops = appendOps(ops, ' ', a[i:])
	return changed, showDiff(ops)
}

// diffOp is one line of a line diff: kept (' '), removed ('-') or added ('+').
type diffOp struct {
	kind byte
	line string
}

func appendOps(ops []diffOp, kind byte, lines []string) []diffOp {
	for _, l := range lines {
		ops = append(ops, diffOp{kind, l})
	}
	return ops
}

// showDiff returns the changes with one line of context, "…" where lines are left out, and at
// most maxDiffLines of them.
func showDiff(ops []diffOp) []string {
	show := make([]bool, len(ops))
	for k, o := range ops {
		if o.kind != ' ' {
			for x := max(0, k-1); x <= min(len(ops)-1, k+1); x++ {
				show[x] = true
			}
		}
	}
	var out []string
	gap := false
	for k, o := range ops {
		if !show[k] {
			gap = true
			continue
		}
		if gap && len(out) > 0 {
			out = append(out, "…")
		}
		gap = false
		if len(out) == maxDiffLines {
			rest := 0
			for _, o := range ops[k:] {
				if o.kind != ' ' {
					rest++
				}
			}
			return append(out, fmt.Sprintf("… %d more changed lines", rest))
		}
		out = append(out, string(o.kind)+" "+o.line)
	}
	return out
}

// splitLines splits a text into lines without the final empty one.
func splitLines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
