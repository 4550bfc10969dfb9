package locks

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/locklab/locklab/detector"
	"github.com/petermattis/goid"
)

// RWMutex is a reader/writer lock, a drop-in for sync.RWMutex that reports
// to a Detector. Readers are owners too: a goroutine that read-locks twice
// while a writer waits between the two deadlocks, as with sync.RWMutex,
// and the wait-for graph reports that cycle.
//
// As with sync.RWMutex, a blocked Lock call excludes new readers. The zero
// value is an unlocked RWMutex bound on first use to the default Detector.
// An RWMutex must not be copied after first use. It is simpler and slower
// than Mutex: every operation takes an internal lock.
type RWMutex struct {
	mu      sync.Mutex    // protects the fields below
	writer  bool          // held for writing
	readers int           // read holds
	wwait   int           // writers waiting; they block new readers
	changed chan struct{} // closed and replaced when the state loosens

	node atomic.Pointer[detector.Lock]
	name string
}

// NewRWMutex returns an unlocked RWMutex with a name for reports.
func NewRWMutex(name string, opts ...Option) *RWMutex {
	rw := &RWMutex{name: name}
	if c := newConfig(opts); c.det != nil {
		rw.node.Store(c.det.NewLock(name, detector.KindRWMutex, 1))
	}
	return rw
}

// Name returns the lock's name.
func (rw *RWMutex) Name() string {
	if n := rw.node.Load(); n != nil {
		return n.Name()
	}
	return rw.name
}

func (rw *RWMutex) bind() *detector.Lock {
	if n := rw.node.Load(); n != nil {
		return n
	}
	d := defaultDetector.Load()
	if d == nil {
		return nil
	}
	rw.node.CompareAndSwap(nil, d.NewLock(rw.name, detector.KindRWMutex, 1))
	return rw.node.Load()
}

// Lock locks rw for writing.
func (rw *RWMutex) Lock() {
	if err := rw.acquire(nil, detector.Exclusive); err != nil {
		panic(err)
	}
}

// LockContext locks rw for writing, or returns ctx.Err() or
// detector.ErrAborted, leaving rw unchanged.
func (rw *RWMutex) LockContext(ctx context.Context) error {
	return rw.acquire(ctx, detector.Exclusive)
}

// RLock locks rw for reading.
func (rw *RWMutex) RLock() {
	if err := rw.acquire(nil, detector.Shared); err != nil {
		panic(err)
	}
}

// RLockContext locks rw for reading, or returns ctx.Err() or
// detector.ErrAborted, leaving rw unchanged.
func (rw *RWMutex) RLockContext(ctx context.Context) error {
	return rw.acquire(ctx, detector.Shared)
}

// TryLock locks rw for writing if it is free, and reports whether it did.
func (rw *RWMutex) TryLock() bool { return rw.try(detector.Exclusive) }

// TryRLock locks rw for reading if no writer holds or waits for it, and
// reports whether it did.
func (rw *RWMutex) TryRLock() bool { return rw.try(detector.Shared) }

// free reports whether rw can be taken in mode now. rw.mu must be held.
func (rw *RWMutex) free(mode detector.Mode) bool {
	if mode == detector.Exclusive {
		return !rw.writer && rw.readers == 0
	}
	return !rw.writer && rw.wwait == 0
}

// take marks rw held in mode. rw.mu must be held and free(mode) true.
func (rw *RWMutex) take(mode detector.Mode) {
	if mode == detector.Exclusive {
		rw.writer = true
	} else {
		rw.readers++
	}
}

func (rw *RWMutex) try(mode detector.Mode) bool {
	n := rw.bind()
	rw.mu.Lock()
	ok := rw.free(mode)
	if ok {
		rw.take(mode)
	}
	rw.mu.Unlock()
	if ok && n != nil && n.Tracking() {
		n.Acquired(goid.Get(), mode, true)
	}
	return ok
}

func (rw *RWMutex) acquire(ctx context.Context, mode detector.Mode) error {
	n := rw.bind()
	track := n != nil && n.Tracking()
	var gid int64
	if n != nil {
		gid = goid.Get()
	}
	rw.mu.Lock()
	if rw.free(mode) {
		rw.take(mode)
		rw.mu.Unlock()
		if track {
			n.Acquired(gid, mode, false)
		}
		return nil
	}
	if mode == detector.Exclusive {
		rw.wwait++
	}
	rw.mu.Unlock()

	var done, ctxDone <-chan struct{}
	if n != nil {
		done = n.Detector().Done()
	}
	if ctx != nil {
		ctxDone = ctx.Done()
	}
	if n != nil {
		n.Wait(gid, mode)
		defer n.WaitDone(gid, mode)
	}
	rw.mu.Lock()
	for !rw.free(mode) {
		ch := rw.changedChan()
		rw.mu.Unlock()
		var err error
		select {
		case <-ch:
		case <-done:
			err = detector.ErrAborted
		case <-ctxDone:
			err = ctx.Err()
		}
		rw.mu.Lock()
		if err != nil {
			if mode == detector.Exclusive {
				rw.wwait--
				rw.broadcast() // readers held back by this writer may go
			}
			rw.mu.Unlock()
			return err
		}
	}
	if mode == detector.Exclusive {
		rw.wwait--
	}
	rw.take(mode)
	rw.mu.Unlock()
	if track {
		n.Acquired(gid, mode, false)
	}
	return nil
}

// changedChan returns the channel closed at the next loosening. rw.mu must
// be held.
func (rw *RWMutex) changedChan() chan struct{} {
	if rw.changed == nil {
		rw.changed = make(chan struct{})
	}
	return rw.changed
}

// broadcast wakes every waiter. rw.mu must be held.
func (rw *RWMutex) broadcast() {
	if rw.changed != nil {
		close(rw.changed)
		rw.changed = nil
	}
}

// Unlock unlocks rw for writing. It panics if rw is not locked for writing.
func (rw *RWMutex) Unlock() {
	if n := rw.node.Load(); n != nil && n.Tracking() {
		n.Released(goid.Get(), detector.Exclusive)
	}
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if !rw.writer {
		panic("locks: Unlock of unlocked RWMutex")
	}
	rw.writer = false
	rw.broadcast()
}

// RUnlock undoes one RLock. It panics if rw is not locked for reading.
func (rw *RWMutex) RUnlock() {
	if n := rw.node.Load(); n != nil && n.Tracking() {
		n.Released(goid.Get(), detector.Shared)
	}
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if rw.readers == 0 {
		panic("locks: RUnlock of unlocked RWMutex")
	}
	rw.readers--
	if rw.readers == 0 {
		rw.broadcast()
	}
}
