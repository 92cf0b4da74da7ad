package cli

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/render"
	isync "github.com/sailsync/sailsync/sync"
)

// progressEvery is how often an apply without a terminal says how far it is: often enough for
// CI's no-output timeouts (10,000 sources take ~17 minutes at the tenant's rate limit).
const progressEvery = 10 * time.Second

// applyProgress reports a running apply on stderr: on a terminal one line redrawn in place (and
// a line per object that was not done); otherwise "applied 120 of 800, 0 failed" every
// progressEvery and whenever a level (connectors, sources, uploads) is finished.
type applyProgress struct {
	w   io.Writer
	tty bool
	now func() time.Time // paces the terminal's redraws

	mu       sync.Mutex
	total    int
	finished int // objects with a result, whatever it is (a level is over when all of its have one)
	applied  int // objects done
	failed   int
	// notStarted are the objects with a result that were never sent: an interrupted apply's
	// rest, the dependents of a failure, stale objects.
	notStarted int
	left       map[int]int // objects not finished per level of isync.Levels
	drawn      time.Time
	stopTick   chan struct{}
	ticked     sync.WaitGroup
}

func newApplyProgress(w io.Writer, tty bool, plan *diff.Plan, every time.Duration, now func() time.Time) *applyProgress {
	p := &applyProgress{w: w, tty: tty, now: now, left: map[int]int{}, stopTick: make(chan struct{})}
	for _, c := range plan.Changes {
		if c.Action == diff.ActionCreate || c.Action == diff.ActionUpdate || c.Action == diff.ActionDelete {
			p.total++
			p.left[levelOf(c.Kind)]++
		}
	}
	if !tty && every > 0 {
		p.ticked.Add(1)
		go func() {
			defer p.ticked.Done()
			// A panic here would end the process with exit status 2, CI's "changes": the progress
			// lines stop instead, and the apply goes on.
			defer func() {
				if r := recover(); r != nil {
					p.mu.Lock()
					fmt.Fprintf(p.w, "sailsync: progress stopped: internal error (a bug; please report it): %v\n", r)
					p.mu.Unlock()
				}
			}()
			t := time.NewTicker(every)
			defer t.Stop()
			for {
				select {
				case <-t.C:
					func() {
						p.mu.Lock()
						defer p.mu.Unlock()
						fmt.Fprintln(p.w, p.line())
					}()
				case <-p.stopTick:
					return
				}
			}
		}()
	}
	return p
}

// levelOf is the index of kind in isync.Levels.
func levelOf(kind config.Kind) int {
	for i, kinds := range isync.Levels {
		for _, k := range kinds {
			if k == kind {
				return i
			}
		}
	}
	return len(isync.Levels)
}

func (p *applyProgress) line() string {
	l := fmt.Sprintf("applied %d of %d, %d failed", p.applied, p.total, p.failed)
	if p.notStarted > 0 {
		l += fmt.Sprintf(", %d not started", p.notStarted)
	}
	return l
}

// result is isync.ApplyOptions.Progress: called from the apply's goroutines as objects finish.
func (p *applyProgress) result(r isync.Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finished++
	switch r.Status {
	case isync.StatusDone:
		p.applied++
	case isync.StatusFailed:
		p.failed++
	default: // cancelled by an interruption, skipped after a dependency, stale
		p.notStarted++
	}
	lvl := levelOf(r.Kind)
	p.left[lvl]--
	if !p.tty {
		if p.left[lvl] == 0 {
			fmt.Fprintln(p.w, p.line())
		}
		return
	}
	if r.Status != isync.StatusDone {
		fmt.Fprintf(p.w, "\r\033[K%s\n", render.ReportLine(r))
	}
	// Redrawing more than ~10 times a second only costs the terminal time.
	if now := p.now(); now.Sub(p.drawn) >= 100*time.Millisecond || p.finished == p.total {
		p.drawn = now
		fmt.Fprintf(p.w, "\r\033[K%s", p.line())
	}
}

// stop ends the periodic lines and clears the terminal's progress line.
func (p *applyProgress) stop() {
	close(p.stopTick)
	p.ticked.Wait()
	if p.tty {
		p.mu.Lock()
		fmt.Fprint(p.w, "\r\033[K")
		p.mu.Unlock()
	}
}

// readProgress reports the reads of a plan without a terminal: "reading the tenant: 120 of 800
// requests" every every, so that a long plan or drift is never silent in a CI log (a short one
// prints nothing). progress is isync.FetchOptions.Progress; stop ends the lines.
func readProgress(w io.Writer, every time.Duration) (progress func(done, total int), stop func()) {
	var mu sync.Mutex
	done, total := 0, 0
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		// A panic here would end the process with exit status 2, CI's "changes".
		defer func() {
			if r := recover(); r != nil {
				fmt.Fprintf(w, "sailsync: progress stopped: internal error (a bug; please report it): %v\n", r)
			}
		}()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				mu.Lock()
				d, n := done, total
				mu.Unlock()
				fmt.Fprintf(w, "reading the tenant: %d of %d requests\n", d, n)
			case <-quit:
				return
			}
		}
	}()
	progress = func(d, n int) {
		mu.Lock()
		done, total = d, n
		mu.Unlock()
	}
	return progress, func() { close(quit); wg.Wait() }
}
