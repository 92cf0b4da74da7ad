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
		return nil, d.fail("invalid number")
	}
	if d.pos < len(d.data) && d.data[d.pos] == '.' {
		d.pos++
		if digits() == 0 {
			return nil, d.fail("invalid number")
		}
	}
	if d.pos < len(d.data) && (d.data[d.pos] == 'e' || d.data[d.pos] == 'E') {
		d.pos++
		if d.pos < len(d.data) && (d.data[d.pos] == '+' || d.data[d.pos] == '-') {
			d.pos++
		}
		if digits() == 0 {
			return nil, d.fail("invalid number")
		}
	}
	return json.Number(d.data[start:d.pos]), nil
}
