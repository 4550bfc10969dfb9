package explore

import (
	"fmt"
	"unicode/utf8"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
)

// selectCase is one case of a select, as the scheduler sees it.
type selectCase struct {
	dir labs.SelectDir
	obj *object // nil: a nil channel, never ready (or the default case)
	val any     // what a send case sends
}

// Cond returns a new condition variable over l.
func (rt *Runtime) Cond(name string, l labs.Locker) labs.Cond {
	return rt.add(&object{rt: rt, kind: kCond, name: name, l: l})
}

// WaitGroup returns a new WaitGroup.
func (rt *Runtime) WaitGroup(name string) labs.WaitGroup {
	return rt.add(&object{rt: rt, kind: kWaitGroup, name: name})
}

// Once returns a new Once.
func (rt *Runtime) Once(name string) labs.Once {
	return rt.add(&object{rt: rt, kind: kOnce, name: name})
}

// Wait implements labs.Cond: it takes a ticket, unlocks the Cond's
// Locker, sleeps until a Signal or Broadcast wakes its ticket, and locks
// the Locker again, as sync.Cond.Wait does. Each half is a scheduling
// point, so a Signal can come between the unlock and the sleep and is not
// lost.
func (o *object) Wait() {
	switch o.kind {
	case kWaitGroup:
		if o.rt.point(opWait, o, nil) == nil && o.n != 0 {
			setupOnly(o, "Wait")
		}
		return
	case kCond:
	default:
		panic("explore: Wait on " + o.name + ", which is not a Cond or WaitGroup")
	}
	if o.rt.point(opCondWait, o, nil) == nil {
		setupOnly(o, "Wait")
	}
	o.l.Unlock()
	o.rt.point(opCondSleep, o, nil)
	o.l.Lock()
}

// Signal implements labs.Cond.
func (o *object) Signal() {
	if o.rt.point(opSignal, o, nil) == nil && len(o.waiters) > 0 {
		setupOnly(o, "Signal")
	}
}

// Broadcast implements labs.Cond.
func (o *object) Broadcast() {
	if o.rt.point(opBroadcast, o, nil) == nil && len(o.waiters) > 0 {
		setupOnly(o, "Broadcast")
	}
}

// Add implements labs.WaitGroup. Outside a worker (while Play sets up) it
// changes the counter at once.
func (o *object) Add(delta int) {
	if o.rt.point(opAdd, o, delta) != nil {
		return
	}
	o.n += delta
	if o.n < 0 {
		panic("sync: negative WaitGroup counter")
	}
}

// Done implements labs.WaitGroup.
func (o *object) Done() { o.Add(-1) }

// Do implements labs.Once. The worker that finds the Once new runs f; a
// worker that finds it running waits for the runner, which the deadlock
// search follows, so a Do called from inside its own f, or a cycle
// through a Once's f, is reported as a deadlock.
func (o *object) Do(f func()) {
	w := o.rt.point(opOnce, o, nil)
	if w == nil {
		if o.once == onceNew {
			o.once = onceDone
			f()
		}
		return
	}
	if !w.rok {
		return
	}
	defer func() { o.once, o.runner = onceDone, nil }()
	f()
}

// Select implements labs.Runtime.
func (rt *Runtime) Select(cases ...labs.SelectCase) (int, any, bool) {
	w := rt.cur
	if w == nil {
		panic("explore: Select outside a worker would block; do it in a worker")
	}
	cs := make([]selectCase, len(cases))
	for i, c := range cases {
		cs[i] = selectCase{dir: c.Dir, val: c.Send}
		if c.Chan != nil {
			o, ok := c.Chan.(*object)
			if !ok || o.kind != kChan {
				panic(fmt.Sprintf("explore: select case %d is not a channel of this runtime", i))
			}
			cs[i].obj = o
		}
	}
	w.cases = cs
	rt.point(opSelect, nil, nil)
	w.cases = nil
	return w.rsel, w.rval, w.rok
}

// Len returns the number of values buffered in a channel.
func (o *object) Len() int { return len(o.buf) }

// Cap returns a channel's buffer capacity.
func (o *object) Cap() int { return o.n }

// Current returns the running worker, or nil outside a worker (while
// Play sets up).
func (rt *Runtime) Current() labs.Worker {
	if rt.cur == nil {
		return nil
	}
	return rt.cur
}

