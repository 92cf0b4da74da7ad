package render

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/config"
)

// TestValidateCountsPerKind: validate's --output json counts have one key per declared kind of
// the table, named by countKey, in the table's order, so that a new kind is not left out of the
// report.
func TestValidateCountsPerKind(t *testing.T) {
	t.Parallel()
	data, err := json.Marshal(countsOf(&config.Repo{}))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	var keys []string
	if _, err := dec.Token(); err != nil { // {
		t.Fatal(err)
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, key.(string))
		if _, err := dec.Token(); err != nil { // the count
			t.Fatal(err)
		}
	}
	var want []string
	for _, k := range config.UserKinds() {
		want = append(want, countKey(k))
	}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("validate's counts are %v, the kind table's declared kinds %v", keys, want)
	}
	if got := countNoun(config.KindEntitlementSchema); got != "entitlement schema" {
		t.Errorf("countNoun(EntitlementSchema) = %q", got)
	}
}
