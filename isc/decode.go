package isc

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// The decoder below reads JSON straight into *Object, []any, json.Number, string, bool and nil,
// the values DecodeValue has always produced. It replaces a json.Decoder.Token loop that
// allocated for every token: decoding a tenant's source list was most of a plan's CPU time.
// Strings with escapes or invalid UTF-8 go through encoding/json, so every string reads exactly
// as before; object_test.go checks both decoders agree on its fuzz corpus.

type decoder struct {
	data []byte
	pos  int
	// pairs is a stack of the members of the objects being read: an object is built once its
	// members are known, with its map sized at once instead of grown key by key.
	pairs []pair
}

type pair struct {
	key string
	val any
}

func decodeFast(data []byte) (any, error) {
	d := &decoder{data: data}
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	d.space()
	if d.pos < len(d.data) {
		return nil, errors.New("isc: trailing data after JSON value")
	}
	return v, nil
}

func (d *decoder) fail(what string) error {
	if d.pos >= len(d.data) {
		return errors.New("isc: decode JSON: unexpected end of JSON input")
	}
	return fmt.Errorf("isc: decode JSON: %s at offset %d", what, d.pos)
}

func (d *decoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *decoder) value(depth int) (any, error) {
	if depth > maxDepth {
		return nil, errors.New("isc: JSON nested too deeply")
	}
	d.space()
	if d.pos >= len(d.data) {
		return nil, d.fail("")
	}
	switch c := d.data[d.pos]; {
	case c == '{':
		return d.object(depth)
	case c == '[':
		return d.array(depth)
	case c == '"':
		return d.str()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	default:
		return nil, d.fail(fmt.Sprintf("invalid character %q looking for beginning of value", c))
	}
}

func (d *decoder) literal(lit string) error {
	if len(d.data)-d.pos < len(lit) || string(d.data[d.pos:d.pos+len(lit)]) != lit {
		return d.fail("invalid literal")
	}
	d.pos += len(lit)
	return nil
}

func (d *decoder) object(depth int) (any, error) {
	d.pos++ // {
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return NewObject(), nil
	}
	base := len(d.pairs)
	defer func() { d.pairs = d.pairs[:base] }()
	for {
		d.space()
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return nil, d.fail("object key is not a string")
		}
		k, err := d.str()
		if err != nil {
			return nil, err
		}
		d.space()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return nil, d.fail("expected ':' after object key")
		}
		d.pos++
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		d.pairs = append(d.pairs, pair{k, v})
		d.space()
		if d.pos >= len(d.data) {
			return nil, d.fail("")
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case '}':
			d.pos++
			members := d.pairs[base:]
			o := NewObjectSize(len(members))
			for i := range members {
				o.Set(members[i].key, members[i].val)
				members[i] = pair{} // the stack must not keep values alive
			}
			return o, nil
		default:
			return nil, d.fail("expected ',' or '}' in object")
		}
	}
}

func (d *decoder) array(depth int) (any, error) {
	d.pos++ // [
	arr := []any{}
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		return arr, nil
	}
	for {
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		arr = append(arr, v)
		d.space()
		if d.pos >= len(d.data) {
			return nil, d.fail("")
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return arr, nil
		default:
			return nil, d.fail("expected ',' or ']' in array")
		}
	}
}

// str reads a string at d.pos (a quote).
func (d *decoder) str() (string, error) {
	start := d.pos
	d.pos++
	plain := true
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		switch {
		case c == '"':
			d.pos++
			raw := d.data[start:d.pos]
			inner := raw[1 : len(raw)-1]
			if plain && utf8.Valid(inner) {
				return string(inner), nil
			}
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return "", fmt.Errorf("isc: decode JSON: %w", err)
			}
			return s, nil
		case c == '\\':
			plain = false
			d.pos += 2
		case c < 0x20:
			return "", d.fail("invalid control character in string")
		default:
			d.pos++
		}
	}
	return "", d.fail("")
}

// number reads a number with the JSON grammar and keeps its spelling.
func (d *decoder) number() (any, error) {
	start := d.pos
	if err := d.scanNumber(); err != nil {
		return nil, err
	}
	return json.Number(d.data[start:d.pos]), nil
}

// scanNumber moves past a number with the JSON grammar.
func (d *decoder) scanNumber() error {
	digits := func() int {
		n := 0
		for d.pos < len(d.data) && d.data[d.pos] >= '0' && d.data[d.pos] <= '9' {
			d.pos++
			n++
		}
		return n
	}
	if d.data[d.pos] == '-' {
		d.pos++
	}
	switch {
	case d.pos < len(d.data) && d.data[d.pos] == '0':
		d.pos++
	case digits() == 0:
		return d.fail("invalid number")
	}
	if d.pos < len(d.data) && d.data[d.pos] == '.' {
		d.pos++
		if digits() == 0 {
			return d.fail("invalid number")
		}
	}
	if d.pos < len(d.data) && (d.data[d.pos] == 'e' || d.data[d.pos] == 'E') {
		d.pos++
		if d.pos < len(d.data) && (d.data[d.pos] == '+' || d.data[d.pos] == '-') {
			d.pos++
		}
		if digits() == 0 {
			return d.fail("invalid number")
		}
	}
	return nil
}

