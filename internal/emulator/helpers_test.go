package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/sailsync/sailsync/examples"
	"github.com/sailsync/sailsync/internal/contract"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/tenanttest"
	"github.com/sailsync/sailsync/internal/value"
)

// Two kinds of test server: checked() wraps the emulator in the contract middleware (every
// request must be one the official document allows) and validates every JSON response against
// the document's response schema; raw() serves the emulator bare, for tests that deliberately
// send requests the document forbids (a missing required field, limit=251, a wrong multipart
// field) or that inject faults whose answers are meant to be broken.

type tenant struct {
	t    *testing.T
	emu  *emulator.Emulator
	srv  *httptest.Server
	tok  string
	http *http.Client
}

func acme(t *testing.T) *emulator.Emulator {
	t.Helper()
	emu, err := emulator.New(emulator.Options{Seed: examples.AcmeTenant})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	return emu
}

func checked(t *testing.T, emu *emulator.Emulator) *tenant {
	t.Helper()
	checker := func(emu *emulator.Emulator) http.Handler { return responseChecker(t, emu) }
	return start(t, emu, tenanttest.Options{Contract: tenanttest.ContractRequired, Handler: checker})
}

func raw(t *testing.T, emu *emulator.Emulator) *tenant {
	t.Helper()
	return start(t, emu, tenanttest.Options{Contract: tenanttest.ContractOff})
}

func start(t *testing.T, emu *emulator.Emulator, opts tenanttest.Options) *tenant {
	t.Helper()
	srv := tenanttest.Serve(t, emu, opts).Server
	tn := &tenant{t: t, emu: emu, srv: srv, http: srv.Client()}
	tn.tok = tn.token()
	return tn
}

func (tn *tenant) token() string {
	tn.t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {tn.emu.ClientID()}, "client_secret": {tn.emu.ClientSecret()}}
	resp, err := tn.http.PostForm(tn.srv.URL+"/oauth/token", form)
	if err != nil {
		tn.t.Fatalf("token: %v", err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&body) != nil || body.AccessToken == "" {
		tn.t.Fatalf("token: status %d", resp.StatusCode)
	}
	return body.AccessToken
}

// response is a finished request.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) object(t *testing.T) *value.Object {
	t.Helper()
	v, err := value.Decode(r.body)
	o, ok := v.(*value.Object)
	if err != nil || !ok {
		t.Fatalf("want a JSON object, got %d %s", r.status, r.body)
	}
	return o
}

func (r response) objects(t *testing.T) []*value.Object {
	t.Helper()
	objs, err := value.DecodeObjects(r.body)
	if err != nil {
		t.Fatalf("want a JSON array of objects, got %d %s", r.status, r.body)
	}
	return objs
}

// errorCauses returns the texts of an ErrorResponseDto's causes, failing unless the body has
// the documented shape (detailCode, trackingId, messages).
func (r response) errorCauses(t *testing.T) string {
	t.Helper()
	o := r.object(t)
	msgs, _ := o.Get("messages")
	if o.String("detailCode") == "" || len(o.String("trackingId")) != 32 || len(msgs.([]any)) == 0 {
		t.Fatalf("not an ErrorResponseDto: %s", r.body)
	}
	var texts []string
	causes, _ := o.Get("causes")
	for _, c := range causes.([]any) {
		texts = append(texts, c.(*value.Object).String("text"))
	}
	return strings.Join(texts, "; ")
}

func (tn *tenant) do(method, path string, body any) response {
	tn.t.Helper()
	r, err := tn.try(context.Background(), method, path, body)
	if err != nil {
		tn.t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

// try sends a request; body is nil, an *value.Object, or a prepared *upload.
func (tn *tenant) try(ctx context.Context, method, path string, body any) (response, error) {
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case *value.Object:
		data, err := b.MarshalJSON()
		if err != nil {
			return response{}, err
		}
		rd, ctype = bytes.NewReader(data), "application/json"
	case *upload:
		rd, ctype = bytes.NewReader(b.data), b.ctype
	default:
		return response{}, fmt.Errorf("unsupported body %T", body)
	}
	req, err := http.NewRequestWithContext(ctx, method, tn.srv.URL+path, rd)
	if err != nil {
		return response{}, err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Authorization", "Bearer "+tn.tok)
	resp, err := tn.http.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{status: resp.StatusCode, header: resp.Header, body: data}, err
	}
	return response{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

type upload struct {
	data  []byte
	ctype string
}

// multipartFile builds a multipart body with one file part.
func multipartFile(t *testing.T, field, filename, content string) *upload {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	w, err := mw.CreateFormFile(field, filename)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(w, content)
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &upload{data: b.Bytes(), ctype: mw.FormDataContentType()}
}

func mustJSON(t *testing.T, s string) *value.Object {
	t.Helper()
	var o value.Object
	if err := o.UnmarshalJSON([]byte(s)); err != nil {
		t.Fatalf("bad test JSON: %v", err)
	}
	return &o
}

func source(t *testing.T, emu *emulator.Emulator, name string) *value.Object {
	t.Helper()
	s, ok := emu.SourceByName(name)
	if !ok {
		t.Fatalf("no source %q in the tenant", name)
	}
	return s
}

// --- response validation against the official document ---

var (
	respDocOnce sync.Once
	respRouter  routers.Router
	respDocErr  error
)

// responseChecker validates every JSON answer of next (except the token endpoint, which the
// document does not describe) against the response schema the document gives for its route and
// status, failing the test on a mismatch.
func responseChecker(t *testing.T, next http.Handler) http.Handler {
	path := contract.Require(t)
	respDocOnce.Do(func() {
		loader := openapi3.NewLoader()
		loader.IsExternalRefsAllowed = false
		doc, err := loader.LoadFromFile(path)
		if err != nil {
			respDocErr = err
			return
		}
		doc.Servers = nil
		for _, item := range doc.Paths.Map() {
			item.Servers = nil
		}
		contract.FixDocument(doc)
		respRouter, respDocErr = gorillamux.NewRouter(doc)
	})
	if respDocErr != nil {
		t.Fatalf("load the OpenAPI document: %v", respDocErr)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &teeWriter{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if r.URL.Path == "/oauth/token" || rec.hijacked {
			return
		}
		route, params, err := respRouter.FindRoute(r)
		if err != nil {
			return // a path the document lacks answers 404 by design; nothing to validate against
		}
		status := rec.status
		if status == 0 {
			status = 200
		}
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
			Status:  status,
			Header:  rec.Header(),
			Body:    io.NopCloser(bytes.NewReader(rec.body.Bytes())),
			Options: &openapi3filter.Options{IncludeResponseStatus: false, MultiError: true},
		}
		if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
			t.Errorf("response to %s %s (%d) violates the document: %v", r.Method, r.URL.RequestURI(), status, err)
		}
	})
}

type teeWriter struct {
	http.ResponseWriter
	status   int
	body     bytes.Buffer
	hijacked bool
}

func (w *teeWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *teeWriter) Write(p []byte) (int, error) {
	w.body.Write(p)
	return w.ResponseWriter.Write(p)
}

func (w *teeWriter) Unwrap() http.ResponseWriter {
	w.hijacked = true // only fault injection reaches for the connection underneath
	return w.ResponseWriter
}
