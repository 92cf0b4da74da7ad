package schema

import (
	"encoding/json"
	"testing"
)

// BenchmarkValidate measures one document's validation, as config.Load runs it for every
// document of a repository.
//
//	go test -run '^$' -bench . -benchmem ./schema/
func BenchmarkValidate(b *testing.B) {
	invalid := source()
	invalid["deleteThreshold"] = json.Number("101")
	invalid["owner"].(map[string]any)["type"] = "USER"
	cases := []struct {
		name, kind string
		doc        map[string]any
		errors     int
	}{
		{"Source", "Source", source(), 0},
		{"Source/invalid", "Source", invalid, 2},
		{"EntitlementSchema", "EntitlementSchema", map[string]any{
			"kind": "EntitlementSchema", "source": "Corporate Directory", "name": "group",
			"attributes": []any{"id", "name", "description"},
		}, 0},
		{"Connector", "Connector", map[string]any{
			"kind": "Connector", "name": "Acme HR", "className": "sailpoint.connector.OpenConnectorAdapter",
			"type": "Acme HR", "directConnect": true, "status": "DEVELOPMENT",
		}, 0},
	}
	if err := Check(); err != nil {
		b.Fatal(err)
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if errs := Validate(c.kind, c.doc); len(errs) != c.errors {
					b.Fatalf("%d errors %v, want %d", len(errs), errs, c.errors)
				}
			}
		})
	}
}

// BenchmarkWarnings measures the open-enum check config.Load runs beside Validate.
func BenchmarkWarnings(b *testing.B) {
	b.ReportAllocs()
	doc := source()
	for b.Loop() {
		if ws := Warnings("Source", doc); ws != nil {
			b.Fatal(ws)
		}
	}
}
