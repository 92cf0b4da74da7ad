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

// maxDiffCells bounds the table of the line diff's longest common subsequence: beyond it (two
// documents of thousands of differing lines) the differing middle is shown as replaced whole.
const maxDiffCells = 4 << 20

// lineDiff compares two texts line by line and returns the number of changed lines (a line
// replaced counts once: each run of removals and additions counts its longer side) and the
// diff lines with one line of context, at most maxDiffLines of them.
func lineDiff(before, after string) (int, []string) {
	a, b := splitLines(before), splitLines(after)
	// Common prefix and suffix first: most changes are small, and the table then is too.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	type op struct {
		kind byte // ' ', '-', '+'
		line string
	}
	var ops []op
	for _, l := range a[:pre] {
		ops = append(ops, op{' ', l})
	}
	if len(ma)*len(mb) <= maxDiffCells {
		// Longest common subsequence of the middles, by suffix lengths.
		n, m := len(ma), len(mb)
		lcs := make([][]int32, n+1)
		for i := range lcs {
			lcs[i] = make([]int32, m+1)
		}
		for i := n - 1; i >= 0; i-- {
			for j := m - 1; j >= 0; j-- {
				if ma[i] == mb[j] {
					lcs[i][j] = lcs[i+1][j+1] + 1
				} else {
					lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
				}
			}
		}
		i, j := 0, 0
		for i < n || j < m {
			switch {
			case i < n && j < m && ma[i] == mb[j]:
				ops = append(ops, op{' ', ma[i]})
				i++
				j++
			case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
				// Removals before additions in a run: "- old" then "+ new".
				ops = append(ops, op{'-', ma[i]})
				i++
			default:
				ops = append(ops, op{'+', mb[j]})
				j++
			}
		}
	} else {
		for _, l := range ma {
			ops = append(ops, op{'-', l})
		}
		for _, l := range mb {
			ops = append(ops, op{'+', l})
		}
	}
	for _, l := range a[len(a)-suf:] {
		ops = append(ops, op{' ', l})
	}
	// Count: per run of changes, the longer side.
	changed := 0
	for k := 0; k < len(ops); {
		if ops[k].kind == ' ' {
			k++
			continue
		}
		del, add := 0, 0
		for ; k < len(ops) && ops[k].kind != ' '; k++ {
			if ops[k].kind == '-' {
				del++
			} else {
				add++
			}
		}
		changed += max(del, add)
	}
	// Show the changes with one line of context, "…" where lines are left out.
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
			out = append(out, fmt.Sprintf("… %d more changed lines", rest))
			break
		}
		out = append(out, string(o.kind)+" "+o.line)
	}
	return changed, out
}

// splitLines splits a text into lines without the final empty one.
func splitLines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
