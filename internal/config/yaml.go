package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/sailsync/sailsync/internal/value"
	"github.com/sailsync/sailsync/schema"
)

// MaxDepth bounds how deeply mappings and sequences may nest in a document. Real sources nest
// four or five levels (connectorAttributes.searchDNs[].searchDN); the bound keeps hostile input
// from exhausting the stack of every recursive walk that follows the loader.
const MaxDepth = 64

// MaxDocuments bounds the documents of one repository, so that a small file of "---" lines
// cannot turn into millions of objects to validate. A tenant of 10,000 sources with an
// entitlement schema or two each is 20,000–30,000 documents, and must fit.
const MaxDocuments = 50000

// document is one YAML document of a file, converted.
type document struct {
	file string     // repository-relative, slash-separated
	root *yaml.Node // the document's mapping; nil once nothing needs it (see parseAll)
	// rootPos is the position of the document's mapping.
	rootPos Pos
	kind    Kind
	doc     Pos // position of the kind key (or of the mapping when kind is missing)
	value   *value.Object
	// positions of values (by dotted path)
	positions map[string]Pos
	// kindKey is the position of the top-level kind key, when there is one.
	kindKey    Pos
	hasKindKey bool
	// broken is set when converting found a problem. Such a document is still schema-validated
	// and checked, so that one bad value does not hide the document's other problems; only the
	// schema errors that are about the values conversion dropped are left out (see masked).
	broken bool
	// brokenNodes are the YAML nodes whose value could not be converted (nil in value).
	brokenNodes map[*yaml.Node]bool
	// incomplete are the mappings a key of which was dropped (a merge key, a duplicate, a
	// non-string key): a "required field is missing" there may be the dropped key's.
	incomplete map[*yaml.Node]bool
	// schemaErrs are the schema violations, when validated (set by the parallel parse).
	schemaErrs []schema.Error
	// schemaWarns are the values outside an open enum (schema.Warnings), set with schemaErrs.
	schemaWarns []schema.Error
	validated   bool
}

var yamlLineErr = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseFile splits data into documents and converts each one. Problems go to add.
func parseFile(file string, data []byte, add func(Problem), budget *int) (docs []*document) {
	if !utf8.Valid(data) {
		line, col := invalidUTF8At(data)
		add(Problem{Pos: Pos{File: file, Line: line, Col: col}, Message: "the file is not valid UTF-8: save it as UTF-8"})
		return nil
	}
	// yaml.v3 has had panics on malformed input in the past; a config file must never crash the
	// tool, so a parser panic becomes a problem like any syntax error.
	defer func() {
		if r := recover(); r != nil {
			add(Problem{Pos: Pos{File: file, Line: 1, Col: 1}, Message: fmt.Sprintf("the YAML parser failed on this file: %v", r)})
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			add(syntaxProblem(file, data, err))
			return docs
		}
		if n.Kind != yaml.DocumentNode || len(n.Content) == 0 {
			continue
		}
		root := n.Content[0]
		if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
			continue // an empty document, e.g. after a trailing ---
		}
		if *budget <= 0 {
			add(Problem{Pos: posOf(file, root), Message: fmt.Sprintf("too many documents: a repository holds at most %d", MaxDocuments)})
			return docs
		}
		*budget--
		if root.Kind != yaml.MappingNode {
			add(Problem{Pos: posOf(file, root), Message: "a document must be a mapping of fields starting with kind: " + userKindList()})
			continue
		}
		d := &document{file: file, root: root, rootPos: posOf(file, root), positions: make(map[string]Pos, len(root.Content))}
		c := converter{d: d, add: func(p Problem) { d.broken = true; add(p) }}
		v, ok := c.value(root, "", 1)
		obj, _ := v.(*value.Object)
		if !ok {
			d.broken = true
		}
		if obj == nil {
			obj = value.NewObject()
		}
		d.value = obj
		docs = append(docs, d)
	}
}

// parserProblems are the errors yaml.v3's parser (as opposed to its scanner) reports. yaml.v3
// v3.0.1 prints the 0-based line for these (and no line at all for line 0), so one is added.
var parserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected <stream-start>":   true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

