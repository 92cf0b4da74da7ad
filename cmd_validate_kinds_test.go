package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/config"
)

// TestValidateCountsPerKind: validate's --output json counts have one field per declared kind
// of the table, named by countKey, so that a new kind is not left out of the report.
func TestValidateCountsPerKind(t *testing.T) {
	typ := reflect.TypeFor[validateCounts]()
	var keys []string
	for i := range typ.NumField() {
		keys = append(keys, strings.Split(typ.Field(i).Tag.Get("json"), ",")[0])
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
