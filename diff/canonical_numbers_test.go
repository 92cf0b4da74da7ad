package diff

import (
	"encoding/json"
	"math/big"
	"reflect"
	"testing"
)

// copyingCanonicalNumbers is the rule as it was before unchanged values were shared: a copy of
// every list and map.
func copyingCanonicalNumbers(v any) any {
	switch t := v.(type) {
	case json.Number:
		if plainInteger(string(t)) {
			return t
		}
		r, ok := new(big.Rat).SetString(string(t))
		if !ok {
			return t
		}
		return json.Number(r.RatString())
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = copyingCanonicalNumbers(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = copyingCanonicalNumbers(e)
		}
		return out
	default:
		return v
	}
}

func TestCanonicalNumbersMatchesCopy(t *testing.T) {
	t.Parallel()
	n := func(s string) json.Number { return json.Number(s) }
	tests := []any{
		nil, "x", true, n("10"), n("10.0"), n("1e1"), n("-0"), n("abc"),
		[]any(nil), []any{}, map[string]any(nil), map[string]any{},
		[]any{"a", n("1"), n("1.50")},
		map[string]any{"a": n("2"), "b": map[string]any{"c": n("2.0"), "d": []any{n("3"), nil}}},
		map[string]any{"a": "s", "b": map[string]any{"c": map[string]any(nil)}, "e": []any(nil)},
	}
	for _, v := range tests {
		got, want := canonicalNumbers(v), copyingCanonicalNumbers(v)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("canonicalNumbers(%#v) = %#v, want %#v", v, got, want)
		}
	}
}
