package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/value"
)

// policyDoc is HR Feed's create-account form: one field computed by a transform the repository
// declares, one by a transform only the tenant has (Lowercase Email, in the seed), both named
// as the tenant stores them.
const policyDoc = `kind: ProvisioningPolicy
source: HR Feed
usageType: CREATE
name: HR Feed Account
description: the account HR Feed creates
fields:
  - name: displayName
    transform: {type: reference, attributes: {id: Employee Display Name}}
    isRequired: true
    type: string
    isMultiValued: false
  - name: login
    transform: {type: identityAttribute, attributes: {name: uid}}
    type: string
  - name: mail
    transform: {type: reference, attributes: {id: Lowercase Email}}
    type: string
`

const displayTransform = `kind: Transform
name: Employee Display Name
type: concat
attributes:
  values: [First, " ", Last]
`

// TestPolicyPromotion promotes a repository with a provisioning policy from a sandbox tenant to
// a production tenant with other ids: each ends at "No changes", every request passing the
// contract check, and holds the form as declared, in order, its transforms named as stored.
// Then a field moved in the YAML plans one move; a transform neither side has is a plan error at
// its line; and an export of the tenant plans "No changes".
func TestPolicyPromotion(t *testing.T) {
	cleanEnv(t)
	sandbox, sandboxURL := promotionTenant(t, false)
	prod, prodURL := promotionTenant(t, true)
	setEnv(t, "SAIL_CLIENT_ID", sandbox.ClientID())
	setEnv(t, "SAIL_CLIENT_SECRET", sandbox.ClientSecret())
	dir := promotionRepo(t, sandboxURL, prodURL)
	write := func(name, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("transforms/employee-display-name.yaml", displayTransform)
	write("policies/hr-feed-create.yaml", policyDoc)

	for _, env := range []struct {
		name string
		url  string
		emu  interface {
			Policies(string) []*value.Object
		}
	}{{"sandbox", sandboxURL, sandbox}, {"prod", prodURL, prod}} {
		t.Run(env.name, func(t *testing.T) {
			setEnv(t, "SAIL_BASE_URL", env.url)
			// A scope of the source takes the transform its form names.
			out, errOut, code := runCLI(t, "", "plan", dir, "--env", env.name, "--source", "HR Feed")
			if code != 2 || !strings.Contains(out, `create Transform "Employee Display Name"`) {
				t.Fatalf("plan --source: exit %d\n%s%s", code, out, errOut)
			}
			out, errOut, code = runCLI(t, "", "plan", dir, "--env", env.name)
			if code != 2 || !strings.Contains(out, "ProvisioningPolicy") {
				t.Fatalf("plan: exit %d\n%s%s", code, out, errOut)
			}
			if out, errOut, code := runCLI(t, "", "apply", dir, "--env", env.name, "--auto-approve"); code != 0 {
				t.Fatalf("apply: exit %d\n%s%s", code, out, errOut)
			}
			if out, errOut, code := runCLI(t, "", "plan", dir, "--env", env.name); code != 0 || !strings.Contains(out, "No changes") {
				t.Fatalf("plan after apply: exit %d\n%s%s", code, out, errOut)
			}
			pols := env.emu.Policies("HR Feed")
			if len(pols) != 1 || pols[0].String("usageType") != "CREATE" {
				t.Fatalf("policies of HR Feed: %v", pols)
			}
			var names []string
			fields, _ := pols[0].Get("fields")
			for _, f := range fields.([]any) {
				names = append(names, f.(*value.Object).String("name"))
			}
			ref := fields.([]any)[0].(*value.Object).Object("transform")
			if strings.Join(names, ",") != "displayName,login,mail" || ref.String("type") != "reference" ||
				ref.Object("attributes").String("id") != "Employee Display Name" {
				t.Errorf("the tenant's form: fields %v, first transform %v", names, ref)
			}
		})
	}

	setEnv(t, "SAIL_BASE_URL", sandboxURL)
	t.Run("a moved field is one move", func(t *testing.T) {
		// mail, third, becomes first; the others keep their order.
		i := strings.Index(policyDoc, "  - name: mail")
		moved := strings.Replace(policyDoc[:i], "fields:\n", "fields:\n"+policyDoc[i:], 1)
		write("policies/hr-feed-create.yaml", moved)
		defer write("policies/hr-feed-create.yaml", policyDoc)
		out, errOut, code := runCLI(t, "", "plan", dir, "--env", "sandbox")
		if code != 2 {
			t.Fatalf("plan: exit %d\n%s%s", code, out, errOut)
		}
		if n := strings.Count(out, `moved \"mail\" from 3 to 1`) + strings.Count(out, `moved "mail" from 3 to 1`); n != 1 ||
			strings.Contains(out, "added") || strings.Contains(out, "removed") || strings.Contains(out, "moved \"login\"") {
			t.Errorf("plan of a moved field, want one move of mail:\n%s", out)
		}
	})
	t.Run("a transform neither side has", func(t *testing.T) {
		write("policies/hr-feed-create.yaml", strings.Replace(policyDoc, "id: Lowercase Email", "id: No Such Transform", 1))
		defer write("policies/hr-feed-create.yaml", policyDoc)
		out, errOut, code := runCLI(t, "", "plan", dir, "--env", "sandbox")
		if code != 1 || !strings.Contains(out+errOut, "policies/hr-feed-create.yaml:16") || !strings.Contains(out+errOut, `"No Such Transform"`) {
			t.Errorf("plan: exit %d, want 1 naming policies/hr-feed-create.yaml:16 and the transform\n%s%s", code, out, errOut)
		}
	})
	t.Run("drift reports an undeclared policy of a managed source", func(t *testing.T) {
		extra := value.NewObject()
		extra.Set("name", "HR Feed Disable")
		extra.Set("usageType", "DISABLE")
		extra.Set("fields", []any{})
		if err := sandbox.AddPolicy("HR Feed", extra); err != nil {
			t.Fatal(err)
		}
		out, errOut, code := runCLI(t, "", "drift", dir, "--env", "sandbox")
		if code != 0 || !strings.Contains(out, `unmanaged ProvisioningPolicy "HR Feed DISABLE"`) ||
			!strings.Contains(out, "1 of 2 provisioning policies (50 %)") {
			t.Errorf("drift: exit %d, want 0 reporting the DISABLE policy as unmanaged with its coverage\n%s%s", code, out, errOut)
		}
	})
	t.Run("export then plan", func(t *testing.T) {
		exp := t.TempDir()
		if out, errOut, code := runCLI(t, "", "export", exp); code != exitOK {
			t.Fatalf("export: exit %d\n%s%s", code, out, errOut)
		}
		files, _ := filepath.Glob(filepath.Join(exp, "provisioning-policies", "*.yaml"))
		if len(files) != 2 {
			t.Fatalf("exported policies: %v", files)
		}
		if out, errOut, code := runCLI(t, "", "plan", exp); code != 0 || !strings.Contains(out, "No changes") {
			t.Errorf("plan of the export: exit %d\n%s%s", code, out, errOut)
		}
	})
}
