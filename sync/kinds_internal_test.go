package sync

import (
	"reflect"
	"slices"
	"testing"

	"github.com/sailsync/sailsync/internal/config"
)

// TestListsDerivedFromKindTable: apply's levels and export's dropped fields are config's kind
// table's, not copies of it.
func TestListsDerivedFromKindTable(t *testing.T) {
	t.Parallel()
	if !reflect.DeepEqual(Levels, config.Levels()) {
		t.Errorf("Levels %v, kind table %v", Levels, config.Levels())
	}
	src, _ := config.KindInfo(config.KindSource)
	if !slices.Equal(exportDropped, src.NotExported()) {
		t.Errorf("export drops %v, the kind table says %v", exportDropped, src.NotExported())
	}
}

// TestHandlerPerKind: every kind of config's table has an apply handler and every handler a
// table row, so that a half-added kind fails here rather than as "unknown kind" in an apply.
func TestHandlerPerKind(t *testing.T) {
	t.Parallel()
	for _, k := range config.AllKinds() {
		if _, ok := handlers[k]; !ok {
			t.Errorf("%s: no apply handler (sync/kind_*.go)", k)
		}
	}
	for k := range handlers {
		if _, ok := config.KindInfo(k); !ok {
			t.Errorf("apply handler for %s, which the kind table does not have", k)
		}
	}
}

// TestExporterPerKind: every declared kind of config's table has an exporter and every exporter
// a declared kind, so that export does not leave a new kind out.
func TestExporterPerKind(t *testing.T) {
	t.Parallel()
	for _, k := range config.UserKinds() {
		if _, ok := exporters[k]; !ok {
			t.Errorf("%s: no exporter (sync/kind_*.go)", k)
		}
	}
	for k := range exporters {
		if !slices.Contains(config.UserKinds(), k) {
			t.Errorf("exporter for %s, which the kind table does not declare", k)
		}
	}
}
