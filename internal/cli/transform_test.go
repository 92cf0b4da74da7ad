package cli

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sailsync/sailsync/examples"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/tenanttest"
	"github.com/sailsync/sailsync/internal/value"
)

// The CLI's side of the Transform kind: plan, apply, drift, scope, environments and export,
// against the emulator over HTTP behind the contract check.

const (
	cliHireDateID = "3c6a9d2e-7f14-4b8a-9e0d-5a2f8c1b6e73"
	cliOldID      = "5d0c7a1e-9b2f-4c3d-8e6a-7f1b2c3d4e5f"
)

// cliTransforms is a seed of transforms only: Lowercase Email (as the example declares it),
// Hire Date ISO8601 (another input format), Old Transform (custom, unused) and SailPoint's ToUpper.
var cliTransforms = []string{
	`{"id":"8f2e4c1a-3b7d-4e9f-a6c5-1d0b9e7f3a24","name":"Lowercase Email","type":"lower","attributes":{"input":{"type":"accountAttribute","attributes":{"sourceName":"HR Database","attributeName":"email"}}},"internal":false}`,
	`{"id":"` + cliHireDateID + `","name":"Hire Date ISO8601","type":"dateFormat","attributes":{"inputFormat":"yyyy-MM-dd","outputFormat":"ISO8601"},"internal":false}`,
	`{"id":"` + cliOldID + `","name":"Old Transform","type":"static","attributes":{"value":"retired"},"internal":false}`,
	`{"id":"b41d7e09-2a6c-4f35-8d1e-9c7a0f2b5d68","name":"ToUpper","type":"upper","attributes":null,"internal":true}`,
}

func transformsSeed(objs ...string) fstest.MapFS {
	return fstest.MapFS{"transforms/all.json": {Data: []byte("[" + strings.Join(objs, ",\n") + "]")}}
}

const cliTransformsYAML = `kind: Transform
name: Lowercase Email
type: lower
attributes:
  input:
    type: accountAttribute
    attributes: {sourceName: HR Database, attributeName: email}
---
kind: Transform
name: Hire Date ISO8601
type: dateFormat
attributes: {inputFormat: MM/dd/yyyy, outputFormat: ISO8601}
---
kind: Transform
name: Employee Display Name
type: concat
attributes:
  values: [{type: accountAttribute, attributes: {sourceName: HR Database, attributeName: first_name}}, " "]
---
kind: Transform
name: Old Transform
absent: true
reason: replaced (CHG-2001)
`