// Access is a scheduling point just before the running worker reads
// (write false) or writes v to the shared state named target, such as a
// submission's field the grader instruments. It reports false, doing
// nothing, outside a worker. After a read, Value attaches the value read
// to the step.
func (rt *Runtime) Access(write bool, target string, v any) bool {
	op := opRead
	if write {
		op = opWrite
	}
	w := rt.cur
	if w == nil {
		return false
	}
	w.label = target
	rt.point(op, nil, v)
	return true
}

// Tracing reports whether the schedule records events, so that callers
// can skip formatting values that nobody will see.
func (rt *Runtime) Tracing() bool { return rt.trace }

// Value attaches v to the running worker's last event: the value a read
// at an Access point found.
func (rt *Runtime) Value(v any) {
	w := rt.cur
	if !rt.trace || w == nil || w.lastEv < 0 || w.lastEv >= len(rt.events) {
		return
	}
	rt.events[w.lastEv].Value = formatValue(v)
}

// formatValue renders a value read or written for a trace, briefly.
func formatValue(v any) string {
	s := fmt.Sprint(v)
	if len(s) > 40 {
		cut := 40
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// Read implements labs.Worker: it records the read, with its value, as
// an event of the running step (no scheduling point).
func (w *worker) Read(target string, v any) {
	w.note("read", target, v)
}

// Write implements labs.Worker: it records the write, with its value, as
// an event of the running step (no scheduling point).
func (w *worker) Write(target string, v any) {
	w.note("write", target, v)
}

func (w *worker) note(op, target string, v any) {
	rt := w.rt
	if rt.cur != w || !rt.trace || w.aborted {
		return
	}
	rt.event(w, op, target, detector.Caller())
	rt.events[w.lastEv].Value = formatValue(v)
}

// ready reports whether select case c of worker w can proceed now.
func (rt *Runtime) ready(w *worker, c selectCase) bool {
	o := c.obj
	if o == nil {
		return false
	}
	switch c.dir {
	case labs.SelectSend:
		if o.closed {
			return true // and panics, as in Go
		}
		if o.n > 0 {
			return len(o.buf) < o.n
		}
		r, _ := rt.pending(o, opRecv, w)
		return r != nil
	case labs.SelectRecv:
		if len(o.buf) > 0 || o.closed {
			return true
		}
		if o.n > 0 {
			return false
		}
		s, _ := rt.pending(o, opSend, w)
		return s != nil
	}
	return false
}

// hasDefault reports whether w's select has a default case.
func hasDefault(w *worker) bool {
	for _, c := range w.cases {
		if c.dir == labs.SelectDefault {
			return true
		}
	}
	return false
}

// applySelect does the case of w's select that proceeds: the one a
// partner already paired with, else one of the ready cases (which one is
// a function of the step, so that replays repeat it and different
// schedules vary it), else the default.
func (rt *Runtime) applySelect(w *worker) (op, target string) {
	if w.matched {
		c := w.cases[w.rsel]
		if c.dir == labs.SelectSend {
			return "select send", c.obj.name
		}
		return "select recv", c.obj.name
	}
	var ready []int
	def := -1
	for i, c := range w.cases {
		if c.dir == labs.SelectDefault {
			def = i
		} else if rt.ready(w, c) {
			ready = append(ready, i)
		}
	}
	if len(ready) == 0 {
		w.rsel, w.rval, w.rok = def, nil, false
		w.spin++ // polling: count it as a spin, as a yield is
		return "select default", ""
	}
	i := ready[rt.step%len(ready)]
	c := w.cases[i]
	w.rsel = i
	o := c.obj
	if c.dir == labs.SelectSend {
		switch {
		case o.closed:
			w.fault = "send on closed channel " + o.name
		case o.n > 0:
			o.buf = append(o.buf, c.val)
		default:
			r, ri := rt.pending(o, opRecv, w)
			r.rval, r.rok, r.matched = c.val, true, true
			if ri >= 0 {
				r.rsel = ri
			}
		}
		return "select send", o.name
	}
	switch {
	case len(o.buf) > 0:
		w.rval, w.rok = o.buf[0], true
		o.buf[0] = nil
		o.buf = o.buf[1:]
	case o.closed:
		w.rval, w.rok = nil, false
	default:
		s, si := rt.pending(o, opSend, w)
		if si >= 0 {
			w.rval, s.rsel = s.cases[si].val, si
		} else {
			w.rval = s.val
		}
		w.rok = true
		s.matched = true
	}
	return "select recv", o.name
}

// Say records what the worker sets out to do (labs.Say).
func (w *worker) Say(what string) { w.doing = what }
