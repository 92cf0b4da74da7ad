package sync_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/examples"
	"github.com/sailsync/sailsync/internal/contract"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/isc"
	"github.com/sailsync/sailsync/internal/tenanttest"
	"github.com/sailsync/sailsync/internal/value"
	isync "github.com/sailsync/sailsync/sync"
)

// tombstones is a repository deleting Corporate Directory with its group schema and the
// connector it uses (custom in customDirectorySeed), a development connector nothing uses, and
// a source the tenant never had.
var tombstones = map[string]string{
	"cd.yaml":    "kind: Source\nname: Corporate Directory\nabsent: true\nreason: decommissioned in CHG-1234\n",
	"group.yaml": "kind: EntitlementSchema\nsource: Corporate Directory\nname: group\nabsent: true\nreason: goes with its source\n",
	"ad.yaml":    "kind: Connector\nname: Active Directory\nabsent: true\nreason: no AD left\n",
	"pb.yaml":    "kind: Connector\nname: Payroll Bridge\nabsent: true\nreason: never used\n",
	"ghost.yaml": "kind: Source\nname: Ghost\nabsent: true\nreason: already gone\n",
}

// customDirectorySeed is the Acme tenant with its Active Directory connector made a custom
// one, as only custom connectors can be deleted (the seed's is SailPoint's own).
func customDirectorySeed(t *testing.T) fs.FS {
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
		if p == "connectors/active-directory.json" {
			v, err := value.Decode(data)
			if err != nil {
				return err
			}
			o := v.(*value.Object)
			o.Set("className", "sailpoint.connector.OpenConnectorAdapter")
			o.Set("type", "custom Active Directory")
			o.Set("s3Location", "custom-connector/active-directory")
			if data, err = value.Marshal(o); err != nil {
				return err
			}
		}
		seed[p] = &fstest.MapFile{Data: data}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return seed
}

func deleteHarness(t *testing.T, polls int) (*emulator.Emulator, func() *isc.Client) {
	t.Helper()
	return deleteHarnessWith(t, emulator.Options{Seed: customDirectorySeed(t), TaskPolls: polls})
}

