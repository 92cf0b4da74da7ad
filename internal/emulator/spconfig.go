package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/sailsync/sailsync/internal/value"
)

// The configuration export (/beta/sp-config/export): a job that, once complete, offers every
// SOURCE in the exported shape. The shape is only partly documented (the object is "format
// dependent on the object type"); a real tenant's SOURCE embeds its schemas and provisioning
// policies and differs from the v3 source, which is what this plays.

// The ways the export job may fail or fall short, for Options.Export.
const (
	ExportOK             = ""                // the job completes after Options.ExportPolls status reads
	ExportForbidden      = "forbidden"       // the client lacks sp:config:read: 403
	ExportMissing        = "missing"         // the tenant offers no export: 404
	ExportFailed         = "failed"          // the job ends FAILED
	ExportNoChildren     = "no-children"     // sources come without embedded schemas
	ExportPartialSchemas = "partial-schemas" // embedded schemas lack their ids
)

// exportJob is one export job's state.
type exportJob struct {
	id      string
	created time.Time
	polls   int      // status reads so far
	names   []string // objectOptions.SOURCE.includedNames; nil: every source
	ids     []string // objectOptions.SOURCE.includedIds
	result  []byte   // the download, taken when the job completed
	status  string
}

func (e *Emulator) routeSpConfig(w http.ResponseWriter, r *http.Request, version string, seg []string) bool {
	if version != "beta" || len(seg) < 2 || seg[0] != "sp-config" || seg[1] != "export" {
		return false
	}
	switch e.opts.Export {
	case ExportMissing:
		writeError(w, notFound("No API at "+r.URL.Path+"."))
		return true
	case ExportForbidden:
		writeError(w, &apiError{status: http.StatusForbidden, detail: "403 Forbidden",
			text: "The server understood the request but refuses to authorize it.", causes: []string{"The token lacks the scope sp:config:read."}})
		return true
	}
	switch {
	case len(seg) == 2 && r.Method == http.MethodPost:
		e.startExport(w, r)
	case len(seg) == 3 && r.Method == http.MethodGet:
		e.exportStatus(w, seg[2])
	case len(seg) == 4 && seg[3] == "download" && r.Method == http.MethodGet:
		e.exportDownload(w, seg[2])
	case len(seg) <= 4:
		writeError(w, methodNotAllowed(r.Method))
	default:
		return false
	}
	return true
}

