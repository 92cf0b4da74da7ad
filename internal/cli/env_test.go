package cli

import (
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sailsync/sailsync/examples"
	"github.com/sailsync/sailsync/internal/contract"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/tenanttest"
	"github.com/sailsync/sailsync/internal/value"
)

// directoryCollections are the emulator's lookup collections, by seed directory.
var directoryCollections = []string{"identities", "managed-clusters", "workgroups", "password-policies", "connector-rules"}

// promotionTenant serves an emulated tenant seeded with the Acme example behind the contract
// middleware. With otherIDs, every object of the directory (identities, clusters, …) gets
// another id than in the example's seed, as production's objects of the same names have.
func promotionTenant(t *testing.T, otherIDs bool) (*emulator.Emulator, string) {
	t.Helper()
	seed := fstest.MapFS{}
	err := fs.WalkDir(examples.AcmeTenant, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(examples.AcmeTenant, p)
		if err != nil {
			return err
		}
		dir, _, _ := strings.Cut(p, "/")
		for _, c := range directoryCollections {
			if otherIDs && dir == c {
				// Production's ids: the same objects, another tenant's ids.
				v, err := value.Decode(data)
				if err != nil {
					return err
				}
				for _, e := range v.([]any) {
					o := e.(*value.Object)
					o.Set("id", "ffff"+o.String("id")[4:])
				}
				if data, err = value.Marshal(v); err != nil {
					return err
				}
			}
		}
		seed[p] = &fstest.MapFile{Data: data}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	emu, err := emulator.New(emulator.Options{Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = emu
	if _, ok := contract.Available(); ok {
		h = contract.Middleware(t, emu)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return emu, srv.URL
}

// promotionRepo copies examples/acme-promote and points its environments at the two tenants.
func promotionRepo(t *testing.T, sandboxURL, prodURL string) string {
	t.Helper()
	dir := tenanttest.CopyDir(t, "examples/acme-promote")
	p := filepath.Join(dir, "sailsync.yaml")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), "https://acme-sb.api.identitynow.com", sandboxURL, 1)
	s = strings.Replace(s, "https://acme.api.identitynow.com", prodURL, 1)
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestPromotion promotes one repository: plan and apply to a sandbox tenant, then to a
// production tenant whose identities, clusters, workgroups, password policies and rules have
// other ids; each ends at "No changes", every request passes the contract check, and each
// tenant's source carries that tenant's ids and that environment's vars. Each job names its
// tenant in SAIL_BASE_URL, which sailsync.yaml's baseUrl checks.
func TestPromotion(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	sandbox, sandboxURL := promotionTenant(t, false)
	prod, prodURL := promotionTenant(t, true)
	setEnv(t, "SAIL_CLIENT_ID", sandbox.ClientID())
	setEnv(t, "SAIL_CLIENT_SECRET", sandbox.ClientSecret())
	dir := promotionRepo(t, sandboxURL, prodURL)

	for _, env := range []struct {
		name      string
		emu       *emulator.Emulator
		url       string
		threshold string
		feedURL   string
	}{
		{"sandbox", sandbox, sandboxURL, "50", "https://hr-test.acme.example/exports/people.csv"},
		{"prod", prod, prodURL, "10", "https://hr.acme.example/exports/people.csv"},
	} {
		t.Run(env.name, func(t *testing.T) {
			setEnv(t, "SAIL_BASE_URL", env.url)
			out, errOut, code := runCLI(t, "", "plan", dir, "--env", env.name)
			if code != 2 {
				t.Fatalf("plan: exit %d\n%s%s", code, out, errOut)
			}
			for _, want := range []string{
				"Tenant: " + env.url + " (environment " + env.name + ")",
				"+ deleteThreshold: " + env.threshold,
				"+ connectorAttributes.feedUrl: \"" + env.feedURL + "\"",
				"5 references given by name resolved in the tenant with 5 requests",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("plan lacks %q:\n%s", want, out)
				}
			}
			if out, errOut, code := runCLI(t, "", "apply", dir, "--env", env.name, "--auto-approve"); code != 0 {
				t.Fatalf("apply: exit %d\n%s%s", code, out, errOut)
			}
			if out, errOut, code := runCLI(t, "", "plan", dir, "--env", env.name); code != 0 || !strings.Contains(out, "No changes") {
				t.Fatalf("plan after apply: exit %d\n%s%s", code, out, errOut)
			}
			src, ok := env.emu.SourceByName("HR Feed")
			if !ok {
				t.Fatal("the source was not created")
			}
			ids := func(collection, name string) string {
				for _, o := range env.emu.Directory(collection) {
					if o.String("name") == name {
						return o.String("id")
					}
				}
				t.Fatalf("%s: no %q", collection, name)
				return ""
			}
			policies, _ := src.Get("passwordPolicies")
			policy := ""
			if l, _ := policies.([]any); len(l) == 1 {
				policy = l[0].(*value.Object).String("id")
			}
			for _, c := range []struct{ field, got, want string }{
				{"owner", src.Object("owner").String("id"), ids("identities", "Amelia Ortiz")},
				{"cluster", src.Object("cluster").String("id"), ids("managed-clusters", "Acme Primary VA Cluster")},
				{"managementWorkgroup", src.Object("managementWorkgroup").String("id"), ids("workgroups", "Identity Administrators")},
				{"passwordPolicies", policy, ids("password-policies", "Default Password Policy")},
				{"beforeProvisioningRule", src.Object("beforeProvisioningRule").String("id"), ids("connector-rules", "Acme HR Build Map")},
				{"connectorAttributes.feedUrl", src.Object("connectorAttributes").String("feedUrl"), env.feedURL},
			} {
				if c.got != c.want {
					t.Errorf("%s: %q, want this tenant's %q", c.field, c.got, c.want)
				}
			}
			if n, _ := src.Get("deleteThreshold"); fmt.Sprint(n) != env.threshold {
				t.Errorf("deleteThreshold %v, want %s (a number, from the var)", n, env.threshold)
			}
		})
	}
	sb, _ := sandbox.SourceByName("HR Feed")
	pr, _ := prod.SourceByName("HR Feed")
	if sb.Object("owner").String("id") == pr.Object("owner").String("id") {
		t.Error("both tenants' sources carry the same owner id: the ids were not resolved per tenant")
	}
}

// TestEnvironmentRefusals: a base URL that is not the environment's tenant, a plan file made
// for another environment, an unknown environment and a missing choice are refused before any
// request reaches either tenant.
func TestEnvironmentRefusals(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	sandbox, sandboxURL := promotionTenant(t, false)
	prod, prodURL := promotionTenant(t, true)
	setEnv(t, "SAIL_CLIENT_ID", sandbox.ClientID())
	setEnv(t, "SAIL_CLIENT_SECRET", sandbox.ClientSecret())
	dir := promotionRepo(t, sandboxURL, prodURL)
	planFile := filepath.Join(t.TempDir(), "sandbox.plan.json")
	if out, errOut, code := runCLI(t, "", "plan", dir, "--env", "sandbox", "--out", planFile, "--base-url", sandboxURL); code != 2 {
		t.Fatalf("plan: exit %d\n%s%s", code, out, errOut)
	}
	sandbox.ResetLog()
	prod.ResetLog()

	tests := []struct {
		name    string
		baseURL string // SAIL_BASE_URL
		envVar  string // SAILSYNC_ENV
		args    []string
		want    string
	}{
		{"production credentials in a sandbox job", prodURL, "", []string{"plan", dir, "--env", "sandbox"},
			"environment sandbox belongs to tenant " + sandboxURL + " (sailsync.yaml:6), but SAIL_BASE_URL names tenant " + prodURL + ": nothing was sent"},
		{"--base-url of another tenant on apply", "", "prod", []string{"apply", dir, "--auto-approve", "--base-url", sandboxURL},
			"environment prod belongs to tenant " + prodURL},
		{"a sandbox plan applied to prod", "", "", []string{"apply", dir, "--plan", planFile, "--env", "prod", "--auto-approve"},
			"plan file " + planFile + " was made for environment sandbox, not for environment prod: nothing was sent"},
		{"a sandbox plan with SAILSYNC_ENV=prod", "", "prod", []string{"apply", dir, "--plan", planFile, "--auto-approve"},
			"was made for environment sandbox, not for environment prod"},
		{"no environment chosen", "", "", []string{"plan", dir},
			"the repository declares the environments sandbox, prod in sailsync.yaml: choose one with --env NAME or SAILSYNC_ENV"},
		{"an unknown environment", "", "", []string{"drift", dir, "--env", "staging"},
			`environment "staging" is not declared in sailsync.yaml: choose one of sandbox, prod`},
		{"--env without environments", "", "", []string{"plan", "examples/acme", "--env", "prod", "--emulator"},
			"--env prod (or SAILSYNC_ENV): the repository declares no environments"},
		{"validate --env of an undeclared environment", "", "", []string{"validate", dir, "--env", "staging"},
			`environment "staging" is not declared in sailsync.yaml: choose one of sandbox, prod`},
		{"export of the sandbox with production credentials", prodURL, "", []string{"export", dir, "--env", "sandbox", "--force"},
			"environment sandbox belongs to tenant " + sandboxURL},
		{"export into a repository with environments, none chosen", sandboxURL, "", []string{"export", dir, "--force"},
			"choose one with --env NAME or SAILSYNC_ENV"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setEnv(t, "SAIL_BASE_URL", tt.baseURL)
			setEnv(t, "SAILSYNC_ENV", tt.envVar)
			out, errOut, code := runCLI(t, "", tt.args...)
			if code != 1 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, want 1 with %q\nstdout:\n%s\nstderr:\n%s", code, tt.want, out, errOut)
			}
			for name, emu := range map[string]*emulator.Emulator{"sandbox": sandbox, "prod": prod} {
				if l := emu.Log(); len(l) > 0 {
					t.Errorf("%s received %d requests, the first %s %s", name, len(l), l[0].Method, l[0].Path)
				}
			}
		})
	}
	// The plan file applies to its own environment.
	if out, errOut, code := runCLI(t, "", "apply", dir, "--plan", planFile, "--env", "sandbox", "--auto-approve", "--base-url", sandboxURL); code != 0 {
		t.Fatalf("apply --plan for its environment: exit %d\n%s%s", code, out, errOut)
	}
	if _, ok := sandbox.SourceByName("HR Feed"); !ok {
		t.Error("the sandbox plan created nothing")
	}
}