func deleteHarnessWith(t *testing.T, opts emulator.Options) (*emulator.Emulator, func() *isc.Client) {
	t.Helper()
	emu, err := emulator.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(contract.Middleware(t, emu))
	t.Cleanup(srv.Close)
	return emu, func() *isc.Client {
		c, err := isc.New(isc.Config{BaseURL: srv.URL, ClientID: emu.ClientID(), ClientSecret: emu.ClientSecret(), RatePer10s: 1e6, MaxRetries: 2})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
}

// TestApplyDeletes: tombstones plan as deletes (a tombstone for an object the tenant lacks is no
// change), apply refuses them without consent to deletes and sends nothing, and with it deletes in
// reverse dependency order — the schema before its source, the source (202, its task polled)
// before the connector it used — in exactly the requests the plan estimated; a second plan is
// "No changes".
func TestApplyDeletes(t *testing.T) {
	t.Parallel()
	emu, client := deleteHarness(t, 0)
	repo := load(t, tenanttest.WriteDir(t, tombstones))
	live, err := isync.Fetch(context.Background(), client(), repo, isync.FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := diff.Compute(repo, live, diff.Options{Env: tenanttest.Env})
	if err != nil {
		t.Fatal(err)
	}
	p.APICalls = isync.EstimateCalls(p)
	if p.Summary.Delete != 4 || p.Summary.NoChange != 1 || len(p.Violations) != 0 {
		t.Fatalf("summary %+v, violations %v", p.Summary, p.Violations)
	}
	var text strings.Builder
	if err := diff.RenderText(&text, p, diff.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Plan: 0 to create, 0 to update, 4 to delete.", `- delete Source "Corporate Directory" (cd.yaml:1)`, "reason: decommissioned in CHG-1234"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("plan lacks %q:\n%s", want, text.String())
		}
	}

	emu.ResetLog()
	if _, err := isync.Apply(context.Background(), client(), repo, p, isync.ApplyOptions{Env: tenanttest.Env}); !errors.Is(err, isync.ErrDeletesNotAllowed) {
		t.Fatalf("apply without consent to deletes: %v", err)
	}
	if n := len(emu.Log()); n != 0 {
		t.Fatalf("apply without consent to deletes made %d requests", n)
	}

	rep, err := isync.Apply(context.Background(), client(), repo, p, isync.ApplyOptions{Env: tenanttest.Env, Deletes: isync.DeletesAllowed, Parallelism: 8})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("apply not OK: %+v", rep.Results)
	}
	log := emu.Log()
	if len(log) != p.APICalls {
		t.Errorf("the apply made %d requests, the plan estimated %d: %v", len(log), p.APICalls, log)
	}
	at := map[string]int{}
	for i, e := range log {
		if e.Method != "GET" || strings.HasPrefix(e.Path, "/beta/task-status/") {
			key := e.Method + " " + e.Path
			if strings.HasPrefix(e.Path, "/beta/task-status/") {
				key = "GET task"
			}
			at[key] = i + 1
		}
	}
	schema := "DELETE /v3/sources/2c9180835d191a86015d28455b4a2329/schemas/2c9180835d191a86015d28455b4b232b"
	source := "DELETE /v3/sources/2c9180835d191a86015d28455b4a2329"
	order := []string{schema, source, "GET task", "DELETE /v3/connectors/active-directory"}
	for i, k := range order {
		if at[k] == 0 {
			t.Fatalf("no %s in the log %v", k, log)
		}
		if i > 0 && at[order[i-1]] > at[k] {
			t.Errorf("%s came before %s", k, order[i-1])
		}
	}
	if at["DELETE /v3/connectors/payroll-bridge"] == 0 {
		t.Errorf("the unused connector was not deleted: %v", log)
	}
	for _, r := range rep.Results {
		if r.Kind == "Source" && !strings.Contains(r.Note, "accepted the deletion (task ") || r.Kind == "Source" && !strings.Contains(r.Note, "completed") {
			t.Errorf("source result %+v, want the accepted task reported as completed", r)
		}
	}
	if _, ok := emu.SourceByName("Corporate Directory"); ok {
		t.Error("the source is still in the tenant")
	}
	for _, sn := range []string{"active-directory", "payroll-bridge"} {
		if _, ok := emu.Connector(sn); ok {
			t.Errorf("connector %s is still in the tenant", sn)
		}
	}
	again, err := isync.Fetch(context.Background(), client(), repo, isync.FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := diff.Compute(repo, again, diff.Options{Env: tenanttest.Env})
	if err != nil {
		t.Fatal(err)
	}
	if changed(p2) != 0 {
		t.Errorf("after the apply: %+v", p2.Summary)
	}
}

// TestApplyDeleteFollowsTheTask: a source deletion's task that runs for a while is polled
// until it has ended; one the tenant cannot show (404) is reported as accepted.
func TestApplyDeleteFollowsTheTask(t *testing.T) {
	t.Parallel()
	emu, client := deleteHarness(t, 2)
	repo := load(t, tenanttest.WriteDir(t, map[string]string{"cd.yaml": tombstones["cd.yaml"]}))
	live, err := isync.Fetch(context.Background(), client(), repo, isync.FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := diff.Compute(repo, live, diff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	emu.ResetLog()
	rep, err := isync.Apply(context.Background(), client(), repo, p, isync.ApplyOptions{Deletes: isync.DeletesAllowed})
	if err != nil {
		t.Fatal(err)
	}
	polls := 0
	for _, e := range emu.Log() {
		if strings.HasPrefix(e.Path, "/beta/task-status/") {
			polls++
		}
	}
	if polls != 3 || !rep.OK() || !strings.Contains(rep.Results[0].Note, "completed") {
		t.Errorf("%d polls, report %+v; want 3 polls and the deletion completed", polls, rep.Results)
	}

	// A task the tenant does not show: accepted, not followed further.
	emu, client = deleteHarness(t, 0)
	emu.AddFault(emulator.Fault{Method: "GET", Path: "^/beta/task-status/", Kind: emulator.FaultStatus, Status: 404})
	live, err = isync.Fetch(context.Background(), client(), repo, isync.FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p, err = diff.Compute(repo, live, diff.Options{}); err != nil {
		t.Fatal(err)
	}
	rep, err = isync.Apply(context.Background(), client(), repo, p, isync.ApplyOptions{Deletes: isync.DeletesAllowed})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || !strings.Contains(rep.Results[0].Note, "accepted the deletion") || !strings.Contains(rep.Results[0].Note, "cannot be read") {
		t.Errorf("report %+v, want the deletion accepted and its task not followed", rep.Results)
	}
	if _, ok := emu.SourceByName("Corporate Directory"); ok {
		t.Error("the source is still in the tenant")
	}
}

// TestDeleteConsent: only an explicit consent lets a plan's deletes through; without one, or
// with a value that is none of the consents, nothing is sent.
func TestDeleteConsent(t *testing.T) {
	for _, tc := range []struct {
		consent isync.DeleteConsent
		deleted bool
	}{
		{isync.DeletesNotAgreed, false},
		{isync.DeleteConsent(7), false},
		{isync.DeletesAllowed, true},
		{isync.DeletesConfirmed, true},
	} {
		t.Run(fmt.Sprint(int(tc.consent)), func(t *testing.T) {
			emu, client := deleteHarness(t, 0)
			repo := load(t, tenanttest.WriteDir(t, tombstones))
			live, err := isync.Fetch(context.Background(), client(), repo, isync.FetchOptions{})
			if err != nil {
				t.Fatal(err)
			}
			p, err := diff.Compute(repo, live, diff.Options{Env: tenanttest.Env})
			if err != nil {
				t.Fatal(err)
			}
			emu.ResetLog()
			rep, err := isync.Apply(context.Background(), client(), repo, p, isync.ApplyOptions{Env: tenanttest.Env, Deletes: tc.consent})
			if !tc.deleted {
				if !errors.Is(err, isync.ErrDeletesNotAllowed) || rep != nil {
					t.Fatalf("apply with consent %d: report %v, error %v; want ErrDeletesNotAllowed", tc.consent, rep, err)
				}
				if n := len(emu.Log()); n != 0 {
					t.Fatalf("apply with consent %d made %d requests", tc.consent, n)
				}
				return
			}
			if err != nil || !rep.OK() || rep.Count(isync.StatusDone) != 4 {
				t.Fatalf("apply with consent %d: error %v, report %+v; want 4 deletes done", tc.consent, err, rep)
			}
		})
	}
}
