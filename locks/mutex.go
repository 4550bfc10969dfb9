package locks

import (
	"context"
	"sync/atomic"

	"github.com/locklab/locklab/detector"
	"github.com/petermattis/goid"
)

// defaultDetector is the Detector that zero-value locks bind to on first
// use. Nil means detection off.
var defaultDetector atomic.Pointer[detector.Detector]

// SetDefaultDetector makes d the Detector that unbound locks (zero values,
// and locks made without WithDetector) report to from their next first use
// on, and returns a function that restores the previous one. A nil d turns
// detection off for locks not yet bound. Locks bind once: a lock keeps the
// Detector it first saw.
//
// Set it before the locks are first used, such as in TestMain or at the
// start of a test that does not run in parallel.
func SetDefaultDetector(d *detector.Detector) (restore func()) {
	old := defaultDetector.Swap(d)
	return func() { defaultDetector.Store(old) }
}

// Option configures a lock made by NewMutex, NewRWMutex or NewSemaphore.
type Option interface{ apply(*config) }

type config struct {
	det *detector.Detector
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithDetector binds the lock to d instead of the default Detector.
func WithDetector(d *detector.Detector) Option {
	return optionFunc(func(c *config) { c.det = d })
}

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		o.apply(&c)
	}
	if c.det == nil {
		c.det = defaultDetector.Load()
	}
	return c
}

// Mutex is a mutual exclusion lock, a drop-in for sync.Mutex that reports
// to a Detector: who holds it, who waits for it and in which order locks
// are taken. The zero value is an unlocked, unnamed Mutex bound on first
// use to the default Detector (see SetDefaultDetector); with none, it is a
// plain lock whose fast path is one atomic compare-and-swap.
//
// A Mutex must not be copied after first use. As with sync.Mutex, the n'th
// Unlock is synchronized before the m'th Lock returns for any n < m, and a
// Mutex may be unlocked by a goroutine other than the one that locked it.
//
// A Lock that blocks gives control back when its Detector is aborted (a
// deadlock was found, or the run was stopped): it panics with
// detector.ErrAborted, which the lab's runtime recovers. LockContext
// returns the error instead.
type Mutex struct {
	// state is owner<<2 | waiters | locked: the locked bit, a bit saying
	// someone may be waiting, and (with a Detector) the owner's goroutine
	// id, set by the same atomic operation that takes the lock.
	state atomic.Int64
	wake  atomic.Pointer[chan struct{}]
	node  atomic.Pointer[detector.Lock]
	name  string
}

const (
	locked     = 1 << iota // the Mutex is held
	waiters                // someone may be waiting: Unlock must wake one
	ownerShift = iota
)

// newNode registers m with d, reading the owner from m's state word.
func (m *Mutex) newNode(d *detector.Detector) *detector.Lock {
	return d.NewMutexLock(m.name, func() int64 { return m.state.Load() >> ownerShift })
}

// NewMutex returns an unlocked Mutex with a name for reports.
func NewMutex(name string, opts ...Option) *Mutex {
	m := &Mutex{name: name}
	if c := newConfig(opts); c.det != nil {
		m.node.Store(m.newNode(c.det))
	}
	return m
}

// Name returns the lock's name, or "" for an unnamed lock not yet used.
func (m *Mutex) Name() string {
	if n := m.node.Load(); n != nil {
		return n.Name()
	}
	return m.name
}

// bind returns the lock's Detector node, binding an unbound lock to the
// default Detector.
func (m *Mutex) bind() *detector.Lock {
	if n := m.node.Load(); n != nil {
		return n
	}
	d := defaultDetector.Load()
	if d == nil {
		return nil
	}
	m.node.CompareAndSwap(nil, m.newNode(d))
	return m.node.Load()
}

// Lock locks m, blocking until it is available.
func (m *Mutex) Lock() {
	if err := m.lock(nil); err != nil {
		panic(err)
	}
}

// LockContext locks m, or returns ctx.Err() if ctx is done first, or
// detector.ErrAborted if m's Detector is aborted first. On error m is
// left unchanged, as semaphore.Weighted.Acquire does.
func (m *Mutex) LockContext(ctx context.Context) error {
	return m.lock(ctx)
}

func (m *Mutex) lock(ctx context.Context) error {
	n := m.bind()
	if n == nil || !n.Tracking() {
		if m.state.CompareAndSwap(0, locked) {
			return nil
		}
		return m.lockSlow(ctx, n, 0, false)
	}
	gid := goid.Get()
	if m.state.CompareAndSwap(0, gid<<ownerShift|locked) {
		n.Acquired(gid, detector.Exclusive, false)
		return nil
	}
	return m.lockSlow(ctx, n, gid, true)
}

func (m *Mutex) lockSlow(ctx context.Context, n *detector.Lock, gid int64, track bool) error {
	var done, ctxDone <-chan struct{}
	if n != nil {
		done = n.Detector().Done()
		if gid == 0 {
			gid = goid.Get()
		}
		n.Wait(gid, detector.Exclusive)
		defer n.WaitDone(gid, detector.Exclusive)
	}
	if ctx != nil {
		ctxDone = ctx.Done()
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
		select {
		case <-wake:
		case <-done:
			return detector.ErrAborted
		case <-ctxDone:
			return ctx.Err()
		}
	}
	if track {
		n.Acquired(gid, detector.Exclusive, false)
	}
	return nil
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
	n := m.bind()
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

// Unlock unlocks m. Unlocking an unlocked Mutex panics.
func (m *Mutex) Unlock() {
	if n := m.node.Load(); n != nil && n.Tracking() {
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