// TestUnresolvedNameIsAPlanError: a name that finds nothing, or several objects, is an error
// at its file:line that names the candidates, and nothing is written.
func TestUnresolvedNameIsAPlanError(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	emu, url := promotionTenant(t, false)
	setEnv(t, "SAIL_CLIENT_ID", emu.ClientID())
	setEnv(t, "SAIL_CLIENT_SECRET", emu.ClientSecret())
	dir := promotionRepo(t, url, url)
	p := filepath.Join(dir, "sources", "hr-feed.yaml")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), "name: Amelia Ortiz", "name: Nobody Here", 1)
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, "", "apply", dir, "--env", "sandbox", "--auto-approve", "--base-url", url)
	want := `sources/hr-feed.yaml:7:31: Source "HR Feed" owner: the tenant has no IDENTITY named "Nobody Here"`
	if code != 1 || !strings.Contains(errOut, want) {
		t.Errorf("exit %d, want 1 with %q\n%s%s", code, want, out, errOut)
	}
	if w := tenanttest.Writes(emu); len(w) > 0 {
		t.Errorf("writes: %v", w)
	}
}

// TestExportWritesNames: export writes a reference by name when its name finds that object
// again (the repository then promotes), with the tenant's id under --keep-ids, and the id
// where the name finds nothing; either way a plan of the export against the same tenant shows
// no change.
func TestExportWritesNames(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	emu, _ := startTenant(t)
	// Legacy Mainframe's owner is in no directory the emulator serves under that name.
	if err := emu.UpdateSource("Legacy Mainframe", func(s *value.Object) {
		s.Object("owner").Set("name", "Departed Admin")
	}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		flag         string
		corporate    string
		notCorporate string
	}{
		{"", "owner:\n  type: IDENTITY\n  name: Amelia Ortiz\n", "2c91808568c529c60168cca6f90c1313"},
		{"--keep-ids", "owner:\n  type: IDENTITY\n  id: 2c91808568c529c60168cca6f90c1313\n  name: Amelia Ortiz\n", ""},
	} {
		t.Run("flag "+tc.flag, func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"export", dir}
			if tc.flag != "" {
				args = append(args, tc.flag)
			}
			out, errOut, code := runCLI(t, "", args...)
			if code != 0 {
				t.Fatalf("export: exit %d\n%s%s", code, out, errOut)
			}
			setExportedEnv(t, out)
			b, err := os.ReadFile(filepath.Join(dir, "sources", "corporate-directory.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), tc.corporate) {
				t.Errorf("corporate-directory.yaml lacks %q:\n%s", tc.corporate, b)
			}
			if tc.notCorporate != "" && strings.Contains(string(b), tc.notCorporate) {
				t.Errorf("corporate-directory.yaml holds the tenant's id %s:\n%s", tc.notCorporate, b)
			}
			legacy, err := os.ReadFile(filepath.Join(dir, "sources", "legacy-mainframe.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(legacy), "id: 2c91808568c529c60168cca6f90c1313\n  name: Departed Admin") {
				t.Errorf("a name that finds nothing keeps its id:\n%s", legacy)
			}
			if out, errOut, code := runCLI(t, "", "plan", dir); code != 0 || !strings.Contains(out, "No changes") {
				t.Errorf("plan of the export: exit %d\n%s%s", code, out, errOut)
			}
		})
	}
}
