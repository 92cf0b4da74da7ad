package sync

import (
	"reflect"
	"slices"
	"testing"

	"github.com/sailsync/sailsync/config"
)

// TestListsDerivedFromKindTable: apply's levels and export's dropped fields are config's kind
// table's, not copies of it.
func TestListsDerivedFromKindTable(t *testing.T) {
	if !reflect.DeepEqual(Levels, config.Levels()) {
		t.Errorf("Levels %v, kind table %v", Levels, config.Levels())
	}
	for _, k := range config.AllKinds() {
		if got := level(k); got != config.Level(k) {
			t.Errorf("%s: apply level %d, kind table %d", k, got, config.Level(k))
		}
	}
	src, _ := config.KindInfo(config.KindSource)
	if !slices.Equal(exportDropped, src.NotExported()) {
		t.Errorf("export drops %v, the kind table says %v", exportDropped, src.NotExported())
	}
}