// DecodeObjectsKeep reads a JSON array of objects like DecodeObjects but returns only the
// objects whose "name" keep accepts, and n, the length of the whole array (a page's length
// decides the paging whether its objects are kept or not). A plan of 10,000 sources in a
// tenant of 20,000 reads 10,000 sources it drops at once: they are scanned, not built. An
// array DecodeObjects rejects is rejected with its error.
func DecodeObjectsKeep(data []byte, keep func(name string) bool) (objs []*Object, n int, err error) {
	d := &decoder{data: data}
	objs, n, ok := d.keepArray(keep)
	if !ok {
		// Anything unusual at the top level: the full decoder gives the answer and its error.
		all, err := DecodeObjects(data)
		if err != nil {
			return nil, 0, err
		}
		objs = all[:0:0]
		for _, o := range all {
			if keep(o.String("name")) {
				objs = append(objs, o)
			}
		}
		return objs, len(all), nil
	}
	return objs, n, nil
}

// keepArray reads the top-level array of objects, building the kept ones. It reports false
// when the data is not a well-formed array of objects, leaving the error to the full decoder.
func (d *decoder) keepArray(keep func(name string) bool) ([]*Object, int, bool) {
	d.space()
	if d.pos >= len(d.data) || d.data[d.pos] != '[' {
		return nil, 0, false
	}
	d.pos++
	objs := []*Object{}
	n := 0
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
	} else {
		for {
			d.space()
			if d.pos >= len(d.data) || d.data[d.pos] != '{' {
				return nil, 0, false
			}
			start := d.pos
			name, sure := d.skipObject(1)
			if !sure || keep(name) {
				// Build the object with the decoder (for an object the scan was not sure of,
				// the decoder also finds its name and any error).
				d.pos = start
				v, err := d.value(1)
				if err != nil {
					return nil, 0, false
				}
				o, ok := v.(*Object)
				if !ok {
					return nil, 0, false
				}
				if sure || keep(o.String("name")) {
					objs = append(objs, o)
				}
			}
			n++
			d.space()
			if d.pos >= len(d.data) {
				return nil, 0, false
			}
			if d.data[d.pos] == ',' {
				d.pos++
				continue
			}
			if d.data[d.pos] != ']' {
				return nil, 0, false
			}
			d.pos++
			break
		}
	}
	d.space()
	if d.pos < len(d.data) {
		return nil, 0, false
	}
	return objs, n, true
}

// skipObject scans the object at d.pos without building it and returns its "name" member.
// It reports false (not sure) for anything the decoder might read differently or reject: a
// backslash in any string, a name that is not a string, or malformed JSON. The scan accepts
// only what the decoder accepts, so an object it skips is one the decoder would have read.
func (d *decoder) skipObject(depth int) (name string, sure bool) {
	name, sure = "", true
	d.pos++ // {
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return "", true
	}
	for {
		d.space()
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return "", false
		}
		k, ok := d.skipString()
		if !ok {
			return "", false
		}
		d.space()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return "", false
		}
		d.pos++
		d.space()
		if depth == 1 && string(k) == "name" {
			if d.pos >= len(d.data) || d.data[d.pos] != '"' {
				return "", false
			}
			v, ok := d.skipString()
			if !ok || !utf8.Valid(v) {
				return "", false
			}
			name = string(v)
		} else if !d.skipValue(depth + 1) {
			return "", false
		}
		d.space()
		if d.pos >= len(d.data) {
			return "", false
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return name, sure
		default:
			return "", false
		}
	}
}

// skipValue scans one value like value does, without building it.
func (d *decoder) skipValue(depth int) bool {
	if depth > maxDepth {
		return false
	}
	d.space()
	if d.pos >= len(d.data) {
		return false
	}
	switch c := d.data[d.pos]; {
	case c == '{':
		_, ok := d.skipObject(depth)
		return ok
	case c == '[':
		d.pos++
		d.space()
		if d.pos < len(d.data) && d.data[d.pos] == ']' {
			d.pos++
			return true
		}
		for {
			if !d.skipValue(depth + 1) {
				return false
			}
			d.space()
			if d.pos >= len(d.data) {
				return false
			}
			switch d.data[d.pos] {
			case ',':
				d.pos++
			case ']':
				d.pos++
				return true
			default:
				return false
			}
		}
	case c == '"':
		_, ok := d.skipString()
		return ok
	case c == 't':
		return d.literal("true") == nil
	case c == 'f':
		return d.literal("false") == nil
	case c == 'n':
		return d.literal("null") == nil
	case c == '-' || (c >= '0' && c <= '9'):
		return d.scanNumber() == nil
	default:
		return false
	}
}

// skipString scans a string without escapes and returns its bytes between the quotes.
func (d *decoder) skipString() ([]byte, bool) {
	d.pos++ // "
	start := d.pos
	for d.pos < len(d.data) {
		switch c := d.data[d.pos]; {
		case c == '"':
			inner := d.data[start:d.pos]
			d.pos++
			return inner, true
		case c == '\\' || c < 0x20:
			return nil, false
		default:
			d.pos++
		}
	}
	return nil, false
}
