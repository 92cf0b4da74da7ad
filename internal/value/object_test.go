package value

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestObjectRoundTripKeepsOrderAndValues(t *testing.T) {
	in := `{"zeta":1,"alpha":{"b":2,"a":[1,2.50,{"y":null,"x":true}]},"big":12345678901234567890123,` +
		`"exp":1.0e3,"html":"<a href=\"x\">&amp;</a>","uni":"é\u2028✓","empty":{},"list":[],"neg":-0.0}`
	var o Object
	if err := json.Unmarshal([]byte(in), &o); err != nil {
		t.Fatal(err)
	}
	out, err := o.MarshalJSON() // json.Marshal would re-escape <, > and &
	if err != nil {
		t.Fatal(err)
	}
	// encoding/json compacts and escapes U+2028 the same way on both sides; compare compacted.
	var want bytes.Buffer
	if err := json.Compact(&want, []byte(in)); err != nil {
		t.Fatal(err)
	}
	if string(out) != strings.ReplaceAll(want.String(), "\u2028", `\u2028`) {
		t.Errorf("round trip changed the document:\n got %s\nwant %s", out, want.String())
	}
	if got := o.Keys(); !reflect.DeepEqual(got, []string{"zeta", "alpha", "big", "exp", "html", "uni", "empty", "list", "neg"}) {
		t.Errorf("Keys() = %v", got)
	}
	if v, _ := o.Get("big"); v != json.Number("12345678901234567890123") {
		t.Errorf("big number = %#v, want the exact json.Number", v)
	}
	if v, ok := o.Path("alpha.a"); !ok || len(v.([]any)) != 3 {
		t.Errorf("Path(alpha.a) = %v, %v", v, ok)
	}
	if _, ok := o.Path("alpha.a.x"); ok {
		t.Error("Path through an array should not resolve")
	}
	if o.Object("alpha").String("missing") != "" || o.Object("zeta") != nil {
		t.Error("typed getters returned a value for a missing or mistyped key")
	}
}

func TestObjectSetDeleteClone(t *testing.T) {
	o := NewObject()
	o.Set("a", "1")
	o.Set("b", NewObject())
	o.Set("c", []any{"x"})
	o.Set("a", "2") // keeps its place
	if got := o.Keys(); !reflect.DeepEqual(got, []string{"a", "b", "c"}) {
		t.Fatalf("Keys() = %v", got)
	}
	c := o.Clone()
	c.Object("b").Set("nested", "v")
	cv, _ := c.Get("c")
	c.Set("c", append(cv.([]any), "y"))
	if o.Object("b").Len() != 0 {
		t.Error("Clone shares nested objects")
	}
	if ov, _ := o.Get("c"); len(ov.([]any)) != 1 {
		t.Error("Clone shares arrays")
	}
	o.Delete("a")
	o.Delete("missing")
	if got := o.Keys(); !reflect.DeepEqual(got, []string{"b", "c"}) || o.Len() != 2 {
		t.Fatalf("after Delete, Keys() = %v", got)
	}
	// Keys returns a copy.
	k := o.Keys()
	k[0] = "mutated"
	if o.Keys()[0] != "b" {
		t.Error("Keys() exposes internal state")
	}
	var nilObj *Object
	if nilObj.Len() != 0 || nilObj.Keys() != nil || nilObj.Clone() != nil || nilObj.ToMap() != nil {
		t.Error("nil Object accessors")
	}
	if b, _ := nilObj.MarshalJSON(); string(b) != "null" {
		t.Errorf("nil MarshalJSON = %s", b)
	}
}

