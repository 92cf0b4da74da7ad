// Package contract checks, in tests, that every request sailsync sends is one the official ISC
// OpenAPI document allows. It wraps a handler (normally the emulator) in a middleware that
// validates each request with kin-openapi's openapi3filter and reports every violation through
// the test's Errorf, so a client change that drifts from the published API fails the suite even
// when the emulator is lenient.
//
// The document is the trimmed copy in testdata/ (the paths sailsync and its emulator use, cut
// from SailPoint's published document by contract/trim), so the checks run on every clone and
// never skip; $SAILSYNC_API_SPECS points them at another copy, e.g. the whole document.
package contract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// EnvSpecs names the environment variable that overrides which document is used. It may name
// the api-specs directory (the one holding bundled/) or a JSON document itself.
const EnvSpecs = "SAILSYNC_API_SPECS"

// specFile is the bundled v3+beta document's path below an api-specs directory.
var specFile = filepath.Join("bundled", "isc-v3-beta.combined.json")

// trimmedFile is the committed trimmed document, relative to this package's directory.
var trimmedFile = filepath.Join("testdata", "isc-v3-beta.trimmed.json")

// unvalidatedPaths are served by the tenant but not described by the document, and the
// emulator's own debug endpoint (emulator.DebugTickPath), which no tenant has and sailsync never
// calls: a test that plays a platform tick through it is not sending the API a request.
var unvalidatedPaths = map[string]bool{
	"/oauth/token": true,
	"/debug/tick":  true,
}

// maxBody bounds how much of a request body the middleware buffers. Uploads in tests are small;
// anything larger is a test bug, not a contract question.
const maxBody = 64 << 20

// Available reports the path of the OpenAPI document the checks use and whether it exists.
func Available() (string, bool) { return available(os.Getenv) }

// available is Available reading $SAILSYNC_API_SPECS with getenv.
func available(getenv func(string) string) (string, bool) {
	path := locate(getenv)
	if path == "" {
		return "", false
	}
	st, err := os.Stat(path)
	if err != nil || st.IsDir() {
		return path, false
	}
	return path, true
}

// Require returns the path of the OpenAPI document and fails the test when it is absent: the
// trimmed copy is part of the repository, so a missing document is a broken checkout or a
// wrong $SAILSYNC_API_SPECS, never a reason to skip the contract checks.
func Require(t testing.TB) string {
	t.Helper()
	path, ok := Available()
	if !ok {
		t.Fatalf("contract: OpenAPI document not found at %q (the committed copy is contract/%s; %s overrides it)", path, trimmedFile, EnvSpecs)
	}
	return path
}

func locate(getenv func(string) string) string {
	if env := getenv(EnvSpecs); env != "" {
		if st, err := os.Stat(env); err == nil && st.IsDir() {
			return filepath.Join(env, specFile)
		}
		return env
	}
	// The source file's own directory works whatever the test's working directory is.
	if _, file, _, ok := runtime.Caller(0); ok {
		return filepath.Join(filepath.Dir(file), trimmedFile)
	}
	return ""
}

type loaded struct {
	doc    *openapi3.T
	router routers.Router
	err    error
}

var (
	loadOnce sync.Once
	spec     loaded
)

// load parses the document once per test binary.
func load(path string) (*loaded, error) {
	loadOnce.Do(func() {
		loader := openapi3.NewLoader()
		// The combined file has every $ref resolved; nothing external must be fetched.
		loader.IsExternalRefsAllowed = false
		doc, err := loader.LoadFromFile(path)
		if err != nil {
			spec.err = fmt.Errorf("contract: load %s: %w", path, err)
			return
		}
		// The document's only server is a fixed local mock address; test servers listen on
		// random ports, so route on paths alone (every path carries its /v3 or /beta prefix).
		doc.Servers = nil
		for _, item := range doc.Paths.Map() {
			item.Servers = nil
		}
		FixDocument(doc)
		router, err := gorillamux.NewRouter(doc)
		if err != nil {
			spec.err = fmt.Errorf("contract: build router: %w", err)
			return
		}
		spec.doc, spec.router = doc, router
	})
	if spec.err != nil {
		return nil, spec.err
	}
	return &spec, nil
}

// oneOfAsAnyOf names the object schemas whose property's oneOf no value can satisfy: a
// transform's attributes is "one of" 31 shapes, most of them all-optional objects, so every
// object matches several and JSON Schema's oneOf (exactly one) refuses them all; the type
// field, beside attributes, is what picks the shape. The list is by v3 and beta name.
var oneOfAsAnyOf = map[string]string{
	"Transform":      "attributes",
	"beta_Transform": "attributes",
}

