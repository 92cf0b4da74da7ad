package emulator_test

import (
	"strings"
	"testing"

	"github.com/sailsync/sailsync/examples"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/value"
)

func jsonPatch(ops string) *upload {
	return &upload{data: []byte(ops), ctype: "application/json-patch+json"}
}

// TestPatchSource: PATCH /v3/sources/{id} applies a JSON Patch as the document describes: 200
// with the updated source, 400 for the fields it lists as immutable and for a failed test, 404
// for an unknown source; a failed patch changes nothing.
func TestPatchSource(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, id, ops string
		status        int
		wantDesc      string // description afterwards
		wantFilter    string // connectorAttributes.filterString afterwards
		wantCause     string
	}{
		{name: "replace and add", id: adID, status: 200, wantDesc: "changed behind Git's back", wantFilter: "!(id.contains(\"m\"))",
			ops: `[{"op":"replace","path":"/description","value":"changed behind Git's back"},` +
				`{"op":"add","path":"/connectorAttributes/filterString","value":"!(id.contains(\"m\"))"}]`},
		{name: "test then replace", id: adID, status: 200, wantDesc: "x",
			ops: `[{"op":"test","path":"/name","value":"Corporate Directory"},{"op":"replace","path":"/description","value":"x"}]`},
		{name: "failed test changes nothing", id: adID, status: 400, wantCause: "Test of /name failed",
			ops: `[{"op":"replace","path":"/description","value":"x"},{"op":"test","path":"/name","value":"Other"}]`},
		{name: "type is immutable", id: adID, status: 400, wantCause: "type",
			ops: `[{"op":"replace","path":"/type","value":"OpenLDAP - Direct"}]`},
		{name: "connector is immutable", id: adID, status: 400, wantCause: "connector",
			ops: `[{"op":"replace","path":"/connector","value":"jdbc"}]`},
		{name: "created is immutable", id: adID, status: 400, wantCause: "created",
			ops: `[{"op":"replace","path":"/created","value":"2020-01-01T00:00:00Z"}]`},
		{name: "replace of a missing field", id: adID, status: 400, wantCause: "does not exist",
			ops: `[{"op":"replace","path":"/nonsense","value":1}]`},
		{name: "unknown source", id: "2c9180835d191a86015d28455b4a9999", status: 404,
			ops: `[{"op":"replace","path":"/description","value":"x"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := acme(t)
			tn := checked(t, emu)
			before := source(t, emu, "Corporate Directory")
			r := tn.do("PATCH", "/v3/sources/"+tt.id, jsonPatch(tt.ops))
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			after := source(t, emu, "Corporate Directory")
			if tt.status != 200 {
				if causes := r.errorCauses(t); !strings.Contains(causes, tt.wantCause) {
					t.Errorf("causes %q lack %q", causes, tt.wantCause)
				}
				if after.String("description") != before.String("description") || after.String("modified") != before.String("modified") {
					t.Error("a failed patch changed the source")
				}
				return
			}
			got := r.object(t)
			if got.String("description") != tt.wantDesc || after.String("description") != tt.wantDesc {
				t.Errorf("description: answered %q, stored %q, want %q", got.String("description"), after.String("description"), tt.wantDesc)
			}
			if f := after.Object("connectorAttributes").String("filterString"); f != tt.wantFilter {
				t.Errorf("filterString %q, want %q", f, tt.wantFilter)
			}
			if after.String("modified") == before.String("modified") {
				t.Error("modified not updated")
			}
		})
	}
}

// TestDeleteSource: DELETE /v3/sources/{id} answers 202 with a TASK_RESULT reference, as the
// document defines it; the source and its schemas are gone, and a second DELETE answers 404.
func TestDeleteSource(t *testing.T) {
	t.Parallel()
	emu := acme(t)
	tn := checked(t, emu)
	r := tn.do("DELETE", "/v3/sources/"+adID, nil)
	if r.status != 202 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	task := r.object(t)
	if task.String("type") != "TASK_RESULT" || len(task.String("id")) != 32 {
		t.Errorf("answer %s, want a TASK_RESULT reference", r.body)
	}
	if r := tn.do("GET", "/v3/sources/"+adID, nil); r.status != 404 {
		t.Errorf("GET after DELETE: %d", r.status)
	}
	if _, ok := emu.SourceByName("Corporate Directory"); ok {
		t.Error("the source is still in the tenant")
	}
	if s := emu.Schemas("Corporate Directory"); len(s) != 0 {
		t.Errorf("%d schemas left", len(s))
	}
	for _, s := range tn.do("GET", "/v3/sources", nil).objects(t) {
		if s.String("id") == adID {
			t.Error("the source is still listed")
		}
	}
	if _, ok := emu.SourceByName("HR Database"); !ok {
		t.Error("another source went too")
	}
	if r := tn.do("DELETE", "/v3/sources/"+adID, nil); r.status != 404 {
		t.Errorf("second DELETE: %d", r.status)
	}
}

// TestDeleteConnectorSchemaAndTask: DELETE /v3/connectors/{scriptName} and DELETE
// /v3/sources/{id}/schemas/{schemaId} answer 204 as the document defines them; a connector a
// source still uses is refused (400); a source deletion's task is followed at
// GET /beta/task-status/{id}, running for TaskPolls reads, then completed.
func TestDeleteConnectorSchemaAndTask(t *testing.T) {
	t.Parallel()
	emu, err := emulator.New(emulator.Options{Seed: examples.AcmeTenant, TaskPolls: 1})
	if err != nil {
		t.Fatal(err)
	}
	tn := checked(t, emu)
	if r := tn.do("DELETE", "/v3/connectors/active-directory", nil); r.status != 400 {
		t.Errorf("DELETE of a connector in use: %d %s", r.status, r.body)
	}
	if r := tn.do("DELETE", "/v3/connectors/payroll-bridge", nil); r.status != 204 {
		t.Errorf("DELETE connector: %d %s", r.status, r.body)
	}
	if _, ok := emu.Connector("payroll-bridge"); ok {
		t.Error("the connector is still in the tenant")
	}
	if r := tn.do("DELETE", "/v3/connectors/payroll-bridge", nil); r.status != 404 {
		t.Errorf("second DELETE connector: %d", r.status)
	}
	schemas := emu.Schemas("Corporate Directory")
	if len(schemas) == 0 {
		t.Fatal("the seed has no schema")
	}
	sid := schemas[0].String("id")
	if r := tn.do("DELETE", "/v3/sources/"+adID+"/schemas/"+sid, nil); r.status != 204 {
		t.Errorf("DELETE schema: %d %s", r.status, r.body)
	}
	if len(emu.Schemas("Corporate Directory")) != len(schemas)-1 {
		t.Error("the schema is still there")
	}
	src, _ := emu.SourceByName("Corporate Directory")
	if refs, _ := src.Get("schemas"); refs != nil {
		for _, r := range refs.([]any) {
			if r.(*value.Object).String("id") == sid {
				t.Error("the source still references the deleted schema")
			}
		}
	}
	r := tn.do("DELETE", "/v3/sources/"+adID, nil)
	taskID := r.object(t).String("id")
	first := tn.do("GET", "/beta/task-status/"+taskID, nil)
	if first.status != 200 || first.object(t).String("completionStatus") != "" {
		t.Errorf("first poll: %d %s, want a running task", first.status, first.body)
	}
	second := tn.do("GET", "/beta/task-status/"+taskID, nil).object(t)
	if second.String("completionStatus") != "SUCCESS" || second.String("completed") == "" {
		t.Errorf("second poll: %v, want a completed task", second)
	}
	if r := tn.do("GET", "/beta/task-status/00000000000000000000000000000000", nil); r.status != 404 {
		t.Errorf("unknown task: %d", r.status)
	}
}
