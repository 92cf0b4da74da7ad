package diff

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/tenanttest"
	"github.com/sailsync/sailsync/internal/value"
)

func TestComputeAcme(t *testing.T) {
	t.Parallel()
	p, err := Compute(acmeRepo(t, true), acmeLive(t), Options{Env: tenanttest.Env})
	if err != nil {
		t.Fatal(err)
	}
	want := `create Connector/Acme HR [name,className,type,directConnect,status]
create Source/Acme HR Cloud [name,description,owner.type,owner.id,owner.name,cluster.type,cluster.id,cluster.name,connector,connectorClass,type,authoritative,connectorAttributes.baseUrl,connectorAttributes.apiToken,connectorAttributes.pageSize]
violation Source/Contractor Feed [description,authoritative]
update Source/Corporate Directory [description,deleteThreshold]
no-change Source/HR Database []
create EntitlementSchema/Acme HR Cloud/role [attributes]
update EntitlementSchema/Corporate Directory/group [attributes]
create ConnectorFile/HR Database/ojdbc8.jar [file]
`
	if got := describe(p); got != want {
		t.Errorf("plan:\n%s\nwant:\n%s", got, want)
	}

	corp := changeByKey(t, p, "Source/Corporate Directory")
	if corp.Fields[0].Before != "Corporate directory" || corp.Fields[1].Before != json.Number("25") || corp.Fields[1].After != json.Number("10") {
		t.Errorf("Corporate Directory fields: %+v", corp.Fields)
	}
	if corp.LiveID != "2c9180835d191a86015d28455b4a2329" || corp.Fingerprint == nil || corp.Fingerprint.Modified != "2024-03-01T16:20:00.000Z" {
		t.Errorf("Corporate Directory live id/fingerprint: %q %+v", corp.LiveID, corp.Fingerprint)
	}
	if corp.File != "sources/corporate-directory.yaml" || corp.Line != 1 {
		t.Errorf("Corporate Directory position: %s:%d", corp.File, corp.Line)
	}
	// ${connector:Acme HR} of a connector to be created: the tenant has not chosen its
	// scriptName yet, and the plan does not guess it.
	cloud := changeByKey(t, p, "Source/Acme HR Cloud")
	for _, f := range cloud.Fields {
		if f.Path == "connector" && f.After != PendingScriptName("Acme HR") {
			t.Errorf("connector resolved to %v, want %q", f.After, PendingScriptName("Acme HR"))
		}
		if f.Path == "connectorAttributes.apiToken" && (!f.Sensitive || f.After != Sensitive) {
			t.Errorf("apiToken field not sensitive: %+v", f)
		}
	}
	group := changeByKey(t, p, "EntitlementSchema/Corporate Directory/group")
	if group.LiveID != "2c9180835d191a86015d28455b4b232b" || group.Fingerprint == nil {
		t.Errorf("group schema live id/fingerprint: %q %+v", group.LiveID, group.Fingerprint)
	}
	if group.Note != "re-upload: adds displayName, memberOf, managedBy" {
		t.Errorf("group note %q", group.Note)
	}
	if len(p.Violations) != 1 {
		t.Fatalf("violations: %+v", p.Violations)
	}
	v := p.Violations[0]
	wantV := Violation{Kind: config.KindSource, Name: "Contractor Feed", Path: "authoritative", File: "sources/contractor-feed.yaml",
		Line: 11, Col: 16, Live: false, Desired: true, Rule: "immutable: PUT /v3/sources/{id} rejects changes to authoritative (400)"}
	if !reflect.DeepEqual(v, wantV) {
		t.Errorf("violation\n got %+v\nwant %+v", v, wantV)
	}
	cf := changeByKey(t, p, "Source/Contractor Feed")
	if cf.Fields[0].Immutable || !cf.Fields[1].Immutable {
		t.Errorf("immutable marks: %+v", cf.Fields)
	}
	wantSum := Summary{Create: 4, Update: 2, NoChange: 1, Violations: 1}
	if p.Summary != wantSum {
		t.Errorf("summary %+v, want %+v", p.Summary, wantSum)
	}
	if p.RepoHash != acmeRepo(t, false).Hash || p.FormatVersion != FormatVersion {
		t.Errorf("repo hash %q format %d", p.RepoHash, p.FormatVersion)
	}

}

