package value

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// The decoder below reads JSON straight into *Object, []any, json.Number, string, bool and nil,
// the values DecodeValue has always produced, without the allocation per token of a
// json.Decoder.Token loop: decoding the tenant's listings dominates a plan's CPU time.
// Strings with escapes or invalid UTF-8 go through encoding/json, so every string reads exactly
// as before; object_test.go checks both decoders agree on its fuzz corpus.

type decoder struct {
	data []byte
	pos  int
	// pairs is a stack of the members of the objects being read: an object is built once its
	// members are known, with its map sized at once instead of grown key by key.
	pairs []pair
	// elems is the same for the elements of the arrays being read.
	elems []any
	// keys holds the object keys read so far, by spelling (see key).
	keys map[string]string
	// strs holds short string values read so far, boxed, by spelling (see strValue).
	strs map[string]any
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
		return nil, errors.New("value: trailing data after JSON value")
	}
	return v, nil
}

func (d *decoder) fail(what string) error {
	if d.pos >= len(d.data) {
		return errors.New("value: decode JSON: unexpected end of JSON input")
	}
	return fmt.Errorf("value: decode JSON: %s at offset %d", what, d.pos)
}

// space moves past whitespace. The scanning loops here work on locals and store d.pos once,
// as advancing d.pos itself writes it back to memory at every byte.
func (d *decoder) space() {
	data, i := d.data, d.pos
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			d.pos = i
			return
		}
	}
	d.pos = i
}

func (d *decoder) value(depth int) (any, error) {
	if depth > maxDepth {
		return nil, errors.New("value: JSON nested too deeply")
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
		return d.strValue()
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
		k, err := d.key()
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
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		return []any{}, nil
	}
	// Elements go on a stack shared by every array being read and are copied out once the
	// array's length is known, instead of growing each array by appending.
	base := len(d.elems)
	defer func() { d.elems = d.elems[:base] }()
	for {
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		d.elems = append(d.elems, v)
		d.space()
		if d.pos >= len(d.data) {
			return nil, d.fail("")
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case ']':
			d.pos++
			arr := make([]any, len(d.elems)-base)
			copy(arr, d.elems[base:])
			clear(d.elems[base:]) // the stack must not keep values alive
			return arr, nil
		default:
			return nil, d.fail("expected ',' or ']' in array")
		}
	}
}

// key reads an object key at d.pos. The keys of a listing repeat in every object: each
// spelling is allocated once per decoder (a page of 250 sources has ~30 keys per source).
func (d *decoder) key() (string, error) {
	raw, plain, err := d.rawString()
	if err != nil {
		return "", err
	}
	if !plain {
		return unquote(raw)
	}
	inner := raw[1 : len(raw)-1]
	if k, ok := d.keys[string(inner)]; ok {
		return k, nil
	}
	k := string(inner)
	if len(d.keys) < maxKeys {
		if d.keys == nil {
			d.keys = make(map[string]string)
		}
		d.keys[k] = k
	}
	return k, nil
}

// strValue reads a string value at d.pos. The sources of a page share most of their short
// values (owner, cluster, connector, type, status, features): a value seen before in the
// same document comes back as the same boxed string, sparing the string and its box.
func (d *decoder) strValue() (any, error) {
	raw, plain, err := d.rawString()
	if err != nil {
		return nil, err
	}
	if !plain {
		return unquote(raw)
	}
	inner := raw[1 : len(raw)-1]
	if len(inner) > maxInternedLen {
		return string(inner), nil
	}
	if v, ok := d.strs[string(inner)]; ok {
		return v, nil
	}
	s := string(inner)
	var v any = s
	if len(d.strs) < maxStrs {
		if d.strs == nil {
			d.strs = make(map[string]any)
		}
		d.strs[s] = v
	}
	return v, nil
}

// maxInternedLen and maxStrs bound the values strValue remembers.
const (
	maxInternedLen = 64
	maxStrs        = 256
)

// maxKeys bounds the key spellings a decoder remembers, for a document whose keys are data.
const maxKeys = 512

