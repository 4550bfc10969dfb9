package native

import (
	"reflect"
	"sync"
	"sync/atomic"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/locks"
)

// Cond returns a condition variable over l whose Wait gives control back
// when the run is aborted.
func (rt *Runtime) Cond(name string, l labs.Locker) labs.Cond {
	return &cond{l: l, done: rt.det.Done()}
}

// cond is a condition variable in the manner of sync.Cond: each Wait takes
// a ticket (a channel) before it unlocks l, Signal closes the oldest
// ticket and Broadcast every one. Closing a channel happens before the
// receive that sees it, so a woken Wait observes what the signaller did,
// as with sync.Cond.
type cond struct {
	l    labs.Locker
	done <-chan struct{}

	mu      sync.Mutex      // protects waiters
	waiters []chan struct{} // oldest first
}

func (c *cond) Wait() {
	t := make(chan struct{})
	c.mu.Lock()
	c.waiters = append(c.waiters, t)
	c.mu.Unlock()
	c.l.Unlock()
	select {
	case <-t:
	case <-c.done:
		panic(detector.ErrAborted)
	}
	c.l.Lock()
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
// is aborted.
func (rt *Runtime) WaitGroup(name string) labs.WaitGroup {
	return &waitGroup{done: rt.det.Done()}
}

// waitGroup counts under a mutex; a Wait that finds the counter above
// zero waits for the channel that the Add bringing it to zero closes.
type waitGroup struct {
	done <-chan struct{}

	mu    sync.Mutex // protects n and zero
	n     int
	zero  chan struct{} // closed when n reaches zero; nil while nobody waits
	owing int           // for messages: the largest counter seen
}

func (wg *waitGroup) Add(delta int) {
	wg.mu.Lock()
	defer wg.mu.Unlock()
	wg.n += delta
	wg.owing = max(wg.owing, wg.n)
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
	select {
	case <-z:
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
	rc = append(rc, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(rt.det.Done())})
	i, v, ok := reflect.Select(rc)
	if i == abort {
		panic(detector.ErrAborted)
	}
	if cases[i].Dir != labs.SelectRecv || !ok {
		return i, nil, ok
	}
	return i, v.Interface(), true
}

// Read counts a step; it does not synchronize anything.
func (w *Worker) Read(string, any) {
	w.steps.Add(1)
	w.checkAbort()
}

// Write counts a step; it does not synchronize anything.
func (w *Worker) Write(string, any) {
	w.steps.Add(1)
	w.checkAbort()
}