// TestTransformApplyCLI: under both ways a tenant may compare names, plan shows a create, an
// update and a delete of transforms (exit 2); apply without --allow-delete sends nothing; the
// saved plan applied with --allow-delete sends exactly its announced requests besides the reads
// (a saved plan's deletes were refused as "no such action"); then
// plan is "No changes" and a second apply writes nothing.
func TestTransformApplyCLI(t *testing.T) {
	t.Parallel()
	for _, fold := range []bool{false, true} {
		t.Run(fmt.Sprintf("FoldNames=%v", fold), func(t *testing.T) {
			emu := applyTenantWith(t, emulator.Options{Seed: transformsSeed(cliTransforms...), FoldNames: fold})
			dir := tenanttest.WriteDir(t, map[string]string{"transforms/all.yaml": cliTransformsYAML})
			file := filepath.Join(t.TempDir(), "plan.json")
			stdout, stderr, code := runCLI(t, "", "plan", dir, "--out", file)
			if code != exitChanges {
				t.Fatalf("plan: exit %d\n%s%s", code, stdout, stderr)
			}
			for _, want := range []string{
				"Plan: 1 to create, 1 to update, 1 to delete.",
				`+ create Transform "Employee Display Name" (` + dir + `/transforms/all.yaml:14)`,
				`~ update Transform "Hire Date ISO8601"`,
				`~ attributes.inputFormat: "yyyy-MM-dd" → "MM/dd/yyyy"`,
				`- delete Transform "Old Transform"`,
				"reason: replaced (CHG-2001)",
				"apply: 5 requests",
			} {
				if !strings.Contains(stdout, want) {
					t.Errorf("plan lacks %q:\n%s", want, stdout)
				}
			}
			if strings.Contains(stdout, "ToUpper") || strings.Contains(stdout, `"Lowercase Email"`) {
				t.Errorf("plan shows an internal or unchanged transform:\n%s", stdout)
			}

			emu.ResetLog()
			stdout, stderr, code = runCLI(t, "", "apply", dir, "--auto-approve")
			if code != exitFailure || !strings.Contains(stderr, "pass --allow-delete") || len(tenanttest.Writes(emu)) != 0 {
				t.Fatalf("apply without --allow-delete: exit %d, writes %v\n%s%s", code, tenanttest.Writes(emu), stdout, stderr)
			}

			emu.ResetLog()
			// The saved plan, delete included, is what is applied.
			stdout, stderr, code = runCLI(t, "", "apply", dir, "--plan", file, "--auto-approve", "--allow-delete")
			if code != exitOK || !strings.Contains(stdout, "Apply: 3 done, 0 failed") {
				t.Fatalf("apply: exit %d\n%s%s", code, stdout, stderr)
			}
			pf, err := readPlanFile(file)
			if err != nil {
				t.Fatal(err)
			}
			// apply reads what the plan read (the token and the transforms' first page), then
			// sends the plan's announced requests but their token.
			const planReads = 2
			if got := len(emu.Log()); pf.APICalls != 5 || got != planReads+pf.APICalls-1 {
				t.Errorf("the plan announced %d requests, apply sent %d: %v", pf.APICalls, got, requests(emu))
			}
			wantWrites := []string{"DELETE /v3/transforms/" + cliOldID, "POST /v3/transforms", "PUT /v3/transforms/" + cliHireDateID}
			if got := tenanttest.Writes(emu); !slices.Equal(sortedCopy(got), wantWrites) {
				t.Errorf("writes %v, want %v", got, wantWrites)
			}
			created, ok := emu.TransformByName("Employee Display Name")
			if v, _ := created.Get("internal"); !ok || v != false {
				t.Errorf("created transform %v, want a custom one", created)
			}
			hire, _ := emu.TransformByName("Hire Date ISO8601")
			if hire.Object("attributes").String("inputFormat") != "MM/dd/yyyy" {
				t.Errorf("Hire Date ISO8601 in the tenant: %v", hire)
			}
			if _, ok := emu.TransformByName("Old Transform"); ok {
				t.Error("Old Transform is still in the tenant")
			}
			if _, ok := emu.TransformByName("ToUpper"); !ok {
				t.Error("ToUpper is gone")
			}

			stdout, stderr, code = runCLI(t, "", "plan", dir)
			if code != exitOK || !strings.Contains(stdout, "No changes") {
				t.Fatalf("plan after apply: exit %d\n%s%s", code, stdout, stderr)
			}
			emu.ResetLog()
			stdout, stderr, code = runCLI(t, "", "apply", dir, "--auto-approve", "--allow-delete")
			if code != exitOK || len(tenanttest.Writes(emu)) != 0 {
				t.Errorf("second apply: exit %d, writes %v\n%s%s", code, tenanttest.Writes(emu), stdout, stderr)
			}
		})
	}
}

// TestTransformViolationsCLI: a changed type, and a name the tenant has in another case, are
// violations at their YAML lines: plan exits 1 and apply sends nothing.
func TestTransformViolationsCLI(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, yaml string
		fold       bool
		want       []string
	}{
		{"type", "kind: Transform\nname: Lowercase Email\ntype: upper\nattributes: null\n", false,
			[]string{"t.yaml:3:7", "type", `"lower" → "upper"`, "PUT /v3/transforms/{id} rejects changes to type"}},
		{"name in another case", "kind: Transform\nname: lowercase email\ntype: lower\nattributes: null\n", true,
			[]string{"t.yaml:2:7", `"Lowercase Email" → "lowercase email"`, "write the name as the tenant has it"}},
		{"name in another case, exact tenant", "kind: Transform\nname: LOWERCASE EMAIL\ntype: lower\nattributes: null\n", false,
			[]string{"t.yaml:2:7", `"Lowercase Email" → "LOWERCASE EMAIL"`, "write the name as the tenant has it"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			emu := applyTenantWith(t, emulator.Options{Seed: transformsSeed(cliTransforms...), FoldNames: tc.fold})
			dir := tenanttest.WriteDir(t, map[string]string{"t.yaml": tc.yaml})
			stdout, stderr, code := runCLI(t, "", "plan", dir)
			if code != exitFailure {
				t.Fatalf("plan: exit %d, want 1\n%s%s", code, stdout, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("plan lacks %q:\n%s", w, stdout)
				}
			}
			emu.ResetLog()
			stdout, stderr, code = runCLI(t, "", "apply", dir, "--auto-approve")
			if code != exitFailure || !strings.Contains(stderr, "violations: nothing was sent") || len(tenanttest.Writes(emu)) != 0 {
				t.Errorf("apply: exit %d, writes %v\n%s%s", code, tenanttest.Writes(emu), stdout, stderr)
			}
		})
	}
}

