package locks

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/locklab/locklab/detector"
	"github.com/petermattis/goid"
)

// RWMutex is a reader/writer lock, a drop-in for sync.RWMutex that reports
// to a Detector. Readers are owners too: a goroutine that read-locks twice
// while a writer waits between the two deadlocks, as with sync.RWMutex,
// and the wait-for graph reports that cycle; a goroutine that read-locks
// an RWMutex it already holds for reading is reported every time, writer
// or not (detector.RecursiveRLock), since Go's documentation forbids it.
//
// As with sync.RWMutex, a blocked Lock call excludes new readers, and a
// read lock may be released by a goroutine other than the one that took
// it: the Detector then drops one hold of the oldest reader (the lowest
// goroutine id), and reports nothing. The zero value is an unlocked
// RWMutex bound on first use to the default Detector. An RWMutex must not
// be copied after first use.
//
// RLock and RUnlock are one atomic add each when nothing else is going
// on, like sync.RWMutex's; waits go through an internal mutex.
type RWMutex struct {
	b binding

	mu      sync.Mutex    // protects wwait, nslow and changed
	wwait   int           // writers waiting
	nslow   int           // goroutines waiting in acquireSlow; rwWaiting is set while any do
	changed chan struct{} // closed and replaced when the state loosens

	// The state word is what parallel readers fight over; the fields
	// they only read (b) sit on another cache line, so that reading them
	// costs no transfer of the contended line.
	_ [64]byte
	// state is readers | rwHeld | rwPending | rwWaiting: the number of
	// read holds, a bit for the write hold, a bit saying a writer is
	// waiting (which holds back new readers), and a bit saying someone
	// waits at all, so that an unlock learns whether to wake anyone from
	// the atomic operation it does anyway.
	state atomic.Int64
}

const (
	rwReaders = 1<<40 - 1
	rwHeld    = 1 << 40
	rwPending = 1 << 41
	rwWaiting = 1 << 42
)

func (rw *RWMutex) newNode(d *detector.Detector, name string) *detector.Lock {
	return d.NewLock(name, detector.KindRWMutex, 1)
}

// NewRWMutex returns an unlocked RWMutex with a name for reports; an empty
// name is replaced by the line that called NewRWMutex.
func NewRWMutex(name string, opts ...Option) *RWMutex {
	rw := &RWMutex{b: binding{name: name}}
	rw.b.bindTo(rw, opts)
	return rw
}

// Name returns the lock's name, or "" for an unnamed lock not yet used.
func (rw *RWMutex) Name() string {
	if n := rw.b.node.Load(); n != nil {
		return n.Name()
	}
	return rw.b.name
}

// Lock locks rw for writing.
func (rw *RWMutex) Lock() {
	if err := rw.lock(nil); err != nil {
		panic(err)
	}
}

// LockContext locks rw for writing, or returns ctx.Err() or an error
// wrapping detector.ErrAborted, leaving rw unchanged.
func (rw *RWMutex) LockContext(ctx context.Context) error { return rw.lock(ctx) }

func (rw *RWMutex) lock(ctx context.Context) error {
	n := rw.b.fast()
	if n == nil {
		n = rw.b.slow(rw)
	}
	if rw.state.CompareAndSwap(0, rwHeld) {
		if n != nil && n.Tracking() {
			n.Acquired(goid.Get(), detector.Exclusive, false)
		}
		return nil
	}
	return rw.acquireSlow(ctx, n, detector.Exclusive, false)
}

// RLock locks rw for reading.
func (rw *RWMutex) RLock() {
	if err := rw.rlock(nil); err != nil {
		panic(err)
	}
}

// RLockContext locks rw for reading, or returns ctx.Err() or an error
// wrapping detector.ErrAborted, leaving rw unchanged.
func (rw *RWMutex) RLockContext(ctx context.Context) error { return rw.rlock(ctx) }

func (rw *RWMutex) rlock(ctx context.Context) error {
	n := rw.b.fast()
	if n == nil {
		n = rw.b.slow(rw)
	}
	if s := rw.state.Add(1); s&(rwHeld|rwPending) == 0 {
		if n != nil && n.Tracking() {
			n.Acquired(goid.Get(), detector.Shared, false)
		}
		return nil
	}
	rw.unread() // a writer holds or waits: back out, and wait
	return rw.acquireSlow(ctx, n, detector.Shared, false)
}

// TryLock locks rw for writing if it is free, and reports whether it did.
func (rw *RWMutex) TryLock() bool {
	n := rw.b.fast()
	if n == nil {
		n = rw.b.slow(rw)
	}
	for {
		s := rw.state.Load()
		if s&(rwHeld|rwReaders|rwPending) != 0 {
			return false
		}
		if rw.state.CompareAndSwap(s, s|rwHeld) {
			break
		}
	}
	if n != nil && n.Tracking() {
		n.Acquired(goid.Get(), detector.Exclusive, true)
	}
	return true
}

// TryRLock locks rw for reading if no writer holds or waits for it, and
// reports whether it did.
func (rw *RWMutex) TryRLock() bool {
	n := rw.b.fast()
	if n == nil {
		n = rw.b.slow(rw)
	}
	for {
		s := rw.state.Load()
		if s&(rwHeld|rwPending) != 0 {
			return false
		}
		if rw.state.CompareAndSwap(s, s+1) {
			break
		}
	}
	if n != nil && n.Tracking() {
		n.Acquired(goid.Get(), detector.Shared, true)
	}
	return true
}

