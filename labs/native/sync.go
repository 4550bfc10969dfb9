package native

import (
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/locks"
	"github.com/petermattis/goid"
)

// Cond returns a condition variable over l whose Wait gives control back
// when the run is aborted. A worker in Wait is visible to the Detector (a
// wait with nobody to wait for: see detector.KindCond, and
// detector.WaitUnderLock for a lock held across it) and says so in its
// Blocked.
func (rt *Runtime) Cond(name string, l labs.Locker) labs.Cond {
	return &cond{rt: rt, name: name, l: l, node: rt.det.NewLock(name, detector.KindCond, 0)}
}

// cond is a condition variable in the manner of sync.Cond: each Wait takes
// a ticket (a channel) before it unlocks l, Signal closes the oldest
// ticket and Broadcast every one. Closing a channel happens before the
// receive that sees it, so a woken Wait observes what the signaller did,
// as with sync.Cond.
type cond struct {
	rt   *Runtime
	name string
	l    labs.Locker
	node *detector.Lock

	mu      sync.Mutex      // protects waiters
	waiters []chan struct{} // oldest first
}

func (c *cond) Wait() {
	t := make(chan struct{})
	c.mu.Lock()
	c.waiters = append(c.waiters, t)
	c.mu.Unlock()
	rw := c.rt.current()
	rw.record("wait", c.name, "")
	c.l.Unlock()
	w := c.rt.block(&Wait{Op: WaitCond, Targets: []string{c.name}})
	dw := c.node.Block(goid.Get(), detector.Shared)
	select {
	case <-t:
		dw.End()
		unblock(w)
		rw.record("woke", c.name, "")
	case <-dw.Unwind():
		err := dw.Err()
		dw.End()
		unblock(w)
		c.forget(t)
		relock(c.l)
		panic(err)
	}
	c.l.Lock()
}

// forget removes the ticket of a Wait that gives up; if it was signalled
// meanwhile, the signal passes to the next waiter.
func (c *cond) forget(t chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i := slices.Index(c.waiters, t); i >= 0 {
		c.waiters = slices.Delete(c.waiters, i, i+1)
		return
	}
	if len(c.waiters) > 0 {
		close(c.waiters[0])
		c.waiters = c.waiters[1:]
	}
}

// relockLimit bounds how long a Wait that gives up waits to lock its
// Locker again: the workers that hold it are unwinding too, and release
// it on the way if they unlock with defer. Code that does not leaves the
// lock held, and every other waiter would wait out the limit: it is short.
const relockLimit = 100 * time.Millisecond

// relock locks l again for a Wait that gives up, so that the caller's
// deferred Unlock still holds. The run is aborted, so a blocking Lock of
// an instrumented lock would give up at once: it tries instead, for up to
// relockLimit, when l can be tried.
func relock(l labs.Locker) {
	tl, ok := l.(interface{ TryLock() bool })
	if !ok {
		l.Lock()
		return
	}
	for deadline := time.Now().Add(relockLimit); !tl.TryLock(); time.Sleep(100 * time.Microsecond) {
		if time.Now().After(deadline) {
			return
		}
	}
}

func (c *cond) Signal() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.waiters) > 0 {
		close(c.waiters[0])
		c.waiters = c.waiters[1:]
	}
}

func (c *cond) Broadcast() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range c.waiters {
		close(t)
	}
	c.waiters = nil
}

// WaitGroup returns a WaitGroup whose Wait gives control back when the run
// is aborted. A worker in Wait is visible to the Detector (a wait for
// Done calls from unknown goroutines; a lock held across it is a
// lock-order edge) and says so in its Blocked.
func (rt *Runtime) WaitGroup(name string) labs.WaitGroup {
	wg := &waitGroup{rt: rt, name: name, done: rt.det.Done()}
	wg.node = rt.det.NewWaitGroupLock(name, wg.count)
	return wg
}

// waitGroup counts under a mutex; a Wait that finds the counter above
// zero waits for the channel that the Add bringing it to zero closes.
type waitGroup struct {
	rt   *Runtime
	name string
	node *detector.Lock
	done <-chan struct{}

	mu   sync.Mutex // protects n and zero
	n    int
	zero chan struct{} // closed when n reaches zero; nil while nobody waits
}

func (wg *waitGroup) count() int {
	wg.mu.Lock()
	defer wg.mu.Unlock()
	return wg.n
}

