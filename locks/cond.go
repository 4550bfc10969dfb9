package locks

import (
	"sync"
	"time"

	"github.com/locklab/locklab/detector"
	"github.com/petermattis/goid"
)

// Cond is a condition variable, a drop-in for sync.Cond: goroutines wait
// in Wait until another calls Signal or Broadcast. As with sync.Cond, L is
// held when calling Wait, and Wait releases it while it waits and takes it
// again before returning, so the lock graphs see the release and the
// re-acquisition.
//
// A goroutine in Wait is visible to its Detector: it is listed with the
// locks it still holds, and a goroutine that waits for one of those locks
// is reported (detector.WaitUnderLock): whoever must signal may need that
// lock, the nested-monitor deadlock that sync.Cond cannot show. A Cond
// has no owner to wait for, so a wait in Wait alone is never a deadlock
// or a wait timeout; idle waiting is what a Cond is for.
//
// Make one with NewCond, or as a literal Cond{L: l}. It reports to the
// Detector its L is bound to with WithDetector, else to the default. A
// Wait that its Detector gives up on (the Detector was aborted) re-locks
// L, waiting up to a second for it, and panics with the abort error. A
// Cond must not be copied after first use.
type Cond struct {
	// L is held while observing or changing the condition.
	L sync.Locker

	mu      sync.Mutex      // protects waiters
	waiters []chan struct{} // in Wait order; Signal closes the first
	b       binding
}

func (c *Cond) newNode(d *detector.Detector, name string) *detector.Lock {
	return d.NewLock(name, detector.KindCond, 0)
}

// NewCond returns a new Cond with Locker l, as sync.NewCond does. l may be
// any sync.Locker: a *Mutex, an *RWMutex, an RLocker, or sync's own.
func NewCond(l sync.Locker, opts ...Option) *Cond {
	c := &Cond{L: l}
	if len(opts) > 0 {
		c.b.bindTo(c, opts)
	}
	return c
}

// bind returns c's node: bound with WithDetector; else to the Detector of
// its L, when L is a lock of this package bound with WithDetector; else to
// the default.
func (c *Cond) bind() *detector.Lock {
	if n := c.b.node.Load(); n != nil && n.Tag() == 0 {
		return n
	}
	if ln := nodeOf(c.L); ln != nil && ln.Tag() == 0 {
		cur := c.b.node.Load()
		if nn := c.newNode(ln.Detector(), ""); c.b.node.CompareAndSwap(cur, nn) {
			return nn
		}
		return c.b.node.Load()
	}
	return c.b.get(c)
}

// nodeOf returns the Detector node of a Locker of this package, if bound.
func nodeOf(l sync.Locker) *detector.Lock {
	switch l := l.(type) {
	case *Mutex:
		return l.bind()
	case *RWMutex:
		return l.b.get(l)
	case *rlocker:
		rw := (*RWMutex)(l)
		return rw.b.get(rw)
	}
	return nil
}

// Wait unlocks c.L, waits until Signal or Broadcast wakes it, and locks
// c.L again before returning. As with sync.Cond, the condition must be
// checked in a loop:
//
//	c.L.Lock()
//	for !condition() {
//		c.Wait()
//	}
//	... make use of condition ...
//	c.L.Unlock()
func (c *Cond) Wait() {
	n := c.bind()
	ch := make(chan struct{})
	c.mu.Lock()
	c.waiters = append(c.waiters, ch)
	c.mu.Unlock()
	c.L.Unlock()
	var w *detector.Waiter
	if n != nil {
		w = n.Block(goid.Get(), detector.Shared)
	}
	select {
	case <-ch:
		w.End()
	case <-w.Unwind():
		err := w.Err()
		w.End()
		c.forget(ch)
		relock(c.L)
		panic(err)
	}
	c.L.Lock()
}

// forget removes a waiter that gives up; if it was signalled meanwhile,
// the signal passes to the next waiter.
func (c *Cond) forget(ch chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, w := range c.waiters {
		if w == ch {
			c.waiters = append(c.waiters[:i:i], c.waiters[i+1:]...)
			return
		}
	}
	if len(c.waiters) > 0 {
		close(c.waiters[0])
		c.waiters = c.waiters[1:]
	}
}

// relockLimit bounds how long a Wait that gives up waits to re-lock L:
// the goroutines that hold L are unwinding too, and release it on the
// way, unless they never do.
const relockLimit = time.Second

// relock locks l for a Wait that gives up, so that the caller's deferred
// Unlock still holds, without waiting for ever.
func relock(l sync.Locker) {
	switch l := l.(type) {
	case *Mutex:
		l.relock(relockLimit)
	case *RWMutex:
		l.relock(detector.Exclusive, relockLimit)
	case *rlocker:
		(*RWMutex)(l).relock(detector.Shared, relockLimit)
	case interface{ TryLock() bool }:
		for deadline := time.Now().Add(relockLimit); !l.TryLock() && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
	default:
		l.Lock()
	}
}

// Signal wakes one goroutine waiting on c, if there is any: the one that
// has waited longest. The caller may hold c.L, but need not.
func (c *Cond) Signal() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.waiters) > 0 {
		close(c.waiters[0])
		c.waiters = c.waiters[1:]
	}
}

// Broadcast wakes every goroutine waiting on c. The caller may hold c.L,
// but need not.
func (c *Cond) Broadcast() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, w := range c.waiters {
		close(w)
	}
	c.waiters = nil
}
