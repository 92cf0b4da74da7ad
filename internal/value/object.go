package value

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Object is a JSON object that keeps its keys in the order the server sent them and every value
// verbatim, including fields this code does not know. A full-object PUT is built from it, so a
// field dropped here would be a field wiped in the tenant.
//
// Values are nil, bool, json.Number, string, []any or *Object — exactly what Decode produces.
type Object struct {
	keys []string
	vals []any // vals[i] is the value of keys[i]
	// index maps a key to its place once the object has more than indexFrom keys. Smaller
	// objects, nearly all of them, are searched: a map per object costs memory and GC work.
	index map[string]int
}

// indexFrom is the size above which an Object keeps an index: below it a scan of the keys is
// as fast as a map lookup and costs no allocation.
const indexFrom = 32

// NewObject returns an empty Object.
func NewObject() *Object { return &Object{} }

// NewObjectSize returns an empty Object with room for n keys: decoders that know the count
// spare the slices their growth steps.
func NewObjectSize(n int) *Object {
	return &Object{keys: make([]string, 0, n), vals: make([]any, 0, n)}
}

// Len is the number of keys.
func (o *Object) Len() int {
	if o == nil {
		return 0
	}
	return len(o.keys)
}

// Keys returns the keys in order. The slice is a copy; All iterates without one.
func (o *Object) Keys() []string {
	if o == nil {
		return nil
	}
	return append([]string(nil), o.keys...)
}

// All iterates over the keys and values in order, without copying. The object must not be
// changed during the iteration.
func (o *Object) All() iter.Seq2[string, any] {
	return func(yield func(string, any) bool) {
		if o == nil {
			return
		}
		for i, k := range o.keys {
			if !yield(k, o.vals[i]) {
				return
			}
		}
	}
}

// find returns the place of key, or -1.
func (o *Object) find(key string) int {
	if o.index != nil {
		if i, ok := o.index[key]; ok {
			return i
		}
		return -1
	}
	for i, k := range o.keys {
		if k == key {
			return i
		}
	}
	return -1
}

// reindex builds the index when the object is large enough to need one.
func (o *Object) reindex() {
	if len(o.keys) <= indexFrom {
		o.index = nil
		return
	}
	o.index = make(map[string]int, len(o.keys))
	for i, k := range o.keys {
		o.index[k] = i
	}
}

// Get returns the value of key and whether it is present.
func (o *Object) Get(key string) (any, bool) {
	if o == nil {
		return nil, false
	}
	if i := o.find(key); i >= 0 {
		return o.vals[i], true
	}
	return nil, false
}

// String returns the value of key when it is a string, else "".
func (o *Object) String(key string) string {
	v, _ := o.Get(key)
	s, _ := v.(string)
	return s
}

// Object returns the value of key when it is a nested object, else nil.
func (o *Object) Object(key string) *Object {
	v, _ := o.Get(key)
	m, _ := v.(*Object)
	return m
}

// Set sets key to v, appending the key if it is new and keeping its place otherwise.
func (o *Object) Set(key string, v any) {
	if i := o.find(key); i >= 0 {
		o.vals[i] = v
		return
	}
	o.keys = append(o.keys, key)
	o.vals = append(o.vals, v)
	switch {
	case o.index != nil:
		o.index[key] = len(o.keys) - 1
	case len(o.keys) > indexFrom:
		o.reindex()
	}
}

// Delete removes key.
func (o *Object) Delete(key string) {
	if o == nil {
		return
	}
	i := o.find(key)
	if i < 0 {
		return
	}
	// Fresh slices: a Clone or a caller of Keys may share the old backing arrays' prefix.
	o.keys = append(o.keys[:i:i], o.keys[i+1:]...)
	o.vals = append(o.vals[:i:i], o.vals[i+1:]...)
	if o.index != nil {
		o.reindex()
	}
}

// Clone returns a deep copy.
func (o *Object) Clone() *Object {
	if o == nil {
		return nil
	}
	c := &Object{keys: append([]string(nil), o.keys...), vals: make([]any, len(o.vals))}
	for i, v := range o.vals {
		c.vals[i] = Clone(v)
	}
	if o.index != nil {
		c.reindex()
	}
	return c
}

// Clone deep-copies a value of the kinds an Object holds.
func Clone(v any) any {
	switch t := v.(type) {
	case *Object:
		return t.Clone()
	case []any:
		c := make([]any, len(t))
		for i, e := range t {
			c[i] = Clone(e)
		}
		return c
	default:
		return v
	}
}

// ToMap converts the object to plain maps and slices (for comparison and rendering), losing the
// key order but no value.
func (o *Object) ToMap() map[string]any {
	if o == nil {
		return nil
	}
	m := make(map[string]any, len(o.keys))
	for i, k := range o.keys {
		m[k] = ToPlain(o.vals[i])
	}
	return m
}

