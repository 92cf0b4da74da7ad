package cli

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/render"
	"github.com/sailsync/sailsync/internal/tenanttest"
)

// realTenantExport is the source export writes of testdata/realtenant's Identity Fusion
// (TestRealTenantExport holds it to the export).
const realTenantExport = "internal/cli/testdata/realtenant/export/identity-fusion.yaml"

// TestValidateRealTenantShapes: each shape a real tenant's export holds validates (exit 0), the
// values outside an open enum as warnings in every format; closed enums and real mistakes stay
// errors, and a repository with both reports both (exit 1).
func TestValidateRealTenantShapes(t *testing.T) {
	t.Parallel()
	fusion, err := os.ReadFile(realTenantExport)
	if err != nil {
		t.Fatal(err)
	}
	src := string(fusion)
	known := strings.Replace(src, "  - AI_AGENT_AGGREGATION\n  - MACHINE_IDENTITY_AGGREGATION\n", "", 1)
	const owner = "owner: {type: IDENTITY, id: 2c91808568c529c60168cca6f90c1313}\n"
	tests := []struct {
		name     string
		files    map[string]string
		code     int
		problems int
		warnings []string // the text warnings' path:line:col and field
	}{
		{"a real export's source", map[string]string{"sources/s.yaml": src}, exitOK, 0,
			[]string{"sources/s.yaml:16:5: warning: features[1]: \"AI_AGENT_AGGREGATION\"", "sources/s.yaml:17:5: warning: features[2]: \"MACHINE_IDENTITY_AGGREGATION\""}},
		{"its nulls, empty connectorClass and UUID connector alone", map[string]string{"sources/s.yaml": known}, exitOK, 0, nil},
		{"deleteThreshold null", map[string]string{"sources/s.yaml": "kind: Source\nname: S\n" + owner + "connector: jdbc\ndeleteThreshold: null\n"}, exitOK, 0, nil},
		{"null references", map[string]string{"sources/s.yaml": "kind: Source\nname: S\n" + owner + "connector: jdbc\nmanagementWorkgroup: null\n" +
			"accountCorrelationRule: null\nmanagerCorrelationMapping: null\npasswordPolicies: null\nbeforeProvisioningRule: null\n"}, exitOK, 0, nil},
		{"a SaaS connector's source", map[string]string{"sources/s.yaml": "kind: Source\nname: S\n" + owner +
			"type: 1a2b3c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d\nconnector: 1a2b3c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d\nconnectorClass: \"\"\n" +
			"connectorAttributes: {spConnectorSpecId: 1a2b3c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d, idnProxyType: sp-connect}\n"}, exitOK, 0, nil},
		{"an entitlement schema without attributes", map[string]string{"sources/s.yaml": known,
			"schemas/g.yaml": "kind: EntitlementSchema\nsource: Identity Fusion\nname: group\nattributes: []\n"}, exitOK, 0, nil},
		{"a deprecated connector", map[string]string{"connectors/c.yaml": "kind: Connector\nname: Old\nclassName: x\nstatus: DEPRECATED\n"}, exitOK, 0, nil},
		{"a transform type the document does not list", map[string]string{"transforms/t.yaml": "kind: Transform\nname: T\ntype: lowr\nattributes: null\n"},
			exitOK, 0, []string{"transforms/t.yaml:3:7: warning: type: \"lowr\" is not one of the 35 values the API publishes (did you mean lower?)"}},
		{"a closed enum", map[string]string{"sources/s.yaml": "kind: Source\nname: S\nowner: {type: USER, id: x}\nconnector: jdbc\n"}, exitFailure, 1, nil},
		{"a problem beside a warning", map[string]string{"sources/s.yaml": strings.Replace(src, "deleteThreshold: null", "deleteThreshold: 250", 1)}, exitFailure, 1,
			[]string{"sources/s.yaml:16:5: warning: features[1]", "sources/s.yaml:17:5: warning: features[2]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := tenanttest.WriteDir(t, tt.files)
			stdout, stderr, code := validateOutput(t, dir, "text")
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if code != tt.code || strings.Count(stdout, "\n") != tt.problems || len(lines) != len(tt.warnings)+1 {
				t.Fatalf("text: exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, stdout, stderr)
			}
			for i, w := range tt.warnings {
				if !strings.HasPrefix(lines[i], dir+"/"+w) {
					t.Errorf("warning %d: %q, want prefix %q", i, lines[i], dir+"/"+w)
				}
			}
			if len(tt.warnings) > 0 && !strings.HasSuffix(lines[len(lines)-1], plural(len(tt.warnings), "warning")+")") {
				t.Errorf("summary: %q", lines[len(lines)-1])
			}

			stdout, _, code = validateOutput(t, dir, "github")
			if code != tt.code || strings.Count(stdout, "::error file=") != tt.problems || strings.Count(stdout, "::warning file="+dir+"/") != len(tt.warnings) {
				t.Errorf("github: exit %d\n%s", code, stdout)
			}
			stdout, _, code = validateOutput(t, dir, "json")
			var rep struct {
				Valid    bool              `json:"valid"`
				Problems []render.Problem  `json:"problems"`
				Warnings *[]render.Problem `json:"warnings"`
				Objects  map[string]int    `json:"objects"`
			}
			if err := json.Unmarshal([]byte(stdout), &rep); err != nil || code != tt.code || rep.Valid != (tt.code == exitOK) || len(rep.Problems) != tt.problems {
				t.Fatalf("json: exit %d, %v\n%s", code, err, stdout)
			}
			switch {
			case len(tt.warnings) == 0 && rep.Warnings != nil:
				t.Errorf("json: a warnings key without warnings:\n%s", stdout)
			case len(tt.warnings) > 0 && (rep.Warnings == nil || len(*rep.Warnings) != len(tt.warnings)):
				t.Errorf("json: warnings %v, want %d", rep.Warnings, len(tt.warnings))
			case len(tt.warnings) > 0 && (*rep.Warnings)[0].Line == 0:
				t.Errorf("json: a warning without its line: %+v", (*rep.Warnings)[0])
			}
		})
	}
}
