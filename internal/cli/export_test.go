package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/tenanttest"
)

// exportedFiles lists the files below dir, slash-separated and sorted.
func exportedFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		files = append(files, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

var envLine = regexp.MustCompile(`(?m)^  ([A-Z][A-Z0-9_]*)  \(source `)

// setExportedEnv sets every variable export listed to a value of its own.
func setExportedEnv(t *testing.T, stdout string) []string {
	t.Helper()
	var names []string
	for _, m := range envLine.FindAllStringSubmatch(stdout, -1) {
		names = append(names, m[1])
		setEnv(t, m[1], "exported-"+strings.ToLower(m[1]))
	}
	return names
}

// TestExportValidatePlan: export, then validate the result (clean), then plan it against the
// same tenant (no changes) — on the seed tenant and after the example has been applied, which
// adds a custom connector, a secret and uploaded schemas.
func TestExportValidatePlan(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		applyAll bool
		files    []string
		env      []string
	}{
		{
			name: "seed tenant",
			files: []string{
				"schemas/corporate-directory-group.yaml",
				// Entra's group schema, which has no attributes: exported as attributes: [].
				"schemas/microsoft-entra-id-group.yaml",
				"sources/contractors-nerm.yaml",
				"sources/corporate-directory.yaml",
				"sources/hr-database.yaml",
				"sources/legacy-mainframe.yaml",
				"sources/microsoft-entra-id.yaml",
				// The custom transforms; the internal ToUpper is SailPoint's, not exported.
				"transforms/hire-date-iso8601.yaml",
				"transforms/lowercase-email.yaml",
			},
			env: []string{"CONTRACTORS_NERM_APITOKEN", "CORPORATE_DIRECTORY_PASSWORD", "HR_DATABASE_PASSWORD", "MICROSOFT_ENTRA_ID_CLIENTSECRET"},
		},
		{
			name:     "after apply",
			applyAll: true,
			files: []string{
				"connectors/acme-hr.yaml",
				// The connector's bundle, beside its YAML file.
				"connectors/acme-hr/source-config.xml",
				"connectors/acme-hr/source-template.xml",
				"schemas/acme-hr-cloud-role.yaml",
				"schemas/corporate-directory-group.yaml",
				"schemas/microsoft-entra-id-group.yaml",
				"sources/acme-hr-cloud.yaml",
				"sources/contractors-nerm.yaml",
				"sources/corporate-directory.yaml",
				"sources/hr-database.yaml",
				"sources/legacy-mainframe.yaml",
				"sources/microsoft-entra-id.yaml",
				"transforms/employee-display-name.yaml",
				"transforms/hire-date-iso8601.yaml",
				"transforms/lowercase-email.yaml",
			},
			env: []string{"ACME_HR_CLOUD_APITOKEN", "CONTRACTORS_NERM_APITOKEN", "CORPORATE_DIRECTORY_PASSWORD", "HR_DATABASE_PASSWORD", "MICROSOFT_ENTRA_ID_CLIENTSECRET"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cleanEnv(t)
			emu, _ := startTenant(t)
			if tc.applyAll {
				setSecrets(t)
				if _, stderr, code := runCLI(t, "", "apply", "examples/acme", "--auto-approve"); code != exitOK {
					t.Fatalf("apply: exit %d: %s", code, stderr)
				}
				// The exported repository must stand on its own, with its own variables.
				for k := range tenanttest.Secrets {
					unsetEnv(t, k)
				}
			}
			dir := t.TempDir()
			stdout, stderr, code := runCLI(t, "", "export", dir)
			if code != exitOK {
				t.Fatalf("export: exit %d: %s", code, stderr)
			}
			if got := exportedFiles(t, dir); strings.Join(got, "\n") != strings.Join(tc.files, "\n") {
				t.Errorf("exported files:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.files, "\n"))
			}
			assertNoTenantSecrets(t, emu, dir, stdout+stderr)

			if _, stderr, code := runCLI(t, "", "validate", dir); code != exitOK {
				t.Fatalf("validate of the export: exit %d: %s", code, stderr)
			}

			env := setExportedEnv(t, stdout)
			if strings.Join(env, " ") != strings.Join(tc.env, " ") {
				t.Errorf("export lists variables %v, want %v", env, tc.env)
			}
			stdout, stderr, code = runCLI(t, "", "plan", dir)
			if code != exitOK || !strings.Contains(stdout, "No changes") {
				t.Errorf("plan of the export: exit %d, want 0 with No changes\nstdout: %s\nstderr: %s", code, stdout, stderr)
			}
			stdout, stderr, code = runCLI(t, "", "drift", dir)
			if code != exitOK {
				t.Errorf("drift of the export: exit %d, want 0\nstdout: %s\nstderr: %s", code, stdout, stderr)
			}
		})
	}
}

// assertNoTenantSecrets checks that no secret the tenant holds (plain or as it returns it) is in
// the exported files or the command's output, and that each was replaced by a reference.
func assertNoTenantSecrets(t *testing.T, emu *emulator.Emulator, dir, output string) {
	t.Helper()
	var secrets []string
	for _, s := range emu.Sources() {
		attrs := s.Object("connectorAttributes")
		if attrs == nil {
			continue
		}
		for _, k := range attrs.Keys() {
			if plain, ok := emu.Secret(s.String("name"), k); ok && plain != "" {
				secrets = append(secrets, plain, attrs.String(k))
			}
		}
	}
	if len(secrets) == 0 {
		t.Fatal("the tenant holds no secrets: the check would prove nothing")
	}
	texts := []string{output}
	for _, f := range exportedFiles(t, dir) {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, string(b))
	}
	for _, txt := range texts {
		for _, s := range secrets {
			if s != "" && strings.Contains(txt, s) {
				t.Errorf("a tenant secret (%.6s…) appears in the export:\n%s", s, txt)
			}
		}
	}
	if !strings.Contains(strings.Join(texts, ""), "${env:") {
		t.Error("no ${env:…} reference in the export")
	}
}

