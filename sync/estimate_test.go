package sync_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/examples"
	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/isc"
	"github.com/sailsync/sailsync/internal/tenanttest"
	isync "github.com/sailsync/sailsync/sync"
)

// TestPlanEstimateIsTheApplysRequestCount: the "apply: N requests" line of a plan is the number
// of requests the apply then makes, token included, for a plan holding every kind of change
// (connector create, source create and update, schema create and update, connector file), and
// the duration it prints is N at the client's rate.
func TestPlanEstimateIsTheApplysRequestCount(t *testing.T) {
	t.Parallel()
	tn := tenanttest.Start(t, tenanttest.Options{Emulator: emulator.Options{Seed: examples.AcmeTenant}})
	emu := tn.Emu
	client := func() *isc.Client { return tn.NewClient(t, isc.Config{}) }
	repo := load(t, "../examples/acme")
	live, err := isync.Fetch(context.Background(), client(), repo, isync.FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := diff.Compute(repo, live, diff.Options{Env: tenanttest.Env})
	if err != nil {
		t.Fatal(err)
	}
	p.APICalls = isync.EstimateCalls(p)
	kinds := map[string]bool{}
	for _, ch := range p.Changes {
		if ch.Action != diff.ActionNoChange {
			kinds[fmt.Sprintf("%s %s", ch.Action, ch.Kind)] = true
		}
	}
	for _, want := range []string{"create Connector", "create Source", "update Source", "create EntitlementSchema", "update EntitlementSchema", "create ConnectorFile"} {
		if !kinds[want] {
			t.Fatalf("the example plan has no %q change (%v): the test would not cover it", want, kinds)
		}
	}
	// A client of its own, as `apply --plan FILE` has: its token is one of the requests.
	emu.ResetLog()
	rep, err := isync.Apply(context.Background(), client(), repo, p, isync.ApplyOptions{Env: tenanttest.Env, Dir: "../examples/acme"})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("apply not OK: %+v", rep.Results)
	}
	if got := len(emu.Log()); got != p.APICalls {
		t.Errorf("the apply made %d requests, the plan estimated %d", got, p.APICalls)
	}
	var b strings.Builder
	if err := diff.RenderText(&b, p, diff.TextOptions{RateLimit: 50}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{fmt.Sprintf("apply: %d requests, at least ", p.APICalls), " at 50 requests / 10 s"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("plan text lacks %q:\n%s", want, b.String())
		}
	}
}

func TestEstimateCalls(t *testing.T) {
	t.Parallel()
	ch := func(k config.Kind, a diff.Action) diff.Change { return diff.Change{Kind: k, Action: a} }
	for _, c := range []struct {
		name    string
		changes []diff.Change
		viol    int
		want    int
	}{
		{"nothing", []diff.Change{ch(config.KindSource, diff.ActionNoChange), ch(config.KindSource, diff.ActionUnmanaged)}, 0, 0},
		{"connector create", []diff.Change{ch(config.KindConnector, diff.ActionCreate)}, 0, 2},
		{"source create", []diff.Change{ch(config.KindSource, diff.ActionCreate)}, 0, 2},
		{"source update", []diff.Change{ch(config.KindSource, diff.ActionUpdate)}, 0, 3},
		{"schema create", []diff.Change{ch(config.KindEntitlementSchema, diff.ActionCreate)}, 0, 2},
		{"schema update", []diff.Change{ch(config.KindEntitlementSchema, diff.ActionUpdate)}, 0, 3},
		{"connector file", []diff.Change{ch(config.KindConnectorFile, diff.ActionCreate)}, 0, 2},
		{"mixed", []diff.Change{ch(config.KindConnector, diff.ActionCreate), ch(config.KindSource, diff.ActionUpdate), ch(config.KindSource, diff.ActionUpdate),
			ch(config.KindSource, diff.ActionNoChange), ch(config.KindEntitlementSchema, diff.ActionUpdate), ch(config.KindConnectorFile, diff.ActionCreate)}, 0, 9},
		{"violation blocks", []diff.Change{ch(config.KindSource, diff.ActionCreate), ch(config.KindSource, diff.ActionViolation)}, 1, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := &diff.Plan{Changes: c.changes, Violations: make([]diff.Violation, c.viol)}
			if got := isync.EstimateCalls(p); got != c.want {
				t.Errorf("EstimateCalls = %d, want %d", got, c.want)
			}
		})
	}
}