// take takes rw in mode if it can be taken now.
func (rw *RWMutex) take(mode detector.Mode) bool {
	for {
		s := rw.state.Load()
		var next int64
		if mode == detector.Exclusive {
			if s&(rwHeld|rwReaders) != 0 {
				return false
			}
			next = s | rwHeld
		} else {
			if s&(rwHeld|rwPending) != 0 {
				return false
			}
			next = s + 1
		}
		if rw.state.CompareAndSwap(s, next) {
			return true
		}
	}
}

// acquireSlow waits for rw in mode. A waiting writer sets rwPending, which
// holds back new readers, for as long as any writer waits. With unwinding
// set it ignores the Detector (see Mutex.lockSlow).
func (rw *RWMutex) acquireSlow(ctx context.Context, n *detector.Lock, mode detector.Mode, unwinding bool) error {
	var gid int64
	if n != nil {
		gid = goid.Get()
	}
	var ctxDone <-chan struct{}
	if ctx != nil {
		ctxDone = ctx.Done()
	}
	var w *detector.Waiter
	rw.mu.Lock()
	if rw.nslow++; rw.nslow == 1 {
		rw.state.Or(rwWaiting) // before looking at the state: see wakeAll
	}
	if mode == detector.Exclusive {
		rw.wwait++
		rw.state.Or(rwPending)
	}
	for !rw.take(mode) {
		if w == nil && n != nil && !unwinding {
			rw.mu.Unlock()
			w = n.Block(gid, mode) // outside mu: it may report; then look again
			rw.mu.Lock()
			continue
		}
		ch := rw.changedChan()
		rw.mu.Unlock()
		var err error
		select {
		case <-ch:
		case <-w.Unwind():
			err = w.Err()
		case <-ctxDone:
			err = ctx.Err()
		}
		rw.mu.Lock()
		if err != nil {
			if mode == detector.Exclusive {
				rw.writerDone()
				rw.broadcast() // readers held back by this writer may go
			}
			rw.slowDone()
			rw.mu.Unlock()
			w.End()
			return err
		}
	}
	if mode == detector.Exclusive {
		rw.writerDone()
	}
	rw.slowDone()
	rw.mu.Unlock()
	w.End()
	if n != nil && n.Tracking() {
		n.Acquired(gid, mode, false)
	}
	return nil
}

// writerDone ends one writer's wait; the last one clears rwPending.
// rw.mu must be held.
func (rw *RWMutex) writerDone() {
	rw.wwait--
	if rw.wwait == 0 {
		rw.state.And(^int64(rwPending))
	}
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

// slowDone ends one goroutine's wait; the last one clears rwWaiting.
// rw.mu must be held.
func (rw *RWMutex) slowDone() {
	if rw.nslow--; rw.nslow == 0 {
		rw.state.And(^int64(rwWaiting))
	}
}

// wakeAll wakes every waiter if s, the state an unlock left, says someone
// waits. A waiter sets rwWaiting before it looks at the state, and an
// unlock changes the state by the operation that returns s, so either the
// waiter sees the change or the unlock sees the bit.
func (rw *RWMutex) wakeAll(s int64) {
	if s&rwWaiting == 0 {
		return
	}
	rw.mu.Lock()
	rw.broadcast()
	rw.mu.Unlock()
}

// unread drops one read hold from the state word, waking a waiting writer
// if that was the last one.
func (rw *RWMutex) unread() {
	s := rw.state.Add(-1)
	if s&rwReaders == rwReaders { // there was no read hold
		rw.state.Add(1)
		panic("locks: RUnlock of unlocked RWMutex")
	}
	if s&rwReaders == 0 {
		rw.wakeAll(s)
	}
}

// relock read-locks or locks rw for a Cond.Wait that is giving up (see
// Mutex.relock).
func (rw *RWMutex) relock(mode detector.Mode, limit time.Duration) bool {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	return rw.acquireSlow(ctx, rw.b.get(rw), mode, true) == nil
}

// Unlock unlocks rw for writing. It panics if rw is not locked for
// writing. Any goroutine may unlock it.
func (rw *RWMutex) Unlock() {
	if n := rw.b.node.Load(); n != nil && n.Tracking() {
		n.Released(goid.Get(), detector.Exclusive)
	}
	for {
		s := rw.state.Load()
		if s&rwHeld == 0 {
			panic("locks: Unlock of unlocked RWMutex")
		}
		if rw.state.CompareAndSwap(s, s&^rwHeld) {
			rw.wakeAll(s)
			return
		}
	}
}

// RUnlock undoes one RLock. It panics if rw is not locked for reading.
// Any goroutine may undo a read lock, as with sync.RWMutex.
func (rw *RWMutex) RUnlock() {
	if n := rw.b.node.Load(); n != nil && n.Tracking() {
		n.Released(goid.Get(), detector.Shared)
	}
	rw.unread()
}

// RLocker returns a Locker whose Lock and Unlock call rw.RLock and
// rw.RUnlock, as sync.RWMutex.RLocker does: for a Cond over read locks,
// or for LockRanked.
func (rw *RWMutex) RLocker() sync.Locker {
	return (*rlocker)(rw)
}

type rlocker RWMutex

func (r *rlocker) Lock()   { (*RWMutex)(r).RLock() }
func (r *rlocker) Unlock() { (*RWMutex)(r).RUnlock() }
