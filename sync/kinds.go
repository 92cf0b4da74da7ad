package sync

import (
	"context"
	"fmt"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
)

// kindHandler is apply's behaviour for one kind, the model being a reconciler's per-entity
// registry: apply's run, its deletes and EstimateCalls dispatch here instead of switching on the
// kind, so that a new kind adds one file (kind_<kind>.go) rather than a case in each of them.
type kindHandler interface {
	// known records what apply needs of an object the plan found in the tenant (its id or
	// scriptName) before any change runs, so that its dependents can name it.
	known(a *applier, ch diff.Change)
	// apply carries out a create or an update; it may fill res's ScriptName and Note.
	apply(a *applier, ch diff.Change, res *Result) error
	// remove sends a delete of an object with a live id and returns a note for the report;
	// its request error goes through deleteDone, which turns a 404 into done.
	remove(a *applier, ch diff.Change) (string, error)
	// calls is the number of requests apply makes for the change when each succeeds at once
	// (EstimateCalls sums them); 0 for a change that sends nothing.
	calls(ch diff.Change) int
}

// handlers holds one handler per kind of config's table, each registered by its kind's file;
// kinds_internal_test.go holds the two to each other.
var handlers = map[config.Kind]kindHandler{}

// register adds the handler of kind k; a kind registered twice is a programming error.
func register(k config.Kind, h kindHandler) {
	if _, dup := handlers[k]; dup {
		panic("sync: kind " + string(k) + " registered twice")
	}
	handlers[k] = h
}

// kindReader is what Fetch reads for a kind besides the sources (with their schemas and connector
// files) and the connectors, whose reads it plans together (see Fetch): registered by the kind's
// file, so that a new kind adds its reads there.
type kindReader struct {
	// start submits the kind's first requests to f's pool, beside those of the sources and
	// connectors.
	start func(f *fetcher)
	// finish, when set, runs once those requests are done: what they left to read (a listing
	// that shifted while it was paged).
	finish func(ctx context.Context, f *fetcher, par int) error
}

// readers holds the kindReader of each kind that has one; Fetch runs them in table order.
var readers = map[config.Kind]kindReader{}

// registerReader adds the reader of kind k; a kind registered twice is a programming error.
func registerReader(k config.Kind, r kindReader) {
	if _, dup := readers[k]; dup {
		panic("sync: kind " + string(k) + " reader registered twice")
	}
	readers[k] = r
}

// handlerOf returns the handler of kind k, or one that fails every change of an unknown kind.
func handlerOf(k config.Kind) kindHandler {
	if h, ok := handlers[k]; ok {
		return h
	}
	return unknownKind{}
}

// perAction returns the count for ch's action: creates, updates and deletes send requests,
// every other action none.
func perAction(ch diff.Change, create, update, del int) int {
	switch ch.Action {
	case diff.ActionCreate:
		return create
	case diff.ActionUpdate:
		return update
	case diff.ActionDelete:
		return del
	}
	return 0
}

// unknownKind is the handler of a kind not in the table: a plan from another version of
// sailsync may hold one, and it fails rather than being skipped silently.
type unknownKind struct{}

func (unknownKind) known(*applier, diff.Change) {}

func (unknownKind) apply(_ *applier, ch diff.Change, _ *Result) error {
	return fmt.Errorf("unknown kind %q", ch.Kind)
}

func (unknownKind) remove(a *applier, ch diff.Change) (string, error) {
	return a.deleteDone(ch, fmt.Errorf("%s cannot be deleted", ch.Kind))
}

func (unknownKind) calls(ch diff.Change) int { return perAction(ch, 1, 1, 1) }
