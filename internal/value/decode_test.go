package value

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// decodeTokens is the json.Decoder.Token decoder DecodeValue used before decodeFast: the
// reference the fast decoder must agree with.
func decodeTokens(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("isc: trailing data after JSON value")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder, depth int) (any, error) {
	if depth > maxDepth {
		return nil, errors.New("value: JSON nested too deeply")
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("value: decode JSON: %w", err)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := NewObject()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, fmt.Errorf("value: decode JSON: %w", err)
				}
				k, ok := kt.(string)
				if !ok {
					return nil, errors.New("value: decode JSON: object key is not a string")
				}
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				o.Set(k, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, fmt.Errorf("value: decode JSON: %w", err)
			}
			return o, nil
		case '[':
			arr := []any{}
			for dec.More() {
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, fmt.Errorf("value: decode JSON: %w", err)
			}
			return arr, nil
		default:
			return nil, fmt.Errorf("value: decode JSON: unexpected %q", t)
		}
	default:
		return t, nil
	}
}

func agree(t *testing.T, data []byte) {
	t.Helper()
	want, werr := decodeTokens(data)
	got, gerr := decodeFast(data)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%q: fast decoder error %v, reference error %v", data, gerr, werr)
	}
	if werr != nil {
		return
	}
	wb, err := Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	gb, err := Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(wb, gb) {
		t.Fatalf("%q: fast decoder %s, reference %s", data, gb, wb)
	}
}

var decodeCases = []string{
	`{"a":1,"b":[true,null,"x"],"c":{"d":1.5e10}}`,
	`[{"id":"2c91","connectorAttributes":{"password":"enc:v1:abc"}}]`,
	`{"message":" Rate Limit Exceeded "}`,
	`{"a":"<&>\u2028"}`, `{"a":"\ud83d\ude00 \/ \" \\ \n"}`, `"\ud800"`,
	`{"a":1`, `{"a":1}{"b":2}`, `{} {}`, ` {"a" : [ 1 , 2 ] } `, "\t[]\n",
	`[[[[[[[[[[]]]]]]]]]]`, strings.Repeat("[", 201) + strings.Repeat("]", 201), strings.Repeat("[", 200) + strings.Repeat("]", 200),
	`{"dup":1,"dup":2}`, `12345678901234567890123456789`, `-0`, `0.5`, `1E+2`, `-1e-7`,
	`01`, `[01]`, `1.`, `.5`, `-`, `1e`, `+1`, `[1,]`, `{"a":1,}`, `{,}`, `[,1]`, `{"a"}`, `{1:2}`,
	"\"\xff\"", "\"a\x01b\"", "\"\x7f\"", `"abc`, `"\`, `"\q"`, `"\u12"`, `tru`, `nul`, `falsey`, `true false`,
	``, `   `, `<html>`, `[{"name":"HR`, `{"a":[1,2`,
}

func TestDecodeFastAgreesWithTokens(t *testing.T) {
	for _, c := range decodeCases {
		agree(t, []byte(c))
	}
}

func FuzzDecodeFastAgrees(f *testing.F) {
	for _, c := range decodeCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) { agree(t, data) })
}

