package isc

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/value"
)

// benchSource is a source as the cpu scenario's tenant lists it, with timestamps that differ
// from source to source like a real tenant's.
const benchSource = `{"id":"326a701d021f19e1c4eb15c95cd%05d","name":"Bench Source %05d","description":"Bench source %d (created in the UI)",` +
	`"owner":{"type":"IDENTITY","id":"2c91808568c529c60168cca6f90c1313","name":"Amelia Ortiz"},` +
	`"cluster":{"type":"CLUSTER","id":"2c9180866166b5b0016167c32ef31a66","name":"Acme Primary VA Cluster"},` +
	`"connector":"delimited-file","connectorClass":"sailpoint.connector.DelimitedFileConnector","type":"DelimitedFile",` +
	`"authoritative":false,"deleteThreshold":10,"features":["DIRECT_PERMISSIONS","NO_RANDOM_ACCESS"],` +
	`"connectorAttributes":{"file":"bench-%05d.csv","delimiter":",","hasHeader":true,"cloudExternalId":"1%05d","cloudDisplayName":"Bench Source %05d","healthy":true,"since":"2026-11-22T09:%02d:%02d.%03dZ"},` +
	`"passwordPolicies":null,"schemas":[],"healthy":true,"status":"SOURCE_STATE_HEALTHY","since":"2026-11-22T09:%02d:%02d.%03dZ",` +
	`"connectorId":"delimited-file","connectorName":"delimited-file","connectionType":"direct","connectorImplementationId":"delimited-file",` +
	`"created":"2025-%02d-%02dT10:%02d:00.000Z","modified":"2026-11-22T09:%02d:%02d.%03dZ","credentialProviderEnabled":false,"category":null}`

// benchPage is a listing page of 250 such sources, numbered from first.
func benchPage(first int) []byte {
	var b strings.Builder
	b.WriteByte('[')
	for i := first; i < first+PageSize; i++ {
		if i > first {
			b.WriteByte(',')
		}
		m, sec, ms := i/60%60, i%60, i*7%1000
		fmt.Fprintf(&b, benchSource, i, i, i, i, i, i, m, sec, ms, m, sec, ms, 1+i%12, 1+i%28, i%60, m, sec, ms)
	}
	b.WriteByte(']')
	return []byte(b.String())
}

// BenchmarkDecodeObjectsKeep decodes a page of 250 sources of which none, every other one or
// all are declared (a plan of 10,000 sources in a tenant of 20,000 reads 40 pages of each
// extreme).
func BenchmarkDecodeObjectsKeep(b *testing.B) {
	data := benchPage(1)
	for _, tc := range []struct {
		name string
		keep func(i int) bool
		want int
	}{
		{"none", func(int) bool { return false }, 0},
		{"half", func(i int) bool { return i%2 == 0 }, PageSize / 2},
		{"all", func(int) bool { return true }, PageSize},
	} {
		declared := map[string]bool{}
		for i := 1; i <= PageSize; i++ {
			if tc.keep(i) {
				declared[fmt.Sprintf("Bench Source %05d", i)] = true
			}
		}
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				objs, n, err := value.DecodeObjectsKeep(data, func(name string) bool { return declared[name] })
				if err != nil || n != PageSize || len(objs) != tc.want {
					b.Fatal(len(objs), n, err)
				}
			}
		})
	}
}

// BenchmarkClient measures the client's own work per request (plumbing, transport, body
// reading, decoding) against a server answering canned bodies: an empty schema list (most of
// a plan's 10,000 requests) and a listing page of 250 sources none of which is kept.
func BenchmarkClient(b *testing.B) {
	page := benchPage(1)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"tok-0123456789","token_type":"bearer","expires_in":43199}`))
	})
	mux.HandleFunc("GET /v3/sources/{id}/schemas", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		_, _ = w.Write([]byte(`[]`))
	})
	mux.HandleFunc("GET /v3/sources", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		w.Header().Set("X-Total-Count", "20000")
		_, _ = w.Write(page)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, err := New(Config{BaseURL: srv.URL, ClientID: "id", ClientSecret: "secret", RatePer10s: 1e9})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := c.Authenticate(ctx); err != nil {
		b.Fatal(err)
	}
	b.Run("schemas", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.ListSchemas(ctx, "2c9180835d191a86015d28455b4a2329"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("page", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p, err := c.ListSourcesPageKeep(ctx, "", 500, func(string) bool { return false })
			if err != nil || p.Len != PageSize {
				b.Fatal(err)
			}
		}
	})
}
