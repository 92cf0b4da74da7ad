package cli

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

// TestAcceptPlanFile holds a saved plan against the runs that must refuse it, one row per
// reason, and the runs that accept it; steps records which of the run's steps were taken, so
// a row also shows that a refusal comes before the tenant is reached.
func TestAcceptPlanFile(t *testing.T) {
	repo, err := config.Load("examples/acme")
	if err != nil {
		t.Fatal(err)
	}
	promote, err := config.Load("examples/acme-promote")
	if err != nil {
		t.Fatal(err)
	}
	const key = "Source/Corporate Directory"
	change := func() diff.Change {
		body := value.NewObject()
		body.Set("description", "Active Directory")
		return diff.Change{Kind: config.KindSource, Name: "Corporate Directory", Action: diff.ActionUpdate, File: "sources/ad.yaml", Line: 1,
			Fields: []diff.Field{{Path: "description", Before: "AD", After: "Active Directory"}}, LiveID: "2c91", Op: &diff.Operation{Body: body}}
	}
	plan := func(r *config.Repo) *diff.Plan {
		return &diff.Plan{FormatVersion: diff.FormatVersion, Tenant: "acme", RepoHash: r.Hash, Changes: []diff.Change{change()}}
	}
	for _, tc := range []struct {
		name string
		repo *config.Repo
		// saved edits the plan file's plan; raw replaces the file's bytes.
		saved  func(pf *planFile)
		raw    func(b []byte) []byte
		run    func(r *planRun, step func(string))
		fresh  func(p *diff.Plan)
		want   string // the error, "" for accepted
		steps  string
		scoped bool // the plan is recomputed over the plan's scope only
	}{
		{name: "scope flags", run: func(r *planRun, step func(string)) { r.Scoped = true }, want: "do not go with --plan", steps: ""},
		{name: "no file", run: func(r *planRun, step func(string)) { r.File += ".missing" }, want: "plan file: open", steps: ""},
		{name: "oversized", raw: func(b []byte) []byte {
			return append(b, make([]byte, MaxPlanFileSize)...)
		}, want: "larger than 64 MiB", steps: ""},
		{name: "not JSON", raw: func([]byte) []byte { return []byte("plan: yes") }, want: "invalid character", steps: ""},
		{name: "unknown field", raw: func(b []byte) []byte {
			return append([]byte(`{"apply_anyway": true, `), b[1:]...)
		}, want: `unknown field "apply_anyway"`, steps: ""},
		{name: "data after the plan", raw: func(b []byte) []byte { return append(b, "{}"...) }, want: "data after the plan", steps: ""},
		{name: "format version", saved: func(pf *planFile) { pf.FormatVersion = 2 }, want: "format_version 2", steps: ""},
		{name: "no tenant", saved: func(pf *planFile) { pf.Tenant = "" }, want: "names no tenant", steps: ""},
		{name: "made with --rotate-secrets", saved: func(pf *planFile) { pf.RotateSecrets = true }, want: "made with --rotate-secrets, and apply was run without it", steps: ""},
		{name: "run with --rotate-secrets", run: func(r *planRun, step func(string)) { r.RotateSecrets = true }, want: "made without --rotate-secrets, and apply was run with it", steps: ""},
		{name: "other repository content", saved: func(pf *planFile) { pf.RepoHash = strings.Repeat("0", 64) }, want: "other repository content than examples/acme", steps: "load"},
		{name: "other environment", repo: promote, saved: func(pf *planFile) { pf.Environment = "sandbox" }, run: func(r *planRun, step func(string)) { r.Env = "prod" },
			want: "made for environment sandbox, not for environment prod", steps: "load"},
		{name: "environment asked, none in plan", run: func(r *planRun, step func(string)) { r.Env = "prod" }, want: "made for no environment, not for environment prod", steps: "load"},
		{name: "no environment, repository declares some", repo: promote, want: "names no environment, but the repository declares environments", steps: "load"},
		{name: "environment's tenant refused", repo: promote, saved: func(pf *planFile) { pf.Environment = "prod" }, run: func(r *planRun, step func(string)) {
			r.bindEnv = func(_ *config.Repo, env string) (*config.Repo, error) {
				step("bind " + env)
				return nil, errors.New("environment prod belongs to tenant acme-prod")
			}
		}, want: "belongs to tenant acme-prod", steps: "load,bind prod"},
		{name: "no tenant to reach", run: func(r *planRun, step func(string)) {
			r.connect = func() (string, error) { step("connect"); return "", errors.New("no tenant: set SAIL_BASE_URL") }
		}, want: "no tenant: set SAIL_BASE_URL", steps: "load,connect"},
		{name: "other tenant", saved: func(pf *planFile) { pf.Tenant = "acme-sb" }, want: "made against tenant acme-sb, but apply talks to acme: nothing was sent", steps: "load,connect"},
		{name: "recomputation fails", run: func(r *planRun, step func(string)) {
			r.recompute = func(*config.Repo, *config.Scope) (*diff.Plan, error) {
				step("recompute")
				return nil, errors.New("GET /v3/sources: 503")
			}
		}, want: "GET /v3/sources: 503", steps: "load,connect,recompute"},
		{name: "edited since", fresh: func(p *diff.Plan) { p.Changes[0].Fields[0].After = "Directory" }, want: "not what the repository and the tenant imply now", steps: "load,connect,recompute"},
		{name: "object gone", fresh: func(p *diff.Plan) { p.Changes = nil }, want: "the repository declares no such object", steps: "load,connect,recompute"},
		{name: "accepted", steps: "load,connect,recompute"},
		{name: "accepted in its environment", repo: promote, saved: func(pf *planFile) { pf.Environment = "prod" }, run: func(r *planRun, step func(string)) { r.Env = "prod" }, steps: "load,bind prod,connect,recompute"},
		{name: "accepted, scoped", saved: func(pf *planFile) { pf.Scope = &config.Scope{Selector: "--source 'Corporate Directory'"} }, steps: "load,connect,recompute", scoped: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := repo
			if tc.repo != nil {
				r = tc.repo
			}
			pf := planFile{Plan: plan(r)}
			if tc.saved != nil {
				tc.saved(&pf)
			}
			b, err := json.Marshal(pf)
			if err != nil {
				t.Fatal(err)
			}
			if tc.raw != nil {
				b = tc.raw(b)
			}
			file := filepath.Join(t.TempDir(), "plan.json")
			if err := os.WriteFile(file, b, 0o600); err != nil {
				t.Fatal(err)
			}
			fresh := plan(r)
			if tc.fresh != nil {
				tc.fresh(fresh)
			}
			var gotScope *config.Scope
			var gotRepo *config.Repo
			var steps []string
			step := func(s string) { steps = append(steps, s) }
			run := planRun{File: file, Dir: "examples/acme"}
			run.load = func() (*config.Repo, error) { step("load"); return r, nil }
			run.bindEnv = func(repo *config.Repo, env string) (*config.Repo, error) {
				step("bind " + env)
				return repo.ForEnvironment(env)
			}
			run.connect = func() (string, error) { step("connect"); return "acme", nil }
			run.recompute = func(repo *config.Repo, scope *config.Scope) (*diff.Plan, error) {
				step("recompute")
				gotRepo, gotScope = repo, scope
				return fresh, nil
			}
			if tc.run != nil {
				tc.run(&run, step)
			}
			_, got, err := acceptPlanFile(run)
			if steps := strings.Join(steps, ","); steps != tc.steps {
				t.Errorf("steps taken: %q, want %q", steps, tc.steps)
			}
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %v, want one saying %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Changes) != 1 || got.Changes[0].Key() != key || got.Summary.Update != 1 {
				t.Errorf("accepted plan: %+v, want the update of %s", got.Changes, key)
			}
			if got.APICalls == 0 {
				t.Error("accepted plan has no request estimate")
			}
			if (gotScope != nil) != tc.scoped {
				t.Errorf("recomputed with scope %+v, want scoped %v", gotScope, tc.scoped)
			}
			if tc.scoped && (len(gotRepo.Sources()) != 1 || gotRepo.Sources()[0].Name != "Corporate Directory") {
				t.Errorf("a scoped plan was recomputed over %d sources, want only its own", len(gotRepo.Sources()))
			}
		})
	}
}
