package sync

import (
	"context"
	"fmt"
	"runtime/debug"
	gosync "sync"
)

// pool runs tasks on a fixed number of workers. Unlike an errgroup with a limit, a task may
// submit further tasks without blocking (the queue is unbounded), so a page that arrives can
// queue the schema lists of its sources while every worker is busy. The first error cancels
// the pool's context and drops the tasks not started.
type pool struct {
	ctx     context.Context
	cancel  context.CancelFunc
	workers int

	mu      gosync.Mutex
	cond    *gosync.Cond
	queue   []func(ctx context.Context) error
	pending int // queued or running
	err     error
	running gosync.WaitGroup
}

func newPool(ctx context.Context, workers int) *pool {
	ctx, cancel := context.WithCancel(ctx)
	p := &pool{ctx: ctx, cancel: cancel, workers: max(workers, 1)}
	p.cond = gosync.NewCond(&p.mu)
	return p
}

// submit queues task; it never blocks.
func (p *pool) submit(task func(ctx context.Context) error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return
	}
	p.queue = append(p.queue, task)
	p.pending++
	p.cond.Signal()
}

func (p *pool) work() {
	defer p.running.Done()
	for {
		p.mu.Lock()
		for len(p.queue) == 0 && p.pending > 0 && p.err == nil {
			p.cond.Wait()
		}
		if p.err != nil || p.pending == 0 {
			p.mu.Unlock()
			return
		}
		task := p.queue[0]
		p.queue[0] = nil
		p.queue = p.queue[1:]
		p.mu.Unlock()

		err := guard(func() error { return task(p.ctx) })

		p.mu.Lock()
		p.pending--
		if err != nil && p.err == nil {
			p.err = err
			p.queue = nil
			p.cancel()
		}
		if p.pending == 0 || p.err != nil {
			p.cond.Broadcast()
		}
		p.mu.Unlock()
	}
}

// wait starts the workers on the tasks submitted so far, returns once every task has run (or
// the first error has stopped the pool) and returns that error. Tasks are submitted before
// wait or by tasks themselves.
func (p *pool) wait() error {
	for range p.workers {
		p.running.Add(1)
		go p.work()
	}
	p.running.Wait()
	p.cancel()
	return p.err
}

// guard runs fn and turns a panic into an error. A panic on a worker goroutine would end the
// process with exit status 2, which CI reads as "changes"; as an error it fails the run (exit 1).
func guard(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error (a bug; please report it): %v\n%s", r, debug.Stack())
		}
	}()
	return fn()
}
