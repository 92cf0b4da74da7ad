package sync_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/examples"
	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/isc"
	"github.com/sailsync/sailsync/internal/tenanttest"
	"github.com/sailsync/sailsync/internal/value"
	isync "github.com/sailsync/sailsync/sync"
)

type harness struct {
	t   *testing.T
	emu *emulator.Emulator
	c   *isc.Client
}

// newHarness starts the demo tenant over real HTTP behind the OpenAPI contract check.
func newHarness(t *testing.T) *harness {
	t.Helper()
	tn := tenanttest.Start(t, tenanttest.Options{Emulator: emulator.Options{Seed: examples.AcmeTenant}, Client: isc.Config{MaxRetries: 2}})
	return &harness{t: t, emu: tn.Emu, c: tn.Client}
}

func (h *harness) plan(repo *config.Repo) *diff.Plan {
	h.t.Helper()
	live, err := isync.Fetch(context.Background(), h.c, repo, isync.FetchOptions{})
	if err != nil {
		h.t.Fatal(err)
	}
	p, err := diff.Compute(repo, live, diff.Options{Env: tenanttest.Env})
	if err != nil {
		h.t.Fatal(err)
	}
	return p
}

func (h *harness) apply(repo *config.Repo, p *diff.Plan) *isync.Report {
	h.t.Helper()
	rep, err := isync.Apply(context.Background(), h.c, repo, p, isync.ApplyOptions{Env: tenanttest.Env})
	if err != nil {
		h.t.Fatal(err)
	}
	return rep
}

// writes returns the write requests (anything but GET and the token) the emulator served.
func (h *harness) writes() []emulator.LogEntry {
	var out []emulator.LogEntry
	for _, e := range h.emu.Log() {
		if e.Method != "GET" && e.Path != "/oauth/token" {
			out = append(out, e)
		}
	}
	return out
}

func load(t *testing.T, dir string) *config.Repo {
	t.Helper()
	repo, err := config.Load(dir)
	if err != nil {
		t.Fatalf("load %s: %v", dir, err)
	}
	return repo
}

func changed(p *diff.Plan) int {
	n := 0
	for _, c := range p.Changes {
		if c.Action != diff.ActionNoChange {
			n++
		}
	}
	return n
}

func TestApplyExamplesThenNoChanges(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	repo := load(t, "../examples/acme")
	p := h.plan(repo)
	if changed(p) == 0 {
		t.Fatal("the example plan has no changes; the demo tenant should differ from the repository")
	}
	rep := h.apply(repo, p)
	if !rep.OK() {
		t.Fatalf("apply not OK: %+v", rep.Results)
	}
	if got := len(rep.Results); got != changed(p) {
		t.Errorf("report has %d results, plan has %d changes", got, changed(p))
	}
	again := h.plan(repo)
	if n := changed(again); n != 0 {
		t.Fatalf("plan after apply has %d changes: %+v", n, again.Changes)
	}
	h.emu.ResetLog()
	rep2 := h.apply(repo, again)
	if len(rep2.Results) != 0 {
		t.Errorf("second apply did something: %+v", rep2.Results)
	}
	if w := h.writes(); len(w) != 0 {
		t.Errorf("second apply sent %d write requests: %+v", len(w), w)
	}
	// The secret of the created source went in as plain text and is kept encrypted.
	if v, ok := h.emu.Secret("Acme HR Cloud", "apiToken"); !ok || v != tenanttest.Secrets["ACME_HR_TOKEN"] {
		t.Errorf("Acme HR Cloud apiToken = %q, %v; want the declared secret", v, ok)
	}
	// The existing AD source's password was not rotated: the tenant's own value is kept.
	if v, _ := h.emu.Secret("Corporate Directory", "password"); v == tenanttest.Secrets["AD_BIND_PASSWORD"] {
		t.Error("the AD password was sent on update without --rotate-secrets")
	}
}

