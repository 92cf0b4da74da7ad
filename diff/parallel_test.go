package diff

import (
	"fmt"
	"strings"
	"testing"
)

// TestParallelPanicReachesTheCaller: a panic in one of parallel's calls is raised again on the
// caller's goroutine, where main's recover turns it into exit status 1; on a worker goroutine
// it would end the process with exit status 2, which CI reads as "changes".
func TestParallelPanicReachesTheCaller(t *testing.T) {
	t.Parallel()
	var got any
	func() {
		defer func() { got = recover() }()
		parallel(64, func(i int) {
			if i == 17 {
				panic(fmt.Sprintf("call %d", i))
			}
		})
	}()
	if s, ok := got.(string); !ok || !strings.Contains(s, "call 17") {
		t.Fatalf("recovered %v, want the call's panic", got)
	}
}