// TestNormalisationRules proves that every rule in the table matters: each case is equal under
// the full table and differs once its rule is taken out.
func TestNormalisationRules(t *testing.T) {
	t.Parallel()
	type tc struct {
		rule    string
		kind    config.Kind
		desired string
		live    string
		// wantPaths are the fields reported without the rule.
		wantPaths string
		// part is the bundle part a Connector case declares (desired: the file's text, live: the
		// tenant's); see bundleCase.
		part string
	}
	base := `"name": "S", "connector": "jdbc", "type": "JDBC"`
	cases := []tc{
		{
			rule: "server-managed fields ignored",
			kind: config.KindSource,
			desired: `{` + base + `, "healthy": true, "status": "SOURCE_STATE_HEALTHY", "modified": "2024-01-01T00:00:00Z",
				"connectorImplementstionId": "jdbc"}`,
			live: `{` + base + `, "healthy": false, "status": "SOURCE_STATE_ERROR_SOURCE", "modified": "2024-05-05T05:05:05Z",
				"connectorImplementstionId": "jdbc-v2"}`,
			wantPaths: "healthy,status,modified,connectorImplementstionId",
		},
		{
			rule:      "server-added connectorAttributes keys ignored unless declared",
			kind:      config.KindSource,
			desired:   `{` + base + `, "connectorAttributes": {"host": "h", "nested": {"a": 1}}}`,
			live:      `{` + base + `, "connectorAttributes": {"host": "h", "cloudExternalId": "9", "healthy": true, "nested": {"a": 1, "b": 2}}}`,
			wantPaths: "connectorAttributes.cloudExternalId,connectorAttributes.healthy,connectorAttributes.nested.b",
		},
		{
			rule:      "declared-only comparison",
			kind:      config.KindSource,
			desired:   `{` + base + `, "owner": {"type": "IDENTITY", "id": "1"}}`,
			live:      `{` + base + `, "owner": {"type": "IDENTITY", "id": "1", "name": "Amelia"}, "accountCorrelationConfig": {"id": "x"}}`,
			wantPaths: "owner.name,accountCorrelationConfig",
		},
		{
			rule:      "null, [] and missing are equal for lists",
			kind:      config.KindSource,
			desired:   `{` + base + `, "features": [], "connectorAttributes": {"searchDNs": [], "groups": null}}`,
			live:      `{` + base + `, "connectorAttributes": {"searchDNs": null, "groups": []}}`,
			wantPaths: "features,connectorAttributes.searchDNs,connectorAttributes.groups",
		},
		{
			rule:      "null and missing are equal",
			kind:      config.KindSource,
			desired:   `{` + base + `, "deleteThreshold": null, "managementWorkgroup": null, "connectorAttributes": {"x": null}}`,
			live:      `{` + base + `, "connectorAttributes": {}}`,
			wantPaths: "deleteThreshold,managementWorkgroup,connectorAttributes.x",
		},
		{
			rule:      "set-like lists compared without order",
			kind:      config.KindSource,
			desired:   `{` + base + `, "features": ["DISCOVER_SCHEMA", "NO_RANDOM_ACCESS"]}`,
			live:      `{` + base + `, "features": ["NO_RANDOM_ACCESS", "DISCOVER_SCHEMA"]}`,
			wantPaths: "features",
		},
		{
			rule:      "numbers by value",
			kind:      config.KindSource,
			desired:   `{` + base + `, "deleteThreshold": 10.0, "connectorAttributes": {"pageSize": 1e3, "list": [1.50]}}`,
			live:      `{` + base + `, "deleteThreshold": 10, "connectorAttributes": {"pageSize": 1000, "list": [1.5]}}`,
			wantPaths: "deleteThreshold,connectorAttributes.pageSize,connectorAttributes.list",
		},
		{
			rule: "XML compared as XML",
			kind: config.KindConnector,
			part: "sourceConfig",
			desired: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Form name=\"A\" type=\"SourceConfig\">\n  <Section name=\"s\">\n" +
				"    <Field name=\"host\" type=\"url\"></Field>\n    <Help>Host &amp; port</Help>\n  </Section>\n</Form>\n",
			live:      `<?xml version='1.0' encoding='UTF-8' standalone='no'?><Form type='SourceConfig' name='A'><Section name="s"><Field type="url" name="host"/><Help> Host &#38; port </Help></Section></Form>`,
			wantPaths: "sourceConfig",
		},
		{
			rule:      "translations compared by key",
			kind:      config.KindConnector,
			part:      "translations.en",
			desired:   "# Acme HR\nmenuLabel=Settings\nhelp = Host \\\n  and port\n",
			live:      "help:Host and port\n! generated\nmenuLabel Settings",
			wantPaths: "translations.en",
		},
	}
	covered := map[string]bool{}
	for _, c := range cases {
		covered[c.rule] = true
		t.Run(c.rule, func(t *testing.T) {
			idx := -1
			for i, r := range Rules {
				if r.Name == c.rule {
					idx = i
				}
			}
			if idx < 0 {
				t.Fatalf("rule %q is not in the normalisation table", c.rule)
			}
			without := append(append([]Rule{}, Rules[:idx]...), Rules[idx+1:]...)
			var repo *config.Repo
			var live *Live
			if c.part != "" {
				repo, live = bundleCase(t, c.part, c.desired, c.live)
			} else {
				repo = config.NewRepo(&config.Source{Object: declare(t, c.kind, "s.yaml", c.desired)})
				live = liveOf(liveState{Sources: map[string]*value.Object{"S": liveObject(t, c.live)}})
			}

			p, err := compute(repo, live, Options{}, Rules)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Changes[0]; got.Action != ActionNoChange {
				t.Fatalf("with the full table: %s [%s], want no-change", got.Action, fieldPaths(got))
			}
			p, err = compute(repo, live, Options{}, without)
			if err != nil {
				t.Fatal(err)
			}
			got := p.Changes[0]
			if got.Action != ActionUpdate || fieldPaths(got) != c.wantPaths {
				t.Errorf("without the rule: %s [%s], want update [%s]", got.Action, fieldPaths(got), c.wantPaths)
			}
		})
	}
	for _, r := range Rules {
		if !covered[r.Name] {
			t.Errorf("rule %q has no test case", r.Name)
		}
		if r.Description == "" {
			t.Errorf("rule %q has no description", r.Name)
		}
	}
}