func TestApplyOrder(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	repo := load(t, "../examples/acme")
	rep := h.apply(repo, h.plan(repo))
	if !rep.OK() {
		t.Fatalf("apply not OK: %+v", rep.Results)
	}
	created, ok := h.emu.SourceByName("Acme HR Cloud")
	if !ok {
		t.Fatal("Acme HR Cloud was not created")
	}
	if got := created.String("connector"); got != "acme-hr" {
		t.Errorf("Acme HR Cloud connector = %q, want the scriptName the tenant returned, acme-hr", got)
	}
	hr, _ := h.emu.SourceByName("HR Database")
	idx := func(match func(emulator.LogEntry) bool) int {
		for i, e := range h.writes() {
			if match(e) {
				return i
			}
		}
		return -1
	}
	connPost := idx(func(e emulator.LogEntry) bool { return e.Method == "POST" && e.Path == "/v3/connectors" })
	srcPost := idx(func(e emulator.LogEntry) bool { return e.Method == "POST" && e.Path == "/v3/sources" })
	roleUpload := idx(func(e emulator.LogEntry) bool {
		return e.Method == "POST" && strings.Contains(e.Path, created.String("id")) && strings.HasSuffix(e.Path, "/schemas/entitlements")
	})
	jarUpload := idx(func(e emulator.LogEntry) bool {
		return e.Method == "POST" && strings.Contains(e.Path, hr.String("id")) && strings.HasSuffix(e.Path, "/upload-connector-file")
	})
	if connPost < 0 || srcPost < 0 || roleUpload < 0 || jarUpload < 0 {
		t.Fatalf("missing requests: connector POST %d, source POST %d, role upload %d, jar upload %d; log %+v", connPost, srcPost, roleUpload, jarUpload, h.writes())
	}
	if connPost > srcPost {
		t.Errorf("source created (request %d) before its connector (request %d)", srcPost, connPost)
	}
	if srcPost > roleUpload {
		t.Errorf("schema uploaded (request %d) before its source was created (request %d)", roleUpload, srcPost)
	}
}

