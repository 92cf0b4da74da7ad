package diff_test

import (
	"fmt"
	"io"
	"testing"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/tenanttest"
	"github.com/sailsync/sailsync/internal/value"
)

// benchCase is a repository of n sources (each with one entitlement schema) and the live state
// of a tenant holding them with another description and without the schema: every source is an
// update and every schema a create, the most a plan has to compute and render.
type benchCase struct {
	repo *config.Repo
	live *diff.Live
}

func newBenchCase(b *testing.B, n int) benchCase {
	b.Helper()
	dir := b.TempDir()
	if err := tenanttest.WriteBenchRepo(dir, tenanttest.BenchRepo{Sources: n}); err != nil {
		b.Fatal(err)
	}
	live := &diff.Live{}
	live.SetListed(config.KindSource, true)
	for i := 1; i <= n; i++ {
		name := tenanttest.BenchSourceName(i)
		v, err := value.Decode([]byte(fmt.Sprintf(`{"id":"%032x","name":%q,"description":"Bench source %d (created in the UI)",
			"owner":{"type":"IDENTITY","id":"2c91808568c529c60168cca6f90c1313","name":"Amelia Ortiz"},
			"cluster":{"type":"CLUSTER","id":"2c9180866166b5b0016167c32ef31a66","name":"Acme Primary VA Cluster"},
			"connector":"delimited-file","connectorClass":"sailpoint.connector.DelimitedFileConnector","type":"DelimitedFile",
			"authoritative":false,"deleteThreshold":10,"features":["DIRECT_PERMISSIONS","NO_RANDOM_ACCESS"],
			"connectorAttributes":{"file":"bench-%05d.csv","delimiter":",","hasHeader":true,"cloudExternalId":"%d","cloudDisplayName":%q,"healthy":true,"since":"2025-03-11T07:42:18.311Z"},
			"passwordPolicies":null,"schemas":[],"healthy":true,"status":"SOURCE_STATE_HEALTHY","since":"2025-03-11T07:42:18.311Z",
			"connectorId":"delimited-file","connectorName":"Delimited File","connectionType":"file","connectorImplementationId":"delimited-file",
			"created":"2025-03-10T16:05:44.102Z","modified":"2025-03-10T16:05:44.102Z","credentialProviderEnabled":false,"category":null}`,
			i, name, i, i, 100000+i, name)))
		if err != nil {
			b.Fatal(err)
		}
		o, ok := v.(*value.Object)
		if !ok {
			b.Fatal("not an object")
		}
		live.Put(config.KindSource, "", name, o)
	}
	repo, err := config.Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	return benchCase{repo: repo, live: live}
}

var benchSizes = []int{100, 1000, 10000}

// BenchmarkCompute measures diff.Compute of n source updates and n schema creates; ns/op
// should grow linearly with n.
//
//	go test -run '^$' -bench . -benchmem ./diff/
func BenchmarkCompute(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("sources=%d", n), func(b *testing.B) {
			bc := newBenchCase(b, n)
			b.ReportAllocs()
			for b.Loop() {
				p, err := diff.Compute(bc.repo, bc.live, diff.Options{})
				if err != nil {
					b.Fatal(err)
				}
				if p.Summary.Update != n || p.Summary.Create != n {
					b.Fatalf("summary %+v, want %d updates and %d creates", p.Summary, n, n)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/source")
		})
	}
}

// BenchmarkRender measures the renderers on the plan of BenchmarkCompute.
func BenchmarkRender(b *testing.B) {
	renderers := []struct {
		name string
		fn   func(io.Writer, *diff.Plan) error
	}{
		{"text", func(w io.Writer, p *diff.Plan) error { return diff.RenderText(w, p, diff.TextOptions{}) }},
		{"json", diff.RenderJSON},
		{"markdown", diff.RenderMarkdown},
	}
	for _, n := range benchSizes {
		bc := newBenchCase(b, n)
		p, err := diff.Compute(bc.repo, bc.live, diff.Options{})
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range renderers {
			b.Run(fmt.Sprintf("%s/sources=%d", r.name, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := r.fn(io.Discard, p); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/source")
			})
		}
	}
}