// ToPlain converts *Object values (at any depth) to map[string]any.
func ToPlain(v any) any {
	switch t := v.(type) {
	case *Object:
		return t.ToMap()
	case []any:
		c := make([]any, len(t))
		for i, e := range t {
			c[i] = ToPlain(e)
		}
		return c
	default:
		return v
	}
}

// FromPlain converts map[string]any values (at any depth) to *Object with sorted keys; numbers
// of Go numeric types become json.Number so that every Object holds one representation.
func FromPlain(v any) any {
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		o := NewObject()
		for _, k := range keys {
			o.Set(k, FromPlain(t[k]))
		}
		return o
	case []any:
		c := make([]any, len(t))
		for i, e := range t {
			c[i] = FromPlain(e)
		}
		return c
	case []string:
		c := make([]any, len(t))
		for i, e := range t {
			c[i] = e
		}
		return c
	case int:
		return json.Number(fmt.Sprint(t))
	case int64:
		return json.Number(fmt.Sprint(t))
	case float64:
		b, _ := json.Marshal(t)
		return json.Number(b)
	default:
		return v
	}
}

// MarshalJSON writes the object with its keys in order.
func (o *Object) MarshalJSON() ([]byte, error) {
	return appendValue(nil, o)
}

// Marshal writes any value an Object holds (or a list of Objects) as JSON, keys in order
// and <, > and & unescaped, so that bytes round-trip.
func Marshal(v any) ([]byte, error) {
	if list, ok := v.([]*Object); ok {
		out := []byte{'['}
		for i, o := range list {
			if i > 0 {
				out = append(out, ',')
			}
			var err error
			if out, err = appendValue(out, o); err != nil {
				return nil, err
			}
		}
		return append(out, ']'), nil
	}
	return appendValue(nil, v)
}

// appendValue appends v's JSON to dst, into one growing slice rather than a buffer per value,
// as the emulator answers every listing through it. The output is byte for byte what
// encoding/json writes with HTML escaping off (TestAppendValueMatchesEncodingJSON, FuzzAppendString).
func appendValue(dst []byte, v any) ([]byte, error) {
	switch t := v.(type) {
	case *Object:
		if t == nil {
			return append(dst, "null"...), nil
		}
		dst = append(dst, '{')
		for i, k := range t.keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, k)
			dst = append(dst, ':')
			var err error
			if dst, err = appendValue(dst, t.vals[i]); err != nil {
				return nil, fmt.Errorf("field %q: %w", k, err)
			}
		}
		return append(dst, '}'), nil
	case []any:
		// A nil list is written as [] as well: the API's lists are never null.
		dst = append(dst, '[')
		for i, e := range t {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendValue(dst, e); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	case string:
		return appendString(dst, t), nil
	case bool:
		return strconv.AppendBool(dst, t), nil
	case nil:
		return append(dst, "null"...), nil
	default:
		// Numbers and anything unusual: encoding/json validates json.Number and knows every
		// other type; they are rare enough that its cost does not matter.
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return nil, err
		}
		return append(dst, bytes.TrimRight(b.Bytes(), "\n")...), nil
	}
}

// appendString appends s as a JSON string the way encoding/json does with HTML escaping off:
// short escapes for the usual controls, \u00xx for the others, U+FFFD for invalid UTF-8, and
// U+2028/U+2029 escaped for JavaScript's sake.
func appendString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// UnmarshalJSON reads an object, keeping key order and numbers as json.Number.
func (o *Object) UnmarshalJSON(data []byte) error {
	v, err := Decode(data)
	if err != nil {
		return err
	}
	obj, ok := v.(*Object)
	if !ok {
		return errors.New("value: JSON value is not an object")
	}
	*o = *obj
	return nil
}

// maxDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxDepth = 200

// Decode reads one JSON value from data: *Object for objects, []any for arrays, json.Number
// for numbers. It is the project's one JSON decoder: the client, the emulator, the plan file
// reader and the tests all go through it.
func Decode(data []byte) (any, error) {
	return decodeFast(data)
}

// DecodeObjects reads a JSON array of objects (a list response).
func DecodeObjects(data []byte) ([]*Object, error) {
	v, err := Decode(data)
	if err != nil {
		return nil, err
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, errors.New("value: JSON value is not an array")
	}
	out := make([]*Object, 0, len(arr))
	for i, e := range arr {
		obj, ok := e.(*Object)
		if !ok {
			return nil, fmt.Errorf("value: array element %d is not an object", i)
		}
		out = append(out, obj)
	}
	return out, nil
}

// Path returns the value at a dotted path such as "connectorAttributes.password".
func (o *Object) Path(path string) (any, bool) {
	cur := o
	parts := strings.Split(path, ".")
	for i, p := range parts {
		v, ok := cur.Get(p)
		if !ok {
			return nil, false
		}
		if i == len(parts)-1 {
			return v, true
		}
		next, ok := v.(*Object)
		if !ok {
			return nil, false
		}
		cur = next
	}
	return nil, false
}
