package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/sailsync/sailsync/internal/value"
)

// The connection test of a source (POST /beta/sources/{sourceId}/connector/test-configuration):
// it passes unless the test says otherwise for the source (SetConnectionTest, or
// Options.ConnectionTests by name).

// The outcomes a connection test can be given.
const (
	ConnectionPass    = "pass"
	ConnectionFail    = "fail"    // FAILURE, with the message given
	ConnectionTimeout = "timeout" // no answer until the client gives up
)

// ConnectionTest is how the tenant answers one source's connection test.
type ConnectionTest struct {
	Outcome string // ConnectionPass (or ""), ConnectionFail, ConnectionTimeout
	Message string // ConnectionFail: the details' message
}

// SetConnectionTest sets how the connection test of the source named name is answered.
func (e *Emulator) SetConnectionTest(name string, t ConnectionTest) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.connTests == nil {
		e.connTests = map[string]ConnectionTest{}
	}
	e.connTests[strings.ToLower(name)] = t
}

// testConfiguration answers seg = sources/{id}/connector/test-configuration.
func (e *Emulator) testConfiguration(w http.ResponseWriter, r *http.Request, id string) {
	if r.Method != http.MethodPost {
		writeError(w, methodNotAllowed(r.Method))
		return
	}
	e.mu.Lock()
	s := e.sourceByID(id)
	var name string
	var t ConnectionTest
	if s != nil {
		name = s.String("name")
		t = e.connTests[strings.ToLower(name)]
		if o, ok := e.opts.ConnectionTests[name]; ok && t.Outcome == "" {
			t = o
		}
	}
	e.mu.Unlock()
	if s == nil {
		writeError(w, notFound(fmt.Sprintf("Source %q was not found.", id)))
		return
	}
	if t.Outcome == ConnectionTimeout {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Minute):
		}
		return
	}
	out := value.NewObject()
	out.Set("id", id)
	out.Set("name", name)
	out.Set("status", "SUCCESS")
	out.Set("elapsedMillis", json.Number("42"))
	details := value.NewObject()
	if t.Outcome == ConnectionFail {
		out.Set("status", "FAILURE")
		details.Set("message", t.Message)
	}
	out.Set("details", details)
	writeJSON(w, http.StatusOK, out)
}
