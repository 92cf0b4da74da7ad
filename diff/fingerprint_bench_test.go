package diff

import (
	"testing"

	"github.com/sailsync/sailsync/internal/value"
)

// BenchmarkFingerprintOf measures the fingerprint of one live source as the tenant returns it
// (27 fields, nested owner and connectorAttributes): a plan takes one per live object.
func BenchmarkFingerprintOf(b *testing.B) {
	v, err := value.Decode([]byte(`{"id":"2c9180835d2e5168015d32f890ca1581","name":"Bench Source 00001","description":"Bench source 1 (created in the UI)",
		"owner":{"type":"IDENTITY","id":"2c91808568c529c60168cca6f90c1313","name":"Amelia Ortiz"},
		"connector":"delimited-file","connectorClass":"sailpoint.connector.DelimitedFileConnector","type":"DelimitedFile",
		"authoritative":false,"deleteThreshold":10,"features":["DIRECT_PERMISSIONS","NO_RANDOM_ACCESS"],
		"connectorAttributes":{"file":"bench-00001.csv","delimiter":",","hasHeader":true,"cloudExternalId":"100001","cloudDisplayName":"Bench Source 00001","healthy":true,"since":"2025-03-11T07:42:18.311Z"},
		"passwordPolicies":null,"schemas":[],"healthy":true,"status":"SOURCE_STATE_HEALTHY","since":"2025-03-11T07:42:18.311Z",
		"connectorId":"delimited-file","connectorName":"Delimited File","connectionType":"file","connectorImplementationId":"delimited-file",
		"created":"2025-03-10T16:05:44.102Z","modified":"2025-03-10T16:05:44.102Z","credentialProviderEnabled":false,"category":null}`))
	if err != nil {
		b.Fatal(err)
	}
	o, ok := v.(*value.Object)
	if !ok {
		b.Fatal("not an object")
	}
	b.ReportAllocs()
	for b.Loop() {
		FingerprintOf(o)
	}
}
