package contract

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// recorder is a testing.TB that keeps Errorf calls instead of failing the test, so a test can
// assert that the middleware reported a violation.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errors...)
}

func validSource() string {
	return `{"name":"HR","owner":{"type":"IDENTITY","id":"2c9180835d191a86015d28455b4a2329","name":"Jane"},` +
		`"connector":"active-directory","connectorAttributes":{"host":"ad.example.com"}}`
}

func multipartBody(t *testing.T, field string) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, err := mw.CreateFormFile(field, "ent.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(fw, "id,name\n"); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), b.Bytes()
}

func TestMiddleware(t *testing.T) {
	Require(t)
	const id = "2c9180835d191a86015d28455b4a2329"
	goodCT, goodMP := multipartBody(t, "file")
	badCT, badMP := multipartBody(t, "upload")
	tests := []struct {
		name        string
		method      string
		target      string
		contentType string
		body        string
		wantErr     string // substring of the reported violation; "" = none expected
	}{
		{name: "list sources", method: "GET", target: "/v3/sources?limit=250&offset=0&filters=" + urlq(`name eq "HR"`)},
		{name: "create source", method: "POST", target: "/v3/sources", contentType: "application/json", body: validSource()},
		{name: "create source as csv", method: "POST", target: "/v3/sources?provisionAsCsv=true", contentType: "application/json", body: validSource()},
		{name: "put source with id", method: "PUT", target: "/v3/sources/" + id, contentType: "application/json",
			body: `{"id":"` + id + `",` + validSource()[1:]},
		// What a real tenant returns and takes back though the document does not list it.
		{name: "put source with a real tenant's features and nulls", method: "PUT", target: "/v3/sources/" + id, contentType: "application/json",
			body: `{"id":"` + id + `","features":["AI_AGENT_AGGREGATION","MACHINE_IDENTITY_AGGREGATION"],"deleteThreshold":null,"connectorClass":"",` +
				`"managerCorrelationMapping":null,"managementWorkgroup":null,"passwordPolicies":null,` + validSource()[1:]},
		{name: "manager correlation mapping still checked", method: "PUT", target: "/v3/sources/" + id, contentType: "application/json",
			body: `{"managerCorrelationMapping":"manager",` + validSource()[1:], wantErr: "managerCorrelationMapping"},
		{name: "create source on beta with nulls", method: "POST", target: "/beta/sources", contentType: "application/json",
			body: `{"features":["AI_AGENT_AGGREGATION"],"deleteThreshold":null,"managementWorkgroup":null,` + validSource()[1:]},
		{name: "feature not a string", method: "POST", target: "/v3/sources", contentType: "application/json",
			body: `{"features":[7],` + validSource()[1:], wantErr: "features"},
		{name: "token endpoint is not described and not checked", method: "POST", target: "/oauth/token",
			contentType: "application/x-www-form-urlencoded", body: "grant_type=client_credentials"},
		{name: "entitlement schema upload", method: "POST", target: "/v3/sources/" + id + "/schemas/entitlements?schemaName=group",
			contentType: goodCT, body: string(goodMP)},
		{name: "create connector", method: "POST", target: "/v3/connectors", contentType: "application/json",
			body: `{"name":"Custom JDBC","type":"JDBC","className":"sailpoint.connector.JDBCConnector","directConnect":true,"status":"RELEASED"}`},

		{name: "create transform", method: "POST", target: "/v3/transforms", contentType: "application/json",
			body: `{"name":"Lowercase Email","type":"lower","attributes":{"input":{"type":"accountAttribute","attributes":{"sourceName":"HR","attributeName":"email"}}}}`},
		{name: "create transform on beta", method: "POST", target: "/beta/transforms", contentType: "application/json",
			body: `{"name":"Hire Date","type":"dateFormat","attributes":{"inputFormat":"yyyy-MM-dd","outputFormat":"ISO8601"}}`},
		{name: "transform with null attributes", method: "PUT", target: "/v3/transforms/" + id, contentType: "application/json",
			body: `{"name":"ToUpper","type":"upper","attributes":null}`},

		{name: "owner type USER", method: "POST", target: "/v3/sources", contentType: "application/json",
			body: strings.Replace(validSource(), `"IDENTITY"`, `"USER"`, 1), wantErr: "owner"},
		{name: "missing required connector", method: "POST", target: "/v3/sources", contentType: "application/json",
			body: `{"name":"HR","owner":{"type":"IDENTITY","id":"x"}}`, wantErr: "connector"},
		{name: "transform attributes not an object", method: "POST", target: "/v3/transforms", contentType: "application/json",
			body: `{"name":"X","type":"upper","attributes":"x"}`, wantErr: "attributes"},
		{name: "transform type not documented", method: "POST", target: "/v3/transforms", contentType: "application/json",
			body: `{"name":"X","type":"titleCase","attributes":null}`, wantErr: "type"},
		{name: "limit above 250", method: "GET", target: "/v3/sources?limit=1000", wantErr: "limit"},
		{name: "misspelt filters parameter", method: "GET", target: "/v3/sources?filter=x", wantErr: `"filter"`},
		{name: "wrong multipart field", method: "POST", target: "/v3/sources/" + id + "/upload-connector-file",
			contentType: badCT, body: string(badMP), wantErr: "upload"},
		{name: "json where multipart is required", method: "POST", target: "/v3/sources/" + id + "/upload-connector-file",
			contentType: "application/json", body: `{}`, wantErr: "Content-Type"},
		{name: "unknown path", method: "GET", target: "/v3/nonsense", wantErr: "not described"},
		{name: "connector create on beta does not exist", method: "POST", target: "/beta/connectors", contentType: "application/json",
			body: `{"name":"x","className":"y"}`, wantErr: "method not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{TB: t}
			var seen []byte
			next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, err := io.ReadAll(r.Body)
				if err != nil {
					t.Errorf("next could not read the body: %v", err)
				}
				seen = b
				w.WriteHeader(http.StatusNoContent)
			})
			srv := httptest.NewServer(Middleware(rec, next))
			defer srv.Close()
			req, err := http.NewRequest(tt.method, srv.URL+tt.target, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			req.Header.Set("Authorization", "Bearer test")
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if string(seen) != tt.body {
				t.Errorf("next saw body %q, want the original %q", seen, tt.body)
			}
			got := rec.got()
			if tt.wantErr == "" {
				if len(got) != 0 {
					t.Errorf("unexpected violations:\n%s", strings.Join(got, "\n"))
				}
				return
			}
			if len(got) == 0 {
				t.Fatalf("violation containing %q not reported", tt.wantErr)
			}
			all := strings.Join(got, "\n")
			if !strings.Contains(all, tt.wantErr) {
				t.Errorf("violations do not mention %q:\n%s", tt.wantErr, all)
			}
			if !strings.Contains(all, tt.method) || !strings.Contains(all, strings.SplitN(tt.target, "?", 2)[0]) {
				t.Errorf("violation does not name method and path:\n%s", all)
			}
		})
	}
}

func urlq(s string) string {
	r := strings.NewReplacer(" ", "%20", `"`, "%22")
	return r.Replace(s)
}

func TestAvailable(t *testing.T) {
	tests := []struct {
		name string
		env  string // "" leaves SAILSYNC_API_SPECS unset
		want bool
	}{
		{name: "the committed trimmed copy by default", want: true},
		{name: "a missing override", env: t.TempDir() + "/missing", want: false},
		{name: "an api-specs directory without bundled/", env: t.TempDir(), want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path, ok := available(func(k string) string {
				if k == EnvSpecs {
					return tt.env
				}
				return ""
			})
			if ok != tt.want {
				t.Fatalf("available(%s=%q) = %q, %v; want %v", EnvSpecs, tt.env, path, ok, tt.want)
			}
			if tt.env == "" && filepath.Base(path) != "isc-v3-beta.trimmed.json" {
				t.Errorf("default document is %q, want the trimmed copy", path)
			}
		})
	}
}