// TestEstimateEveryKind: for plans that create, update and delete objects of every kind the
// handlers know (transforms and a connector's bundle files included), the estimate a plan prints
// is the number of requests its apply makes, token included. The rounds run one after another
// against one tenant: the example's creates and updates, an edit of every object, then tombstones.
func TestEstimateEveryKind(t *testing.T) {
	tn := tenanttest.Start(t, tenanttest.Options{Emulator: emulator.Options{Seed: examples.AcmeTenant}})
	edited := t.TempDir()
	if err := os.CopyFS(edited, os.DirFS("../examples/acme")); err != nil {
		t.Fatal(err)
	}
	edit := func(file, old, new string) {
		t.Helper()
		p := filepath.Join(edited, file)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), old) {
			t.Fatalf("%s holds no %q", file, old)
		}
		if err := os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	edit("sources/hr-database.yaml", "the authoritative source of employees", "where employees come from")
	edit("schemas/acme-hr-role.yaml", "[id, name, description]", "[id, name, description, owner]")
	edit("transforms/transforms.yaml", "inputFormat: MM/dd/yyyy", "inputFormat: dd/MM/yyyy")
	edit("connectors/acme-hr/source-config.xml", "<", "<!-- edited -->\n<")
	if err := os.MkdirAll(filepath.Join(edited, "policies"), 0o755); err != nil {
		t.Fatal(err)
	}
	policy := "kind: ProvisioningPolicy\nsource: HR Database\nusageType: CREATE\nname: HR Database Account\nfields:\n" +
		"  - name: displayName\n    transform: {type: reference, attributes: {id: Employee Display Name}}\n    type: string\n"
	if err := os.WriteFile(filepath.Join(edited, "policies", "hr-database-create.yaml"), []byte(policy), 0o600); err != nil {
		t.Fatal(err)
	}
	// The policy changed, then deleted, in copies of the edited repository.
	variant := func(text string) string {
		dir := t.TempDir()
		if err := os.CopyFS(dir, os.DirFS(edited)); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "policies", "hr-database-create.yaml"), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	policyChanged := variant(strings.Replace(policy, "name: HR Database Account", "name: HR Database Login", 1))
	policyGone := variant("kind: ProvisioningPolicy\nsource: HR Database\nusageType: CREATE\nabsent: true\nreason: accounts made by hand\n")
	gone := tenanttest.WriteDir(t, map[string]string{
		"t.yaml":      "kind: Transform\nname: Employee Display Name\nabsent: true\nreason: unused\n",
		"role.yaml":   "kind: EntitlementSchema\nsource: Acme HR Cloud\nname: role\nabsent: true\nreason: goes with its source\n",
		"source.yaml": "kind: Source\nname: Acme HR Cloud\nabsent: true\nreason: decommissioned\n",
		"conn.yaml":   "kind: Connector\nname: Acme HR\nabsent: true\nreason: nothing uses it\n",
	})
	seen := map[string]bool{}
	for _, round := range []struct{ name, dir string }{{"example", "../examples/acme"}, {"edited", edited},
		{"policy changed", policyChanged}, {"policy deleted", policyGone}, {"tombstones", gone}} {
		repo := load(t, round.dir)
		live, err := isync.Fetch(context.Background(), tn.NewClient(t, isc.Config{}), repo, isync.FetchOptions{})
		if err != nil {
			t.Fatalf("%s: %v", round.name, err)
		}
		p, err := diff.Compute(repo, live, diff.Options{Env: tenanttest.Env})
		if err != nil {
			t.Fatalf("%s: %v", round.name, err)
		}
		if len(p.Violations) > 0 {
			t.Fatalf("%s: violations %v", round.name, p.Violations)
		}
		for _, ch := range p.Changes {
			if ch.Op != nil {
				seen[fmt.Sprintf("%s %s", ch.Action, ch.Kind)] = true
			}
		}
		p.APICalls = isync.EstimateCalls(p)
		tn.Emu.ResetLog()
		rep, err := isync.Apply(context.Background(), tn.NewClient(t, isc.Config{}), repo, p,
			isync.ApplyOptions{Env: tenanttest.Env, Dir: round.dir, Deletes: isync.DeletesAllowed})
		if err != nil {
			t.Fatalf("%s: %v", round.name, err)
		}
		if !rep.OK() {
			t.Fatalf("%s: apply not OK: %+v", round.name, rep.Results)
		}
		if got := len(tn.Emu.Log()); got != p.APICalls || got < 2 {
			t.Errorf("%s: the apply made %d requests, the plan estimated %d: %v", round.name, got, p.APICalls, tn.Emu.Log())
		}
	}
	want := []string{"create ConnectorFile"}
	for _, k := range []config.Kind{config.KindConnector, config.KindSource, config.KindEntitlementSchema, config.KindTransform, config.KindProvisioningPolicy} {
		for _, a := range []diff.Action{diff.ActionCreate, diff.ActionUpdate, diff.ActionDelete} {
			want = append(want, fmt.Sprintf("%s %s", a, k))
		}
	}
	for _, w := range want {
		if !seen[w] {
			t.Errorf("no round has a %q change (%v): the test does not cover it", w, seen)
		}
	}
	for _, k := range config.AllKinds() {
		if !slices.ContainsFunc(want, func(w string) bool { return strings.HasSuffix(w, " "+string(k)) }) {
			t.Errorf("kind %s is in config's table but no round changes it", k)
		}
	}
}
