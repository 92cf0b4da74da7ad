package value

import (
	"bytes"
	"encoding/json"
	"testing"
)

// encodingJSON is what appendValue must reproduce: encoding/json with HTML escaping off.
func encodingJSON(t testing.TB, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

func TestAppendValueMatchesEncodingJSON(t *testing.T) {
	strs := []string{
		"", "plain", `quote " and \ backslash`, "<script>&amp;</script>", "tab\tnew\nline\rcr",
		"\b\f\x00\x01\x1f\x7f", "ünïcödé ✓ 🎉", "\u2028line\u2029para", "bad \xff\xfe utf8", "\xc3",
		"ends in \xe2\x80", "mixed \"\xff\u2028\x02",
	}
	for _, s := range strs {
		if got, want := appendString(nil, s), encodingJSON(t, s); !bytes.Equal(got, want) {
			t.Errorf("string %q: got %s, want %s", s, got, want)
		}
	}
	obj := NewObject()
	obj.Set("name", "Acme <HR> & \"co\"")
	obj.Set("n", json.Number("10"))
	obj.Set("f", json.Number("-1.5e3"))
	obj.Set("ok", true)
	obj.Set("no", false)
	obj.Set("none", nil)
	obj.Set("list", []any{"a", json.Number("1"), nil, []any{}, NewObject()})
	inner := NewObject()
	inner.Set("k\n", "v")
	obj.Set("inner", inner)
	got, err := obj.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"name":"Acme <HR> & \"co\"","n":10,"f":-1.5e3,"ok":true,"no":false,"none":null,"list":["a",1,null,[],{}],"inner":{"k\n":"v"}}`
	if string(got) != want {
		t.Errorf("object:\n got %s\nwant %s", got, want)
	}
	// The list form and nil values.
	list, err := Marshal([]*Object{inner, nil})
	if err != nil {
		t.Fatal(err)
	}
	if string(list) != `[{"k\n":"v"},null]` {
		t.Errorf("list: got %s", list)
	}
	if b, _ := Marshal([]any(nil)); string(b) != "[]" {
		t.Errorf("nil list: got %s, want []", b)
	}
	// An invalid number is an error, as it is for encoding/json, naming the field.
	bad := NewObject()
	bad.Set("deleteThreshold", json.Number("ten"))
	if _, err := bad.MarshalJSON(); err == nil || !bytes.Contains([]byte(err.Error()), []byte("deleteThreshold")) {
		t.Errorf("invalid number: got %v, want an error naming the field", err)
	}
}

// FuzzAppendString holds the string writer to encoding/json on any input, valid UTF-8 or not.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "a\"b\\c", "\x00\x1f", "\u2028", "\xff", "✓\xe2\x80", "<&>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := appendString(nil, s), encodingJSON(t, s); !bytes.Equal(got, want) {
			t.Fatalf("string %q: got %s, want %s", s, got, want)
		}
	})
}

func BenchmarkMarshalSource(b *testing.B) {
	src := NewObject()
	for _, k := range []string{"id", "name", "description", "connector", "connectorClass", "type", "created", "modified"} {
		src.Set(k, "value of "+k+" with some length to it")
	}
	attrs := NewObject()
	attrs.Set("file", "bench-00001.csv")
	attrs.Set("hasHeader", true)
	src.Set("connectorAttributes", attrs)
	src.Set("features", []any{"DIRECT_PERMISSIONS", "NO_RANDOM_ACCESS"})
	src.Set("deleteThreshold", json.Number("10"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := src.MarshalJSON(); err != nil {
			b.Fatal(err)
		}
	}
}