// rawString moves past the string at d.pos (a quote) and returns it with its quotes. plain
// means it holds no escape and is valid UTF-8: its bytes are its value.
func (d *decoder) rawString() (raw []byte, plain bool, err error) {
	data, start := d.data, d.pos
	i := start + 1
	plain = true
	ascii := true
	for i < len(data) {
		c := data[i]
		switch {
		case c == '"':
			i++
			d.pos = i
			raw = data[start:i]
			if plain && !ascii {
				plain = utf8.Valid(raw[1 : len(raw)-1])
			}
			return raw, plain, nil
		case c == '\\':
			plain = false
			i += 2
		case c < 0x20:
			d.pos = i
			return nil, false, d.fail("invalid control character in string")
		default:
			if c >= utf8.RuneSelf {
				ascii = false
			}
			i++
		}
	}
	d.pos = i
	return nil, false, d.fail("")
}

// unquote reads a string with escapes or invalid UTF-8 as encoding/json does.
func unquote(raw []byte) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("value: decode JSON: %w", err)
	}
	return s, nil
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

// decodeObjects is DecodeObjects reading the objects straight into the result instead of an
// []any copied afterwards.
func decodeObjects(data []byte) ([]*Object, error) {
	d := &decoder{data: data}
	if objs, _, ok := d.keepArray(nil); ok {
		return objs, nil
	}
	return DecodeObjects(data)
}

// keepArray reads the top-level array of objects, building the kept ones (all of them when
// keep is nil). It reports false
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
			build, accepted := true, ""
			if keep != nil {
				build, accepted = d.skipUnkept(keep)
			}
			if build {
				// Build the object with the decoder, which also finds its final name (the
				// scan stops at the first) and any error.
				d.pos = start
				v, err := d.value(1)
				if err != nil {
					return nil, 0, false
				}
				o, ok := v.(*Object)
				if !ok {
					return nil, 0, false
				}
				// keep is asked again only when the name that counts is not the one it
				// accepted (a lookup in a map of 10,000 names is not free).
				if name := o.String("name"); keep == nil || (name == accepted && accepted != "") || keep(name) {
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

// skipUnkept scans the top-level object at d.pos and reports whether it must be built: its
// first "name" member is a string keep accepts, returned as accepted (the scan stops there,
// and a kept object is built without being scanned to its end first), or the scan cannot be
// sure of its name (a backslash in any string, a name that is not a string, a second name,
// malformed JSON). An object it skips is one the decoder would have read and whose name keep
// rejects: the scan accepts only what the decoder accepts.
func (d *decoder) skipUnkept(keep func(name string) bool) (build bool, accepted string) {
	d.pos++ // {
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return keep(""), ""
	}
	named := false
	for {
		d.space()
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return true, ""
		}
		k, ok := d.skipString()
		if !ok {
			return true, ""
		}
		d.space()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return true, ""
		}
		d.pos++
		d.space()
		if string(k) == "name" {
			if named || d.pos >= len(d.data) || d.data[d.pos] != '"' {
				return true, ""
			}
			v, ok := d.skipString()
			if !ok || !utf8.Valid(v) {
				return true, ""
			}
			if name := string(v); keep(name) {
				return true, name
			}
			named = true
		} else if !d.skipValue(2) {
			return true, ""
		}
		d.space()
		if d.pos >= len(d.data) {
			return true, ""
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return !named && keep(""), ""
		default:
			return true, ""
		}
	}
}

// skipObject scans a nested object like object reads it, without building it.
func (d *decoder) skipObject(depth int) bool {
	d.pos++ // {
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return true
	}
	for {
		d.space()
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return false
		}
		if _, ok := d.skipString(); !ok {
			return false
		}
		d.space()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return false
		}
		d.pos++
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
		case '}':
			d.pos++
			return true
		default:
			return false
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
		return d.skipObject(depth)
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

// skipString scans a string without escapes and returns its bytes between the quotes. On
// failure d.pos is left anywhere: the caller gives up the scan.
func (d *decoder) skipString() ([]byte, bool) {
	data, start := d.data, d.pos+1
	for i := start; i < len(data); i++ {
		switch c := data[i]; {
		case c == '"':
			d.pos = i + 1
			return data[start:i], true
		case c == '\\' || c < 0x20:
			return nil, false
		}
	}
	return nil, false
}