func (e *Emulator) startExport(w http.ResponseWriter, r *http.Request) {
	var body struct {
		IncludeTypes  []string `json:"includeTypes"`
		ObjectOptions map[string]struct {
			IncludedIDs   []string `json:"includedIds"`
			IncludedNames []string `json:"includedNames"`
		} `json:"objectOptions"`
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	if err != nil || json.Unmarshal(data, &body) != nil {
		writeError(w, badRequest("the body is not an export payload"))
		return
	}
	job := &exportJob{id: newUUID(), created: time.Now().UTC(), status: "NOT_STARTED"}
	for _, t := range body.IncludeTypes {
		if t != "SOURCE" {
			writeError(w, badRequest(fmt.Sprintf("this tenant exports SOURCE only, not %q", t)))
			return
		}
	}
	if o, ok := body.ObjectOptions["SOURCE"]; ok {
		job.names, job.ids = o.IncludedNames, o.IncludedIDs
	}
	e.mu.Lock()
	if e.exports == nil {
		e.exports = map[string]*exportJob{}
	}
	e.exports[job.id] = job
	if e.opts.ExportPolls == 0 {
		e.finishExport(job)
	}
	out := e.jobView(job)
	e.mu.Unlock()
	writeJSON(w, http.StatusAccepted, out)
}

// finishExport completes the job with the tenant as it is now; the caller holds e.mu.
func (e *Emulator) finishExport(job *exportJob) {
	if e.opts.Export == ExportFailed {
		job.status = "FAILED"
		return
	}
	want := func(s *value.Object) bool {
		if job.names == nil && job.ids == nil {
			return true
		}
		return contains(job.names, s.String("name")) || contains(job.ids, s.String("id"))
	}
	objects := []any{}
	for _, s := range e.srcs().list {
		if !want(s) {
			continue
		}
		self := value.NewObject()
		self.Set("type", "SOURCE")
		self.Set("id", s.String("id"))
		self.Set("name", s.String("name"))
		co := value.NewObject()
		co.Set("version", json.Number("1"))
		co.Set("self", self)
		co.Set("object", e.exportedSource(s))
		objects = append(objects, co)
	}
	res := value.NewObject()
	res.Set("version", json.Number("1"))
	res.Set("timestamp", time.Now().UTC().Format(time.RFC3339))
	res.Set("tenant", "emulator")
	opts := value.NewObject()
	opts.Set("includeTypes", []any{"SOURCE"})
	res.Set("options", opts)
	res.Set("objects", objects)
	job.result, _ = marshal(res)
	job.status = "COMPLETE"
}

// exportedSource is a source as the export shows it: not the v3 source (the connector is
// connectorScriptName, the correlation config correlationConfigDetails, no cluster), with its
// schemas and provisioning policies embedded.
func (e *Emulator) exportedSource(s *value.Object) *value.Object {
	o := value.NewObject()
	for _, k := range s.Keys() {
		v, _ := s.Get(k)
		switch k {
		case "connector":
			o.Set("connectorScriptName", v)
		case "accountCorrelationConfig":
			o.Set("correlationConfigDetails", v)
		case "cluster", "schemas":
		default:
			o.Set(k, v)
		}
	}
	if e.opts.Export == ExportNoChildren {
		return o.Clone()
	}
	schemas := []any{}
	for _, sch := range e.schs().bySource[s.String("id")] {
		v := e.schemaView(sch).Clone()
		if e.opts.Export == ExportPartialSchemas {
			v.Delete("id")
		}
		schemas = append(schemas, v)
	}
	o.Set("schemas", schemas)
	o.Set("provisioningPolicies", []any{})
	return o.Clone()
}

func (e *Emulator) exportStatus(w http.ResponseWriter, id string) {
	e.mu.Lock()
	job := e.exports[id]
	if job != nil && job.status == "NOT_STARTED" || job != nil && job.status == "IN_PROGRESS" {
		job.polls++
		job.status = "IN_PROGRESS"
		if job.polls >= e.opts.ExportPolls {
			e.finishExport(job)
		}
	}
	var out *value.Object
	if job != nil {
		out = e.jobView(job)
	}
	e.mu.Unlock()
	if job == nil {
		writeError(w, notFound(fmt.Sprintf("Export job %q was not found.", id)))
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (e *Emulator) exportDownload(w http.ResponseWriter, id string) {
	e.mu.Lock()
	job := e.exports[id]
	var body []byte
	if job != nil {
		body = job.result
	}
	e.mu.Unlock()
	switch {
	case job == nil:
		writeError(w, notFound(fmt.Sprintf("Export job %q was not found.", id)))
	case body == nil:
		writeError(w, badRequest(fmt.Sprintf("Export job %q is %s: nothing to download.", id, job.status)))
	default:
		writeBody(w, http.StatusOK, body, nil)
	}
}

// jobView is the job as its status read shows it (SpConfigExportJobStatus).
func (e *Emulator) jobView(job *exportJob) *value.Object {
	o := value.NewObject()
	o.Set("jobId", job.id)
	o.Set("status", job.status)
	o.Set("type", "EXPORT")
	o.Set("created", job.created.Format(time.RFC3339))
	o.Set("modified", time.Now().UTC().Format(time.RFC3339))
	o.Set("expiration", job.created.Add(24*time.Hour).Format(time.RFC3339))
	if job.status == "COMPLETE" || job.status == "FAILED" {
		o.Set("completed", time.Now().UTC().Format(time.RFC3339))
	}
	return o
}

// newUUID returns a job id shaped like the tenant's (a UUID).
func newUUID() string {
	h := newID()
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