// openEnums name the array schemas whose items' enum a real tenant goes beyond: a source's
// features hold AI_AGENT_AGGREGATION and MACHINE_IDENTITY_AGGREGATION, which the tenant returns
// and takes back in a PUT, before the document lists them (sailsync warns, see
// schema.KnownValuesKeyword).
var openEnums = []string{"SourceFeature", "beta_SourceFeature"}

// nullable names the object schemas' properties a real tenant returns as null, and takes back,
// though the document does not mark them nullable: a source that never set a deleteThreshold, a
// schema without identity or display attribute, an attribute that references no schema.
var nullable = map[string][]string{
	"Source":                   {"deleteThreshold"},
	"beta_Source-2":            {"deleteThreshold"},
	"Schema":                   {"identityAttribute", "displayAttribute", "hierarchyAttribute"},
	"beta_Schema":              {"identityAttribute", "displayAttribute", "hierarchyAttribute"},
	"AttributeDefinition":      {"schema"},
	"beta_AttributeDefinition": {"schema"},
}

// FixDocument works around the document's defects, in place, before it is used to validate:
// the oneOfs of oneOfAsAnyOf become anyOfs, which the tenant's transforms (the document's own
// examples included) satisfy. Some shapes (uuid) constrain nothing, so attributes is in effect
// checked as an object or null only. The document also describes less than a real tenant
// accepts: the enums of openEnums are opened and the properties of nullable made nullable, and
// a property it marks nullable beside an allOf accepts null.
// Whoever validates against the document (the middleware, a test's response checker) calls it.
func FixDocument(doc *openapi3.T) {
	if doc.Components == nil {
		return
	}
	for _, name := range openEnums {
		if s := doc.Components.Schemas[name]; s != nil && s.Value != nil && s.Value.Items != nil && s.Value.Items.Value != nil {
			s.Value.Items.Value.Enum = nil
		}
	}
	// A property written allOf [$ref, {nullable: true}] (a source's managerCorrelationMapping)
	// means "the referenced shape or null", but a validator applies every allOf member to a null
	// and the referenced one refuses it: the property and its members are made nullable.
	for _, s := range doc.Components.Schemas {
		if s == nil || s.Value == nil {
			continue
		}
		for _, p := range s.Value.Properties {
			if p == nil || p.Value == nil || !slices.ContainsFunc(p.Value.AllOf, func(m *openapi3.SchemaRef) bool { return m != nil && m.Value != nil && m.Value.Nullable }) {
				continue
			}
			p.Value.Nullable = true
			for i, m := range p.Value.AllOf {
				if m != nil && m.Value != nil && !m.Value.Nullable {
					c := *m.Value
					c.Nullable = true
					p.Value.AllOf[i] = &openapi3.SchemaRef{Value: &c}
				}
			}
		}
	}
	for name, props := range nullable {
		s := doc.Components.Schemas[name]
		if s == nil || s.Value == nil {
			continue
		}
		for _, prop := range props {
			if p := s.Value.Properties[prop]; p != nil && p.Value != nil {
				p.Value.Nullable = true
			}
		}
	}
	for name, prop := range oneOfAsAnyOf {
		s := doc.Components.Schemas[name]
		if s == nil || s.Value == nil || s.Value.Properties[prop] == nil {
			continue
		}
		if p := s.Value.Properties[prop].Value; p != nil && len(p.OneOf) > 0 {
			p.AnyOf, p.OneOf = p.OneOf, nil
		}
	}
}

func init() {
	// multipart/form-data is registered by openapi3filter itself; registering it here makes the
	// dependency explicit (uploads must be checked part by part, field name "file" included).
	// The file parts carry binary content types that decode as opaque strings.
	openapi3filter.RegisterBodyDecoder("multipart/form-data", multipartDecoder)
	// application/xml: a connector's source config and template are served as XML strings.
	for _, ct := range []string{"application/java-archive", "application/zip", "application/x-java-archive", "application/xml"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
	}
}

// Middleware returns a handler that validates every request against the official document,
// reports each violation with t.Errorf (method, path and the validator's message), and then
// passes the request, body intact, to next. It skips the test when the document is absent and
// fails it when the document cannot be loaded.
func Middleware(t testing.TB, next http.Handler) http.Handler {
	t.Helper()
	path := Require(t)
	s, err := load(path)
	if err != nil {
		t.Fatal(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !unvalidatedPaths[r.URL.Path] {
			body, err := readBody(r)
			if err != nil {
				t.Errorf("contract: %s %s: read body: %v", r.Method, r.URL.Path, err)
				http.Error(w, "contract middleware could not read the body", http.StatusBadRequest)
				return
			}
			for _, problem := range s.check(r, body) {
				t.Errorf("contract: %s %s violates the ISC OpenAPI document: %s", r.Method, r.URL.RequestURI(), problem)
			}
			if body != nil {
				r.Body = io.NopCloser(bytes.NewReader(body))
				r.ContentLength = int64(len(body))
			}
		}
		next.ServeHTTP(w, r)
	})
}

