package locks

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/locklab/locklab/detector"
	"github.com/petermattis/goid"
)

// Mutex is a mutual exclusion lock, a drop-in for sync.Mutex that reports
// to a Detector: who holds it and where it was taken, who waits for it
// and in which order locks are taken. The zero value is an unlocked Mutex,
// bound on first use to the default Detector (see DefaultDetector) and
// named after the line that first locked it ("mutex at pkg/file.go:42").
// With detection off it is a plain lock whose fast path is one atomic
// compare-and-swap.
//
// A Mutex must not be copied after first use. As with sync.Mutex, the n'th
// Unlock is synchronized before the m'th Lock returns for any n < m, and a
// Mutex may be unlocked by a goroutine other than the one that locked it:
// the hold moves with the Unlock, and nothing is reported.
//
// A Lock that blocks gives control back when its Detector gives up on it
// (the Detector was aborted, or the Lock is in a deadlock the Detector
// unwinds): it panics with an *detector.AbortError, which wraps
// detector.ErrAborted and carries the deadlock. LockContext returns it
// instead.
type Mutex struct {
	// state is owner<<2 | waiters | locked: the locked bit, a bit saying
	// someone may be waiting, and (with a Detector) the owner's goroutine
	// id, set by the same atomic operation that takes the lock.
	state atomic.Int64
	wake  atomic.Pointer[chan struct{}]
	b     binding
}

const (
	locked     = 1 << iota // the Mutex is held
	waiters                // someone may be waiting: Unlock must wake one
	ownerShift = iota
)

// newNode registers m with d, reading the owner from m's state word.
func (m *Mutex) newNode(d *detector.Detector, name string) *detector.Lock {
	return d.NewMutexLock(name, func() int64 { return m.state.Load() >> ownerShift })
}

// NewMutex returns an unlocked Mutex with a name for reports; an empty
// name is replaced by the line that called NewMutex.
func NewMutex(name string, opts ...Option) *Mutex {
	m := &Mutex{b: binding{name: name}}
	m.b.bindTo(m, opts)
	return m
}

// Name returns the lock's name, or "" for an unnamed lock not yet used.
func (m *Mutex) Name() string {
	if n := m.b.node.Load(); n != nil {
		return n.Name()
	}
	return m.b.name
}

// bind returns the lock's Detector node, binding an unbound lock to the
// default Detector; nil when detection is off.
func (m *Mutex) bind() *detector.Lock { return m.b.get(m) }

// Lock locks m, blocking until it is available.
func (m *Mutex) Lock() {
	if err := m.lock(nil); err != nil {
		panic(err)
	}
}

// LockContext locks m, or returns ctx.Err() if ctx is done first, or an
// error wrapping detector.ErrAborted if m's Detector gives up on the wait
// first. On error m is left unchanged, as semaphore.Weighted.Acquire does.
func (m *Mutex) LockContext(ctx context.Context) error {
	return m.lock(ctx)
}

func (m *Mutex) lock(ctx context.Context) error {
	n := m.b.fast()
	if n == nil {
		n = m.b.slow(m)
	}
	if n == nil || !n.Tracking() {
		if m.state.CompareAndSwap(0, locked) {
			return nil
		}
		return m.lockSlow(ctx, n, 0, false, false)
	}
	gid := goid.Get()
	if m.state.CompareAndSwap(0, gid<<ownerShift|locked) {
		n.Acquired(gid, detector.Exclusive, false)
		return nil
	}
	return m.lockSlow(ctx, n, gid, true, false)
}

// lockSlow waits for m. With unwinding set it ignores the Detector (a
// Cond.Wait that gives up re-locks its L this way, so that the caller's
// deferred Unlock still holds), and ctx bounds the wait.
func (m *Mutex) lockSlow(ctx context.Context, n *detector.Lock, gid int64, track, unwinding bool) error {
	var w *detector.Waiter
	var ctxDone <-chan struct{}
	if ctx != nil {
		ctxDone = ctx.Done()
	}
	if n != nil && gid == 0 {
		gid = goid.Get()
	}
	owner := int64(0)
	if track {
		owner = gid << ownerShift
	}
	wake := m.wakeChan()
	for {
		old := m.state.Load()
		if old&locked == 0 {
			// Take it, keeping the waiters bit: others may still wait.
			if m.state.CompareAndSwap(old, owner|waiters|locked) {
				break
			}
			continue
		}
		if old&waiters == 0 && !m.state.CompareAndSwap(old, old|waiters) {
			continue
		}
		if w == nil && n != nil && !unwinding {
			w = n.Block(gid, detector.Exclusive) // then look once more before sleeping
			continue
		}
		select {
		case <-wake:
		case <-w.Unwind():
			w.End()
			return w.Err()
		case <-ctxDone:
			w.End()
			return ctx.Err()
		}
	}
	w.End()
	if track {
		n.Acquired(gid, detector.Exclusive, false)
	}
	return nil
}

// relock locks m for a Cond.Wait that is giving up: it ignores the
// Detector, and gives up itself after limit. It reports whether it got m.
func (m *Mutex) relock(limit time.Duration) bool {
	n := m.bind()
	track := n != nil && n.Tracking()
	gid := int64(0)
	if track {
		gid = goid.Get()
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	return m.lockSlow(ctx, n, gid, track, true) == nil
}

func (m *Mutex) wakeChan() chan struct{} {
	if p := m.wake.Load(); p != nil {
		return *p
	}
	ch := make(chan struct{}, 1)
	m.wake.CompareAndSwap(nil, &ch)
	return *m.wake.Load()
}

// TryLock locks m if it is free and reports whether it did. Like
// sync.Mutex.TryLock, it never blocks; it adds no lock-order edge into m
// because a try cannot deadlock.
func (m *Mutex) TryLock() bool {
	n := m.b.fast()
	if n == nil {
		n = m.b.slow(m)
	}
	if n == nil || !n.Tracking() {
		return m.state.CompareAndSwap(0, locked)
	}
	gid := goid.Get()
	if !m.state.CompareAndSwap(0, gid<<ownerShift|locked) {
		return false
	}
	n.Acquired(gid, detector.Exclusive, true)
	return true
}

// Unlock unlocks m. Unlocking an unlocked Mutex panics. Any goroutine may
// unlock m, as with sync.Mutex.
func (m *Mutex) Unlock() {
	if n := m.b.node.Load(); n != nil && n.Tracking() {
		n.Released(goid.Get(), detector.Exclusive)
	}
	old := m.state.Swap(0)
	if old&locked == 0 {
		panic("locks: unlock of unlocked Mutex")
	}
	if old&waiters != 0 {
		select {
		case m.wakeChan() <- struct{}{}:
		default: // a wake-up is already pending
		}
	}
}
