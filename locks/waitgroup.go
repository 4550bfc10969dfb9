package locks

import (
	"sync"
	"sync/atomic"

	"github.com/locklab/locklab/detector"
	"github.com/petermattis/goid"
)

// WaitGroup waits for a collection of goroutines to finish, a drop-in for
// sync.WaitGroup, Go method included. Its Detector sees:
//
//   - Wait while holding a lock, as a lock-order edge from the lock to
//     the WaitGroup; with goroutines started by Go, the locks they take
//     are ordered after the WaitGroup, so "hold a, Wait, while a worker
//     needs a" is a lock-order cycle even in a run that did not hang, and
//     an actual deadlock the moment it hangs;
//   - with Add and Done instead of Go, who owes a Done is unknown: a
//     goroutine blocked on a lock held by a goroutine in Wait is reported
//     (detector.WaitUnderLock);
//   - a Wait that lasts longer than the wait timeout, with how many Done
//     calls are still owed and by whom, as far as known.
//
// The zero value is ready to use; NewWaitGroup names one. A WaitGroup must
// not be copied after first use.
type WaitGroup struct {
	count   atomic.Int64
	waiters atomic.Int32 // goroutines in Wait's slow path

	mu sync.Mutex    // protects ch
	ch chan struct{} // closed when the count reaches zero

	b binding
}

func (wg *WaitGroup) newNode(d *detector.Detector, name string) *detector.Lock {
	return d.NewWaitGroupLock(name, func() int { return int(wg.count.Load()) })
}

// NewWaitGroup returns a WaitGroup with a name for reports.
func NewWaitGroup(name string, opts ...Option) *WaitGroup {
	wg := &WaitGroup{b: binding{name: name}}
	wg.b.bindTo(wg, opts)
	return wg
}

// Add adds delta, which may be negative, to the counter. When it reaches
// zero, every goroutine blocked in Wait is released. Add panics if the
// counter goes negative.
func (wg *WaitGroup) Add(delta int) {
	v := wg.count.Add(int64(delta))
	if v < 0 {
		panic("locks: negative WaitGroup counter")
	}
	if v == 0 && wg.waiters.Load() > 0 {
		wg.mu.Lock()
		if wg.ch != nil {
			close(wg.ch)
			wg.ch = nil
		}
		wg.mu.Unlock()
	}
}

// Done decrements the counter by one.
func (wg *WaitGroup) Done() { wg.Add(-1) }

// Go calls f in a new goroutine and adds that goroutine to the group, as
// sync.WaitGroup.Go does. The Detector knows the goroutine owes a Done
// until f returns.
func (wg *WaitGroup) Go(f func()) {
	n := wg.b.get(wg)
	wg.Add(1)
	go func() {
		defer wg.Done()
		if n != nil && n.Tracking() {
			gid := goid.Get()
			n.Owe(gid)
			defer n.Paid(gid)
		}
		f()
	}()
}

// Wait blocks until the counter is zero.
func (wg *WaitGroup) Wait() {
	n := wg.b.get(wg)
	var gid int64
	if n != nil {
		gid = goid.Get()
		if n.Tracking() {
			n.Order(gid)
		}
	}
	if wg.count.Load() == 0 {
		return
	}
	wg.waiters.Add(1)
	defer wg.waiters.Add(-1)
	wg.mu.Lock()
	if wg.count.Load() == 0 {
		wg.mu.Unlock()
		return
	}
	if wg.ch == nil {
		wg.ch = make(chan struct{})
	}
	ch := wg.ch
	wg.mu.Unlock()
	var w *detector.Waiter
	if n != nil {
		w = n.Block(gid, detector.Exclusive)
	}
	select {
	case <-ch:
		w.End()
	case <-w.Unwind():
		w.End()
		panic(w.Err())
	}
}
