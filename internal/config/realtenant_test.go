package config

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/tenanttest"
)

// fusionSource is a source as `export` writes one of a real tenant's SaaS connector sources
// (Identity Fusion NG): its connector spec's id as type and connector, an empty connectorClass,
// features the published enum does not list, and the nulls the tenant returns.
const fusionSource = `kind: Source
name: Identity Fusion
description: Identity Fusion NG
owner:
  type: IDENTITY
  name: Amelia Ortiz
cluster: null
accountCorrelationConfig: null
accountCorrelationRule: null
managerCorrelationMapping: null
managerCorrelationRule: null
beforeProvisioningRule: null
passwordPolicies: null
features:
  - DISCOVER_SCHEMA
  - AI_AGENT_AGGREGATION
  - MACHINE_IDENTITY_AGGREGATION
type: 1a2b3c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d
connector: 1a2b3c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d
connectorClass: ""
connectorAttributes:
  spConnectorSpecId: 1a2b3c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d
  spConnectorInstanceId: 9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a
  idnProxyType: sp-connect
  templateApplication: 1a2b3c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d sp-connect
deleteThreshold: null
authoritative: false
managementWorkgroup: null
credentialProviderEnabled: false
category: null
`

// TestRealTenantShapes: what a real tenant's export holds loads without a problem; the features
// the published enum does not list are warnings at their file:line:col naming the field.
func TestRealTenantShapes(t *testing.T) {
	t.Parallel()
	r, warnings, err := LoadWarnings(context.Background(), tenanttest.WriteDir(t, map[string]string{
		"sources/identity-fusion.yaml":       fusionSource,
		"schemas/identity-fusion-group.yaml": "kind: EntitlementSchema\nsource: Identity Fusion\nname: group\nattributes: []\n",
	}))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	want := []string{
		`sources/identity-fusion.yaml:16:5: features[1]: "AI_AGENT_AGGREGATION" is not one of the 33 values the API publishes; accepted`,
		`sources/identity-fusion.yaml:17:5: features[2]: "MACHINE_IDENTITY_AGGREGATION" is not one of the 33 values the API publishes; accepted`,
	}
	if len(r.Warnings) != len(want) || len(warnings) != len(want) {
		t.Fatalf("warnings %v (returned %v), want %d", r.Warnings, warnings, len(want))
	}
	for i, w := range r.Warnings {
		if !strings.HasPrefix(w.String(), want[i]) || !strings.HasPrefix(w.Field, "features[") {
			t.Errorf("warning %d: %q (field %q), want prefix %q", i, w.String(), w.Field, want[i])
		}
	}
	if es := r.Schemas()[0]; len(es.Attributes) != 0 {
		t.Errorf("attributes: %v", es.Attributes)
	}
}

// TestWarningsBesideProblems: an invalid repository's warnings still come back from
// LoadWarnings, so that validate reports both.
func TestWarningsBesideProblems(t *testing.T) {
	t.Parallel()
	_, warnings, err := LoadWarnings(context.Background(), tenanttest.WriteDir(t, map[string]string{
		"sources/identity-fusion.yaml": strings.Replace(fusionSource, "deleteThreshold: null", "deleteThreshold: 250", 1),
	}))
	var ps Problems
	if !errors.As(err, &ps) || len(ps) != 1 || !strings.Contains(ps[0].Message, "deleteThreshold") {
		t.Fatalf("problems: %v", err)
	}
	if len(warnings) != 2 {
		t.Errorf("warnings: %v", warnings)
	}
}

// TestWarningsOfEnvironmentsAndScopes: a var whose value in some environment is outside an open
// enum warns at the reference, naming the environment; ForEnvironment keeps the warnings and a
// scope keeps those of the files it covers.
func TestWarningsOfEnvironmentsAndScopes(t *testing.T) {
	t.Parallel()
	other := strings.Replace(strings.Replace(fusionSource, "Identity Fusion", "Other", 1), "AI_AGENT_AGGREGATION", "NEW_FEATURE", 1)
	r := loadOK(t, tenanttest.WriteDir(t, map[string]string{
		"sailsync.yaml":                "environments:\n  sandbox:\n    vars: {features: [SEARCH, BRAND_NEW]}\n  prod:\n    vars: {features: [SEARCH]}\n",
		"sources/a.yaml":               "kind: Source\nname: A\nowner: {type: IDENTITY, id: x}\nconnector: c\nfeatures: ${var:features}\n",
		"sources/identity-fusion.yaml": fusionSource,
		"sources/other.yaml":           other,
	}))
	var env []string
	for _, w := range r.Warnings {
		if w.Pos.File == "sources/a.yaml" {
			env = append(env, w.String())
		}
	}
	if len(env) != 1 || !strings.HasPrefix(env[0], `sources/a.yaml:5:11: features.1: in environment "sandbox": "BRAND_NEW" is not one of the 33 values`) {
		t.Errorf("the environment's warning: %q", env)
	}
	if len(r.Warnings) != 5 {
		t.Fatalf("warnings: %v", r.Warnings)
	}
	bound, err := r.ForEnvironment("prod")
	if err != nil || len(bound.Warnings) != len(r.Warnings) {
		t.Errorf("ForEnvironment: %v, %d warnings", err, len(bound.Warnings))
	}
	scoped, _, err := r.Scoped(Selector{Sources: []string{"Other"}}, "--source Other")
	if err != nil {
		t.Fatal(err)
	}
	if len(scoped.Warnings) != 2 || scoped.Warnings[0].Pos.File != "sources/other.yaml" {
		t.Errorf("scoped warnings: %v", scoped.Warnings)
	}
}
