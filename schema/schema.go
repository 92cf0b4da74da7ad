// Package schema holds the JSON Schemas of sailsync's config documents (one per kind, embedded in
// the binary) and validates documents against them.
//
// The schemas are draft-07 because that is the draft editors (yaml-language-server, VS Code)
// support best; they are what `sailsync schema` prints for editor integration, and the same
// documents are what Validate checks, so the editor and the tool never disagree.
//
// The package is a leaf: it does not import config (config imports it to validate while loading),
// which is why the functions taking a kind are generic over any string type — callers pass a
// config.Kind.
package schema

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// Every schema of the directory is embedded, so that a new kind's schema needs no line here.
//
//go:embed *.json
var files embed.FS

// settingsFile is the schema of the settings file (sailsync.yaml). It is not a kind: the file
// holds one mapping of settings, not documents dispatched on kind.
const settingsFile = "settings.json"

// kinds maps each kind to its embedded schema file, in file-name order: every file but the
// settings and tombstone schemas is a kind's, named by the const of its `kind` property. The
// package cannot import config for the table's order, so callers that show kinds pass it.
var kinds, kindsErr = findKinds()

type kindFile struct{ kind, file string }

// findKinds reads the kind of every embedded kind schema; a schema without one is an error
// Check reports.
func findKinds() ([]kindFile, error) {
	entries, err := files.ReadDir(".")
	if err != nil {
		return nil, err
	}
	var out []kindFile
	for _, e := range entries {
		if e.Name() == settingsFile || e.Name() == tombstoneFile {
			continue
		}
		raw, err := files.ReadFile(e.Name())
		if err != nil {
			return nil, err
		}
		var doc struct {
			Properties struct {
				Kind struct {
					Const string `json:"const"`
				} `json:"kind"`
			} `json:"properties"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			return nil, fmt.Errorf("schema %s: %w", e.Name(), err)
		}
		if doc.Properties.Kind.Const == "" {
			return nil, fmt.Errorf("schema %s: no const for the kind property", e.Name())
		}
		out = append(out, kindFile{doc.Properties.Kind.Const, e.Name()})
	}
	return out, nil
}

// Error is one schema violation.
type Error struct {
	// Path holds the JSON pointer tokens of the offending value. For an unknown field it ends with
	// that field; for a missing required field it ends with the field that should be there.
	Path []string
	// Keyword is the JSON Schema keyword that failed ("enum", "required", "additionalProperties",
	// "type", …), so that callers can point at a key rather than at its value where that reads
	// better.
	Keyword string
	// Message says what is wrong without the path, e.g. "must be IDENTITY".
	Message string
}

// Kinds returns the kinds that have a schema, in the name order of their files (config's table
// gives the documented order).
func Kinds() []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = k.kind
	}
	return out
}

func fileOf(kind string) (string, bool) {
	for _, k := range kinds {
		if k.kind == kind {
			return k.file, true
		}
	}
	return "", false
}

// JSON returns the schema of kind as indented JSON, or nil for an unknown kind. The empty kind
// returns one combined schema that dispatches on `kind`, so that a single
// `# yaml-language-server: $schema=…` line serves every file of a repository; its kinds are in
// file-name order (`sailsync schema` calls Combined with the table's).
func JSON[K ~string](kind K) []byte {
	if kind == "" {
		return Combined(Kinds())
	}
	file, ok := fileOf(string(kind))
	if !ok {
		return nil
	}
	b, err := kindJSON(file)
	if err != nil {
		return nil
	}
	return b
}

// kindJSON is an embedded kind schema as editors and Validate see it (see editorForm).
func kindJSON(file string) ([]byte, error) {
	raw, err := files.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return editorForm(raw)
}

// Combined builds the all-kinds schema from the per-kind ones, the kinds in the order given
// (config's table), or returns nil if one has no schema. Each kind schema is inlined under an
// if/then on `kind`; the kind schemas use no $ref, so inlining needs no rewriting.
func Combined[K ~string](order []K) []byte {
	ks := make([]kindFile, len(order))
	enum := make([]string, len(order))
	names := make([]string, len(order)) // "a Source", for the description
	for i, k := range order {
		file, ok := fileOf(string(k))
		if !ok {
			return nil
		}
		ks[i], enum[i] = kindFile{string(k), file}, string(k)
		names[i] = "a" + article(string(k)) + " " + string(k)
	}
	var b bytes.Buffer
	b.WriteString(`{"$schema":"http://json-schema.org/draft-07/schema#",`)
	b.WriteString(`"$id":"https://raw.githubusercontent.com/sailsync/sailsync/main/schema/sailsync.json",`)
	b.WriteString(`"title":"sailsync config document",`)
	fmt.Fprintf(&b, `"description":"A document of a sailsync config repository: %s, told apart by kind.",`, orList(names))
	b.WriteString(`"type":"object","required":["kind"],"properties":{"kind":{"enum":`)
	kb, _ := json.Marshal(enum)
	b.Write(kb)
	b.WriteString(`}},"allOf":[`)
	for i, k := range ks {
		raw, err := kindJSON(k.file)
		if err != nil {
			return nil
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil
		}
		// A nested $schema/$id would start a new schema resource; the combined document is one.
		delete(m, "$schema")
		delete(m, "$id")
		inner, err := json.Marshal(m)
		if err != nil {
			return nil
		}
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"if":{"required":["kind"],"properties":{"kind":{"const":%q}}},"then":`, k.kind)
		// A document with `absent` is a tombstone of the kind: its own, smaller shape.
		b.WriteString(`{"if":{"required":["absent"]},"then":`)
		b.Write(tombstoneInline())
		b.WriteString(`,"else":`)
		b.Write(inner)
		b.WriteString(`}}`)
	}
	b.WriteString(`]}`)
	var out bytes.Buffer
	if err := json.Indent(&out, b.Bytes(), "", "  "); err != nil {
		return nil
	}
	out.WriteByte('\n')
	return out.Bytes()
}

// article is the "n" of "an" before a name starting with a vowel, for the description.
func article(name string) string {
	if name != "" && strings.ContainsRune("AEIOU", rune(name[0])) {
		return "n"
	}
	return ""
}

// orList joins "a X", "a Y", "an Z" as "a X, a Y or an Z".
func orList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

type compiled struct {
	schemas map[string]*jsonschema.Schema
	raw     map[string]any        // file name → decoded schema, to read keyword values for messages
	open    map[string][]openEnum // file name → its open enums (Warnings)
	err     error
}

var (
	once  sync.Once
	state compiled
)

func load() compiled {
	once.Do(func() {
		state = compiled{schemas: map[string]*jsonschema.Schema{}, raw: map[string]any{}, open: map[string][]openEnum{}}
		c := jsonschema.NewCompiler()
		c.Draft = jsonschema.Draft7
		if kindsErr != nil {
			state.err = kindsErr
			return
		}
		all := append(kinds[:len(kinds):len(kinds)], kindFile{"", settingsFile}, kindFile{"", tombstoneFile})
		for _, k := range all {
			// The file as written: its knownValues constrain nothing, exactly as the editor
			// form's anyOf, which would cost allocations for every value it holds.
			raw, err := files.ReadFile(k.file)
			if k.file == tombstoneFile {
				raw = TombstoneJSON()
			}
			if err != nil {
				state.err = fmt.Errorf("schema %s: %w", k.file, err)
				return
			}
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.UseNumber()
			var v any
			if err := dec.Decode(&v); err != nil {
				state.err = fmt.Errorf("schema %s: %w", k.file, err)
				return
			}
			state.raw[k.file] = v
			if state.open[k.file], err = openEnums(k.file, v); err != nil {
				state.err = err
				return
			}
			if err := c.AddResource(k.file, bytes.NewReader(raw)); err != nil {
				state.err = fmt.Errorf("schema %s: %w", k.file, err)
				return
			}
		}
		for _, k := range all {
			s, err := c.Compile(k.file)
			if err != nil {
				state.err = fmt.Errorf("schema %s: %w", k.file, err)
				return
			}
			state.schemas[k.file] = s
		}
	})
	return state
}

// SettingsJSON returns the schema of the settings file, sailsync.yaml, as indented JSON.
func SettingsJSON() []byte {
	b, err := files.ReadFile(settingsFile)
	if err != nil {
		return nil
	}
	return b
}

// Check compiles the embedded schemas; it fails only if the binary was built with a broken
// schema, which the package's tests rule out.
func Check() error { return load().err }

// Validate checks doc (a plain JSON value: map[string]any, []any, string, json.Number, bool, nil)
// against the schema of kind and returns every violation, ordered by path. It returns nil when
// doc is valid.
func Validate[K ~string](kind K, doc any) []Error {
	file, ok := fileOf(string(kind))
	if !ok {
		return []Error{{Path: []string{"kind"}, Keyword: "enum", Message: fmt.Sprintf("unknown kind %q", string(kind))}}
	}
	if IsTombstone(doc) {
		return validate(tombstoneFile, doc)
	}
	return validate(file, doc)
}

// ValidateSettings checks the settings file's mapping (a plain JSON value, as for Validate)
// against settings.json and returns every violation, ordered by path.
func ValidateSettings(doc any) []Error { return validate(settingsFile, doc) }

// validate checks doc against the embedded schema file.
func validate(file string, doc any) []Error {
	st := load()
	if st.err != nil {
		return []Error{{Message: "internal error: " + st.err.Error()}}
	}
	s := st.schemas[file]
	err := s.Validate(doc)
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		// InvalidJSONTypeError or InfiniteLoopError: a caller bug or an unrepresentable value.
		return []Error{{Message: err.Error()}}
	}
	var out []Error
	seen := map[string]bool{}
	collect(ve, func(leaf *jsonschema.ValidationError) {
		for _, e := range explain(st.raw[file], doc, leaf) {
			key := strings.Join(e.Path, "\x00") + "\x01" + e.Message
			if !seen[key] {
				seen[key] = true
				out = append(out, e)
			}
		}
	})
	sort.SliceStable(out, func(i, j int) bool {
		return strings.Join(out[i].Path, "/") < strings.Join(out[j].Path, "/")
	})
	return out
}

// collect calls leaf for every error that has no causes, except that a oneOf or not error is
// reported itself: its causes are the branches that did not match, which say nothing useful.
func collect(ve *jsonschema.ValidationError, leaf func(*jsonschema.ValidationError)) {
	kw := lastToken(ve.KeywordLocation)
	if len(ve.Causes) == 0 || kw == "oneOf" || kw == "not" {
		leaf(ve)
		return
	}
	for _, c := range ve.Causes {
		collect(c, leaf)
	}
}

func lastToken(ptr string) string {
	i := strings.LastIndexByte(ptr, '/')
	if i < 0 {
		return ptr
	}
	return unescape(ptr[i+1:])
}

func unescape(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
}

// splitPointer turns a JSON pointer ("/owner/type") into its tokens.
func splitPointer(ptr string) []string {
	ptr = strings.TrimPrefix(ptr, "#")
	if ptr == "" || ptr == "/" {
		return nil
	}
	parts := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for i, p := range parts {
		parts[i] = unescape(p)
	}
	return parts
}

// at resolves pointer tokens in a decoded JSON value.
func at(v any, toks []string) (any, bool) {
	for _, t := range toks {
		switch c := v.(type) {
		case map[string]any:
			n, ok := c[t]
			if !ok {
				return nil, false
			}
			v = n
		case []any:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			v = c[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// explain turns one failed keyword into messages. The schema keyword's own value (the enum list,
// the bounds, the known properties) is read from the raw schema so that messages name the allowed
// values instead of echoing the validator's wording.
func explain(raw, doc any, ve *jsonschema.ValidationError) []Error {
	inst := splitPointer(ve.InstanceLocation)
	kw := lastToken(ve.KeywordLocation)
	frag := ve.AbsoluteKeywordLocation
	if i := strings.IndexByte(frag, '#'); i >= 0 {
		frag = frag[i+1:]
	} else {
		frag = ""
	}
	ktoks := splitPointer(frag)
	var parent map[string]any // the schema object holding the keyword
	if len(ktoks) > 0 {
		if p, ok := at(raw, ktoks[:len(ktoks)-1]); ok {
			parent, _ = p.(map[string]any)
		}
	} else if p, ok := raw.(map[string]any); ok {
		parent = p
	}
	value, _ := at(doc, inst)
	custom, _ := parent["errorMessage"].(string)
	one := func(msg string) []Error { return []Error{{Path: inst, Keyword: kw, Message: msg}} }

	switch kw {
	case "not", "oneOf", "pattern":
		if custom != "" {
			return one(custom)
		}
	case "enum":
		vals, _ := parent["enum"].([]any)
		return one(enumMessage(vals, value))
	case "const":
		return one("must be " + show(parent["const"]))
	case "type":
		return one(fmt.Sprintf("must be %s, not %s", typeNames(parent["type"]), jsonType(value)))
	case "minimum", "maximum":
		lo, hasLo := parent["minimum"]
		hi, hasHi := parent["maximum"]
		switch {
		case hasLo && hasHi:
			return one(fmt.Sprintf("must be between %v and %v, not %s", lo, hi, show(value)))
		case hasLo:
			return one(fmt.Sprintf("must be at least %v, not %s", lo, show(value)))
		default:
			return one(fmt.Sprintf("must be at most %v, not %s", hi, show(value)))
		}
	case "minLength":
		return one("must not be empty")
	case "minItems":
		return one(fmt.Sprintf("must list at least %v item(s)", parent["minItems"]))
	case "uniqueItems":
		if arr, ok := value.([]any); ok {
			if d, ok := firstDuplicate(arr); ok {
				return one(fmt.Sprintf("lists %s more than once", show(d)))
			}
		}
		return one("must not list a value twice")
	case "required":
		req, _ := parent["required"].([]any)
		obj, _ := value.(map[string]any)
		var out []Error
		for _, r := range req {
			name, _ := r.(string)
			if _, ok := obj[name]; !ok && name != "" {
				out = append(out, Error{Path: append(append([]string(nil), inst...), name), Keyword: kw, Message: "required field is missing"})
			}
		}
		if len(out) > 0 {
			return out
		}
	case "additionalProperties":
		props, _ := parent["properties"].(map[string]any)
		obj, _ := value.(map[string]any)
		known := make([]string, 0, len(props))
		for k, p := range props {
			// Forbidden fields (server-managed) are not suggestions.
			if pm, ok := p.(map[string]any); ok {
				if _, isNot := pm["not"]; isNot {
					continue
				}
			}
			known = append(known, k)
		}
		sort.Strings(known)
		names := make([]string, 0, len(obj))
		for k := range obj {
			if _, ok := props[k]; !ok {
				names = append(names, k)
			}
		}
		sort.Strings(names)
		var out []Error
		for _, n := range names {
			msg := "unknown field"
			if s := suggest(n, known); s != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", s)
			}
			out = append(out, Error{Path: append(append([]string(nil), inst...), n), Keyword: kw, Message: msg})
		}
		if len(out) > 0 {
			return out
		}
	}
	if custom != "" && (kw == "not" || kw == "oneOf") {
		return one(custom)
	}
	return one(ve.Message)
}

func enumMessage(vals []any, got any) string {
	if len(vals) == 1 {
		return "must be " + plain(vals[0])
	}
	if len(vals) <= 6 {
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = plain(v)
		}
		return fmt.Sprintf("must be one of %s, not %s", strings.Join(parts, ", "), show(got))
	}
	msg := fmt.Sprintf("%s is not one of the %d allowed values", show(got), len(vals))
	if s, ok := got.(string); ok {
		names := make([]string, 0, len(vals))
		for _, v := range vals {
			if n, ok := v.(string); ok {
				names = append(names, n)
			}
		}
		if m := suggest(s, names); m != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", m)
		}
	}
	return msg
}

// plain renders an allowed value without quotes when it is a simple word.
func plain(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return show(v)
}

// show renders a value for a message. Strings are quoted and long values cut, so that a message
// stays one line.
func show(v any) string {
	switch t := v.(type) {
	case string:
		if len(t) > 60 {
			t = t[:60] + "…"
		}
		return strconv.Quote(t)
	case json.Number:
		return string(t)
	case bool:
		return strconv.FormatBool(t)
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	default:
		return fmt.Sprint(t)
	}
}

func jsonType(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case json.Number:
		if r, ok := new(big.Rat).SetString(string(t)); ok && r.IsInt() {
			return "the integer " + string(t)
		}
		return "the number " + string(t)
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	default:
		return fmt.Sprintf("%T", v)
	}
}

func typeNames(t any) string {
	name := func(s string) string {
		switch s {
		case "object":
			return "an object"
		case "array":
			return "a list"
		case "integer":
			return "an integer"
		case "null":
			return "null"
		default:
			return "a " + s
		}
	}
	switch v := t.(type) {
	case string:
		return name(v)
	case []any:
		parts := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				parts = append(parts, name(s))
			}
		}
		return strings.Join(parts, " or ")
	}
	return fmt.Sprint(t)
}

func firstDuplicate(arr []any) (any, bool) {
	seen := map[string]bool{}
	for _, e := range arr {
		b, err := json.Marshal(e)
		if err != nil {
			continue
		}
		if seen[string(b)] {
			return e, true
		}
		seen[string(b)] = true
	}
	return nil, false
}

// Suggest returns the candidate closest to s (case aside) when it is close enough to be a likely
// typo, else "": the "did you mean" of a flag's value or a name.
func Suggest(s string, candidates []string) string { return suggest(s, candidates) }

// suggest returns the candidate closest to s when it is close enough to be a likely typo.
func suggest(s string, candidates []string) string {
	best, bestD := "", 1<<30
	for _, c := range candidates {
		d := distance(strings.ToLower(s), strings.ToLower(c))
		if d < bestD {
			best, bestD = c, d
		}
	}
	limit := len(s) / 3
	if limit < 1 {
		limit = 1
	}
	if limit > 3 {
		limit = 3
	}
	if bestD <= limit {
		return best
	}
	return ""
}

// distance is the optimal-string-alignment distance (Levenshtein plus adjacent transpositions,
// the commonest typo), on the short inputs it is given (field names and enum values).
func distance(a, b string) int {
	if len(a) > 100 || len(b) > 100 {
		return 1 << 30
	}
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
