package diff

import (
	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

// kindPlanner is plan's behaviour for one kind, registered by the kind's file (kind_<kind>.go)
// as sync's apply handlers and config's loaders are: Compute, a tombstone and drift's unmanaged
// objects go through the registry instead of a switch or a processing order per kind.
type kindPlanner struct {
	// plan appends the changes of the kind's declared objects to out; Compute calls it level
	// by level, in the table's order.
	plan func(c *computer, out []planned) ([]planned, error)
	// live returns the tenant's object that the declared object o names (owner: the name of
	// the object o belongs to, for a kind with an Owner), or nil: a tombstone's target, and
	// what a delete of the owner waits for.
	live func(c *computer, o *config.Object, owner string) *value.Object
	// refuseDelete, when set, says why the tenant's object live (whose LiveID is id) cannot be
	// deleted: what the violation shows as live, and its rule.
	refuseDelete func(c *computer, o *config.Object, live *value.Object, id string) (shown, rule string, refused bool)
	// unmanaged, when set, returns the tenant's objects of the kind that the repository does
	// not declare and counts the kind in cov (drift, for a kind whose row says Unmanaged).
	unmanaged func(c *computer, cov *Coverage) []unmanagedObject
}

// planners holds one planner per kind of config's table; kinds_test.go holds the two to each
// other.
var planners = map[config.Kind]kindPlanner{}

// registerPlanner adds the planner of kind k; a kind registered twice is a programming error.
func registerPlanner(k config.Kind, p kindPlanner) {
	if _, dup := planners[k]; dup {
		panic("diff: kind " + string(k) + " registered twice")
	}
	planners[k] = p
}