// TestExportSources: --source limits the export to the named sources (and their schemas); an
// unknown name is an error that writes nothing.
func TestExportSources(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	startTenant(t)
	dir := t.TempDir()
	stdout, stderr, code := runCLI(t, "", "export", dir, "--source", "Corporate Directory", "--source", "Legacy Mainframe")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := "schemas/corporate-directory-group.yaml sources/corporate-directory.yaml sources/legacy-mainframe.yaml"
	if got := strings.Join(exportedFiles(t, dir), " "); got != want {
		t.Errorf("files %s, want %s", got, want)
	}
	if strings.Contains(stdout, "HR_DATABASE") {
		t.Errorf("a variable of a source not exported is listed:\n%s", stdout)
	}

	empty := t.TempDir()
	_, stderr, code = runCLI(t, "", "export", empty, "--source", "HR Database", "--source", "Payroll")
	if code != exitFailure || !strings.Contains(stderr, "Payroll") {
		t.Errorf("unknown source: exit %d, stderr %s", code, stderr)
	}
	if files := exportedFiles(t, empty); len(files) != 0 {
		t.Errorf("files written for a failed export: %v", files)
	}
}

// TestExportExistingFiles: without --force an export that would overwrite a file writes
// nothing at all; with --force it overwrites.
func TestExportExistingFiles(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	startTenant(t)
	dir := t.TempDir()
	existing := filepath.Join(dir, "sources", "legacy-mainframe.yaml")
	if err := os.MkdirAll(filepath.Dir(existing), 0o755); err != nil {
		t.Fatal(err)
	}
	const mine = "# the user's own file\n"
	if err := os.WriteFile(existing, []byte(mine), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runCLI(t, "", "export", dir)
	if code != exitFailure || !strings.Contains(stderr, "legacy-mainframe.yaml already exists") || !strings.Contains(stderr, "--force") {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	if strings.Contains(stdout, "wrote") {
		t.Errorf("stdout claims writes: %s", stdout)
	}
	if got := exportedFiles(t, dir); len(got) != 1 {
		t.Errorf("files after a refused export: %v", got)
	}
	if b, _ := os.ReadFile(existing); string(b) != mine {
		t.Errorf("the existing file was changed: %q", b)
	}

	if _, stderr, code := runCLI(t, "", "export", dir, "--force"); code != exitOK {
		t.Fatalf("--force: exit %d: %s", code, stderr)
	}
	if b, _ := os.ReadFile(existing); !strings.HasPrefix(string(b), "kind: Source\nname: Legacy Mainframe\n") {
		t.Errorf("--force did not overwrite:\n%s", b)
	}
	if got := exportedFiles(t, dir); len(got) != 9 {
		t.Errorf("files after --force: %v", got)
	}
}

// TestExportThenAddSchema: a user exports, declares a new entitlement schema and applies; the
// tenant then lists the new schema on the source, and the next plan must not try to take that
// reference away (export once wrote the source's schemas list, which made it do so).
func TestExportThenAddSchema(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	emu, _ := startTenant(t)
	dir := t.TempDir()
	stdout, stderr, code := runCLI(t, "", "export", dir, "--source", "Legacy Mainframe")
	if code != exitOK {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	setExportedEnv(t, stdout)
	const schema = "kind: EntitlementSchema\nsource: Legacy Mainframe\nname: group\nattributes: [id, name, description]\n"
	if err := os.MkdirAll(filepath.Join(dir, "schemas"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "schemas", "legacy-mainframe-group.yaml"), []byte(schema), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code = runCLI(t, "", "apply", dir, "--auto-approve")
	if code != exitOK || !strings.Contains(stdout, `done      EntitlementSchema "group" of source "Legacy Mainframe" (create)`) {
		t.Fatalf("apply: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if n := len(emu.Schemas("Legacy Mainframe")); n == 0 {
		t.Fatal("the schema was not created")
	}
	stdout, stderr, code = runCLI(t, "", "plan", dir)
	if code != exitOK {
		t.Errorf("plan after adding a schema to an export: exit %d, want 0\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
}

// TestExportNameCollisions: names that make the same file name or variable name (case,
// punctuation) get files and variables of their own rather than overwriting or sharing, the
// output lists them in a stable order, and the export still shows no drift.
func TestExportNameCollisions(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	emu, _ := startTenant(t)
	// Not "hr database": a name that differs from another only in case is one the tenant may
	// take for the other, which validate refuses (config.NameKey).
	for _, name := range []string{"HR_Database", "HR-Database"} {
		src, ok := emu.SourceByName("HR Database")
		if !ok {
			t.Fatal("no HR Database in the seed")
		}
		src.Delete("id")
		src.Set("name", name)
		src.Object("connectorAttributes").Set("connector_files", "ojdbc8.jar")
		if _, err := emu.AddSource(src); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	stdout, stderr, code := runCLI(t, "", "export", dir)
	if code != exitOK {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	want := []string{
		"schemas/corporate-directory-group.yaml",
		"schemas/microsoft-entra-id-group.yaml",
		"sources/contractors-nerm.yaml",
		"sources/corporate-directory.yaml",
		"sources/hr-database-2.yaml",
		"sources/hr-database-3.yaml",
		"sources/hr-database.yaml",
		"sources/legacy-mainframe.yaml",
		"sources/microsoft-entra-id.yaml",
		"transforms/hire-date-iso8601.yaml",
		"transforms/lowercase-email.yaml",
	}
	if files := exportedFiles(t, dir); strings.Join(files, " ") != strings.Join(want, " ") {
		t.Errorf("files on disk %v, want %v", files, want)
	}
	vars := setExportedEnv(t, stdout)
	wantVars := "CONTRACTORS_NERM_APITOKEN CORPORATE_DIRECTORY_PASSWORD HR_DATABASE_PASSWORD HR_DATABASE_PASSWORD_2 HR_DATABASE_PASSWORD_3 MICROSOFT_ENTRA_ID_CLIENTSECRET"
	if strings.Join(vars, " ") != wantVars {
		t.Errorf("variables %v, want %s", vars, wantVars)
	}
	first, second := strings.Index(stdout, `Source "HR-Database" lists connector files`), strings.Index(stdout, `Source "HR_Database" lists connector files`)
	if first < 0 || second < first {
		t.Errorf("connector-file notes missing or out of name order:\n%s", stdout)
	}
	if _, stderr, code := runCLI(t, "", "validate", dir); code != exitOK {
		t.Fatalf("validate: exit %d: %s", code, stderr)
	}
	if stdout, stderr, code := runCLI(t, "", "drift", dir); code != exitOK {
		t.Errorf("drift of the export: exit %d\n%s\n%s", code, stdout, stderr)
	}
}
