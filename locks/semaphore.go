package locks

import (
	"context"
	"fmt"

	"github.com/locklab/locklab/detector"
	"github.com/petermattis/goid"
)

// Semaphore admits up to n holders at once; the waiter of the dining
// philosophers, seating n-1 of n, is one. Holders are owners for the
// wait-for graph, and a Semaphore admitting fewer holders than a lock-order
// cycle is long is a gate that keeps the cycle from closing.
//
// Make one with NewSemaphore; the zero value is not usable. It binds to
// its Detector when made.
type Semaphore struct {
	slots chan struct{}
	node  *detector.Lock
	name  string
}

// NewSemaphore returns a Semaphore admitting n holders. It panics if n < 1.
func NewSemaphore(name string, n int, opts ...Option) *Semaphore {
	if n < 1 {
		panic(fmt.Sprintf("locks: NewSemaphore(%q, %d): n must be at least 1", name, n))
	}
	s := &Semaphore{slots: make(chan struct{}, n), name: name}
	d := newConfig(opts).det
	if d == nil {
		d = DefaultDetector()
	}
	if d != nil {
		s.node = d.NewLock(name, detector.KindSemaphore, n)
		s.name = s.node.Name()
	}
	return s
}

// Name returns the semaphore's name.
func (s *Semaphore) Name() string { return s.name }

// Acquire takes one slot, blocking until one is free.
func (s *Semaphore) Acquire() {
	if err := s.acquire(nil); err != nil {
		panic(err)
	}
}

// AcquireContext takes one slot, or returns ctx.Err() or an error wrapping
// detector.ErrAborted, leaving s unchanged.
func (s *Semaphore) AcquireContext(ctx context.Context) error { return s.acquire(ctx) }

func (s *Semaphore) acquire(ctx context.Context) error {
	track := s.node != nil && s.node.Tracking()
	var gid int64
	if s.node != nil {
		gid = goid.Get()
	}
	select {
	case s.slots <- struct{}{}:
	default:
		var ctxDone <-chan struct{}
		if ctx != nil {
			ctxDone = ctx.Done()
		}
		var w *detector.Waiter
		if s.node != nil {
			w = s.node.Block(gid, detector.Shared)
		}
		select {
		case s.slots <- struct{}{}:
			w.End()
		case <-w.Unwind():
			w.End()
			return w.Err()
		case <-ctxDone:
			w.End()
			return ctx.Err()
		}
	}
	if track {
		s.node.Acquired(gid, detector.Shared, false)
	}
	return nil
}

// Release gives back one slot. It panics if no slot is held. Any
// goroutine may release a slot.
func (s *Semaphore) Release() {
	if s.node != nil && s.node.Tracking() {
		s.node.Released(goid.Get(), detector.Shared)
	}
	select {
	case <-s.slots:
	default:
		panic("locks: Release of unacquired Semaphore")
	}
}
