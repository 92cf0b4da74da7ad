package diff

import (
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/sailsync/sailsync/internal/config"
)

// TestRulesDerivedFromKindTable: what the rules ignore and compare as sets, and what compute
// calls immutable, is exactly what config's kind table says, kind by kind.
func TestRulesDerivedFromKindTable(t *testing.T) {
	t.Parallel()
	// Every field any row names, and one no row names.
	candidates := map[string]bool{"description": true}
	for _, k := range config.AllKinds() {
		s, _ := config.KindInfo(k)
		for _, l := range [][]string{s.Identity, s.Immutable, s.ServerManaged, s.TenantKept, s.SetLike} {
			maps.Copy(candidates, setOf(l))
		}
	}
	ignoredAnywhere := map[string]bool{}
	wantIgnored := map[string]bool{}
	for _, k := range config.AllKinds() {
		s, _ := config.KindInfo(k)
		c := newComparison(k, Rules)
		maps.Copy(wantIgnored, setOf(s.IgnoredInComparison()))
		for f := range candidates {
			ignored := c.ignored(nil, f, true)
			if ignored {
				ignoredAnywhere[f] = true
			}
			if want := slices.Contains(s.IgnoredInComparison(), f); ignored != want {
				t.Errorf("%s.%s: a declared field ignored %v, the kind table says %v", k, f, ignored, want)
			}
			d, l, _ := c.normalize([]string{f}, []any{"b", "a"}, []any{"a", "b"}, true)
			if set, want := reflect.DeepEqual(d, l), slices.Contains(s.SetLike, f); set != want {
				t.Errorf("%s.%s: compared as a set %v, the kind table says %v", k, f, set, want)
			}
		}
	}
	if !maps.Equal(ignoredAnywhere, wantIgnored) {
		t.Errorf("the rules ignore %v, the kind table's server-managed fields less the immutable ones are %v",
			fieldNames(ignoredAnywhere), fieldNames(wantIgnored))
	}

	src, _ := config.KindInfo(config.KindSource)
	if !maps.Equal(immutableSourceFields, setOf(src.Immutable)) {
		t.Errorf("immutable source fields %v, kind table %v", fieldNames(immutableSourceFields), src.Immutable)
	}
}

// TestPlannerPerKind: every kind of config's table has a planner (kind_<kind>.go, or plain.go
// for a plain kind) and every planner a table row, so that a half-added kind fails here rather
// than planning nothing; a kind drift reports unmanaged objects of finds them itself.
func TestPlannerPerKind(t *testing.T) {
	for _, k := range config.AllKinds() {
		p, ok := planners[k]
		if !ok || p.plan == nil || p.live == nil {
			t.Errorf("kind %s: no planner with plan and live (registerPlanner)", k)
			continue
		}
		if s, _ := config.KindInfo(k); s.Unmanaged != (p.unmanaged != nil) {
			t.Errorf("kind %s: Unmanaged %v in the table, unmanaged planner %v", k, s.Unmanaged, p.unmanaged != nil)
		}
	}
	for k := range planners {
		if _, ok := config.KindInfo(k); !ok {
			t.Errorf("planner for %s: no such kind in config's table", k)
		}
	}
}