func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	_ = r.Body.Close()
	if err != nil {
		return nil, err
	}
	if len(b) > maxBody {
		return nil, fmt.Errorf("body larger than %d bytes", maxBody)
	}
	return b, nil
}

// Check validates one request against the document and returns every problem found (nil when
// the request conforms). The request's body is not consumed.
func Check(t testing.TB, r *http.Request) []string {
	t.Helper()
	s, err := load(Require(t))
	if err != nil {
		t.Fatal(err)
	}
	body, err := readBody(r)
	if err != nil {
		return []string{"read body: " + err.Error()}
	}
	if body != nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	return s.check(r, body)
}

func (s *loaded) check(r *http.Request, body []byte) []string {
	// Validate a copy so that nothing the validator does to the request (it may rewrite the
	// body) reaches the handler.
	clone := r.Clone(context.Background())
	if body != nil {
		clone.Body = io.NopCloser(bytes.NewReader(body))
		clone.ContentLength = int64(len(body))
	} else {
		clone.Body = http.NoBody
	}
	route, pathParams, err := s.router.FindRoute(clone)
	if err != nil {
		switch {
		case errors.Is(err, routers.ErrMethodNotAllowed):
			return []string{"method not allowed for this path"}
		default:
			return []string{"path not described by the document: " + err.Error()}
		}
	}
	var problems []string
	problems = append(problems, unknownQuery(route, clone)...)
	input := &openapi3filter.RequestValidationInput{
		Request:    clone,
		PathParams: pathParams,
		Route:      route,
		Options: &openapi3filter.Options{
			MultiError:          true,
			ExcludeResponseBody: true,
			// The tenant's PUT takes the whole object as GET returned it, id included (the
			// documented example does exactly that); readOnly is advice for generated clients.
			ExcludeReadOnlyValidations: true,
			SkipSettingDefaults:        true,
			// Authentication is the emulator's business (it answers 401 like the tenant).
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
		},
	}
	if err := openapi3filter.ValidateRequest(context.Background(), input); err != nil {
		var me openapi3.MultiError
		if errors.As(err, &me) {
			for _, e := range me {
				problems = append(problems, oneLine(e.Error()))
			}
		} else {
			problems = append(problems, oneLine(err.Error()))
		}
	}
	return problems
}

// unknownQuery reports query parameters the operation does not declare: openapi3filter ignores
// them, but a misspelt parameter (filter= for filters=) is silently ignored by the tenant too,
// which is exactly the kind of bug this check exists to catch.
func unknownQuery(route *routers.Route, r *http.Request) []string {
	declared := map[string]bool{}
	for _, list := range []openapi3.Parameters{route.PathItem.Parameters, route.Operation.Parameters} {
		for _, p := range list {
			if p.Value != nil && p.Value.In == openapi3.ParameterInQuery {
				declared[p.Value.Name] = true
			}
		}
	}
	var names []string
	for name := range r.URL.Query() {
		if !declared[name] {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	out := make([]string, 0, len(names))
	for _, n := range names {
		out = append(out, fmt.Sprintf("query parameter %q is not declared for this operation", n))
	}
	return out
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	// Schema errors embed the whole schema and value; the first lines say what is wrong.
	lines := strings.Split(s, "\n")
	if len(lines) > 4 {
		lines = append(lines[:4], "…")
	}
	return strings.Join(lines, " | ")
}

// multipartDecoder is openapi3filter's multipart decoder, except that an object schema that
// names no property and says nothing of additional ones (PUT
// /v3/connectors/{scriptName}/translations/{locale} declares just `type: object`) accepts any
// part, as JSON Schema reads it: kin-openapi refuses every part of such a body.
func multipartDecoder(body io.Reader, h http.Header, schema *openapi3.SchemaRef, enc openapi3filter.EncodingFn) (any, error) {
	if v := schema.Value; v != nil && len(v.Properties) == 0 && len(v.AllOf) == 0 &&
		v.AdditionalProperties.Has == nil && v.AdditionalProperties.Schema == nil {
		open := *v
		yes := true
		open.AdditionalProperties = openapi3.AdditionalProperties{Has: &yes}
		schema = &openapi3.SchemaRef{Value: &open}
	}
	return openapi3filter.MultipartBodyDecoder(body, h, schema, enc)
}