// TestTransformDriftCLI: in a repository that declares a transform, drift lists the tenant's
// other custom transforms as unmanaged (never SailPoint's internal ones) and counts them in the
// coverage; an `unmanaged:` rule for the kind accepts them; a repository without transforms is
// told nothing about them and does not read them.
func TestTransformDriftCLI(t *testing.T) {
	t.Parallel()
	lowerEmail := strings.SplitN(cliTransformsYAML, "---\n", 2)[0]
	for _, tc := range []struct {
		name     string
		files    map[string]string
		want     []string
		notWant  []string
		reads    int // GET /v3/transforms requests
		coverage string
	}{
		{"reported", map[string]string{"t.yaml": lowerEmail}, []string{
			`? unmanaged Transform "Hire Date ISO8601"`, `? unmanaged Transform "Old Transform"`,
			"not declared in the repository (type dateFormat)",
		}, []string{"ToUpper"}, 1, "1 of 3 transforms (33 %)"},
		{"accepted", map[string]string{"t.yaml": lowerEmail, "sailsync.yaml": "unmanaged:\n  - kind: Transform\n    name: \"*\"\n    reason: the HR team's\n"},
			[]string{"; 2 unmanaged accepted by "}, []string{"? unmanaged Transform", "ToUpper"}, 1, "1 of 3 transforms (33 %)"},
		{"a rule for sources only", map[string]string{"t.yaml": lowerEmail, "sailsync.yaml": "unmanaged:\n  - kind: Source\n    name: \"*\"\n    reason: not ours\n"},
			[]string{`? unmanaged Transform "Old Transform"`}, []string{`? unmanaged Source`}, 1, "1 of 3 transforms (33 %)"},
		{"no transform declared", map[string]string{"s.yaml": "kind: Source\nname: Ghost\nabsent: true\nreason: r\n"},
			nil, []string{"Transform", "transforms"}, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The example's tenant, and Old Transform besides.
			emu := applyTenantWith(t, emulator.Options{Seed: acmeWith(t, "transforms/old.json", cliTransforms[2])})
			dir := tenanttest.WriteDir(t, tc.files)
			emu.ResetLog()
			stdout, stderr, code := runCLI(t, "", "drift", dir)
			if code != exitOK {
				t.Fatalf("drift: exit %d\n%s%s", code, stdout, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("drift lacks %q:\n%s", w, stdout)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(stdout, w) {
					t.Errorf("drift shows %q:\n%s", w, stdout)
				}
			}
			if tc.coverage != "" && !strings.Contains(stdout, tc.coverage+" managed") {
				t.Errorf("coverage lacks %q:\n%s", tc.coverage, stdout)
			}
			reads := 0
			for _, r := range requests(emu) {
				if strings.HasPrefix(r, "GET /v3/transforms") {
					reads++
				}
			}
			if reads != tc.reads {
				t.Errorf("%d transform reads, want %d: %v", reads, tc.reads, requests(emu))
			}
			if w := tenanttest.Writes(emu); len(w) != 0 {
				t.Errorf("drift, a dry run, wrote %v", w)
			}
		})
	}
}

