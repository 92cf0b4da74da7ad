package config

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/schema"
)

// TestKindTable checks the table itself: each kind exactly once, levels without gaps, a schema
// exactly for the kinds users declare, and field lists that make sense together.
func TestKindTable(t *testing.T) {
	t.Parallel()
	seen := map[Kind]int{}
	for _, s := range table() {
		seen[s.Kind]++
		if s.Doc == "" || len(s.Identity) == 0 {
			t.Errorf("%s: no doc or no identity", s.Kind)
		}
		if s.Declared != (s.Schema != "") {
			t.Errorf("%s: declared %v but schema %q", s.Kind, s.Declared, s.Schema)
		}
		for _, f := range s.TenantKept {
			if slices.Contains(s.ServerManaged, f) {
				t.Errorf("%s: %s is both server-managed (never declared) and tenant-kept (declarable)", s.Kind, f)
			}
		}
		for _, f := range s.SetLike {
			if slices.Contains(s.ServerManaged, f) {
				t.Errorf("%s: %s is server-managed, so never compared: it cannot be set-like", s.Kind, f)
			}
		}
	}
	for _, k := range []Kind{KindConnector, KindSource, KindEntitlementSchema, KindConnectorFile} {
		if seen[k] != 1 {
			t.Errorf("%s appears %d times in the kind table, want once", k, seen[k])
		}
	}
	if len(seen) != len(kinds) {
		t.Errorf("the kind table has %d rows for %d kinds", len(kinds), len(seen))
	}

	levels := Levels()
	var flat []Kind
	for i, l := range levels {
		if len(l) == 0 {
			t.Errorf("level %d is empty", i)
		}
		for _, k := range l {
			if Level(k) != i {
				t.Errorf("%s is in Levels()[%d] but Level says %d", k, i, Level(k))
			}
		}
		flat = append(flat, l...)
	}
	if slices.Sort(flat); !slices.Equal(flat, sortedKinds(AllKinds())) {
		t.Errorf("Levels() holds %v, want every kind once: %v", flat, AllKinds())
	}
	if Level("Nothing") != len(levels) {
		t.Errorf("an unknown kind is at level %d, want after every level", Level("Nothing"))
	}

	var declared []Kind
	for _, k := range AllKinds() {
		s, _ := KindInfo(k)
		if s.Declared {
			declared = append(declared, k)
		}
		if knownKind(k) != s.Declared {
			t.Errorf("%s: knownKind %v, declared %v", k, knownKind(k), s.Declared)
		}
	}
	if !slices.Equal(UserKinds(), declared) {
		t.Errorf("UserKinds() = %v, want %v", UserKinds(), declared)
	}
	if got := userKindList(); got != "Connector, Transform, Source, EntitlementSchema or ProvisioningPolicy" {
		t.Errorf("userKindList() = %q", got)
	}
}

// TestKindInfoCopies: KindInfo's lists are copies, so no caller can edit the table.
func TestKindInfoCopies(t *testing.T) {
	t.Parallel()
	s, _ := KindInfo(KindSource)
	s.ServerManaged[0], s.Immutable[0] = "edited", "edited"
	again, _ := KindInfo(KindSource)
	if again.ServerManaged[0] == "edited" || again.Immutable[0] == "edited" {
		t.Error("editing KindInfo's result edited the table")
	}
	if _, ok := KindInfo("Nothing"); ok {
		t.Error("KindInfo of an unknown kind")
	}
}

// TestKindTableDerivedLists holds the lists derived in config to the table's decisions.
func TestKindTableDerivedLists(t *testing.T) {
	t.Parallel()
	for _, k := range AllKinds() {
		s, _ := KindInfo(k)
		for _, f := range s.ServerManaged {
			ignored := slices.Contains(s.IgnoredInComparison(), f)
			if ignored == slices.Contains(s.Immutable, f) {
				t.Errorf("%s.%s: ignored in comparison %v, immutable %v: exactly one must hold", k, f, ignored, !ignored)
			}
			if !slices.Contains(s.NotExported(), f) {
				t.Errorf("%s.%s is server-managed but exported", k, f)
			}
		}
		for _, f := range s.TenantKept {
			if !slices.Contains(s.NotExported(), f) {
				t.Errorf("%s.%s is tenant-kept but exported", k, f)
			}
		}
		if n := len(s.ServerManaged) + len(s.TenantKept); len(s.NotExported()) != n {
			t.Errorf("%s: %d fields not exported, want %d", k, len(s.NotExported()), n)
		}
	}
}

// TestKindTableAgreesWithSchemas holds the JSON Schemas, which cannot import this package, to the
// table: the same user kinds (the schema package finds them in file-name order), each in its file, server-managed fields forbidden
// (and no other), and every other field the table names defined.
func TestKindTableAgreesWithSchemas(t *testing.T) {
	t.Parallel()
	var want []string
	for _, k := range UserKinds() {
		want = append(want, string(k))
	}
	if got := schema.Kinds(); !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
		t.Errorf("schema kinds %v, table %v", got, want)
	}
	for _, k := range UserKinds() {
		s, _ := KindInfo(k)
		var doc struct {
			ID         string                     `json:"$id"`
			Required   []string                   `json:"required"`
			Properties map[string]json.RawMessage `json:"properties"`
		}
		if err := json.Unmarshal(schema.JSON(k), &doc); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		if !strings.HasSuffix(doc.ID, "/schema/"+s.Schema) {
			t.Errorf("%s: schema $id %q, table says schema/%s", k, doc.ID, s.Schema)
		}
		var forbidden []string
		for name, raw := range doc.Properties {
			var p map[string]json.RawMessage
			if err := json.Unmarshal(raw, &p); err != nil {
				t.Fatalf("%s.%s: %v", k, name, err)
			}
			if _, not := p["not"]; not {
				forbidden = append(forbidden, name)
			}
		}
		if slices.Sort(forbidden); !slices.Equal(forbidden, sorted(s.ServerManaged)) {
			t.Errorf("%s: the schema forbids %v, the table's server-managed fields are %v", k, forbidden, sorted(s.ServerManaged))
		}
		named := append(append(append(s.Identity, s.TenantKept...), s.SetLike...), s.Immutable...)
		for _, f := range named {
			if _, ok := doc.Properties[f]; !ok {
				t.Errorf("%s: the table names field %s, the schema does not define it", k, f)
			}
		}
		for _, f := range s.Identity {
			if !slices.Contains(doc.Required, f) {
				t.Errorf("%s: identity field %s is not required by the schema", k, f)
			}
		}
	}
}

func sorted(l []string) []string {
	l = slices.Clone(l)
	slices.Sort(l)
	return l
}

func sortedKinds(l []Kind) []Kind {
	l = slices.Clone(l)
	slices.Sort(l)
	return l
}

// TestLoaderPerKind: every declared kind of the table has a loader (kind_*.go) and every loader
// a declared row, so that a half-added kind fails here rather than as an object the loader drops.
func TestLoaderPerKind(t *testing.T) {
	t.Parallel()
	for _, k := range UserKinds() {
		if _, ok := loaders[k]; !ok {
			t.Errorf("%s: declared, but no loader registered (config/kind_*.go)", k)
		}
	}
	for k := range loaders {
		if !knownKind(k) {
			t.Errorf("loader for %s, which the kind table does not declare", k)
		}
	}
}
