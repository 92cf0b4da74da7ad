package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/tenanttest"
)

const policySource = "kind: Source\nname: HR\nowner: {type: IDENTITY, id: x}\nconnector: jdbc\n"

const validPolicy = `kind: ProvisioningPolicy
source: HR
usageType: CREATE
name: Account
fields:
  - name: displayName
    transform: {type: reference, attributes: {id: Employee Display Name}}
    isRequired: true
    type: string
`

// TestPolicyValidation: what validate refuses in a ProvisioningPolicy document, each at its
// file:line:col: two policies of one (source, usageType), a source the repository does not
// declare, a field type outside FieldDetailsDto's enum, a field without a name; a usage type the
// document does not list is a warning (the vendor adds them), and one per usage type is fine.
func TestPolicyValidation(t *testing.T) {
	for _, tt := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"valid", map[string]string{"s.yaml": policySource, "p.yaml": validPolicy}, nil},
		{"another usage type of the source", map[string]string{"s.yaml": policySource, "p.yaml": validPolicy,
			"q.yaml": strings.Replace(validPolicy, "usageType: CREATE", "usageType: UPDATE", 1)}, nil},
		{"tombstone", map[string]string{"s.yaml": policySource, "p.yaml": "kind: ProvisioningPolicy\nsource: HR\nusageType: CREATE\nabsent: true\nreason: r\n"}, nil},
		{"duplicate (source, usageType)", map[string]string{"s.yaml": policySource, "p.yaml": validPolicy,
			"q.yaml": strings.Replace(validPolicy, "name: Account", "name: Other", 1)},
			[]string{`q.yaml:4:7: name: ProvisioningPolicy "CREATE" of source "HR" is declared twice: also at p.yaml:4:7`}},
		{"unknown source", map[string]string{"s.yaml": policySource, "p.yaml": strings.Replace(validPolicy, "source: HR", "source: Payroll", 1)},
			[]string{`p.yaml:2:9: source: "Payroll" names no Source declared in this repository`}},
		{"bad field type", map[string]string{"s.yaml": policySource, "p.yaml": strings.Replace(validPolicy, "type: string", "type: text", 1)},
			[]string{`p.yaml:9:11: fields[0].type: must be one of`}},
		{"field without a name", map[string]string{"s.yaml": policySource, "p.yaml": validPolicy + "  - type: string\n"},
			[]string{`p.yaml:10:5: fields[1].name: required field is missing`}},
		{"no usage type", map[string]string{"s.yaml": policySource, "p.yaml": strings.Replace(validPolicy, "usageType: CREATE\n", "", 1)},
			[]string{`p.yaml:1:1: usageType: required field is missing`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			repo, err := Load(tenanttest.WriteDir(t, tt.files))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				if n := len(repo.Policies()); n < 1 || repo.Policies()[0].Source != "HR" || repo.Policies()[0].Name != "CREATE" {
					t.Errorf("policies: %d, first %+v", n, repo.Policies()[0].Object)
				}
				return
			}
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("Load: %v, want problems", err)
			}
			if len(ps) != len(tt.want) {
				t.Fatalf("%d problems, want %d:\n%s", len(ps), len(tt.want), problemLines(ps))
			}
			for i, w := range tt.want {
				if got := ps[i].String(); !strings.HasPrefix(got, w) {
					t.Errorf("problem %d:\n got %s\nwant %s…", i, got, w)
				}
			}
		})
	}
}