// TestListsOfObjectsDeclaredOnly: keys the tenant adds to objects inside lists are not changes,
// and lists inside connectorAttributes keep their order.
func TestListsInsideObjects(t *testing.T) {
	t.Parallel()
	repo := config.NewRepo(&config.Source{Object: declare(t, config.KindSource, "s.yaml", `{"name": "S",
		"connectorAttributes": {"searchDNs": [{"searchDN": "a"}, {"searchDN": "b"}]}}`)})
	live := liveOf(liveState{Sources: map[string]*value.Object{"S": liveObject(t, `{"name": "S",
		"connectorAttributes": {"searchDNs": [{"searchDN": "a", "scope": "SUB"}, {"searchDN": "b", "scope": "SUB"}]}}`)}})
	p, err := Compute(repo, live, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Changes[0].Action != ActionNoChange {
		t.Fatalf("server keys inside list elements: %s", describe(p))
	}
	live.Put(config.KindSource, "", "S", liveObject(t, `{"name": "S", "connectorAttributes": {"searchDNs": [{"searchDN": "b"}, {"searchDN": "a"}]}}`))
	p, err = Compute(repo, live, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := p.Changes[0]
	if c.Action != ActionUpdate || fieldPaths(c) != "connectorAttributes.searchDNs" {
		t.Fatalf("reordered searchDNs: %s", describe(p))
	}
	if got := formatValue(c.Fields[0].Before); got != `[{searchDN: "b"}, {searchDN: "a"}]` {
		t.Errorf("whole list reported as before: %s", got)
	}
}

func TestImmutableFields(t *testing.T) {
	t.Parallel()
	cases := []struct {
		field, desired, live string
	}{
		{"id", `"2c9180835d191a86015d28455b4a9999"`, `"2c9180835d191a86015d28455b4a2329"`},
		{"type", `"OpenLDAP - Direct"`, `"Active Directory - Direct"`},
		{"authoritative", `true`, `false`},
		{"connector", `"ldap"`, `"active-directory"`},
		{"connectorClass", `"sailpoint.connector.LDAPConnector"`, `"sailpoint.connector.ADLDAPConnector"`},
		{"passwordPolicies", `[{"type": "PASSWORD_POLICY", "id": "p2"}]`, `[{"type": "PASSWORD_POLICY", "id": "p1", "name": "Corporate"}]`},
	}
	for _, c := range cases {
		t.Run(c.field, func(t *testing.T) {
			desired := `{"name": "S", "description": "new", "` + c.field + `": ` + c.desired + `}`
			live := `{"name": "S", "description": "old", "` + c.field + `": ` + c.live + `}`
			repo := config.NewRepo(&config.Source{Object: declare(t, config.KindSource, "sources/s.yaml", desired)})
			p, err := Compute(repo, liveOf(liveState{Sources: map[string]*value.Object{"S": liveObject(t, live)}}), Options{})
			if err != nil {
				t.Fatal(err)
			}
			ch := p.Changes[0]
			if ch.Action != ActionViolation {
				t.Fatalf("action %s, want violation", ch.Action)
			}
			if fieldPaths(ch) != "description,"+c.field || ch.Fields[0].Immutable || !ch.Fields[1].Immutable {
				t.Errorf("fields %+v", ch.Fields)
			}
			if len(p.Violations) != 1 {
				t.Fatalf("violations %+v", p.Violations)
			}
			v := p.Violations[0]
			if v.Path != c.field || v.File != "sources/s.yaml" || v.Line != 4 || v.Col != len(c.field)+3 {
				t.Errorf("violation position %s at %s:%d:%d", v.Path, v.File, v.Line, v.Col)
			}
			if v.Rule != "immutable: PUT /v3/sources/{id} rejects changes to "+c.field+" (400)" {
				t.Errorf("rule %q", v.Rule)
			}
			if formatValue(v.Live) == formatValue(v.Desired) {
				t.Errorf("live and desired shown equal: %v", v.Live)
			}
			if p.APICalls != 0 || p.Summary.Violations != 1 || p.Summary.Update != 0 {
				t.Errorf("summary %+v calls %d", p.Summary, p.APICalls)
			}

			// The same value live: no violation.
			same := `{"name": "S", "description": "new", "` + c.field + `": ` + c.desired + `}`
			p, err = Compute(repo, liveOf(liveState{Sources: map[string]*value.Object{"S": liveObject(t, same)}}), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if p.Changes[0].Action != ActionNoChange || len(p.Violations) != 0 {
				t.Errorf("equal %s: %s", c.field, describe(p))
			}
		})
	}
}

func TestConnectors(t *testing.T) {
	t.Parallel()
	decl := `{"name": "Acme HR", "className": "sailpoint.connector.OpenConnectorAdapter", "type": "Acme HR", "directConnect": true, "status": "DEVELOPMENT"}`
	repo := config.NewRepo(&config.Connector{Object: declare(t, config.KindConnector, "connectors/acme-hr.yaml", decl)})

	for _, c := range []struct {
		name, live, action, paths string
	}{
		{"absent", ``, "create", "name,className,type,directConnect,status"},
		{"equal", `{"name": "Acme HR", "scriptName": "acme-hr", "className": "sailpoint.connector.OpenConnectorAdapter", "type": "Acme HR", "directConnect": true, "status": "DEVELOPMENT", "features": []}`, "no-change", ""},
		{"status", `{"name": "Acme HR", "scriptName": "acme-hr", "className": "sailpoint.connector.OpenConnectorAdapter", "type": "Acme HR", "directConnect": true, "status": "RELEASED"}`, "violation", "status"},
		{"name and class", `{"name": "Acme HR v2", "scriptName": "acme-hr", "className": "x.Y", "type": "Acme HR", "directConnect": true, "status": "DEVELOPMENT"}`, "violation", "name,className"},
	} {
		t.Run(c.name, func(t *testing.T) {
			live := liveOf(liveState{Connectors: map[string]*value.Object{}})
			if c.live != "" {
				live.Put(config.KindConnector, "", "Acme HR", liveObject(t, c.live))
			}
			p, err := Compute(repo, live, Options{})
			if err != nil {
				t.Fatal(err)
			}
			ch := p.Changes[0]
			if string(ch.Action) != c.action || fieldPaths(ch) != c.paths {
				t.Fatalf("%s [%s], want %s [%s]", ch.Action, fieldPaths(ch), c.action, c.paths)
			}
			if c.action != "violation" {
				return
			}
			if len(p.Violations) != len(ch.Fields) {
				t.Fatalf("violations %+v", p.Violations)
			}
			for i, v := range p.Violations {
				if v.Rule != ruleConnectorField(strings.Split(v.Path, ".")[0]) || !strings.Contains(v.Rule, "set "+v.Path+" to the live value") || !ch.Fields[i].Immutable ||
					v.Kind != config.KindConnector || v.File != "connectors/acme-hr.yaml" || v.Line < 2 {
					t.Errorf("violation %+v", v)
				}
			}
		})
	}
}

// TestConnectorReferences: ${connector:X} resolves to the scriptName the tenant gave X (found
// by name, whatever its rule), a source to be created on a connector the tenant lacks is a
// violation at its connector field, and nothing resolves to a guess.
func TestConnectorReferences(t *testing.T) {
	t.Parallel()
	conn := `{"name": "Acme HR", "className": "sailpoint.connector.OpenConnectorAdapter"}`
	liveConn := `{"name": "Acme HR", "scriptName": "acme-hr-5f3c9a1e", "className": "sailpoint.connector.OpenConnectorAdapter"}`
	for _, c := range []struct {
		name, connector, liveConn, liveSource string
		missing                               []string
		action, after                         string
	}{
		{"existing connector, new source", "${connector:Acme HR}", liveConn, "", nil, "create", "acme-hr-5f3c9a1e"},
		{"existing connector and source", "${connector:Acme HR}", liveConn, `{"id": "s1", "name": "HR", "connector": "acme-hr-5f3c9a1e"}`, nil, "no-change", ""},
		{"new connector", "${connector:Acme HR}", "", "", nil, "create", PendingScriptName("Acme HR")},
		{"source on a guessed scriptName", "${connector:Acme HR}", "", `{"id": "s1", "name": "HR", "connector": "acme-hr"}`, nil, "violation", PendingScriptName("Acme HR")},
		{"literal the tenant lacks", "no-such-connector", "", "", []string{"no-such-connector"}, "violation", "no-such-connector"},
		{"literal the tenant has", "jdbc", "", "", []string{"other"}, "create", "jdbc"},
	} {
		t.Run(c.name, func(t *testing.T) {
			repo := config.NewRepo(&config.Connector{Object: declare(t, config.KindConnector, "c.yaml", conn)}, &config.Source{Object: declare(t, config.KindSource, "s.yaml", `{"name": "HR", "connector": "`+c.connector+`"}`)})
			live := liveOf(liveState{Connectors: map[string]*value.Object{}, Sources: map[string]*value.Object{}, MissingConnectors: map[string]bool{}})
			if c.liveConn != "" {
				live.Put(config.KindConnector, "", "Acme HR", liveObject(t, c.liveConn))
			}
			if c.liveSource != "" {
				live.Put(config.KindSource, "", "HR", liveObject(t, c.liveSource))
			}
			for _, m := range c.missing {
				live.MissingConnectors[m] = true
			}
			p, err := Compute(repo, live, Options{})
			if err != nil {
				t.Fatal(err)
			}
			ch := changeByKey(t, p, "Source/HR")
			if string(ch.Action) != c.action {
				t.Fatalf("action %s, want %s (%+v)", ch.Action, c.action, ch.Fields)
			}
			var after any
			for _, f := range ch.Fields {
				if f.Path == "connector" {
					after = f.After
				}
			}
			if c.after != "" && after != c.after {
				t.Errorf("connector %v, want %q", after, c.after)
			}
			if c.action == "violation" {
				if len(p.Violations) != 1 || p.Violations[0].Path != "connector" || p.Violations[0].File != "s.yaml" {
					t.Errorf("violations %+v", p.Violations)
				}
			}
			if cc := changeByKey(t, p, "Connector/Acme HR"); c.liveConn != "" && cc.LiveID != "acme-hr-5f3c9a1e" {
				t.Errorf("connector LiveID %q, want the tenant's scriptName", cc.LiveID)
			}
		})
	}
}

func TestSchemas(t *testing.T) {
	t.Parallel()
	mk := func(source string, attrs ...string) *config.Repo {
		return config.NewRepo(&config.Source{Object: declare(t, config.KindSource, "s.yaml", `{"name": "S"}`)}, &config.EntitlementSchema{Object: declare(t, config.KindEntitlementSchema, "g.yaml", `{"name": "group"}`),
			Source: source, Attributes: attrs})
	}
	liveSchema := liveObject(t, `{"id": "sch1", "name": "group", "attributes": [{"name": "id"}, {"name": "name"}, {"name": "memberOf"}]}`)
	sources := map[string]*value.Object{"S": liveObject(t, `{"name": "S", "id": "s1"}`)}
	withSchema := liveOf(liveState{Sources: sources, Schemas: map[string]map[string]*value.Object{"S": {"group": liveSchema}}})
	for _, c := range []struct {
		name   string
		repo   *config.Repo
		live   *Live
		action Action
		note   string
	}{
		{"source absent", mk("S", "id"), &Live{}, ActionCreate, ""},
		{"schema absent", mk("S", "id"), liveOf(liveState{Sources: sources}), ActionCreate, ""},
		{"same names, other order", mk("S", "memberOf", "id", "name"), withSchema, ActionNoChange, ""},
		{"added and removed", mk("S", "id", "name", "displayName"), withSchema, ActionUpdate, "re-upload: adds displayName; removes memberOf"},
		// attributes: [] is a schema a tenant holds (export writes it): in sync with it, but no
		// upload can make one.
		{"none, live none", mk("S"), liveOf(liveState{Sources: sources, Schemas: map[string]map[string]*value.Object{"S": {
			"group": liveObject(t, `{"id": "sch2", "name": "group", "identityAttribute": null, "displayAttribute": null, "attributes": []}`)}}}),
			ActionNoChange, ""},
		{"none, schema absent", mk("S"), liveOf(liveState{Sources: sources}), ActionViolation, ""},
		{"none, live some", mk("S"), withSchema, ActionViolation, "re-upload: removes id, name, memberOf"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := Compute(c.repo, c.live, Options{})
			if err != nil {
				t.Fatal(err)
			}
			ch := changeByKey(t, p, "EntitlementSchema/S/group")
			if ch.Action != c.action || ch.Note != c.note {
				t.Errorf("%s %q, want %s %q", ch.Action, ch.Note, c.action, c.note)
			}
			if c.action == ActionViolation {
				if ch.Op != nil || len(p.Violations) != 1 || p.Violations[0].Path != "attributes" || p.Violations[0].Rule != ruleEmptySchema {
					t.Errorf("op %+v, violations %+v", ch.Op, p.Violations)
				}
			}
			if c.action == ActionUpdate {
				if ch.LiveID != "sch1" || ch.Fingerprint == nil || *ch.Fingerprint != FingerprintOf(liveSchema) {
					t.Errorf("live id %q fingerprint %+v", ch.LiveID, ch.Fingerprint)
				}
				if formatValue(ch.Fields[0].Before) != `["id", "name", "memberOf"]` || formatValue(ch.Fields[0].After) != `["id", "name", "displayName"]` {
					t.Errorf("fields %+v", ch.Fields)
				}
				if ch.Op == nil || ch.Op.Upload == nil || ch.Op.Upload.Content != "id,name,displayName\n" || len(ch.Op.Deps) != 1 || ch.Op.Deps[0] != "Source/S" {
					t.Errorf("schema update operation %+v", ch.Op)
				}
			}
		})
	}
}

func TestConnectorFiles(t *testing.T) {
	t.Parallel()
	repo := config.NewRepo(&config.Source{
		Object: declare(t, config.KindSource, "s.yaml", `{"name": "S"}`),
		ConnectorFiles: []config.File{
			{Rel: "drivers/ojdbc8.jar", Pos: config.Pos{File: "s.yaml", Line: 7, Col: 5}},
			{Rel: "drivers/orai18n.jar", Pos: config.Pos{File: "s.yaml", Line: 8, Col: 5}},
		},
	})
	for _, c := range []struct {
		name, attrs string
		want        string
		note        bool
	}{
		{"none listed", `{}`, "create,create", false},
		{"comma-separated", `{"connector_files": "ojdbc8.jar, other.jar"}`, "no-change,create", true},
		{"list", `{"connector_files": ["orai18n.jar", "ojdbc8.jar"]}`, "no-change,no-change", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			live := liveOf(liveState{Sources: map[string]*value.Object{"S": liveObject(t, `{"name": "S", "connectorAttributes": `+c.attrs+`}`)}})
			p, err := Compute(repo, live, Options{})
			if err != nil {
				t.Fatal(err)
			}
			a := changeByKey(t, p, "ConnectorFile/S/ojdbc8.jar")
			b := changeByKey(t, p, "ConnectorFile/S/orai18n.jar")
			if got := string(a.Action) + "," + string(b.Action); got != c.want {
				t.Errorf("actions %s, want %s", got, c.want)
			}
			if a.Line != 7 || b.Line != 8 {
				t.Errorf("positions %d %d", a.Line, b.Line)
			}
			if got := len(p.Notes) == 1 && p.Notes[0] == noteConnectorFiles; got != c.note {
				t.Errorf("notes %q", p.Notes)
			}
		})
	}
}

func TestUnmanaged(t *testing.T) {
	t.Parallel()
	repo := acmeRepo(t, false)
	p, err := Compute(repo, acmeLive(t), Options{Env: tenanttest.Env, Drift: true})
	if err != nil {
		t.Fatal(err)
	}
	var un []string
	for _, c := range p.Changes {
		if c.Action == ActionUnmanaged {
			un = append(un, c.Name+" "+c.LiveID+" "+c.Note)
			if c.Fingerprint == nil {
				t.Errorf("unmanaged %s has no fingerprint", c.Name)
			}
		}
	}
	// Contractor Feed is not declared in this repo: unmanaged too. Connectors never are.
	want := []string{
		"Contractor Feed 2c9180835d191a86015d28455b4a4002 not declared in the repository (connector delimited-file, type DelimitedFile)",
		"Legacy Mainframe 2c9180835d191a86015d28455b4a5003 not declared in the repository (connector delimited-file, type DelimitedFile)",
	}
	if !reflect.DeepEqual(un, want) {
		t.Errorf("unmanaged %q, want %q", un, want)
	}
	if p.Summary.Unmanaged != 2 || !p.Drift {
		t.Errorf("summary %+v drift %v", p.Summary, p.Drift)
	}
	for _, ch := range p.Changes {
		if ch.Action == ActionUnmanaged && ch.Op != nil {
			t.Errorf("unmanaged source %q has an operation: apply never touches it", ch.Name)
		}
	}

	// Not in a plan; not when the sources were fetched by name.
	p, _ = Compute(repo, acmeLive(t), Options{Env: tenanttest.Env})
	if p.Summary.Unmanaged != 0 {
		t.Errorf("plan reports unmanaged: %+v", p.Summary)
	}
	live := acmeLive(t)
	live.SetListed(config.KindSource, false)
	p, _ = Compute(repo, live, Options{Env: tenanttest.Env, Drift: true})
	if p.Summary.Unmanaged != 0 || len(p.Notes) == 0 || p.Notes[0] != noteNoUnmanaged {
		t.Errorf("partial listing: %+v %q", p.Summary, p.Notes)
	}
}

func TestNeededSecrets(t *testing.T) {
	t.Parallel()
	t.Run("create needs its secret, present live secrets do not", func(t *testing.T) {
		env := map[string]string{"HR_DB_PASSWORD": "x"} // AD_BIND_PASSWORD unset: present live, not sent
		_, err := Compute(acmeRepo(t, false), acmeLive(t), Options{Env: envFrom(env)})
		var me *MissingEnvError
		if !errors.As(err, &me) {
			t.Fatalf("err %v, want *MissingEnvError", err)
		}
		want := `1 environment variable is unset or empty but needed for secrets this plan would send: ACME_HR_TOKEN (needed by Source "Acme HR Cloud" connectorAttributes.apiToken at sources/acme-hr-cloud.yaml:18:13)`
		if err.Error() != want {
			t.Errorf("error\n got %s\nwant %s", err, want)
		}
	})
	t.Run("rotate needs every secret", func(t *testing.T) {
		env := map[string]string{"ACME_HR_TOKEN": "t", "HR_DB_PASSWORD": ""}
		_, err := Compute(acmeRepo(t, false), acmeLive(t), Options{Env: envFrom(env), RotateSecrets: true})
		var me *MissingEnvError
		if !errors.As(err, &me) {
			t.Fatalf("err %v", err)
		}
		var got []string
		for _, m := range me.Missing {
			got = append(got, m.Var+" "+m.Name+" "+m.Path)
		}
		want := []string{"AD_BIND_PASSWORD Corporate Directory connectorAttributes.password", "HR_DB_PASSWORD HR Database connectorAttributes.password"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("missing %q, want %q", got, want)
		}
		if strings.Contains(err.Error(), "acmehr") || !strings.Contains(err.Error(), "2 environment variables") {
			t.Errorf("error %s", err)
		}
	})
	t.Run("key absent live is sent", func(t *testing.T) {
		live := acmeLive(t)
		ca := live.Get(config.KindSource, "", "HR Database").Object("connectorAttributes")
		ca.Delete("password")
		p, err := Compute(acmeRepo(t, false), live, Options{Env: tenanttest.Env})
		if err != nil {
			t.Fatal(err)
		}
		hr := changeByKey(t, p, "Source/HR Database")
		if hr.Action != ActionUpdate || fieldPaths(hr) != "connectorAttributes.password" || !hr.Fields[0].Sensitive {
			t.Errorf("HR Database %s [%s]", hr.Action, fieldPaths(hr))
		}
		env := map[string]string{"ACME_HR_TOKEN": "t"}
		_, err = Compute(acmeRepo(t, false), live, Options{Env: envFrom(env)})
		if err == nil || !strings.Contains(err.Error(), "HR_DB_PASSWORD") || strings.Contains(err.Error(), "AD_BIND_PASSWORD") {
			t.Errorf("err %v", err)
		}
	})
	t.Run("violations send nothing", func(t *testing.T) {
		repo := config.NewRepo(&config.Source{Object: declare(t, config.KindSource, "s.yaml",
			`{"name": "S", "authoritative": true, "connectorAttributes": {"password": "${env:UNSET_PW}"}}`)})
		live := liveOf(liveState{Sources: map[string]*value.Object{"S": liveObject(t, `{"name": "S", "authoritative": false, "connectorAttributes": {}}`)}})
		p, err := Compute(repo, live, Options{Env: envFrom(nil)})
		if err != nil || p.Changes[0].Action != ActionViolation {
			t.Errorf("err %v", err)
		}
	})
}

func TestResolveErrors(t *testing.T) {
	t.Parallel()
	repo := config.NewRepo(&config.Source{Object: declare(t, config.KindSource, "sources/s.yaml",
		`{"name": "S", "description": "d", "connector": "${connector:Nope}"}`)})
	_, err := Compute(repo, &Live{}, Options{})
	if err == nil || !strings.Contains(err.Error(), "sources/s.yaml:4:12") || !strings.Contains(err.Error(), `"Nope"`) {
		t.Errorf("err %v", err)
	}
}

func TestEscapedReferenceIsNotSecret(t *testing.T) {
	t.Parallel()
	repo := config.NewRepo(&config.Source{Object: declare(t, config.KindSource, "s.yaml",
		`{"name": "S", "description": "literal $${env:X}"}`)})
	live := liveOf(liveState{Sources: map[string]*value.Object{"S": liveObject(t, `{"name": "S", "description": "literal ${env:X}"}`)}})
	p, err := Compute(repo, live, Options{Env: envFrom(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if p.Changes[0].Action != ActionNoChange {
		t.Errorf("%s", describe(p))
	}
}

func TestFingerprintOf(t *testing.T) {
	t.Parallel()
	a := liveObject(t, `{"id": "1", "modified": "2024-01-01T00:00:00Z", "n": 10, "o": {"x": 1, "y": [1, {"b": 2, "a": 1}]}}`)
	b := liveObject(t, `{"o": {"y": [1, {"a": 1, "b": 2}], "x": 1}, "n": 10, "modified": "2024-01-01T00:00:00Z", "id": "1"}`)
	fa, fb := FingerprintOf(a), FingerprintOf(b)
	if fa != fb {
		t.Errorf("key order changed the fingerprint: %+v %+v", fa, fb)
	}
	if fa.Modified != "2024-01-01T00:00:00Z" || len(fa.Hash) != 64 {
		t.Errorf("fingerprint %+v", fa)
	}
	for _, other := range []string{
		`{"id": "1", "modified": "2024-01-01T00:00:00Z", "n": 10.0, "o": {"x": 1, "y": [1, {"b": 2, "a": 1}]}}`,
		`{"id": "1", "modified": "2024-01-01T00:00:00Z", "n": 10, "o": {"x": 1, "y": [{"b": 2, "a": 1}, 1]}}`,
		`{"id": "1", "modified": "2024-01-01T00:00:00Z", "n": 10, "o": {"x": 1, "y": [1, {"b": 2, "a": 1}]}, "z": null}`,
	} {
		if FingerprintOf(liveObject(t, other)).Hash == fa.Hash {
			t.Errorf("different object, same hash: %s", other)
		}
	}
	if got := string(canonicalJSON(liveObject(t, `{"b": "<&>", "a": [1.50, true, null]}`))); got != `{"a":[1.50,true,null],"b":"<&>"}` {
		t.Errorf("canonical JSON %s", got)
	}
}

func TestOrderIsDeterministic(t *testing.T) {
	t.Parallel()
	first, err := Compute(acmeRepo(t, true), acmeLive(t), Options{Env: tenanttest.Env, Drift: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		p, err := Compute(acmeRepo(t, true), acmeLive(t), Options{Env: tenanttest.Env, Drift: true})
		if err != nil {
			t.Fatal(err)
		}
		if describe(p) != describe(first) {
			t.Fatalf("order changed:\n%s\n%s", describe(p), describe(first))
		}
	}
}
