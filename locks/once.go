package locks

import (
	"sync"
	"sync/atomic"

	"github.com/locklab/locklab/detector"
	"github.com/petermattis/goid"
)

// Once performs exactly one action, a drop-in for sync.Once. The goroutine
// running the function given to the first Do holds the Once, for the
// lock graphs, until the function returns; others calling Do meanwhile
// wait for it. So:
//
//   - Do called again from inside its own function, which deadlocks
//     sync.Once, is reported at once (detector.DoubleLock) and unwound;
//   - a cycle through Do (the function takes lock a; a goroutine holding
//     a calls Do) is an actual deadlock when it happens, and a lock-order
//     finding (a -> once -> a) even in a run where it did not, since Do
//     on a Once already done still orders the caller's locks before it.
//
// As with sync.Once, if the function panics Do considers it returned. The
// zero value is ready to use; NewOnce names one. A Once must not be
// copied after first use.
type Once struct {
	done atomic.Uint32 // 1 once the function has returned

	mu      sync.Mutex    // protects the fields below
	running bool          // the function is running
	ch      chan struct{} // closed when it returns

	b binding
}

func (o *Once) newNode(d *detector.Detector, name string) *detector.Lock {
	return d.NewLock(name, detector.KindOnce, 1)
}

// NewOnce returns a Once with a name for reports.
func NewOnce(name string, opts ...Option) *Once {
	o := &Once{b: binding{name: name}}
	o.b.bindTo(o, opts)
	return o
}

// Do calls f if and only if Do is being called for the first time for
// this Once; every other call returns once that first f has returned.
func (o *Once) Do(f func()) {
	if o.done.Load() == 1 {
		if n := o.b.get(o); n != nil && n.Tracking() {
			n.Order(goid.Get())
		}
		return
	}
	o.doSlow(f)
}

func (o *Once) doSlow(f func()) {
	n := o.b.get(o)
	track := n != nil && n.Tracking()
	gid := goid.Get()
	o.mu.Lock()
	if o.done.Load() == 1 {
		o.mu.Unlock()
		if track {
			n.Order(gid)
		}
		return
	}
	if o.running {
		ch := o.ch
		o.mu.Unlock()
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
		return
	}
	o.running, o.ch = true, make(chan struct{})
	o.mu.Unlock()
	if track {
		n.Acquired(gid, detector.Exclusive, false)
	}
	defer func() {
		o.done.Store(1)
		if track {
			n.Released(gid, detector.Exclusive)
		}
		o.mu.Lock()
		o.running = false
		close(o.ch)
		o.mu.Unlock()
	}()
	f()
}
