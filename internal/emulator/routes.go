package emulator

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/sailsync/sailsync/internal/value"
)

// route dispatches an authenticated API request to the kind whose path it is (each kind's file
// registers its routes: kinds.go), then to the task status and the lookup collections. Paths
// follow the published document, /v3 or /beta as it has them.
func (e *Emulator) route(w http.ResponseWriter, r *http.Request) {
	version, rest, ok := splitVersion(r.URL.Path)
	if !ok {
		writeError(w, notFound("No API at "+r.URL.Path+"."))
		return
	}
	seg := strings.Split(strings.Trim(rest, "/"), "/")
	for _, h := range kindHandlers {
		if h.route != nil && h.route(e, w, r, version, seg) {
			return
		}
	}
	switch {
	case len(seg) == 2 && seg[0] == "task-status" && version == "beta":
		if r.Method != http.MethodGet {
			writeError(w, methodNotAllowed(r.Method))
			return
		}
		e.getTaskStatus(w, seg[1])
	default:
		if e.routeDirectory(w, r, version, seg) || e.routeSpConfig(w, r, version, seg) {
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
