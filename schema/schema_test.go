package schema

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/sailsync/sailsync/internal/contract"
)

func TestSchemasCompile(t *testing.T) {
	t.Parallel()
	if err := Check(); err != nil {
		t.Fatal(err)
	}
	for _, k := range Kinds() {
		var v map[string]any
		if err := json.Unmarshal(JSON(k), &v); err != nil {
			t.Errorf("%s: %v", k, err)
		}
	}
	if JSON("Nothing") != nil {
		t.Error("JSON of an unknown kind")
	}
}

func source() map[string]any {
	return map[string]any{
		"kind": "Source", "name": "Corporate Directory", "connector": "active-directory",
		"owner":           map[string]any{"type": "IDENTITY", "id": "2c91808568c529c60168cca6f90c1313", "name": "Amelia Ortiz"},
		"cluster":         map[string]any{"type": "CLUSTER", "id": "2c9180866166b5b0016167c32ef31a66", "name": "Acme Primary VA Cluster"},
		"deleteThreshold": json.Number("10"),
		"features":        []any{"PROVISIONING", "SEARCH"},
		"connectorAttributes": map[string]any{
			"anything": []any{map[string]any{"goes": json.Number("1.5")}},
		},
		"managerCorrelationMapping": map[string]any{"accountAttribute": "manager", "identityAttributeName": "manager"},
		"passwordPolicies":          nil,
		"credentialProviderEnabled": false,
		"category":                  "CredentialProvider",
		"connectorFiles":            []any{"drivers/ojdbc8.jar"},
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		kind   string
		mutate func(m map[string]any)
		want   []string // "path: message"
	}{
		{"valid source", "Source", func(map[string]any) {}, nil},
		{"owner type", "Source", func(m map[string]any) { m["owner"].(map[string]any)["type"] = "USER" }, []string{"owner/type: must be IDENTITY"}},
		{"deleteThreshold range", "Source", func(m map[string]any) { m["deleteThreshold"] = json.Number("101") },
			[]string{"deleteThreshold: must be between 0 and 100, not 101"}},
		{"deleteThreshold negative", "Source", func(m map[string]any) { m["deleteThreshold"] = json.Number("-1") },
			[]string{"deleteThreshold: must be between 0 and 100, not -1"}},
		{"deleteThreshold fraction", "Source", func(m map[string]any) { m["deleteThreshold"] = json.Number("10.5") },
			[]string{"deleteThreshold: must be an integer or null, not the number 10.5"}},
		// A tenant returns null for a source that never set one, and takes it back.
		{"deleteThreshold null", "Source", func(m map[string]any) { m["deleteThreshold"] = nil }, nil},
		// features is an open enum: a value outside it is a warning (TestWarnings), not an error.
		{"feature unknown", "Source", func(m map[string]any) { m["features"] = []any{"SEARCH", "UNLOK", "AI_AGENT_AGGREGATION"} }, nil},
		{"feature not a string", "Source", func(m map[string]any) { m["features"] = []any{json.Number("1")} },
			[]string{"features/0: must be a string, not the integer 1"}},
		// What a SaaS connector's source holds: its connector spec's id as type and connector.
		{"saas source", "Source", func(m map[string]any) {
			m["type"], m["connector"], m["connectorClass"] = "1a2b3c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d", "1a2b3c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d", ""
		}, nil},
		{"unknown field", "Source", func(m map[string]any) { m["descripton"] = "x" },
			[]string{"descripton: unknown field (did you mean description?)"}},
		{"server-managed", "Source", func(m map[string]any) { m["connectorImplementationId"] = "x"; m["healthy"] = true },
			[]string{"connectorImplementationId: is managed by the tenant and cannot be declared: remove it",
				"healthy: is managed by the tenant and cannot be declared: remove it"}},
		{"missing required", "Source", func(m map[string]any) { delete(m, "owner"); delete(m, "connector") },
			[]string{"connector: required field is missing", "owner: required field is missing"}},
		{"reference types", "Source", func(m map[string]any) {
			m["managementWorkgroup"] = map[string]any{"type": "WORKGROUP", "id": "g"}
			m["accountCorrelationConfig"] = map[string]any{"type": "RULE", "id": "c"}
			m["beforeProvisioningRule"] = map[string]any{"type": "RULE", "id": "r", "nmae": "x"}
		}, []string{"accountCorrelationConfig/type: must be ACCOUNT_CORRELATION_CONFIG",
			"beforeProvisioningRule/nmae: unknown field (did you mean name?)",
			"managementWorkgroup/type: must be GOVERNANCE_GROUP"}},
		// The tenant refuses a source without an owner id (400); a null owner is no owner.
		{"owner null", "Source", func(m map[string]any) { m["owner"] = nil }, []string{"owner: must be an object, not null"}},
		{"owner empty", "Source", func(m map[string]any) { m["owner"] = map[string]any{} }, []string{"owner/id: required field is missing"}},
		// A reference may give the name instead of the id: plan finds it in the tenant.
		{"owner by name", "Source", func(m map[string]any) { m["owner"] = map[string]any{"type": "IDENTITY", "name": "Amelia Ortiz"} }, nil},
		{"owner with an empty name", "Source", func(m map[string]any) { m["owner"] = map[string]any{"type": "IDENTITY", "name": ""} },
			[]string{"owner/name: must not be empty"}},
		{"owner with neither id nor name", "Source", func(m map[string]any) { m["owner"] = map[string]any{"type": "IDENTITY"} },
			[]string{"owner/id: required field is missing"}},
		{"owner empty id", "Source", func(m map[string]any) { m["owner"].(map[string]any)["id"] = "" }, []string{"owner/id: must not be empty"}},
		{"owner id not a string", "Source", func(m map[string]any) { m["owner"].(map[string]any)["id"] = json.Number("7") },
			[]string{"owner/id: must be a string, not the integer 7"}},
		{"cluster by name", "Source", func(m map[string]any) { delete(m["cluster"].(map[string]any), "id") }, nil},
		{"cluster without name", "Source", func(m map[string]any) { delete(m["cluster"].(map[string]any), "name") }, []string{"cluster/name: required field is missing"}},
		// Every other reference may be null (no reference) but, when given, must carry an id.
		{"references null", "Source", func(m map[string]any) {
			for _, f := range []string{"cluster", "accountCorrelationConfig", "accountCorrelationRule", "managerCorrelationRule", "beforeProvisioningRule", "managementWorkgroup", "passwordPolicies"} {
				m[f] = nil
			}
		}, nil},
		{"references without id", "Source", func(m map[string]any) {
			m["accountCorrelationConfig"] = map[string]any{"type": "ACCOUNT_CORRELATION_CONFIG", "name": "x"}
			m["accountCorrelationRule"] = map[string]any{"type": "RULE"}
			m["managerCorrelationRule"] = map[string]any{"name": "x"} // by name
			m["beforeProvisioningRule"] = map[string]any{}
			m["managementWorkgroup"] = map[string]any{"type": "GOVERNANCE_GROUP"}
			m["passwordPolicies"] = []any{map[string]any{"type": "PASSWORD_POLICY", "id": "p"}, map[string]any{"type": "PASSWORD_POLICY"}}
			m["schemas"] = []any{map[string]any{"type": "CONNECTOR_SCHEMA", "name": "account"}}
		}, []string{"accountCorrelationConfig/id: required field is missing",
			"accountCorrelationRule/id: required field is missing",
			"beforeProvisioningRule/id: required field is missing",
			"managementWorkgroup/id: required field is missing",
			"passwordPolicies/1/id: required field is missing",
			"schemas/0/id: required field is missing"}},
		{"connector status", "Connector", nil, nil},
		{"entitlement schema both", "EntitlementSchema", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc map[string]any
			switch tt.kind {
			case "Source":
				doc = source()
				tt.mutate(doc)
			case "Connector":
				// DEPRECATED is what the tenant reads back for a retired connector: exported, so valid.
				if errs := Validate(tt.kind, map[string]any{"kind": "Connector", "name": "Acme HR", "className": "x", "status": "DEPRECATED"}); errs != nil {
					t.Errorf("status DEPRECATED: %v", errs)
				}
				doc = map[string]any{"kind": "Connector", "name": "Acme HR", "className": "x", "status": "LIVE"}
				tt.want = []string{`status: must be one of DEPRECATED, DEVELOPMENT, DEMO, RELEASED, not "LIVE"`}
			case "EntitlementSchema":
				doc = map[string]any{"kind": "EntitlementSchema", "source": "s", "name": "group", "template": "g.csv", "attributes": []any{"id"}}
				tt.want = []string{": declare exactly one of template and attributes"}
			}
			var got []string
			for _, e := range Validate(tt.kind, doc) {
				got = append(got, strings.Join(e.Path, "/")+": "+e.Message)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestFeaturesMatchSpec compares the features enum with the official OpenAPI document's
// SourceFeature (the contract package's copy, so it runs on every clone).
func TestFeaturesMatchSpec(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(contract.Require(t))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas struct {
				SourceFeature struct {
					Items struct {
						Enum []string `json:"enum"`
					} `json:"items"`
				} `json:"SourceFeature"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	spec := doc.Components.Schemas.SourceFeature
	var s struct {
		Properties struct {
			Features struct {
				Items struct {
					Known []string `json:"knownValues"`
					AnyOf []struct {
						Enum []string `json:"enum"`
					} `json:"anyOf"`
				} `json:"items"`
			} `json:"features"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(JSON("Source"), &s); err != nil {
		t.Fatal(err)
	}
	items := s.Properties.Features.Items
	if got := items.Known; !reflect.DeepEqual(got, spec.Items.Enum) || len(got) != 33 {
		t.Errorf("features' known values (%d) differ from the spec (%d):\n%v\n%v", len(got), len(spec.Items.Enum), got, spec.Items.Enum)
	}
	// What an editor completes from: the same values, in an anyOf that also takes any other.
	if len(items.AnyOf) != 2 || !reflect.DeepEqual(items.AnyOf[0].Enum, items.Known) || items.AnyOf[1].Enum != nil {
		t.Errorf("features' editor form: %+v", items.AnyOf)
	}
}

// TestCombinedSchema checks that the all-kinds schema an editor uses accepts and rejects the same
// documents as the per-kind ones.
func TestCombinedSchema(t *testing.T) {
	t.Parallel()
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft7
	if err := c.AddResource("sailsync.json", bytes.NewReader(JSON(""))); err != nil {
		t.Fatal(err)
	}
	all, err := c.Compile("sailsync.json")
	if err != nil {
		t.Fatal(err)
	}
	open := source()
	open["features"] = []any{"AI_AGENT_AGGREGATION"}
	good := []any{
		source(),
		open, // an open enum's unknown value: a warning of sailsync's, and no error in the editor
		map[string]any{"kind": "Transform", "name": "t", "type": "getEndOfString", "attributes": nil},
		map[string]any{"kind": "Connector", "name": "Acme HR", "className": "x", "status": "DEVELOPMENT"},
		map[string]any{"kind": "EntitlementSchema", "source": "s", "name": "role", "attributes": []any{"id", "name"}},
	}
	for _, d := range good {
		if err := all.Validate(d); err != nil {
			t.Errorf("combined schema rejects a valid document: %v", err)
		}
	}
	bad := source()
	bad["deleteThreshold"] = json.Number("250")
	for _, d := range []any{bad, map[string]any{"kind": "Sorce"}, map[string]any{"name": "no kind"},
		map[string]any{"kind": "Connector", "name": "x", "className": "x", "status": "LIVE"}} {
		if err := all.Validate(d); err == nil {
			t.Errorf("combined schema accepts %v", d)
		}
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"descripton": "description", "PROVISONING": "PROVISIONING", "zzz": "", "nmae": "name"} {
		if got := suggest(in, []string{"description", "name", "PROVISIONING"}); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSettingsSchema: the settings file's schema admits no key yet, so that a mistake in
// sailsync.yaml is an error; later settings are added to settings.json.
func TestSettingsSchema(t *testing.T) {
	t.Parallel()
	var v map[string]any
	if err := json.Unmarshal(SettingsJSON(), &v); err != nil || v["additionalProperties"] != false {
		t.Fatalf("settings.json: %v, additionalProperties %v", err, v["additionalProperties"])
	}
	tests := []struct {
		doc  any
		want []string
	}{
		{map[string]any{}, nil},
		{map[string]any{"environments": map[string]any{}}, nil},
		{map[string]any{"environment": map[string]any{}}, []string{"environment: unknown field (did you mean environments?)"}},
		{map[string]any{"environments": map[string]any{"prod": map[string]any{"baseUrl": "https://acme.api.identitynow.com", "vars": map[string]any{"a-b": 1}}}},
			[]string{"environments/prod/vars/a-b: a var name is letters, digits and _ (not starting with a digit)"}},
		{[]any{"x"}, []string{": must be an object, not a list"}},
	}
	for _, tt := range tests {
		var got []string
		for _, e := range ValidateSettings(tt.doc) {
			got = append(got, strings.Join(e.Path, "/")+": "+e.Message)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%v: got %q, want %q", tt.doc, got, tt.want)
		}
	}
}

// TestTombstoneOfEveryKind: a tombstone of every kind with a schema validates, alone and in the
// combined schema (README: "the combined schema of `sailsync schema` accepts it for every
// kind"), and its enum of kinds is filled from them: it once lacked Transform, so that no
// transform could be deleted.
func TestTombstoneOfEveryKind(t *testing.T) {
	t.Parallel()
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft7
	if err := c.AddResource("sailsync.json", bytes.NewReader(JSON(""))); err != nil {
		t.Fatal(err)
	}
	all, err := c.Compile("sailsync.json")
	if err != nil {
		t.Fatal(err)
	}
	var ts struct {
		Properties struct {
			Kind struct {
				Enum []string `json:"enum"`
			} `json:"kind"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(TombstoneJSON(), &ts); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ts.Properties.Kind.Enum, Kinds()) {
		t.Errorf("the tombstone schema's kinds are %v, want every kind with a schema: %v", ts.Properties.Kind.Enum, Kinds())
	}
	for _, k := range Kinds() {
		doc := map[string]any{"kind": k, "name": "x", "absent": true, "reason": "because"}
		switch k {
		case "EntitlementSchema":
			doc["source"] = "s"
		case "ProvisioningPolicy":
			// Named by its usage type within its source.
			delete(doc, "name")
			doc["source"], doc["usageType"] = "s", "CREATE"
		}
		if errs := Validate(k, doc); errs != nil {
			t.Errorf("%s tombstone: %v", k, errs)
		}
		if err := all.Validate(doc); err != nil {
			t.Errorf("%s tombstone, combined schema: %v", k, err)
		}
	}
}

// TestWarnings: a string outside an open enum's known values is a warning naming the field's
// known values, with a suggestion for a likely typo; known values, other types and tombstones
// give none.
func TestWarnings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		kind string
		doc  map[string]any
		want []string // "path: message" prefixes
	}{
		{"known features", "Source", source(), nil},
		{"real tenant's features", "Source", func() map[string]any {
			m := source()
			m["features"] = []any{"PROVISIONING", "AI_AGENT_AGGREGATION", "MACHINE_IDENTITY_AGGREGATION"}
			return m
		}(), []string{
			`features/1: "AI_AGENT_AGGREGATION" is not one of the 33 values the API publishes; accepted, as the tenant knows values the document does not list (known: AUTHENTICATE, COMPOSITE, `,
			`features/2: "MACHINE_IDENTITY_AGGREGATION" is not one of the 33 values the API publishes; accepted`,
		}},
		{"feature typo", "Source", func() map[string]any {
			m := source()
			m["features"] = []any{"UNLOK"}
			return m
		}(), []string{`features/0: "UNLOK" is not one of the 33 values the API publishes (did you mean UNLOCK?); accepted`}},
		{"not a string", "Source", func() map[string]any {
			m := source()
			m["features"] = []any{json.Number("1"), nil}
			return m
		}(), nil},
		{"transform type", "Transform", map[string]any{"kind": "Transform", "name": "t", "type": "getEndOfString", "attributes": nil},
			[]string{`type: "getEndOfString" is not one of the 35 values the API publishes; accepted`}},
		{"tombstone", "Source", map[string]any{"kind": "Source", "name": "x", "absent": true, "reason": "r", "features": []any{"X"}}, nil},
		{"closed enum", "Connector", map[string]any{"kind": "Connector", "name": "c", "className": "x", "status": "LIVE"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Warnings(tt.kind, tt.doc)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d warnings %v, want %d", len(got), got, len(tt.want))
			}
			for i, w := range got {
				line := strings.Join(w.Path, "/") + ": " + w.Message
				if !strings.HasPrefix(line, tt.want[i]) || w.Keyword != KnownValuesKeyword {
					t.Errorf("warning %d: %q (%s)\nwant prefix %q", i, line, w.Keyword, tt.want[i])
				}
				if !strings.HasSuffix(line, "DELETE)") && tt.kind == "Source" {
					t.Errorf("warning %d does not list every known value: %q", i, line)
				}
			}
			if len(tt.want) > 0 && Validate(tt.kind, tt.doc) != nil {
				t.Errorf("a warned document has errors: %v", Validate(tt.kind, tt.doc))
			}
		})
	}
}

// TestOpenEnumsPlacement: a knownValues reached through anything but properties, items and
// additionalProperties is refused (its values would sit at no single path), and the paths found
// are the documents' paths.
func TestOpenEnumsPlacement(t *testing.T) {
	t.Parallel()
	decode := func(s string) any {
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	got, err := openEnums("x.json", decode(`{"properties":{"a":{"items":{"knownValues":["X"]}},"m":{"additionalProperties":{"knownValues":["Y"]}}}}`))
	if err != nil || len(got) != 2 || strings.Join(got[0].path, "/") != "a/*" || strings.Join(got[1].path, "/") != "m/*" {
		t.Errorf("paths: %+v, %v", got, err)
	}
	for _, bad := range []string{
		`{"properties":{"a":{"anyOf":[{"knownValues":["X"]}]}}}`,
		`{"if":{"properties":{"a":{"knownValues":["X"]}}}}`,
		`{"properties":{"a":{"knownValues":[]}}}`,
		`{"properties":{"a":{"knownValues":[1]}}}`,
	} {
		if _, err := openEnums("x.json", decode(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}
