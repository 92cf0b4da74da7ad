package emulator

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/sailsync/sailsync/value"
)

// route dispatches an authenticated API request. Paths follow the published document: sources,
// their schemas and uploads exist under both /v3 and /beta; connectors are listed under both,
// but only /v3 has POST /connectors, GET and PATCH /connectors/{scriptName} and its bundle paths.
func (e *Emulator) route(w http.ResponseWriter, r *http.Request) {
	version, rest, ok := splitVersion(r.URL.Path)
	if !ok {
		writeError(w, notFound("No API at "+r.URL.Path+"."))
		return
	}
	seg := strings.Split(strings.Trim(rest, "/"), "/")
	method := r.Method
	switch {
	case len(seg) == 1 && seg[0] == "sources":
		switch method {
		case http.MethodGet:
			e.listSources(w, r)
		case http.MethodPost:
			e.createSource(w, r)
		default:
			writeError(w, methodNotAllowed(method))
		}
	case len(seg) == 2 && seg[0] == "sources":
		switch method {
		case http.MethodGet:
			e.getSource(w, seg[1])
		case http.MethodPut:
			e.putSource(w, r, seg[1])
		case http.MethodPatch:
			e.patchSource(w, r, seg[1])
		case http.MethodDelete:
			e.deleteSource(w, seg[1])
		default:
			writeError(w, methodNotAllowed(method))
		}
	case len(seg) == 3 && seg[0] == "sources" && seg[2] == "schemas":
		if method != http.MethodGet {
			writeError(w, methodNotAllowed(method))
			return
		}
		e.listSchemas(w, r, seg[1])
	case len(seg) == 4 && seg[0] == "sources" && seg[2] == "schemas" && seg[3] == "entitlements":
		if method != http.MethodPost {
			writeError(w, methodNotAllowed(method))
			return
		}
		e.uploadEntitlementSchema(w, r, seg[1])
	case len(seg) == 4 && seg[0] == "sources" && seg[2] == "schemas":
		switch method {
		case http.MethodGet:
			e.getSchema(w, seg[1], seg[3])
		case http.MethodDelete:
			e.deleteSchema(w, seg[1], seg[3])
		default:
			writeError(w, methodNotAllowed(method))
		}
	case len(seg) == 3 && seg[0] == "sources" && seg[2] == "upload-connector-file":
		if method != http.MethodPost {
			writeError(w, methodNotAllowed(method))
			return
		}
		e.uploadConnectorFile(w, r, seg[1])
	case len(seg) == 1 && seg[0] == "connectors":
		switch {
		case method == http.MethodGet:
			e.listConnectors(w, r)
		case method == http.MethodPost && version == "v3":
			e.createConnector(w, r)
		default:
			writeError(w, methodNotAllowed(method))
		}
	case len(seg) >= 2 && seg[0] == "connectors" && version == "v3":
		// GET, PATCH and DELETE of a connector, and its bundle: bundle.go.
		e.connectorRoute(w, r, seg[1:])
	case len(seg) == 2 && seg[0] == "task-status" && version == "beta":
		if method != http.MethodGet {
			writeError(w, methodNotAllowed(method))
			return
		}
		e.getTaskStatus(w, seg[1])
	default:
		if e.routeDirectory(w, r, version, seg) {
			return
		}
		writeError(w, notFound("No API at "+r.URL.Path+"."))
	}
}

func splitVersion(path string) (version, rest string, ok bool) {
	for _, v := range []string{"v3", "beta"} {
		if r, found := strings.CutPrefix(path, "/"+v+"/"); found {
			return v, r, true
		}
	}
	return "", "", false
}

// page is the limit/offset/count of a list request.
type page struct {
	limit, offset int
	count         bool
}

// parsePage reads the standard collection parameters: limit 0..250 (default 250), offset ≥ 0,
// count=true for X-Total-Count.
func parsePage(r *http.Request) (page, *apiError) {
	q := r.URL.Query()
	p := page{limit: 250}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 250 {
			return p, badRequest(fmt.Sprintf("limit must be an integer from 0 to 250, not %q", s))
		}
		p.limit = n
	}
	if s := q.Get("offset"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return p, badRequest(fmt.Sprintf("offset must be a non-negative integer, not %q", s))
		}
		p.offset = n
	}
	if s := q.Get("count"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return p, badRequest(fmt.Sprintf("count must be true or false, not %q", s))
		}
		p.count = b
	}
	return p, nil
}

// apply cuts one page out of all and sets X-Total-Count when asked.
func (p page) apply(w http.ResponseWriter, all []*value.Object) []*value.Object {
	if p.count {
		w.Header().Set("X-Total-Count", strconv.Itoa(len(all)))
	}
	if p.offset >= len(all) {
		return []*value.Object{}
	}
	end := min(len(all), p.offset+p.limit)
	return all[p.offset:end]
}

// maxJSONBody bounds a JSON request body; a source is a few kilobytes.
const maxJSONBody = 8 << 20

// readObject reads a JSON object request body.
func readObject(w http.ResponseWriter, r *http.Request) (*value.Object, *apiError) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
	if err != nil {
		return nil, badRequest("The request body could not be read: " + err.Error())
	}
	v, err := value.Decode(data)
	if err != nil {
		return nil, badRequest("The request body is not valid JSON.")
	}
	o, ok := v.(*value.Object)
	if !ok {
		return nil, badRequest("The request body must be a JSON object.")
	}
	return o, nil
}
