package sync

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
)

// TestPoolTaskPanicIsAnError: a task that panics on a worker fails the pool with an error
// naming the panic, instead of ending the process with exit status 2 (CI's "changes"); the
// other tasks still run or are dropped as after any error.
func TestPoolTaskPanicIsAnError(t *testing.T) {
	t.Parallel()
	p := newPool(context.Background(), 4)
	var ran atomic.Int32
	for i := range 8 {
		p.submit(func(context.Context) error {
			ran.Add(1)
			if i == 3 {
				var m map[string]int
				m["x"] = 1 //lint:ignore SA5000 the panic is the test
			}
			return nil
		})
	}
	err := p.wait()
	if err == nil || !strings.Contains(err.Error(), "internal error") || !strings.Contains(err.Error(), "nil map") {
		t.Fatalf("wait: %v, want the panic as an internal error", err)
	}
	if ran.Load() == 0 {
		t.Fatal("no task ran")
	}
}

// TestGuard: guard returns fn's error as it is and a panic as an error with its stack.
func TestGuard(t *testing.T) {
	t.Parallel()
	want := errors.New("plain")
	if err := guard(func() error { return want }); err != want {
		t.Errorf("guard(error) = %v", err)
	}
	err := guard(func() error { panic("boom") })
	if err == nil || !strings.Contains(err.Error(), "boom") || !strings.Contains(err.Error(), "goroutine") {
		t.Errorf("guard(panic) = %v, want the value and the stack", err)
	}
}
