package emulator

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/sailsync/sailsync/internal/value"
)

const jsonContentType = "application/json;charset=utf-8"

// apiError is an error answer in the tenant's documented shape (ErrorResponseDto).
type apiError struct {
	status int
	detail string // detailCode
	text   string // messages[0].text
	causes []string
}

// Error is the error's message.
func (a *apiError) Error() string {
	if len(a.causes) > 0 {
		return a.text + ": " + strings.Join(a.causes, "; ")
	}
	return a.text
}

// The documented detail codes and texts (responses/*.yaml of the OpenAPI document).
func badRequest(causes ...string) *apiError {
	return &apiError{status: http.StatusBadRequest, detail: "400.1 Bad Request Content",
		text: "The request was syntactically correct but its content is semantically invalid.", causes: causes}
}

func notFound(causes ...string) *apiError {
	return &apiError{status: http.StatusNotFound, detail: "404 Not found",
		text: "The server did not find a current representation for the target resource.", causes: causes}
}

func methodNotAllowed(method string) *apiError {
	return &apiError{status: http.StatusMethodNotAllowed, detail: "405 Method Not Allowed",
		text: "The request method is not supported for the target resource.", causes: []string{"Method " + method + " is not supported."}}
}

func serverError(status int) *apiError {
	detail := map[int]string{
		500: "500.0 Internal Fault",
		501: "501 Not Implemented",
		502: "502 Bad Gateway",
		503: "503 Service Unavailable",
		504: "504 Gateway Timeout",
	}[status]
	if detail == "" {
		detail = http.StatusText(status)
		if detail == "" {
			detail = "Error"
		}
		detail = strconv.Itoa(status) + " " + detail
	}
	text := "An internal fault occurred."
	if status < 500 {
		text = http.StatusText(status)
	}
	return &apiError{status: status, detail: detail, text: text}
}

// errorBody renders an ErrorResponseDto with a fresh trackingId.
func errorBody(a *apiError) *value.Object {
	msg := func(text string) *value.Object {
		m := value.NewObject()
		m.Set("locale", "en-US")
		m.Set("localeOrigin", "DEFAULT")
		m.Set("text", text)
		return m
	}
	o := value.NewObject()
	o.Set("detailCode", a.detail)
	o.Set("trackingId", newID())
	o.Set("messages", []any{msg(a.text)})
	causes := []any{}
	for _, c := range a.causes {
		causes = append(causes, msg(c))
	}
	o.Set("causes", causes)
	return o
}

func writeError(w http.ResponseWriter, a *apiError) {
	writeJSON(w, a.status, errorBody(a))
}

// writeJSON writes v (an *value.Object, []*value.Object or a plain value) without HTML escaping so
// that bytes round-trip the way the tenant sends them.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := marshal(v)
	writeBody(w, status, body, err)
}

// writeBody writes a body marshalled beforehand (under the lock, say), or a tenant fault when
// marshalling failed.
func writeBody(w http.ResponseWriter, status int, body []byte, err error) {
	if err != nil {
		// Only a value this package built can get here; answer like a tenant fault.
		status = http.StatusInternalServerError
		body, _ = marshal(errorBody(serverError(status)))
	}
	w.Header().Set("Content-Type", jsonContentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func marshal(v any) ([]byte, error) { return value.Marshal(v) }
