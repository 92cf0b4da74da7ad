package diff

import (
	"bytes"
	"testing"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/tenanttest"
	"github.com/sailsync/sailsync/internal/value"
)

// TestIgnoreGolden renders a drift report of the Acme scenario with ignore rules (a source's
// description, a schema's attributes) and an accepted unmanaged source, with every renderer:
// ignored differences are counted and listed, not shown as changes, and not in apply's body.
func TestIgnoreGolden(t *testing.T) {
	t.Parallel()
	repo := acmeRepo(t, false)
	repo.Settings.Ignore = []config.IgnoreRule{
		{Kind: config.KindSource, Name: "Corporate*", Fields: []string{"description"}, Reason: "the directory team's (INC-7)",
			Pos: config.Pos{File: "sailsync.yaml", Line: 2, Col: 5}},
		{Kind: config.KindEntitlementSchema, Fields: []string{"attributes"}, Reason: "tuned by hand", Until: "2999-12-31",
			Pos: config.Pos{File: "sailsync.yaml", Line: 6, Col: 5}},
	}
	repo.Settings.Unmanaged = []config.UnmanagedRule{{Name: "Legacy *", Reason: "retired next quarter", Pos: config.Pos{File: "sailsync.yaml", Line: 11, Col: 5}}}
	p, err := Compute(repo, acmeLive(t), Options{Env: tenanttest.Env, Drift: true})
	if err != nil {
		t.Fatal(err)
	}
	p.APICalls = 8
	if p.Summary.Ignored != 2 || len(p.Ignored) != 2 || p.Ignored[0].Rule.Index != 0 || p.Ignored[1].Rule.Index != 1 {
		t.Fatalf("summary %+v, ignored %+v", p.Summary, p.Ignored)
	}
	for _, c := range p.Changes {
		switch c.Key() {
		case "Source/Corporate Directory":
			if c.Action != ActionUpdate || len(c.Fields) != 1 || c.Fields[0].Path != "deleteThreshold" {
				t.Errorf("%s: %s %+v", c.Key(), c.Action, c.Fields)
			}
			if _, ok := c.Op.Body.Get("description"); ok {
				t.Error("the ignored description is in the update's body")
			}
			if _, ok := c.Op.Body.Get("deleteThreshold"); !ok {
				t.Error("the changed deleteThreshold is not in the update's body")
			}
		case "EntitlementSchema/Corporate Directory/group":
			if c.Action != ActionNoChange || c.Op != nil {
				t.Errorf("%s: %s, op %+v", c.Key(), c.Action, c.Op)
			}
		case "Source/Legacy Mainframe":
			t.Errorf("the accepted unmanaged source is reported: %+v", c)
		}
	}
	if p.Coverage == nil || len(p.Coverage.Accepted) != 1 || p.Coverage.Sources != (Count{Managed: 2, All: 4}) {
		t.Errorf("coverage %+v", p.Coverage)
	}
	if got := IgnoredLine(p); got != "2 differences ignored by 2 rules (sailsync.yaml)" {
		t.Errorf("IgnoredLine: %q", got)
	}
	for _, r := range renderers {
		t.Run(r.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := r.render(&b, p); err != nil {
				t.Fatal(err)
			}
			golden(t, "acme_ignore."+r.name, b.Bytes())
		})
	}
}

// TestWithoutIgnored: an ignored top-level field and connectorAttributes key leave the body; a
// path deeper in an object apply replaces whole takes the live value; the declared body is not
// changed.
func TestWithoutIgnored(t *testing.T) {
	t.Parallel()
	body := liveObject(t, `{"description": "d", "owner": {"id": "1", "name": "N"}, "connectorAttributes": {"a": 1, "b": 2}, "deleteThreshold": 5}`)
	live := liveObject(t, `{"description": "live", "owner": {"id": "1", "name": "L"}, "connectorAttributes": {"a": 9, "b": 2}, "deleteThreshold": 7}`)
	ign := []Ignored{{Path: "description"}, {Path: "owner.name"}, {Path: "connectorAttributes.a"}}
	got := withoutIgnored(body, live, ign)
	want := liveObject(t, `{"owner": {"id": "1", "name": "L"}, "connectorAttributes": {"b": 2}, "deleteThreshold": 5}`)
	g, _ := value.Marshal(got)
	w, _ := value.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("got %s, want %s", g, w)
	}
	if d, _ := body.Get("description"); d != "d" {
		t.Error("the declared body was changed")
	}
}

// TestWithoutIgnoredDottedKeys: a key holding a dot (connectorAttributes' "ldap.referral") that
// a rule ignores is left out of the body like any other, not sent while the plan says ignored;
// a dotted path inside an object takes the live value.
func TestWithoutIgnoredDottedKeys(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body, live, path, want string
	}{
		{"connectorAttributes key with a dot",
			`{"connectorAttributes": {"ldap.referral": "follow", "host": "h"}}`,
			`{"connectorAttributes": {"ldap.referral": "ignore", "host": "h"}}`,
			"connectorAttributes.ldap.referral",
			`{"connectorAttributes":{"host":"h"}}`},
		{"a dotted key beside its prefix",
			`{"connectorAttributes": {"ldap": "x", "ldap.referral": "follow"}}`,
			`{"connectorAttributes": {"ldap": "x", "ldap.referral": "ignore"}}`,
			"connectorAttributes.ldap.referral",
			`{"connectorAttributes":{"ldap":"x"}}`},
		{"a dotted key inside a nested object takes the live value",
			`{"owner": {"a.b": "mine", "id": "1"}}`,
			`{"owner": {"a.b": "theirs", "id": "1"}}`,
			"owner.a.b",
			`{"owner":{"a.b":"theirs","id":"1"}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := withoutIgnored(liveObject(t, c.body), liveObject(t, c.live), []Ignored{{Path: c.path}})
			g, _ := value.Marshal(got)
			if string(g) != c.want {
				t.Errorf("got %s, want %s", g, c.want)
			}
		})
	}
}
