package diff

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

// TestPlainKind: a plain kind (Transform) is planned from its table row alone: created as
// declared, updated by the declared fields that differ, its immutable fields violations at their
// YAML line, ignore rules applied (and left out of the update's body), a tombstone a delete of
// the live object, and the tenant's own (internal) object never changed.
func TestPlainKind(t *testing.T) {
	t.Parallel()
	const doc = "kind: Transform\nname: T\ntype: static\nattributes:\n  value: a\n  other: b\n"
	live := func(attrs string, internal bool) *value.Object {
		v, err := value.Decode([]byte(`{"id":"t-1","name":"T","type":"static","attributes":` + attrs + `,"internal":` + map[bool]string{false: "false", true: "true"}[internal] + `}`))
		if err != nil {
			t.Fatal(err)
		}
		return v.(*value.Object)
	}
	for _, tc := range []struct {
		name     string
		yaml     string
		settings string
		live     *value.Object
		action   Action
		fields   string // the changed paths
		rule     string // the violation's rule, if any
		body     string // keys of the operation's attributes
		ignored  int
	}{
		{name: "create", yaml: doc, action: ActionCreate, fields: "name,type,attributes.value,attributes.other", body: "value,other"},
		{name: "no change", yaml: doc, live: live(`{"value":"a","other":"b"}`, false), action: ActionNoChange},
		{name: "update", yaml: doc, live: live(`{"value":"a","other":"c"}`, false), action: ActionUpdate, fields: "attributes.other", body: "value,other"},
		{name: "type", yaml: strings.Replace(doc, "type: static", "type: upper", 1), live: live(`{"value":"a","other":"b"}`, false),
			action: ActionViolation, fields: "type", rule: "immutable: PUT /v3/transforms/{id} rejects changes to type (400)"},
		{name: "ignored", yaml: doc, live: live(`{"value":"a","other":"c"}`, false), action: ActionNoChange, ignored: 1,
			settings: "ignore:\n  - kind: Transform\n    fields: [attributes.other]\n    reason: tuned in the UI\n"},
		{name: "internal", yaml: doc, live: live(`{"value":"a","other":"b"}`, true), action: ActionViolation, fields: "",
			rule: "(internal: true) has this name"},
		{name: "tombstone", yaml: "kind: Transform\nname: T\nabsent: true\nreason: gone\n", live: live(`null`, false), action: ActionDelete},
		{name: "tombstone, none live", yaml: "kind: Transform\nname: T\nabsent: true\nreason: gone\n", action: ActionNoChange},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "t.yaml"), []byte(tc.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			if tc.settings != "" {
				if err := os.WriteFile(filepath.Join(dir, "sailsync.yaml"), []byte(tc.settings), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			repo, err := config.Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			l := liveOf(liveState{Objects: map[config.Kind]map[string]*value.Object{config.KindTransform: {}}})
			if tc.live != nil {
				l.Put(config.KindTransform, "", "T", tc.live)
			}
			p, err := Compute(repo, l, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Changes) != 1 {
				t.Fatalf("changes %+v", p.Changes)
			}
			ch := p.Changes[0]
			var paths []string
			for _, f := range ch.Fields {
				paths = append(paths, f.Path)
			}
			if ch.Action != tc.action || strings.Join(paths, ",") != tc.fields || len(p.Ignored) != tc.ignored {
				t.Errorf("%s %v, %d ignored; want %s %s, %d", ch.Action, paths, len(p.Ignored), tc.action, tc.fields, tc.ignored)
			}
			switch {
			case tc.rule != "":
				if len(p.Violations) != 1 || !strings.Contains(p.Violations[0].Rule, tc.rule) || p.Violations[0].File != "t.yaml" || p.Violations[0].Line < 2 || ch.Op != nil {
					t.Errorf("violations %+v, op %v; want one: %q", p.Violations, ch.Op, tc.rule)
				}
			case len(p.Violations) > 0:
				t.Errorf("violations %+v", p.Violations)
			}
			if tc.body != "" {
				if ch.Op == nil || ch.Op.Body == nil || strings.Join(ch.Op.Body.Object("attributes").Keys(), ",") != tc.body {
					t.Errorf("operation %+v, want a body with attributes %s", ch.Op, tc.body)
				}
			}
			if tc.action == ActionDelete && (ch.Op == nil || ch.LiveID != "t-1") {
				t.Errorf("delete: op %v, live id %q", ch.Op, ch.LiveID)
			}
		})
	}
}
