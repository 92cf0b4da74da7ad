package diff

import (
	"slices"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

// entraLive is an Entra source as a real tenant returns it: configuration beside the runtime
// state the platform rewrites (attrs is spliced into its connectorAttributes).
func entraLive(attrs string) string {
	return `{"id": "e1", "name": "Entra", "connector": "azure-active-directory", "type": "Azure Active Directory",
		"description": "d", "connectorAttributes": {"domainName": "acme.onmicrosoft.com", "healthy": true,
		"cloudExternalId": "100001"` + attrs + `}}`
}

const cipher = "2:ENC-PNXcigXahryljQ2XQjo9cQI/JFDPIGPGoDIqWfy9ZboSa0fVYleDALYbT6fD5A=="

// TestRuntimeAttributesInPlan: runtime keys are never reported unless declared, then compared
// (a secret by its cipher text is never compared as text, a plain value is), under plan and
// drift alike.
func TestRuntimeAttributesInPlan(t *testing.T) {
	t.Parallel()
	runtime := `, "cloudCacheUpdate": 1733400000000, "since": "2026-12-01T00:00:00Z", "status": "SOURCE_STATE_FAILURE_SOURCE",
		"processing": true, "hasFullAggregationCompleted": false, "sourceConnected": false, "recommendationStatus": "PENDING",
		"userDeltaToken": "M2Y5ZjQ0YjUtYjcxMS00ZTg0LWI1YjEt", "groupsDeltaToken": "g1", "directoryRolesDeltaToken": "r1"`
	rewritten := `, "cloudCacheUpdate": 1733500000000, "since": "2026-12-07T00:00:00Z", "status": "SOURCE_STATE_HEALTHY",
		"processing": false, "hasFullAggregationCompleted": true, "sourceConnected": true, "recommendationStatus": "COMPLETED",
		"userDeltaToken": "NmQxYjQ3ZGQtNzFkNC00", "groupsDeltaToken": "g2", "directoryRolesDeltaToken": "r2"`
	declared := func(attrs string) string {
		return `{"name": "Entra", "connector": "azure-active-directory", "description": "d",
			"connectorAttributes": {"domainName": "acme.onmicrosoft.com"` + attrs + `}}`
	}
	for _, tt := range []struct {
		name, desired, live string
		rotate              bool
		want                string // action [fields]
		sensitive           bool
	}{
		{"runtime state rewritten, none declared", declared(""), entraLive(rewritten), false, "no-change []", false},
		{"a declared runtime key equal", declared(`, "groupsDeltaToken": "g2"`), entraLive(rewritten), false, "no-change []", false},
		{"a declared runtime key rewritten", declared(`, "groupsDeltaToken": "g1", "processing": true`), entraLive(rewritten), false,
			"update [connectorAttributes.groupsDeltaToken,connectorAttributes.processing]", false},
		{"an old export's delta token from the environment", declared(`, "userDeltaToken": "${env:ENTRA_USERDELTATOKEN}"`),
			entraLive(runtime), false, "no-change []", false},
		{"a literal over cipher text", declared(`, "password": "hunter2"`), entraLive(`, "password": "` + cipher + `"`), false,
			"no-change []", false},
		{"a literal over cipher text, rotated", declared(`, "password": "hunter2"`), entraLive(`, "password": "` + cipher + `"`), true,
			"update [connectorAttributes.password]", true},
		{"a literal over plain text", declared(`, "password": "hunter2"`), entraLive(`, "password": "hunter3"`), false,
			"update [connectorAttributes.password]", false},
		{"a literal equal to plain text", declared(`, "password": "hunter2"`), entraLive(`, "password": "hunter2"`), false,
			"no-change []", false},
		{"a description beside runtime state", strings.Replace(declared(""), `"d"`, `"new"`, 1), entraLive(rewritten), false,
			"update [description]", false},
	} {
		for _, drift := range []bool{false, true} {
			repo := config.NewRepo(&config.Source{Object: declare(t, config.KindSource, "s.yaml", tt.desired)})
			live := liveOf(liveState{Sources: map[string]*value.Object{"Entra": liveObject(t, tt.live)}})
			p, err := Compute(repo, live, Options{Drift: drift, RotateSecrets: tt.rotate,
				Env: envFrom(map[string]string{"ENTRA_USERDELTATOKEN": "stale"})})
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			ch := p.Changes[0]
			if got := string(ch.Action) + " [" + fieldPaths(ch) + "]"; got != tt.want {
				t.Errorf("%s (drift %v): %s, want %s", tt.name, drift, got, tt.want)
			}
			if tt.sensitive {
				f := ch.Fields[0]
				if !f.Sensitive || f.Before != Sensitive || f.After != Sensitive || ch.Op == nil || !slices.Contains(ch.Op.Secrets, f.Path) {
					t.Errorf("%s: field %+v, secrets %v: want a sensitive field the plan sends", tt.name, f, ch.Op)
				}
			} else {
				for _, f := range ch.Fields {
					if f.Sensitive {
						t.Errorf("%s: %s is sensitive", tt.name, f.Path)
					}
				}
			}
		}
	}
}

// TestFingerprintLeavesOutRuntimeState: an aggregation (runtime keys rewritten) keeps a source's
// fingerprint, so apply does not refuse it as changed since the plan; any other change, the ids
// the tenant sets once included, changes it.
func TestFingerprintLeavesOutRuntimeState(t *testing.T) {
	t.Parallel()
	base := FingerprintOf(liveObject(t, entraLive(`, "userDeltaToken": "a", "cloudCacheUpdate": 1, "processing": true`)))
	for _, tt := range []struct {
		attrs string
		same  bool
	}{
		{`, "userDeltaToken": "b", "cloudCacheUpdate": 2, "processing": false`, true},
		{`, "cloudCacheUpdate": 2, "since": "x", "status": "SOURCE_STATE_HEALTHY", "sourceConnected": true, "hasFullAggregationCompleted": true, "recommendationStatus": "r", "groupsDeltaToken": "g"`, true},
		{`, "userDeltaToken": "a", "cloudCacheUpdate": 1, "processing": true, "pageSize": 100`, false},
		{`, "userDeltaToken": "a", "cloudCacheUpdate": 1, "processing": true, "cloudDisplayName": "Entra"`, false},
	} {
		got := FingerprintOf(liveObject(t, entraLive(tt.attrs)))
		if (got.Hash == base.Hash) != tt.same {
			t.Errorf("%s: same fingerprint %v, want %v", tt.attrs, got.Hash == base.Hash, tt.same)
		}
	}
	changed := FingerprintOf(liveObject(t, strings.Replace(entraLive(`, "userDeltaToken": "a"`), `"d"`, `"e"`, 1)))
	if changed.Hash == FingerprintOf(liveObject(t, entraLive(`, "userDeltaToken": "z"`))).Hash {
		t.Error("a description change kept the fingerprint")
	}
}

// TestRuleNamesTheTenantAttributes: the connectorAttributes rule's description is config's table.
func TestRuleNamesTheTenantAttributes(t *testing.T) {
	t.Parallel()
	for _, r := range Rules {
		if r.Name != "server-added connectorAttributes keys ignored unless declared" {
			continue
		}
		for _, k := range []string{"cloudCacheUpdate", "*DeltaToken", "recommendationStatus", "cloudExternalId"} {
			if !strings.Contains(r.Description, k) {
				t.Errorf("description %q does not name %s", r.Description, k)
			}
		}
		return
	}
	t.Fatal("no connectorAttributes rule")
}