func TestFromPlainToPlain(t *testing.T) {
	plain := map[string]any{"b": 1, "a": []any{int64(2), 2.5, map[string]any{"z": "x"}}, "s": []string{"p"}}
	v := FromPlain(plain)
	o, ok := v.(*Object)
	if !ok {
		t.Fatalf("FromPlain returned %T", v)
	}
	b, err := o.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"a":[2,2.5,{"z":"x"}],"b":1,"s":["p"]}` {
		t.Errorf("FromPlain JSON = %s", b)
	}
	back := o.ToMap()
	if back["b"] != json.Number("1") {
		t.Errorf("ToMap b = %#v", back["b"])
	}
	if m, ok := back["a"].([]any)[2].(map[string]any); !ok || m["z"] != "x" {
		t.Errorf("ToMap nested = %#v", back["a"])
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", ``, "decode JSON"},
		{"truncated object", `{"a":[1,2`, "decode JSON"},
		{"truncated string", `[{"name":"HR`, "decode JSON"},
		{"trailing data", `{} {}`, "trailing data"},
		{"html", `<html>`, "decode JSON"},
		{"too deep", strings.Repeat("[", 300) + strings.Repeat("]", 300), "nested too deeply"},
	}
	for _, tt := range tests {
		if _, err := Decode([]byte(tt.in)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: DecodeValue error = %v, want %q", tt.name, err, tt.want)
		}
	}
	if _, err := DecodeObjects([]byte(`{"a":1}`)); err == nil || !strings.Contains(err.Error(), "not an array") {
		t.Errorf("DecodeObjects(object) error = %v", err)
	}
	if _, err := DecodeObjects([]byte(`[{"a":1},2]`)); err == nil || !strings.Contains(err.Error(), "element 1") {
		t.Errorf("DecodeObjects(mixed) error = %v", err)
	}
	objs, err := DecodeObjects([]byte(` [ {"id":"1"} , {"id":"2"} ] `))
	if err != nil || len(objs) != 2 || objs[1].String("id") != "2" {
		t.Errorf("DecodeObjects = %v, %v", objs, err)
	}
	var o Object
	if err := json.Unmarshal([]byte(`[1]`), &o); err == nil {
		t.Error("Unmarshal of an array into Object succeeded")
	}
}

// FuzzDecodeValue checks that decoding never panics and that whatever decodes re-encodes to a
// document that decodes to the same encoding (no value or order lost on a read-modify-write).
func FuzzDecodeValue(f *testing.F) {
	for _, s := range []string{
		`{"a":1,"b":[true,null,"x"],"c":{"d":1.5e10}}`,
		`[{"id":"2c91","connectorAttributes":{"password":"enc:v1:abc"}}]`,
		`{"message":" Rate Limit Exceeded "}`,
		`{"a":"<&>\u2028"}`,
		`{"a":1`,
		`{"a":1}{"b":2}`,
		`[[[[[[[[[[]]]]]]]]]]`,
		`{"dup":1,"dup":2}`,
		`12345678901234567890123456789`,
		"\"\xff\"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Decode(data)
		if err != nil {
			return
		}
		first, err := Marshal(v)
		if err != nil {
			t.Fatalf("decoded value does not marshal: %v", err)
		}
		v2, err := Decode(first)
		if err != nil {
			t.Fatalf("re-decode of %s: %v", first, err)
		}
		second, err := Marshal(v2)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, second) {
			t.Fatalf("not stable:\n%s\n%s", first, second)
		}
	})
}

// TestObjectLarge crosses indexFrom both ways: lookups, order, Set of an existing key, Delete
// and Clone must behave the same with the index as without it.
func TestObjectLarge(t *testing.T) {
	o := NewObject()
	var want []string
	for i := range 2 * indexFrom {
		k := fmt.Sprintf("k%02d", i)
		o.Set(k, i)
		want = append(want, k)
	}
	if o.index == nil {
		t.Fatalf("no index at %d keys", o.Len())
	}
	o.Set("k05", "again") // keeps its place
	if v, ok := o.Get("k05"); !ok || v != "again" {
		t.Errorf("Get(k05) = %v, %v", v, ok)
	}
	c := o.Clone()
	for i := 2 * indexFrom; i > 0; i-- {
		k := fmt.Sprintf("k%02d", i-1)
		if i%2 == 0 {
			o.Delete(k)
			want = slices.DeleteFunc(want, func(s string) bool { return s == k })
		}
	}
	if got := o.Keys(); !reflect.DeepEqual(got, want) {
		t.Fatalf("after deletes Keys() = %v, want %v", got, want)
	}
	if o.index != nil {
		t.Errorf("index kept at %d keys", o.Len())
	}
	for _, k := range want {
		if _, ok := o.Get(k); !ok {
			t.Errorf("Get(%s) lost after deletes", k)
		}
	}
	if _, ok := o.Get("k00"); ok && !slices.Contains(want, "k00") {
		t.Error("deleted key still found")
	}
	if c.Len() != 2*indexFrom {
		t.Errorf("clone changed by deletes on the original: %d keys", c.Len())
	}
	for i := range 2 * indexFrom {
		if _, ok := c.Get(fmt.Sprintf("k%02d", i)); !ok {
			t.Errorf("clone lost k%02d", i)
		}
	}
	var seen []string
	for k := range c.All() {
		seen = append(seen, k)
		if len(seen) == 3 {
			break
		}
	}
	if !reflect.DeepEqual(seen, []string{"k00", "k01", "k02"}) {
		t.Errorf("All() = %v", seen)
	}
	var zero Object
	zero.Set("a", 1)
	if v, ok := zero.Get("a"); !ok || v != 1 {
		t.Error("the zero Object does not take Set")
	}
}