func syntaxProblem(file string, data []byte, err error) Problem {
	msg := err.Error()
	line, col := 1, 1
	if m := yamlLineErr.FindStringSubmatch(msg); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil {
			line = n
		}
		msg = m[2]
		if parserProblems[msg] {
			line++
		}
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	switch {
	case msg == "did not find expected key" || msg == "did not find expected '-' indicator":
		// yaml.v3 reports the line where the mapping (or sequence) starts, which can be many
		// lines above the line at fault: point at the line that breaks it.
		if l, c, ok := offendingLine(data, line, msg); ok {
			if l != line {
				msg += fmt.Sprintf(" (this line is indented unlike the keys of the block that starts at line %d)", line)
			}
			line, col = l, c
		}
	case strings.Contains(msg, "tab character"):
		// yaml.v3 reports a tab that breaks the indentation at the line where the value around
		// it starts, which can be lines above the tab: point at the tab itself.
		if l, c, ok := indentTab(data, line, false); ok {
			line, col = l, c
		}
		msg += " (YAML indents with spaces, not tabs)"
	case msg == "found character that cannot start any token":
		// Reported at the right line; when the character is a tab, say so and where.
		if l, c, ok := indentTab(data, line, true); ok {
			line, col = l, c
			msg = "found a tab character where an indentation space is expected (YAML indents with spaces, not tabs)"
		}
	}
	return Problem{Pos: Pos{File: file, Line: line, Col: col}, Message: "YAML syntax error: " + msg}
}

