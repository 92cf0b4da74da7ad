package diff

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDiffPathsSubsetMatchesFullCmp checks that handing cmp only the top-level fields that are
// not plainly equal reports exactly the paths cmp reports on the whole projection.
func TestDiffPathsSubsetMatchesFullCmp(t *testing.T) {
	t.Parallel()
	full := func(live, desired map[string]any) [][]string {
		r := &pathReporter{seen: map[string]bool{}}
		cmp.Equal(live, desired, cmp.Reporter(r))
		return r.paths
	}
	num := func(s string) json.Number { return json.Number(s) }
	tests := []struct {
		name          string
		live, desired map[string]any
	}{
		{"equal", map[string]any{"a": "x", "n": num("1")}, map[string]any{"a": "x", "n": num("1")}},
		{"string differs", map[string]any{"a": "x", "b": "y"}, map[string]any{"a": "x", "b": "z"}},
		{"only live", map[string]any{"a": "x", "b": "y"}, map[string]any{"a": "x"}},
		{"only desired", map[string]any{"a": "x"}, map[string]any{"a": "x", "c": true}},
		{"nested", map[string]any{"o": map[string]any{"p": num("1"), "q": "s"}, "z": "1"},
			map[string]any{"o": map[string]any{"p": num("2"), "q": "s"}, "z": "1"}},
		{"nil map vs empty", map[string]any{"o": map[string]any(nil)}, map[string]any{"o": map[string]any{}}},
		{"nil list vs empty", map[string]any{"l": []any(nil)}, map[string]any{"l": []any{}}},
		{"list element", map[string]any{"l": []any{"a", "b"}}, map[string]any{"l": []any{"a", "c"}}},
		{"type differs", map[string]any{"n": "1"}, map[string]any{"n": num("1")}},
		{"nil values", map[string]any{"n": nil}, map[string]any{"n": nil, "m": nil}},
		{"other type", map[string]any{"f": 1.5}, map[string]any{"f": 1.5}},
		{"live nil", nil, map[string]any{"a": "x"}},
		{"empty", map[string]any{}, map[string]any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, want := diffPaths(tt.live, tt.desired), full(tt.live, tt.desired)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("diffPaths = %q, cmp on the whole = %q", got, want)
			}
		})
	}
}
