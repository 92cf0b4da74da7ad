package emulator

import (
	"io/fs"
	"net/http"
	"slices"
)

// kindHandler is what the emulator does for one kind of the tenant: its routes, its state and
// its seed directory. Each kind's file registers one (registerKind), so that the router, New
// and the seed loader name no kind; kinds_test.go holds the registry to config's table.
type kindHandler struct {
	// kind is the config kind's name ("Source"), for the test against the table.
	kind string
	// level orders the seed loading like config's levels: a source's schemas need the source.
	level int
	// newState returns the kind's empty state, kept in Emulator.state at the kind's index.
	newState func() any
	// route serves the request if its path is the kind's, and reports whether it did; seg is
	// the path after the version, split at "/".
	route func(e *Emulator, w http.ResponseWriter, r *http.Request, version string, seg []string) bool
	// loadSeed adds the kind's objects of a seed directory (the caller holds no lock: New).
	loadSeed func(e *Emulator, seed fs.FS) error
	// seedDirs are the kind's seed directories that hold JSON objects, for CheckSeedDir;
	// seedHint names them in its messages ("schemas/<source>/").
	seedDirs func(seed fs.FS) []string
	seedHint string
}

// kindHandlers is the registry, in level order (registration is in file-name order).
var kindHandlers []kindHandler

// registerKind adds h to the registry and returns the index of its state in Emulator.state.
// Called from init functions: a package-level initializer would refer to itself through the
// handler's methods.
func registerKind(h kindHandler) int {
	kindHandlers = append(kindHandlers, h)
	return len(kindHandlers) - 1
}

// seedOrder returns the registry's kinds in level order, stable by registration.
func seedOrder() []kindHandler {
	out := slices.Clone(kindHandlers)
	slices.SortStableFunc(out, func(a, b kindHandler) int { return a.level - b.level })
	return out
}

// newKindStates returns each registered kind's empty state, by its index.
func newKindStates() []any {
	out := make([]any, len(kindHandlers))
	for i, h := range kindHandlers {
		if h.newState != nil {
			out[i] = h.newState()
		}
	}
	return out
}
