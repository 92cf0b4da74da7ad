package emulator

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/sailsync/sailsync/internal/value"
)

// The tenant's deletes. A source is deleted in a background task (202 with a TASK_RESULT
// reference, followed at GET /beta/task-status/{id}); connectors and schemas at once (204).

// task is a background task the tenant runs, as GET /beta/task-status/{id} shows it.
type task struct {
	status *value.Object
	// polls is how many more status reads show the task running (Options.TaskPolls).
	polls int
}

// startTask records a finished task for a deletion that has been carried out; it shows as
// running for Options.TaskPolls reads, as a real source deletion takes a while. The caller
// holds e.mu.
func (e *Emulator) startTask(what string) string {
	if e.tasks == nil {
		e.tasks = map[string]*task{}
	}
	now := e.stamp()
	id := newID()
	st := value.NewObject()
	st.Set("id", id)
	st.Set("type", "QUEUED_TASK")
	st.Set("uniqueName", "Source Deletion")
	st.Set("description", what)
	st.Set("parentName", nil)
	st.Set("launcher", "sailsync-emulator")
	st.Set("created", now)
	st.Set("modified", now)
	st.Set("launched", now)
	st.Set("completed", now)
	st.Set("completionStatus", "SUCCESS")
	st.Set("messages", []any{})
	st.Set("returns", []any{})
	st.Set("attributes", value.NewObject())
	st.Set("progress", "Completed")
	st.Set("percentComplete", 100)
	e.tasks[id] = &task{status: st, polls: e.opts.TaskPolls}
	return id
}

// getTaskStatus is GET /beta/task-status/{id}.
func (e *Emulator) getTaskStatus(w http.ResponseWriter, id string) {
	e.mu.Lock()
	t := e.tasks[id]
	var out *value.Object
	if t != nil {
		out = t.status.Clone()
		if t.polls > 0 {
			t.polls--
			out.Set("completed", nil)
			out.Set("completionStatus", nil)
			out.Set("progress", "Started")
			out.Set("percentComplete", 50)
		}
	}
	e.mu.Unlock()
	if out == nil {
		writeError(w, notFound(fmt.Sprintf("Task %q was not found.", id)))
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// deleteConnector is DELETE /v3/connectors/{scriptName} (deleteCustomConnector). The tenant
// refuses to delete a connector a source still uses (400), as a source cannot live without its
// connector, and one of its own (400): the operation deletes custom connectors, which here are
// those built on the open connector class or stored under custom-connector/ (every one POST
// /v3/connectors made).
func (e *Emulator) deleteConnector(w http.ResponseWriter, scriptName string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.connectorByScriptName(scriptName)
	if c == nil {
		writeError(w, notFound(fmt.Sprintf("Connector %q was not found.", scriptName)))
		return
	}
	if c.String("className") != "sailpoint.connector.OpenConnectorAdapter" && !strings.HasPrefix(c.String("s3Location"), "custom-connector/") {
		writeError(w, badRequest(fmt.Sprintf("Connector %q is not a custom connector: only custom connectors can be deleted.", scriptName)))
		return
	}
	for _, s := range e.srcs().list {
		if s.String("connector") == scriptName {
			writeError(w, badRequest(fmt.Sprintf("Connector %q is used by source %q.", scriptName, s.String("name"))))
			return
		}
	}
	kept := e.conns().list[:0]
	for _, o := range e.conns().list {
		if o != c {
			kept = append(kept, o)
		}
	}
	e.conns().list = kept
	w.WriteHeader(http.StatusNoContent)
}

// deleteSchema is DELETE /v3/sources/{sourceId}/schemas/{schemaId}: the schema goes, and with
// it the source's reference to it.
func (e *Emulator) deleteSchema(w http.ResponseWriter, sourceID, schemaID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	src := e.sourceByID(sourceID)
	if src == nil {
		writeError(w, notFound(fmt.Sprintf("Source %q was not found.", sourceID)))
		return
	}
	list := e.schs().bySource[sourceID]
	i := -1
	for j, s := range list {
		if s.String("id") == schemaID {
			i = j
		}
	}
	if i < 0 {
		writeError(w, notFound(fmt.Sprintf("Schema %q was not found on source %q.", schemaID, sourceID)))
		return
	}
	e.schs().bySource[sourceID] = append(list[:i:i], list[i+1:]...)
	refs, _ := src.Get("schemas")
	old, _ := refs.([]any)
	kept := []any{}
	for _, r := range old {
		if o, ok := r.(*value.Object); ok && o.String("id") == schemaID {
			continue
		}
		kept = append(kept, r)
	}
	updated := src.Clone()
	updated.Set("schemas", kept)
	updated.Set("modified", e.stamp())
	e.store(src, updated)
	w.WriteHeader(http.StatusNoContent)
}
