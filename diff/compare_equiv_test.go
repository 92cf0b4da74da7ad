package diff

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

// compareWhole is the comparison compare stands for: both objects projected whole and the
// projections handed to cmp whole.
func compareWhole(cmpn *comparison, desired, live *value.Object) []Field {
	d, l, _ := cmpn.project(nil, desired, live, true)
	dm, _ := d.(map[string]any)
	lm, _ := l.(map[string]any)
	r := &pathReporter{seen: map[string]bool{}}
	cmp.Equal(lm, dm, cmp.Reporter(r))
	fields := []Field{}
	for _, segs := range r.paths {
		before, _ := getPath(live, segs)
		after, _ := getPath(desired, segs)
		fields = append(fields, Field{Path: strings.Join(segs, "."), Before: before, After: shown(after)})
	}
	return fields
}

// valueGen makes random desired/live pairs over the keys and values the rules care about:
// server-managed and set-like top-level fields, connectorAttributes, numbers spelled several
// ways, nulls and empty lists, secrets.
type valueGen struct{ r *rand.Rand }

var (
	genTopKeys    = []string{"name", "description", "features", "passwordPolicies", "connectorAttributes", "healthy", "created", "owner", "deleteThreshold", "id"}
	genNestedKeys = []string{"a", "b", "host", "list", "healthy", "nested"}
	genStrings    = []string{"x", "y", "DIRECT_PERMISSIONS", "NO_RANDOM_ACCESS"}
	genNumbers    = []string{"1", "1.0", "10", "1e1", "2", "0.5"}
)

func (g valueGen) scalar() any {
	switch g.r.IntN(5) {
	case 0:
		return genStrings[g.r.IntN(len(genStrings))]
	case 1:
		return json.Number(genNumbers[g.r.IntN(len(genNumbers))])
	case 2:
		return g.r.IntN(2) == 0
	case 3:
		return nil
	default:
		if g.r.IntN(2) == 0 {
			return []any(nil)
		}
		return []any{}
	}
}

func (g valueGen) value(depth int, secrets bool) any {
	if depth <= 0 || g.r.IntN(3) == 0 {
		if secrets && g.r.IntN(10) == 0 {
			return secretValue{vars: []string{"X"}}
		}
		return g.scalar()
	}
	if g.r.IntN(2) == 0 {
		n := g.r.IntN(4)
		l := make([]any, n)
		for i := range l {
			l[i] = g.value(depth-1, secrets)
		}
		return l
	}
	return g.object(genNestedKeys, depth-1, secrets)
}

func (g valueGen) object(keys []string, depth int, secrets bool) *value.Object {
	o := value.NewObject()
	for _, k := range keys {
		if g.r.IntN(2) == 0 {
			o.Set(k, g.value(depth, secrets))
		}
	}
	return o
}

// live returns a live value like the desired d: often the same, sometimes reordered, changed,
// extended or replaced.
func (g valueGen) live(d any, keys []string, depth int) any {
	if _, ok := d.(secretValue); ok {
		if g.r.IntN(2) == 0 {
			return "cipher"
		}
		return nil
	}
	switch g.r.IntN(6) {
	case 0:
		return g.value(depth, false)
	case 1:
		if n, ok := d.(json.Number); ok && n == "1" {
			return json.Number("1.0")
		}
	}
	switch t := d.(type) {
	case *value.Object:
		return g.liveObject(t, keys, depth)
	case []any:
		l := make([]any, len(t))
		for i, e := range t {
			l[i] = g.live(e, genNestedKeys, depth-1)
		}
		if g.r.IntN(3) == 0 {
			g.r.Shuffle(len(l), func(i, j int) { l[i], l[j] = l[j], l[i] })
		}
		if len(t) == 0 && g.r.IntN(2) == 0 {
			return nil
		}
		return l
	default:
		return d
	}
}

func (g valueGen) liveObject(t *value.Object, keys []string, depth int) *value.Object {
	o := value.NewObject()
	ks := t.Keys()
	g.r.Shuffle(len(ks), func(i, j int) { ks[i], ks[j] = ks[j], ks[i] })
	for _, k := range ks {
		if g.r.IntN(8) == 0 {
			continue
		}
		v, _ := t.Get(k)
		o.Set(k, g.live(v, genNestedKeys, depth-1))
	}
	for _, k := range keys {
		if _, ok := t.Get(k); !ok && g.r.IntN(4) == 0 {
			o.Set(k, g.value(depth-1, false))
		}
	}
	return o
}

// TestCompareMatchesWholeProjection checks that comparing field by field (equal fields skipped
// unprojected, only differing ones handed to cmp) reports exactly what comparing the whole
// projections reports, under the full rule table and with each rule taken out: one subtest per
// table, each over the same generated cases.
func TestCompareMatchesWholeProjection(t *testing.T) {
	t.Parallel()
	tables := [][]Rule{Rules, nil}
	for i := range Rules {
		tables = append(tables, append(append([]Rule{}, Rules[:i]...), Rules[i+1:]...))
	}
	var differing atomic.Int64
	t.Cleanup(func() {
		if differing.Load() == 0 {
			t.Error("no generated case differs: the generator tests nothing")
		}
	})
	for ti, rules := range tables {
		t.Run(fmt.Sprintf("table %d", ti), func(t *testing.T) {
			t.Parallel()
			g := valueGen{r: rand.New(rand.NewPCG(1, 2))}
			for n := range 400 {
				desired := g.object(genTopKeys, 3, true)
				live := g.liveObject(desired, genTopKeys, 3)
				for _, kind := range []config.Kind{config.KindSource, config.KindConnector} {
					cmpn := newComparison(kind, rules)
					got, want := (&computer{}).compare(cmpn, desired, live), compareWhole(cmpn, desired, live)
					if len(want) > 0 {
						differing.Add(1)
					}
					if !reflect.DeepEqual(got, want) {
						dj, _ := json.Marshal(desired)
						lj, _ := json.Marshal(live)
						t.Fatalf("case %d, table %d, %s:\ndesired %s\nlive    %s\ncompare      %+v\nwhole object %+v", n, ti, kind, dj, lj, got, want)
					}
				}
			}
		})
	}
}
