package sync_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/isc"
	"github.com/sailsync/sailsync/internal/tenanttest"
	"github.com/sailsync/sailsync/internal/value"
	isync "github.com/sailsync/sailsync/sync"
)

// tenantVariant is one way the tenant returns secrets: the shape of its cipher text, and
// whether it encrypts password-like names or only what connectorAttributes.encrypted lists.
type tenantVariant struct {
	format     emulator.CipherFormat
	listedOnly bool
}

// String names the variant in a subtest.
func (v tenantVariant) String() string {
	return fmt.Sprintf("%s,listed-only=%v", v.format, v.listedOnly)
}

func tenantVariants() []tenantVariant {
	var out []tenantVariant
	for _, f := range emulator.CipherFormats() {
		out = append(out, tenantVariant{f, false}, tenantVariant{f, true})
	}
	return out
}

// entraTenant starts a tenant playing v with an Entra source as a real tenant holds one: a
// password-like password, a pin its encrypted list names (a comma string), delta tokens and,
// after an aggregation, the rest of the runtime state.
func entraTenant(t *testing.T, v tenantVariant) *tenanttest.Tenant {
	t.Helper()
	tn := tenanttest.Start(t, tenanttest.Options{Emulator: emulator.Options{CipherFormat: v.format, EncryptListedOnly: v.listedOnly},
		Client: isc.Config{MaxRetries: 2}})
	s := tenanttest.LiveSource("Entra", "Microsoft Entra ID")
	s.Set("connector", "azure-active-directory")
	s.Set("type", "Azure Active Directory")
	attrs := value.NewObject()
	attrs.Set("domainName", "acme.onmicrosoft.com")
	attrs.Set("password", "pw1")
	attrs.Set("encrypted", "pin")
	attrs.Set("pin", "1234")
	attrs.Set("userDeltaToken", "u0")
	attrs.Set("groupsDeltaToken", "g0")
	attrs.Set("directoryRolesDeltaToken", "r0")
	s.Set("connectorAttributes", attrs)
	if _, err := tn.Emu.AddSource(s); err != nil {
		t.Fatal(err)
	}
	// A second source lists what it encrypts as an array.
	o := tenanttest.LiveSource("Okta", "Okta")
	oattrs := value.NewObject()
	oattrs.Set("encrypted", []any{"clientKey"})
	oattrs.Set("clientKey", "k1")
	oattrs.Set("oktaUrl", "https://acme.okta.com")
	o.Set("connectorAttributes", oattrs)
	if _, err := tn.Emu.AddSource(o); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"Entra", "Okta"} {
		if err := tn.Emu.Aggregate(n); err != nil {
			t.Fatal(err)
		}
	}
	return tn
}