func BenchmarkDecodeObjects(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i := range 250 {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString(`{"id":"2c9180835d191a86015d28455b4a2329","name":"Corporate Directory","description":"Corporate directory",
		"owner":{"type":"IDENTITY","id":"2c91808568c529c60168cca6f90c1313","name":"Amelia Ortiz"},"deleteThreshold":25,"authoritative":false,
		"features":["PROVISIONING","SYNC_PROVISIONING","AUTHENTICATE"],"connectorAttributes":{"host":"dc01.corp.acme.example","port":636,"useSSL":true,
		"password":"2:ENC-PNXcigXahryljQ2XQjo9cQI/JFDPIGPGoDIqWfy9ZboSa0fVYleDALYbT6fD5A==","cloudExternalId":"62867"},
		"healthy":true,"status":"SOURCE_STATE_HEALTHY","created":"2022-02-08T14:50:03.827Z","modified":"2025-03-10T16:05:44.102Z","category":null}`)
	}
	buf.WriteByte(']')
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		objs, err := DecodeObjects(data)
		if err != nil || len(objs) != 250 {
			b.Fatal(len(objs), err)
		}
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// agreeKeep checks DecodeObjectsKeep against DecodeObjects followed by the filter: same
// error, same page length, the same objects; and decodeObjects against DecodeObjects.
func agreeKeep(t *testing.T, data []byte) {
	t.Helper()
	keep := func(name string) bool { return strings.HasPrefix(name, "k") }
	all, werr := DecodeObjects(data)
	got, n, gerr := DecodeObjectsKeep(data, keep)
	if (werr == nil) != (gerr == nil) || (werr != nil && werr.Error() != gerr.Error()) {
		t.Fatalf("%q: DecodeObjectsKeep error %v, DecodeObjects error %v", data, gerr, werr)
	}
	direct, derr := decodeObjects(data)
	if (werr == nil) != (derr == nil) || (werr != nil && werr.Error() != derr.Error()) {
		t.Fatalf("%q: decodeObjects error %v, DecodeObjects error %v", data, derr, werr)
	}
	if werr != nil {
		return
	}
	if ab, db := mustMarshal(t, all), mustMarshal(t, direct); !bytes.Equal(ab, db) || (all == nil) != (direct == nil) {
		t.Fatalf("%q: decodeObjects %s, DecodeObjects %s", data, db, ab)
	}
	want := []*Object{}
	for _, o := range all {
		if keep(o.String("name")) {
			want = append(want, o)
		}
	}
	if n != len(all) {
		t.Fatalf("%q: length %d, want %d", data, n, len(all))
	}
	wb, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	gb, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(wb, gb) {
		t.Fatalf("%q: kept %s, want %s", data, gb, wb)
	}
}

var keepCases = []string{
	`[]`, ` [ ] `, `[{}]`, `[{"name":"keep"},{"name":"drop"}]`,
	`[{"id":"1","name":"drop","x":{"name":"keep"}},{"x":[1,{"name":"k"}],"name":"kept"}]`,
	`[{"name":"k\u0065ep"},{"name":"dr\u006fp"},{"n\u0061me":"keep"},{"name":"drop","d":"a\"b"}]`,
	`[{"name":"drop","name":"keep"},{"name":"keep","name":"drop"},{"name":1},{"name":null},{"name":"keep","x":"` + "\xff" + `"}]`,
	"[{\"name\":\"k\xff\"},{\"name\":\"\xffk\"}]",
	`[{"name":"drop","x":01}]`, `[{"name":"drop","x":[1,]}]`, `[{"name":"drop","x":"\q"}]`, `[{"name":"drop","x":"a` + "\x01" + `"}]`,
	`[{"name":"drop"},1]`, `[{"name":"drop"},[]]`, `[{"name":"drop"}`, `[{"name":"drop"}]x`, `[{"name":"drop"}] `, `{"name":"keep"}`,
	`[{"name":"drop","x":` + strings.Repeat("[", 198) + strings.Repeat("]", 198) + `}]`,
	`[{"name":"drop","x":` + strings.Repeat("[", 199) + strings.Repeat("]", 199) + `}]`,
	`[{"name":"drop","x":tru}]`, `[{"name":"drop","x":-}]`, `[{"name":"drop","x":1e5,"y":-0.5,"z":true,"w":false,"v":null}]`,
}

func TestDecodeObjectsKeepAgrees(t *testing.T) {
	for _, c := range append(keepCases, decodeCases...) {
		agreeKeep(t, []byte(c))
	}
}

func FuzzDecodeObjectsKeepAgrees(f *testing.F) {
	for _, c := range append(keepCases, decodeCases...) {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) { agreeKeep(t, data) })
}