// canonical renders an object as JSON with the given top-level keys removed.
func canonical(t *testing.T, o *value.Object, drop ...string) string {
	t.Helper()
	c := o.Clone()
	for _, k := range drop {
		c.Delete(k)
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const adSource = `kind: Source
name: Corporate Directory
description: %s
owner: {type: IDENTITY, id: 2c91808568c529c60168cca6f90c1313, name: Amelia Ortiz}
connector: active-directory
connectorClass: sailpoint.connector.ADLDAPConnector
type: Active Directory - Direct
connectorAttributes:
  password: ${env:AD_BIND_PASSWORD}
  healthCheckTimeout: 30
`

func TestApplyLosesNoData(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	before, ok := h.emu.SourceByName("Corporate Directory")
	if !ok {
		t.Fatal("seed has no Corporate Directory")
	}
	repo := load(t, tenanttest.WriteDir(t, map[string]string{"ad.yaml": strings.Replace(adSource, "%s", "Only the description changes.", 1)}))
	p := h.plan(repo)
	if changed(p) != 1 {
		t.Fatalf("want exactly one change, got %+v", p.Changes)
	}
	if rep := h.apply(repo, p); !rep.OK() {
		t.Fatalf("apply not OK: %+v", rep.Results)
	}
	after, _ := h.emu.SourceByName("Corporate Directory")
	if got := after.String("description"); got != "Only the description changes." {
		t.Errorf("description = %q", got)
	}
	// Every other field — undeclared, unknown, server-added, encrypted — is byte for byte the same.
	if b, a := canonical(t, before, "description", "modified"), canonical(t, after, "description", "modified"); a != b {
		t.Errorf("fields other than description changed:\nbefore %s\nafter  %s", b, a)
	}
}

func TestApplyStaleObjectIsSkipped(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	repo := load(t, "../examples/acme")
	p := h.plan(repo)
	// Someone edits the AD source in the UI between plan and apply.
	if err := h.emu.UpdateSource("Corporate Directory", func(o *value.Object) { o.Set("deleteThreshold", json.Number("40")) }); err != nil {
		t.Fatal(err)
	}
	ad, _ := h.emu.SourceByName("Corporate Directory")
	h.emu.ResetLog()
	rep, err := isync.Apply(context.Background(), h.c, repo, p, isync.ApplyOptions{Env: tenanttest.Env})
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[string]isync.Status{}
	for _, r := range rep.Results {
		statuses[string(r.Kind)+"/"+r.Source+"/"+r.Name] = r.Status
	}
	if s := statuses["Source//Corporate Directory"]; s != isync.StatusStale {
		t.Errorf("Corporate Directory: %s, want stale", s)
	}
	if s := statuses["EntitlementSchema/Corporate Directory/group"]; s != isync.StatusSkipped {
		t.Errorf("its schema upload: %s, want skipped", s)
	}
	if s := statuses["Source//Acme HR Cloud"]; s != isync.StatusDone {
		t.Errorf("Acme HR Cloud: %s, want done", s)
	}
	for _, w := range h.writes() {
		if strings.Contains(w.Path, ad.String("id")) {
			t.Errorf("a write was sent for the stale source: %s %s", w.Method, w.Path)
		}
	}
	got, _ := h.emu.SourceByName("Corporate Directory")
	if v, _ := got.Get("deleteThreshold"); v != json.Number("40") {
		t.Errorf("the UI change was overwritten: deleteThreshold %v", v)
	}
}

func TestApplyPartialFailureThenRerun(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	repo := load(t, "../examples/acme")
	ad, _ := h.emu.SourceByName("Corporate Directory")
	h.emu.AddFault(emulator.Fault{Method: "PUT", Path: "^/v3/sources/" + ad.String("id") + "$", Kind: emulator.FaultStatus, Status: 500})
	rep := h.apply(repo, h.plan(repo))
	if rep.OK() {
		t.Fatal("apply reported OK although a PUT failed on every try")
	}
	for _, r := range rep.Results {
		switch {
		case r.Kind == config.KindSource && r.Name == "Corporate Directory":
			if r.Status != isync.StatusFailed || r.HTTPStatus != 500 || r.TrackingID == "" {
				t.Errorf("Corporate Directory: %+v, want failed with status 500 and a trackingId", r)
			}
		case r.Source == "Corporate Directory":
			if r.Status != isync.StatusSkipped {
				t.Errorf("%s %s: %s, want skipped", r.Kind, r.Name, r.Status)
			}
		default:
			if r.Status != isync.StatusDone {
				t.Errorf("%s %s: %s (%s), want done", r.Kind, r.Name, r.Status, r.Message)
			}
		}
	}
	h.emu.ClearFaults()
	if rep := h.apply(repo, h.plan(repo)); !rep.OK() {
		t.Fatalf("re-run not OK: %+v", rep.Results)
	}
	if n := changed(h.plan(repo)); n != 0 {
		t.Errorf("after the re-run the plan still has %d changes", n)
	}
}

func TestApplyViolationSendsNothing(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	repo := load(t, "../examples/acme-immutable")
	p := h.plan(repo)
	if len(p.Violations) == 0 {
		t.Fatal("acme-immutable has no violation")
	}
	h.emu.ResetLog()
	_, err := isync.Apply(context.Background(), h.c, repo, p, isync.ApplyOptions{Env: tenanttest.Env})
	if !errors.Is(err, isync.ErrViolations) {
		t.Fatalf("err = %v, want ErrViolations", err)
	}
	if w := h.writes(); len(w) != 0 {
		t.Errorf("%d write requests sent: %+v", len(w), w)
	}
}

func TestApplyRefusesPlanOfOtherContent(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	repo := load(t, "../examples/acme")
	p := h.plan(repo)
	p.RepoHash = strings.Repeat("0", 64)
	h.emu.ResetLog()
	if _, err := isync.Apply(context.Background(), h.c, repo, p, isync.ApplyOptions{Env: tenanttest.Env}); err == nil {
		t.Fatal("a plan of other repository content was applied")
	}
	if w := h.writes(); len(w) != 0 {
		t.Errorf("%d write requests sent", len(w))
	}
}

func TestApplyCancelledStopsStartingRequests(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	repo := load(t, "../examples/acme")
	p := h.plan(repo)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	h.emu.ResetLog()
	rep, err := isync.Apply(ctx, h.c, repo, p, isync.ApplyOptions{Env: tenanttest.Env})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != changed(p) {
		t.Fatalf("report has %d results, want one per change (%d)", len(rep.Results), changed(p))
	}
	for _, r := range rep.Results {
		if r.Status != isync.StatusCancelled && r.Status != isync.StatusSkipped {
			t.Errorf("%s %s: %s after cancel", r.Kind, r.Name, r.Status)
		}
	}
	if w := h.writes(); len(w) != 0 {
		t.Errorf("%d write requests sent after cancel", len(w))
	}
}