// TestTransformEnvironments: a ${var:…} in a transform's attributes is the chosen environment's
// value: in the plan, in the tenant after apply, and "No changes" after it.
func TestTransformEnvironments(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	sandbox := tenanttest.Start(t, tenanttest.Options{Emulator: emulator.Options{Seed: transformsSeed(cliTransforms...)}})
	prod := tenanttest.Start(t, tenanttest.Options{Emulator: emulator.Options{Seed: transformsSeed(cliTransforms...)}})
	setEnv(t, "SAIL_CLIENT_ID", sandbox.Emu.ClientID())
	setEnv(t, "SAIL_CLIENT_SECRET", sandbox.Emu.ClientSecret())
	settings := fmt.Sprintf(`environments:
  sandbox:
    baseUrl: %s
    vars: {hrSource: HR Sandbox, format: yyyy-MM-dd}
  prod:
    baseUrl: %s
    vars: {hrSource: HR Database, format: MM/dd/yyyy}
`, sandbox.URL, prod.URL)
	dir := tenanttest.WriteDir(t, map[string]string{"sailsync.yaml": settings, "t.yaml": `kind: Transform
name: Lowercase Email
type: lower
attributes:
  input:
    type: accountAttribute
    attributes: {sourceName: "${var:hrSource}", attributeName: email}
---
kind: Transform
name: Hire Date ISO8601
type: dateFormat
attributes: {inputFormat: "${var:format}", outputFormat: ISO8601}
`})
	if stdout, stderr, code := runCLI(t, "", "validate", dir); code != exitOK {
		t.Fatalf("validate: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, env := range []struct {
		name string
		tn   *tenanttest.Tenant
		want []string // in the plan
		none string   // a transform in sync in this environment
		src  string
	}{
		{"sandbox", sandbox, []string{`~ attributes.input.attributes.sourceName: "HR Database" → "HR Sandbox"`}, `"Hire Date ISO8601"`, "HR Sandbox"},
		{"prod", prod, []string{`~ attributes.inputFormat: "yyyy-MM-dd" → "MM/dd/yyyy"`}, `"Lowercase Email"`, "HR Database"},
	} {
		t.Run(env.name, func(t *testing.T) {
			stdout, stderr, code := runCLI(t, "", "plan", dir, "--env", env.name, "--base-url", env.tn.URL)
			if code != exitChanges || !strings.Contains(stdout, "Plan: 0 to create, 1 to update.") || strings.Contains(stdout, env.none) {
				t.Fatalf("plan: exit %d\n%s%s", code, stdout, stderr)
			}
			for _, w := range env.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("plan lacks %q:\n%s", w, stdout)
				}
			}
			if stdout, stderr, code := runCLI(t, "", "apply", dir, "--env", env.name, "--auto-approve", "--base-url", env.tn.URL); code != exitOK {
				t.Fatalf("apply: exit %d\n%s%s", code, stdout, stderr)
			}
			o, _ := env.tn.Emu.TransformByName("Lowercase Email")
			if got := o.Object("attributes").Object("input").Object("attributes").String("sourceName"); got != env.src {
				t.Errorf("sourceName in the tenant %q, want %q", got, env.src)
			}
			if stdout, stderr, code := runCLI(t, "", "plan", dir, "--env", env.name, "--base-url", env.tn.URL); code != exitOK || !strings.Contains(stdout, "No changes") {
				t.Errorf("plan after apply: exit %d\n%s%s", code, stdout, stderr)
			}
		})
	}
}

// TestTransformChangedSince: --changed-since puts a transform whose document changed in scope
// (and not one whose comment did), and reads it alone by name.
func TestTransformChangedSince(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	setSecrets(t)
	dir := gitRepo(t)
	yml := filepath.Join(dir, "transforms/transforms.yaml")
	replaceInFile(t, yml, "attributeName: email", "attributeName: mail")
	replaceInFile(t, yml, "# the HR database exports US dates", "# US dates, as the HR database exports them")
	emu := applyTenant(t)
	stdout, stderr, code := runCLI(t, "", "plan", dir, "--changed-since", "HEAD", "--output", "json")
	if code != exitChanges {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	var plan struct {
		Changes []struct{ Kind, Name, Action string }
		Scope   struct{ Objects, Total int }
	}
	if err := json.Unmarshal([]byte(stdout), &plan); err != nil {
		t.Fatal(err)
	}
	if len(plan.Changes) != 1 || plan.Changes[0].Kind != "Transform" || plan.Changes[0].Name != "Lowercase Email" || plan.Changes[0].Action != "update" {
		t.Errorf("changes %+v, want the one update of Lowercase Email", plan.Changes)
	}
	if plan.Scope.Objects != 1 || plan.Scope.Total != 9 {
		t.Errorf("scope %+v", plan.Scope)
	}
	wantReqs := []string{"POST /oauth/token", `GET /v3/transforms?count=true&limit=250&offset=0`}
	if got := requests(emu); !slices.Equal(got, wantReqs) {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantReqs, "\n"))
	}
}

