package sync

import (
	"github.com/sailsync/sailsync/diff"
)

// EstimateCalls is the number of requests Apply makes for p when every request succeeds the
// first time (retries come on top): each change counts what its kind's handler sends (calls, in
// kind_*.go and plain.go, beside the code that sends them), plus one token request when any is
// made. A plan with any violation is not applied at all: 0.
func EstimateCalls(p *diff.Plan) int {
	if p == nil || len(p.Violations) > 0 {
		return 0
	}
	n := 0
	for _, c := range p.Changes {
		n += handlerOf(c.Kind).calls(c)
	}
	if n > 0 {
		n++
	}
	return n
}