// TestExportRuntimeStateAndSecrets: export writes no runtime state, ${env:…} only where the
// tenant returns cipher text or its encrypted list (comma string or array) names the key, and
// the export plans as No changes, under every variant of the tenant.
func TestExportRuntimeStateAndSecrets(t *testing.T) {
	t.Parallel()
	for _, v := range tenantVariants() {
		t.Run(v.String(), func(t *testing.T) {
			t.Parallel()
			tn := entraTenant(t, v)
			live, _ := tn.Emu.SourceByName("Entra")
			lattrs := live.Object("connectorAttributes")
			if p := lattrs.String("password"); strings.HasPrefix(p, tn.Emu.CipherPrefix()) == v.listedOnly {
				t.Fatalf("the tenant holds password as %q", p)
			}
			if !strings.HasPrefix(lattrs.String("pin"), tn.Emu.CipherPrefix()) || lattrs.String("userDeltaToken") == "u0" ||
				strings.HasPrefix(lattrs.String("userDeltaToken"), tn.Emu.CipherPrefix()) {
				t.Fatalf("the tenant holds pin %q, userDeltaToken %q", lattrs.String("pin"), lattrs.String("userDeltaToken"))
			}
			exp, err := isync.Export(context.Background(), tn.Client, isync.ExportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			files := map[string]string{}
			for _, f := range exp.Files {
				files[f.Path] = string(f.Content)
				p := filepath.Join(dir, filepath.FromSlash(f.Path))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, f.Content, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			entra, okta := files["sources/entra.yaml"], files["sources/okta.yaml"]
			for _, k := range []string{"DeltaToken", "cloudCacheUpdate", "since", "healthy", "status", "processing",
				"hasFullAggregationCompleted", "sourceConnected", "recommendationStatus", "cloudExternalId", "cloudDisplayName"} {
				if strings.Contains(entra, "  "+k) || strings.Contains(entra, k+":") || strings.Contains(okta, k+":") {
					t.Errorf("export writes %s:\n%s", k, entra)
				}
			}
			want := []string{"pin: ${env:ENTRA_PIN}", "domainName: acme.onmicrosoft.com"}
			if v.listedOnly {
				want = append(want, "password: pw1")
			} else {
				want = append(want, "password: ${env:ENTRA_PASSWORD}")
			}
			for _, w := range want {
				if !strings.Contains(entra, w) {
					t.Errorf("export lacks %q:\n%s", w, entra)
				}
			}
			if !strings.Contains(okta, "clientKey: ${env:OKTA_CLIENTKEY}") {
				t.Errorf("the array-listed clientKey is not a secret:\n%s", okta)
			}
			var vars []string
			for _, e := range exp.EnvVars {
				vars = append(vars, e.Name)
			}
			wantVars := "ENTRA_PASSWORD,ENTRA_PIN,OKTA_CLIENTKEY"
			if v.listedOnly {
				wantVars = "ENTRA_PIN,OKTA_CLIENTKEY"
			}
			if got := strings.Join(vars, ","); got != wantVars {
				t.Errorf("env vars %s, want %s", got, wantVars)
			}

			repo, err := config.Load(dir)
			if err != nil {
				t.Fatalf("the export does not load: %v", err)
			}
			var warned []string
			for _, w := range repo.Warnings {
				warned = append(warned, w.Field)
			}
			if got, want := strings.Join(warned, ","), map[bool]string{true: "connectorAttributes.password", false: ""}[v.listedOnly]; got != want {
				t.Errorf("warnings at %q, want %q: %v", got, want, repo.Warnings)
			}
			lv, err := isync.Fetch(context.Background(), tn.Client, repo, isync.FetchOptions{})
			if err != nil {
				t.Fatal(err)
			}
			p, err := diff.Compute(repo, lv, diff.Options{Drift: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, ch := range p.Changes {
				if ch.Action != diff.ActionNoChange {
					t.Errorf("the export plans %s %s [%v]", ch.Action, ch.Key(), ch.Fields)
				}
			}
		})
	}
}

// TestApplyCarriesLiveRuntimeState: an aggregation between plan and apply neither makes apply
// refuse the source nor is undone by it: the PUT carries the fresh read's runtime state, a
// declared runtime key as declared, and a literal over cipher text leaves the tenant's secret
// (compared and sent like any value where the tenant keeps it plain), under every variant.
func TestApplyCarriesLiveRuntimeState(t *testing.T) {
	t.Parallel()
	for _, v := range tenantVariants() {
		t.Run(v.String(), func(t *testing.T) {
			t.Parallel()
			tn := entraTenant(t, v)
			dir := tenanttest.WriteDir(t, map[string]string{"sources/entra.yaml": `kind: Source
name: Entra
description: Entra, managed in Git
owner: {type: IDENTITY, id: ` + tenanttest.BenchOwnerID + `}
connector: azure-active-directory
connectorAttributes:
  domainName: acme.onmicrosoft.com
  password: hunter2
  recommendationStatus: PINNED
`})
			repo := load(t, dir)
			lv, err := isync.Fetch(context.Background(), tn.Client, repo, isync.FetchOptions{})
			if err != nil {
				t.Fatal(err)
			}
			p, err := diff.Compute(repo, lv, diff.Options{})
			if err != nil {
				t.Fatal(err)
			}
			want := "description,connectorAttributes.recommendationStatus"
			if v.listedOnly {
				want = "description,connectorAttributes.password,connectorAttributes.recommendationStatus"
			}
			if ch := p.Changes[0]; ch.Action != diff.ActionUpdate || fieldList(ch) != want {
				t.Fatalf("plan %s [%s], want update [%s]", ch.Action, fieldList(ch), want)
			}
			// The platform aggregates between plan and apply.
			if err := tn.Emu.Aggregate("Entra"); err != nil {
				t.Fatal(err)
			}
			before, _ := tn.Emu.SourceByName("Entra")
			rep, err := isync.Apply(context.Background(), tn.Client, repo, p, isync.ApplyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !rep.OK() || len(rep.Results) != 1 || rep.Results[0].Status != isync.StatusDone {
				t.Fatalf("apply: %+v", rep.Results)
			}
			after, _ := tn.Emu.SourceByName("Entra")
			if d := after.String("description"); d != "Entra, managed in Git" {
				t.Errorf("description %q", d)
			}
			battrs, aattrs := before.Object("connectorAttributes"), after.Object("connectorAttributes")
			for _, k := range []string{"userDeltaToken", "groupsDeltaToken", "directoryRolesDeltaToken", "cloudCacheUpdate", "since",
				"processing", "hasFullAggregationCompleted", "sourceConnected", "cloudExternalId", "pin"} {
				b, _ := battrs.Get(k)
				a, _ := aattrs.Get(k)
				if fmt.Sprint(a) != fmt.Sprint(b) || a == nil {
					t.Errorf("%s: %v after apply, %v live before it", k, a, b)
				}
			}
			if s := aattrs.String("recommendationStatus"); s != "PINNED" {
				t.Errorf("declared recommendationStatus %q", s)
			}
			if v.listedOnly {
				if s := aattrs.String("password"); s != "hunter2" {
					t.Errorf("plain password %q, want the declared one", s)
				}
			} else if s, ok := tn.Emu.Secret("Entra", "password"); !ok || s != "pw1" {
				t.Errorf("password %q (%v): the literal was sent over the tenant's secret", s, ok)
			}
		})
	}
}

func fieldList(ch diff.Change) string {
	var ps []string
	for _, f := range ch.Fields {
		ps = append(ps, f.Path)
	}
	return strings.Join(ps, ",")
}
