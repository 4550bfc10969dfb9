package native

import (
	"fmt"
	"runtime"
	"slices"
	"time"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/eventlog"
	"github.com/petermattis/goid"
)

// WithEvents makes the runtime record what each worker does (start and
// exit, lock requests, acquisitions and releases, channel operations,
// Cond waits, labelled reads and writes with their values, yields and
// progress), each with its source position and time, keeping the last
// perWorker events of each worker (eventlog.DefaultCap when 0). Events
// returns them once the workers have stopped. Recording takes no lock and
// no atomic that another worker touches, so the race detector sees the
// variant's accesses as they are.
func WithEvents(perWorker int) Option {
	return func(rt *Runtime) { rt.events, rt.eventCap = true, perWorker }
}

// Events returns what the workers did, in time order, numbered from 1;
// nil unless the runtime was made WithEvents. It leaves out the workers
// still running, whose lanes may still change: call it after Wait.
func (rt *Runtime) Events() []labs.Event {
	if !rt.events {
		return nil
	}
	var lanes []*eventlog.Lane
	for _, w := range rt.Workers() {
		if w.State() != Running { // the atomic load orders the lane's last Add before this
			lanes = append(lanes, w.lane)
		}
	}
	return eventlog.Merge(lanes...)
}

// Started returns when the runtime was made: events' Time counts from it.
func (rt *Runtime) Started() time.Time { return rt.start }

// record adds an event to w's lane, if the runtime records events and w
// is one of its workers. Only w's goroutine calls it.
func (w *Worker) record(op, target, value string) {
	if w == nil || w.lane == nil {
		return
	}
	w.lane.Add(labs.Event{
		Worker: w.name, Op: op, Target: target, Value: value,
		Holds: slices.Clone(w.held), At: w.caller(), Time: time.Since(w.rt.start),
	})
}

// callerDepth is how many frames above record a stack key takes:
// record's caller (a lock method, Read, Write, Yield), perhaps one of
// the runtime's own wrappers (Cond.Wait relocking), and the variant's
// line. Unwinding is most of a recorded event's cost, so it stops there;
// a stack whose variant frame is deeper is resolved in full, once.
const callerDepth = 3

// caller returns the position of the variant's line that led to the
// event being recorded. The program counters are cheap to take; turning
// them into a file and line is not, so each distinct stack is resolved
// once, in a cache only w's goroutine touches.
func (w *Worker) caller() detector.Pos {
	var pcs [callerDepth]uintptr
	n := runtime.Callers(3, pcs[:]) // runtime.Callers, caller, record
	if p, ok := w.positions[pcs]; ok {
		return p
	}
	p := detector.CallerOf(pcs[:n])
	if p == (detector.Pos{}) && n == callerDepth {
		p = detector.Caller()
	}
	if w.positions == nil {
		w.positions = map[[callerDepth]uintptr]detector.Pos{}
	}
	w.positions[pcs] = p
	return p
}

// current returns the worker running on the calling goroutine when the
// runtime records events, else nil.
func (rt *Runtime) current() *Worker {
	if !rt.events {
		return nil
	}
	v, ok := rt.byGID.Load(goid.Get())
	if !ok {
		return nil
	}
	return v.(*Worker)
}

// hold and drop keep w's list of what it holds, for the events' Holds.
func (w *Worker) hold(lock string) {
	if w != nil {
		w.held = append(w.held, lock)
	}
}

func (w *Worker) drop(lock string) {
	if w == nil {
		return
	}
	if i := slices.Index(w.held, lock); i >= 0 {
		w.held = slices.Delete(w.held, i, i+1)
	}
}

// value is how an event shows a value read or written.
func value(v any) string {
	s := fmt.Sprint(v)
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return s
}

// recorded is what the recording wrappers share: the runtime and the
// lock's name, and the two shapes of a recorded operation.
type recorded struct {
	rt   *Runtime
	name string
}

// acquire records a request, runs take, then records op and the hold.
func (r recorded) acquire(op string, take func()) {
	w := r.rt.current()
	w.record("request", r.name, "")
	take()
	w.hold(r.name)
	w.record(op, r.name, "")
}

// release runs give, then records op and the hold's end.
func (r recorded) release(op string, give func()) {
	w := r.rt.current()
	give()
	w.drop(r.name)
	w.record(op, r.name, "")
}

// recMutex records the operations on a Mutex or RWMutex.
type recMutex struct {
	recorded
	m labs.Mutex
}

func (l *recMutex) Lock()   { l.acquire("lock", l.m.Lock) }
func (l *recMutex) Unlock() { l.release("unlock", l.m.Unlock) }

func (l *recMutex) TryLock() bool {
	w := l.rt.current()
	if !l.m.TryLock() {
		w.record("trylock fail", l.name, "")
		return false
	}
	w.hold(l.name)
	w.record("trylock ok", l.name, "")
	return true
}

type recRWMutex struct {
	recMutex
	rw labs.RWMutex
}

func (l *recRWMutex) RLock()   { l.acquire("rlock", l.rw.RLock) }
func (l *recRWMutex) RUnlock() { l.release("runlock", l.rw.RUnlock) }

type recSemaphore struct {
	recorded
	s labs.Semaphore
}

func (s *recSemaphore) Acquire() { s.acquire("acquire", s.s.Acquire) }
func (s *recSemaphore) Release() { s.release("release", s.s.Release) }
