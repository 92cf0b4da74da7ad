package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/sailsync/sailsync/internal/value"
)

// KnownValuesKeyword is sailsync's keyword for an open enum: the values the API publishes for a
// field whose list the vendor extends (a tenant returns, and accepts back, source features the
// document does not list yet). A schema file writes `"knownValues": [...]` where a closed field
// writes `"enum"`; a value outside the list is a warning (Warnings), never an error (Validate).
//
// Editors do not know the keyword, so every schema sailsync hands out (JSON, Combined) carries
// beside it `"anyOf": [{"enum": [...]}, {}]`: the editor suggests the known values and accepts
// any other, as the tenant does.
const KnownValuesKeyword = "knownValues"

// openEnum is one field of a schema file with known values: where its values sit in a document
// and what they are.
type openEnum struct {
	// path is the instance path, "*" standing for every element of a list or key of a mapping.
	path   []string
	values []string
	known  map[string]bool
}

// editorForm returns a schema file with each knownValues made visible to editors (see
// KnownValuesKeyword), or raw itself when it has none. The anyOf it adds always holds, so the
// editor accepts the documents Validate (which compiles the file as written) accepts.
func editorForm(raw []byte) ([]byte, error) {
	if !bytes.Contains(raw, []byte(`"`+KnownValuesKeyword+`"`)) {
		return raw, nil
	}
	v, err := value.Decode(raw)
	if err != nil {
		return nil, err
	}
	addAnyOf(v)
	b, err := value.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// addAnyOf adds the editors' anyOf beside every knownValues in v, in place.
func addAnyOf(v any) {
	switch t := v.(type) {
	case *value.Object:
		if known, ok := t.Get(KnownValuesKeyword); ok {
			enum := value.NewObject()
			enum.Set("enum", value.Clone(known))
			t.Set("anyOf", []any{enum, value.NewObject()})
		}
		for _, c := range t.All() {
			addAnyOf(c)
		}
	case []any:
		for _, c := range t {
			addAnyOf(c)
		}
	}
}

// schemaKeywords are the draft-07 keywords whose values are schemas (or lists or maps of them)
// other than properties, items and additionalProperties: a knownValues under one of them would
// apply conditionally, which Warnings cannot follow, so openEnums refuses it.
var schemaKeywords = map[string]bool{
	"anyOf": true, "oneOf": true, "allOf": true, "not": true, "if": true, "then": true, "else": true,
	"patternProperties": true, "definitions": true, "dependencies": true, "propertyNames": true,
	"contains": true, "additionalItems": true,
}

// openEnums finds every knownValues of a decoded schema file. Each must be reached from the root
// through properties, items and additionalProperties alone, so that where its values sit in a
// document is a path; one under anyOf, if or the like is an error (Check reports it).
func openEnums(file string, root any) ([]openEnum, error) {
	var out []openEnum
	var walk func(node any, ptr, inst []string, plain bool) error
	walk = func(node any, ptr, inst []string, plain bool) error {
		switch t := node.(type) {
		case []any:
			for i, c := range t {
				if err := walk(c, append(ptr, strconv.Itoa(i)), inst, false); err != nil {
					return err
				}
			}
			return nil
		case map[string]any:
			if kv, ok := t[KnownValuesKeyword]; ok {
				at := "/" + strings.Join(ptr, "/")
				if !plain {
					return fmt.Errorf("schema %s: %s at %s is reached through a conditional keyword: only properties, items and additionalProperties may lead to it", file, KnownValuesKeyword, at)
				}
				list, _ := kv.([]any)
				oe := openEnum{path: append([]string(nil), inst...), known: map[string]bool{}}
				for _, e := range list {
					s, ok := e.(string)
					if !ok {
						return fmt.Errorf("schema %s: %s at %s lists %v, not a string", file, KnownValuesKeyword, at, e)
					}
					oe.values = append(oe.values, s)
					oe.known[s] = true
				}
				if len(oe.values) == 0 {
					return fmt.Errorf("schema %s: %s at %s lists no value", file, KnownValuesKeyword, at)
				}
				out = append(out, oe)
			}
			keys := make([]string, 0, len(t))
			for k := range t {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				c := t[k]
				var err error
				switch {
				case k == "properties":
					props, _ := c.(map[string]any)
					names := make([]string, 0, len(props))
					for n := range props {
						names = append(names, n)
					}
					sort.Strings(names)
					for _, n := range names {
						if err = walk(props[n], append(ptr, k, n), append(inst, n), plain); err != nil {
							break
						}
					}
				case k == "items" || k == "additionalProperties":
					if _, isList := c.([]any); isList {
						err = walk(c, append(ptr, k), inst, false) // tuple items: not one path
					} else {
						err = walk(c, append(ptr, k), append(inst, "*"), plain)
					}
				case schemaKeywords[k]:
					err = walk(c, append(ptr, k), inst, false)
				}
				if err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(root, nil, nil, true); err != nil {
		return nil, err
	}
	return out, nil
}

// Warnings returns a warning for every value of doc (a plain JSON value, as for Validate) that
// is a string outside the known values of an open enum of kind's schema (see
// KnownValuesKeyword), ordered by path; nil when there is none. A value of another type is
// Validate's to report. The message names the field's known values.
func Warnings[K ~string](kind K, doc any) []Error {
	file, ok := fileOf(string(kind))
	if !ok || IsTombstone(doc) {
		return nil
	}
	st := load()
	if st.err != nil {
		return nil // Validate reports it
	}
	var out []Error
	for _, oe := range st.open[file] {
		matches(doc, oe.path, nil, func(inst []string, v any) {
			if s, ok := v.(string); ok && !oe.known[s] {
				out = append(out, Error{Path: append([]string(nil), inst...), Keyword: KnownValuesKeyword, Message: knownMessage(oe.values, s)})
			}
		})
	}
	sort.SliceStable(out, func(i, j int) bool {
		return strings.Join(out[i].Path, "/") < strings.Join(out[j].Path, "/")
	})
	return out
}

// matches calls fn with every value of v at the instance path pattern, and its path.
// fn must copy inst to keep it: it is reused.
func matches(v any, pattern, at []string, fn func(inst []string, v any)) {
	if len(pattern) == 0 {
		fn(at, v)
		return
	}
	tok, rest := pattern[0], pattern[1:]
	switch t := v.(type) {
	case map[string]any:
		if tok != "*" {
			if c, ok := t[tok]; ok {
				matches(c, rest, append(at, tok), fn)
			}
			return
		}
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			matches(t[k], rest, append(at, k), fn)
		}
	case []any:
		if tok != "*" {
			return
		}
		for i, c := range t {
			matches(c, rest, append(at, strconv.Itoa(i)), fn)
		}
	}
}

// knownMessage says that got is none of the known values, which it lists, and why that is a
// warning: the vendor adds values before the document lists them.
func knownMessage(known []string, got string) string {
	msg := fmt.Sprintf("%s is not one of the %d values the API publishes", show(got), len(known))
	if s := suggest(got, known); s != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", s)
	}
	return msg + "; accepted, as the tenant knows values the document does not list (known: " + strings.Join(known, ", ") + ")"
}