func (wg *waitGroup) Add(delta int) {
	wg.mu.Lock()
	defer wg.mu.Unlock()
	wg.n += delta
	if wg.n < 0 {
		panic("sync: negative WaitGroup counter")
	}
	if wg.n == 0 && wg.zero != nil {
		close(wg.zero)
		wg.zero = nil
	}
}

func (wg *waitGroup) Done() { wg.Add(-1) }

func (wg *waitGroup) Wait() {
	gid := goid.Get()
	if wg.node.Tracking() {
		wg.node.Order(gid)
	}
	wg.mu.Lock()
	if wg.n == 0 {
		wg.mu.Unlock()
		return
	}
	if wg.zero == nil {
		wg.zero = make(chan struct{})
	}
	z := wg.zero
	wg.mu.Unlock()
	w := wg.rt.block(&Wait{Op: WaitWaitGroup, Targets: []string{wg.name}, count: wg.count})
	dw := wg.node.Block(gid, detector.Exclusive)
	defer func() {
		dw.End()
		unblock(w)
	}()
	select {
	case <-z:
	case <-dw.Unwind():
		panic(dw.Err())
	case <-wg.done:
		panic(detector.ErrAborted)
	}
}

// Once returns a Once whose internal lock is instrumented: a worker that
// waits in Do for another worker's f is a wait-for edge, and a Do called
// from inside its own f is a double lock the detector reports.
func (rt *Runtime) Once(name string) labs.Once {
	return &once{mu: locks.NewMutex(name, locks.WithDetector(rt.det))}
}

type once struct {
	done atomic.Bool
	mu   *locks.Mutex
}

func (o *once) Do(f func()) {
	if o.done.Load() {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.done.Load() {
		defer o.done.Store(true)
		f()
	}
}

// Select does what a select statement over the cases' channels does, and
// gives control back when the run is aborted. Every Chan must come from
// this runtime.
func (rt *Runtime) Select(cases ...labs.SelectCase) (int, any, bool) {
	rc := make([]reflect.SelectCase, 0, len(cases)+1)
	for _, c := range cases {
		var ch reflect.Value
		if c.Chan != nil {
			ch = reflect.ValueOf(c.Chan.(*channel).ch)
		}
		switch c.Dir {
		case labs.SelectRecv:
			rc = append(rc, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: ch})
		case labs.SelectSend:
			v := reflect.ValueOf(&c.Send).Elem()
			rc = append(rc, reflect.SelectCase{Dir: reflect.SelectSend, Chan: ch, Send: v})
		default:
			rc = append(rc, reflect.SelectCase{Dir: reflect.SelectDefault})
		}
	}
	abort := len(rc)
	hasDefault := slices.ContainsFunc(cases, func(c labs.SelectCase) bool { return c.Dir == labs.SelectDefault })
	if !hasDefault {
		// Try first, so that only a select that blocks records its wait.
		i, v, ok := reflect.Select(append(rc, reflect.SelectCase{Dir: reflect.SelectDefault}))
		if i < abort {
			return selected(cases, i, v, ok)
		}
		var names []string
		for _, c := range cases {
			if c.Chan != nil {
				names = append(names, c.Chan.(*channel).name)
			}
		}
		w := rt.block(&Wait{Op: WaitSelect, Targets: names})
		defer unblock(w)
	}
	rc = append(rc, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(rt.det.Done())})
	i, v, ok := reflect.Select(rc)
	if i == abort {
		panic(detector.ErrAborted)
	}
	return selected(cases, i, v, ok)
}

// selected returns what Select returns for case i of cases, which
// reflect.Select chose with value v and ok.
func selected(cases []labs.SelectCase, i int, v reflect.Value, ok bool) (int, any, bool) {
	if cases[i].Dir != labs.SelectRecv || !ok {
		return i, nil, ok
	}
	return i, v.Interface(), true
}

// Read counts a step, and records it when the runtime records events; it
// does not synchronize anything.
func (w *Worker) Read(target string, v any) {
	if w.lane != nil {
		w.record("read", target, value(v))
	}
	w.steps.Add(1)
	w.checkAbort()
}

// Write counts a step, and records it when the runtime records events;
// it does not synchronize anything.
func (w *Worker) Write(target string, v any) {
	if w.lane != nil {
		w.record("write", target, value(v))
	}
	w.steps.Add(1)
	w.checkAbort()
}