// TestTransformExport: an exported transform has neither id nor internal, a `${` in an attribute
// is written `$${` and reads back as the same literal (plan: No changes), and null attributes
// stay null; SailPoint's internal transforms are not exported.
func TestTransformExport(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	seed := append(slices.Clone(cliTransforms),
		`{"name":"Greeting","type":"static","attributes":{"value":"Hello ${firstName}, $${not a ref} costs $5"}}`,
		`{"name":"Random UUID","type":"uuid","attributes":null}`)
	startTenantWith(t, emulator.Options{Seed: transformsSeed(seed...)})
	dir := t.TempDir()
	if stdout, stderr, code := runCLI(t, "", "export", dir); code != exitOK {
		t.Fatalf("export: exit %d\n%s%s", code, stdout, stderr)
	}
	want := []string{"transforms/greeting.yaml", "transforms/hire-date-iso8601.yaml", "transforms/lowercase-email.yaml", "transforms/old-transform.yaml", "transforms/random-uuid.yaml"}
	if got := exportedFiles(t, dir); !slices.Equal(got, want) {
		t.Fatalf("exported %v, want %v", got, want)
	}
	for _, f := range want {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "id:") || strings.HasPrefix(line, "internal:") {
				t.Errorf("%s holds %q", f, line)
			}
		}
	}
	greeting := readFile(t, filepath.Join(dir, "transforms/greeting.yaml"))
	if !strings.Contains(greeting, "Hello $${firstName}, $$${not a ref} costs $5") {
		t.Errorf("greeting.yaml: the value is not escaped:\n%s", greeting)
	}
	if uuid := readFile(t, filepath.Join(dir, "transforms/random-uuid.yaml")); !strings.Contains(uuid, "attributes: null") {
		t.Errorf("random-uuid.yaml:\n%s", uuid)
	}
	if stdout, stderr, code := runCLI(t, "", "validate", dir); code != exitOK {
		t.Fatalf("validate: exit %d\n%s%s", code, stdout, stderr)
	}
	stdout, stderr, code := runCLI(t, "", "plan", dir)
	if code != exitOK || !strings.Contains(stdout, "No changes") {
		t.Errorf("plan of the export: exit %d\n%s%s", code, stdout, stderr)
	}
	// Applied to another tenant, the export creates the same literal.
	other, otherURL := startTenantWith(t, emulator.Options{Seed: fstest.MapFS{}})
	setEnv(t, "SAIL_BASE_URL", otherURL)
	if stdout, stderr, code := runCLI(t, "", "apply", dir, "--auto-approve"); code != exitOK {
		t.Fatalf("apply to another tenant: exit %d\n%s%s", code, stdout, stderr)
	}
	g, ok := other.TransformByName("Greeting")
	if got := g.Object("attributes").String("value"); !ok || got != "Hello ${firstName}, $${not a ref} costs $5" {
		t.Errorf("the other tenant's Greeting value: %q", got)
	}
	if u, ok := other.TransformByName("Random UUID"); !ok || attrs(u) != nil {
		t.Errorf("the other tenant's Random UUID: %v", u)
	}
}

// attrs returns a transform's attributes.
func attrs(o *value.Object) any {
	v, _ := o.Get("attributes")
	return v
}

// acmeWith is the example's tenant seed with one more file.
func acmeWith(t *testing.T, name, content string) fstest.MapFS {
	t.Helper()
	seed := fstest.MapFS{name: {Data: []byte(content)}}
	err := fs.WalkDir(examples.AcmeTenant, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(examples.AcmeTenant, p)
		seed[p] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return seed
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