// offendingLine finds the line a block error is about: the last line of the shortest prefix of
// data (from the block's first line on) that yaml.v3 refuses with msg. The prefixes before it
// parse, the later ones fail at the same token, so a binary search finds it in a few parses.
// col is the line's first non-blank column.
func offendingLine(data []byte, from int, msg string) (line, col int, ok bool) {
	lines := bytes.SplitAfter(data, []byte("\n"))
	fails := func(n int) bool {
		dec := yaml.NewDecoder(bytes.NewReader(bytes.Join(lines[:n], nil)))
		for {
			var node yaml.Node
			err := dec.Decode(&node)
			if err == nil {
				continue
			}
			return !errors.Is(err, io.EOF) && strings.HasSuffix(err.Error(), msg)
		}
	}
	lo, hi := max(from, 1), len(lines)
	if lo > hi || !fails(hi) {
		return 0, 0, false
	}
	for lo < hi {
		if mid := (lo + hi) / 2; fails(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	text := string(lines[lo-1])
	return lo, utf8.RuneCountInString(text[:len(text)-len(strings.TrimLeft(text, " "))]) + 1, true
}

// declaredNames are the top-level name: values of a file that yaml.v3 cannot parse, read line
// by line: the objects it was meant to declare, so that a reference to one of them is not
// reported as a second problem caused by the first.
func declaredNames(data []byte) []string {
	var names []string
	for _, l := range strings.Split(string(data), "\n") {
		rest, ok := strings.CutPrefix(l, "name:")
		if !ok {
			continue
		}
		var name string
		if yaml.Unmarshal([]byte(rest), &name) == nil && name != "" {
			names = append(names, name)
		}
	}
	return names
}

// indentTab finds the first tab in the indentation (the leading blanks) of line from or, unless
// only is set, of a later line. Line and column are 1-based; the column counts characters.
func indentTab(data []byte, from int, only bool) (line, col int, ok bool) {
	line = 1
	for len(data) > 0 {
		end := bytes.IndexByte(data, '\n')
		text := data
		if end >= 0 {
			text, data = data[:end], data[end+1:]
		} else {
			data = nil
		}
		if line >= from {
			for i, b := range text {
				if b == '\t' {
					return line, utf8.RuneCount(text[:i]) + 1, true
				}
				if b != ' ' {
					break
				}
			}
			if only {
				return 0, 0, false
			}
		}
		line++
	}
	return 0, 0, false
}

// invalidUTF8At returns the 1-based line and column (in bytes) of the first invalid byte.
func invalidUTF8At(data []byte) (int, int) {
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return line, col
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return line, col
}

func posOf(file string, n *yaml.Node) Pos { return Pos{File: file, Line: n.Line, Col: n.Column} }

type converter struct {
	d   *document
	add func(Problem)
}

// brokenAt records that n's value was dropped, so that schema errors about it are not reported
// on top of the conversion problem.
func (c *converter) brokenAt(n *yaml.Node) {
	if c.d.brokenNodes == nil {
		c.d.brokenNodes = map[*yaml.Node]bool{}
	}
	c.d.brokenNodes[n] = true
}

// incompleteAt records that a key of mapping n was dropped.
func (c *converter) incompleteAt(n *yaml.Node) {
	if c.d.incomplete == nil {
		c.d.incomplete = map[*yaml.Node]bool{}
	}
	c.d.incomplete[n] = true
}

func (c *converter) problem(n *yaml.Node, field, msg string) {
	if field != "" {
		msg = field + ": " + msg
	}
	c.add(Problem{Pos: posOf(c.d.file, n), Field: field, Message: msg})
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// value converts a node to an Object value: *value.Object, []any, string, json.Number, bool or nil.
func (c *converter) value(n *yaml.Node, path string, depth int) (any, bool) {
	if depth > MaxDepth {
		c.problem(n, path, fmt.Sprintf("nested deeper than %d levels", MaxDepth))
		c.brokenAt(n)
		return nil, false
	}
	switch n.Kind {
	case yaml.AliasNode:
		// Aliases are rejected rather than expanded: expansion is how "billion laughs" documents
		// blow up memory, and a value that lives in two places has no single file:line to report
		// a diff or an error against. Objects are small; writing a value out costs little.
		name := ""
		if n.Alias != nil {
			name = n.Alias.Anchor
		}
		c.problem(n, path, fmt.Sprintf("YAML aliases (*%s) are not supported: write the value out", name))
		c.brokenAt(n)
		return nil, false
	case yaml.ScalarNode:
		v, err := scalar(n)
		if err != nil {
			c.problem(n, path, err.Error())
			c.brokenAt(n)
			return nil, false
		}
		return v, true
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		ok := true
		for _, e := range n.Content {
			v, eok := c.value(e, path, depth+1)
			ok = ok && eok
			out = append(out, v)
		}
		return out, ok
	case yaml.MappingNode:
		obj := value.NewObjectSize(len(n.Content) / 2)
		ok := true
		// Duplicate keys are found in the object itself (a scan for small mappings, an index
		// for large ones) rather than in a map of its own per mapping.
		seen := func(key string) *yaml.Node {
			if _, dup := obj.Get(key); !dup {
				return nil
			}
			for j := 0; j+1 < len(n.Content); j += 2 {
				if k := n.Content[j]; k.Kind == yaml.ScalarNode && k.Value == key {
					return k
				}
			}
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				c.problem(k, path, "a field name must be a plain string")
				c.incompleteAt(n)
				ok = false
				continue
			}
			if k.ShortTag() == "!!merge" {
				c.problem(k, path, "YAML merge keys (<<) are not supported: write the fields out")
				c.incompleteAt(n)
				ok = false
				continue
			}
			key := k.Value
			field := join(path, key)
			if first := seen(key); first != nil {
				c.problem(k, field, fmt.Sprintf("duplicate key: %s is already set at line %d", key, first.Line))
				c.incompleteAt(n)
				ok = false
				continue
			}
			c.d.positions[field] = posOf(c.d.file, v)
			if field == "kind" {
				c.d.kindKey, c.d.hasKindKey = posOf(c.d.file, k), true
			}
			val, vok := c.value(v, field, depth+1)
			ok = ok && vok
			obj.Set(key, val)
		}
		return obj, ok
	default:
		c.problem(n, path, "unexpected YAML node")
		c.brokenAt(n)
		return nil, false
	}
}

var jsonNumberRE = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)
var leadingZeroRE = regexp.MustCompile(`^[-+]?0[0-9_]+$`)

// scalar converts a scalar by its resolved tag. Numbers keep the literal written when it is a
// valid JSON number, so that 10 and 10.0 stay what the user wrote.
func scalar(n *yaml.Node) (any, error) {
	switch tag := n.ShortTag(); tag {
	case "!!str", "!!timestamp", "!!binary":
		return n.Value, nil
	case "!!null":
		return nil, nil
	case "!!bool":
		switch strings.ToLower(n.Value) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, fmt.Errorf("%q is not a boolean: write true or false", n.Value)
	case "!!int":
		lit := n.Value
		if jsonNumberRE.MatchString(lit) {
			return json.Number(lit), nil
		}
		if leadingZeroRE.MatchString(lit) {
			return nil, fmt.Errorf("ambiguous number %s: YAML reads a leading 0 as octal; quote it if it is text, or drop the leading zeros", lit)
		}
		i, ok := new(big.Int).SetString(strings.ReplaceAll(lit, "_", ""), 0)
		if !ok {
			return nil, fmt.Errorf("%q is not an integer", lit)
		}
		return json.Number(i.String()), nil
	case "!!float":
		lit := n.Value
		if jsonNumberRE.MatchString(lit) {
			return json.Number(lit), nil
		}
		f, err := strconv.ParseFloat(strings.ReplaceAll(lit, "_", ""), 64)
		if err != nil || f != f || f > 1e308 || f < -1e308 {
			return nil, fmt.Errorf("%q is not a number JSON can carry: quote it if it is text", lit)
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
	default:
		return nil, fmt.Errorf("unsupported YAML tag %s: quote the value if it is text", tag)
	}
}

// nodeAt follows JSON pointer tokens through a YAML tree. It returns the deepest node reached,
// the key node holding it (nil for list elements and the root), how many tokens were matched and
// the field path of the matched part ("searchDNs[0].searchDN").
func nodeAt(root *yaml.Node, toks []string) (node, key *yaml.Node, matched int, field string) {
	node = root
	for _, t := range toks {
		switch node.Kind {
		case yaml.MappingNode:
			found := false
			for i := 0; i+1 < len(node.Content); i += 2 {
				if node.Content[i].Value == t {
					key, node = node.Content[i], node.Content[i+1]
					found = true
					break
				}
			}
			if !found {
				return node, key, matched, field
			}
			field = join(field, t)
		case yaml.SequenceNode:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(node.Content) {
				return node, key, matched, field
			}
			node, key = node.Content[i], nil
			field += "[" + t + "]"
		default:
			return node, key, matched, field
		}
		matched++
	}
	return node, key, matched, field
}

// masked reports whether the schema error e is only a consequence of a conversion problem already
// reported: it concerns a value that was dropped (or lies inside one), it is a missing field of
// a mapping that lost a key, or it judges a list or object as a whole (uniqueItems, oneOf, …)
// that holds a dropped value. Errors about the presence of a key (unknown or forbidden fields)
// stand whatever its value.
func (d *document) masked(e schema.Error) bool {
	if d.root == nil || !d.broken {
		return false
	}
	node := d.root
	for i := 0; ; i++ {
		if d.brokenNodes[node] && e.Keyword != "additionalProperties" && e.Keyword != "not" {
			return true
		}
		if i == len(e.Path) {
			break
		}
		next, _, matched, _ := nodeAt(node, e.Path[i:i+1])
		if matched == 0 {
			// The last token is a missing field when the error is "required".
			return e.Keyword == "required" && i == len(e.Path)-1 && d.incomplete[node]
		}
		node = next
	}
	switch e.Keyword {
	case "uniqueItems", "oneOf", "anyOf", "allOf", "if", "then", "else", "contains", "dependencies":
		return d.holdsBroken(node)
	}
	return false
}

// holdsBroken reports whether a dropped value lies inside n.
func (d *document) holdsBroken(n *yaml.Node) bool {
	if d.brokenNodes[n] {
		return true
	}
	for _, c := range n.Content {
		if d.holdsBroken(c) {
			return true
		}
	}
	return false
}
