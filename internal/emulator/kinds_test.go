package emulator

import (
	"slices"
	"testing"

	"github.com/sailsync/sailsync/internal/config"
)

// TestKindPerKind: every kind of config's table has an emulator handler (its routes, state and
// seed), and every handler is a kind of the table.
func TestKindPerKind(t *testing.T) {
	t.Parallel()
	var got []string
	for _, h := range kindHandlers {
		got = append(got, h.kind)
		if k, ok := config.KindInfo(config.Kind(h.kind)); !ok {
			t.Errorf("emulator handler %q: no such kind in config's table", h.kind)
		} else if k.Level != h.level {
			t.Errorf("emulator handler %q: level %d, the table says %d", h.kind, h.level, k.Level)
		}
	}
	for _, k := range config.AllKinds() {
		if !slices.Contains(got, string(k)) {
			t.Errorf("kind %s: no emulator handler (registerKind)", k)
		}
	}
}
