package native

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/eventlog"
	"github.com/locklab/locklab/locks"
	"github.com/petermattis/goid"
)

// Runtime is the native implementation of labs.Runtime.
type Runtime struct {
	det   *detector.Detector
	seed  uint64
	yield time.Duration

	mutex   func(name string) labs.Mutex   // nil: instrumented locks.Mutex
	rwmutex func(name string) labs.RWMutex // nil: instrumented locks.RWMutex

	wg      sync.WaitGroup
	mu      sync.Mutex // protects workers
	workers []*Worker
	byGID   sync.Map // goroutine id (int64) -> *Worker, for waits that must find their worker
	panics  atomic.Pointer[WorkerPanic]

	start    time.Time // when New made the runtime: events' Time counts from it
	events   bool      // record events (WithEvents)
	eventCap int
}

var _ labs.Runtime = (*Runtime)(nil)

// New returns a Runtime whose locks report to det. seed seeds every
// worker's random source; yield is the pause at a yield point (zero or
// negative means runtime.Gosched).
func New(det *detector.Detector, seed uint64, yield time.Duration, opts ...Option) *Runtime {
	rt := &Runtime{det: det, seed: seed, yield: yield, start: time.Now()}
	for _, o := range opts {
		o(rt)
	}
	return rt
}

// Option configures a Runtime.
type Option func(*Runtime)

// WithLocks makes the runtime's Mutex and RWMutex come from the given
// functions instead of package locks, such as go-deadlock's locks. Locks
// made this way are not abortable: run them where a hang can be killed.
func WithLocks(mutex func(name string) labs.Mutex, rwmutex func(name string) labs.RWMutex) Option {
	return func(rt *Runtime) { rt.mutex, rt.rwmutex = mutex, rwmutex }
}

// Detector returns the Detector the runtime's locks report to.
func (rt *Runtime) Detector() *detector.Detector { return rt.det }

// Worker is a worker started by Go. Its progress count may be read while
// it runs.
type Worker struct {
	rt       *Runtime
	id       int
	name     string
	rng      *rand.Rand
	progress atomic.Int64
	steps    atomic.Int64 // yields: how busy the worker is, progress or not
	state    atomic.Int32 // a State
	gid      atomic.Int64
	raceID   int64                // the race detector's number for the worker's goroutine
	wait     atomic.Pointer[Wait] // what it is blocked on, other than a lock; nil when not

	// Touched only by the worker's goroutine (see Events).
	lane      *eventlog.Lane // nil unless the runtime records events
	held      []string       // the locks it holds, for its events
	positions map[[callerDepth]uintptr]detector.Pos
}

// State is what a worker is doing.
type State int32

// The worker states.
const (
	Running  State = iota
	Done           // returned normally
	Aborted        // unwound by an abort
	Panicked       // panicked with something other than an abort
)

func (s State) String() string {
	return [...]string{"running", "done", "aborted", "panicked"}[s]
}

// WorkerPanic is a panic in a worker other than an abort. The run reports
// it as an error rather than crashing the process.
type WorkerPanic struct {
	Worker string
	Value  any
	Stack  string
}

func (p *WorkerPanic) Error() string {
	return fmt.Sprintf("worker %s panicked: %v", p.Worker, p.Value)
}

// Go starts a named worker.
func (rt *Runtime) Go(name string, body func(w labs.Worker)) {
	rt.mu.Lock()
	w := &Worker{rt: rt, id: len(rt.workers), name: name}
	w.rng = rand.New(rand.NewPCG(rt.seed, uint64(w.id)))
	if rt.events {
		w.lane = eventlog.NewLane(rt.eventCap)
	}
	rt.workers = append(rt.workers, w)
	rt.mu.Unlock()
	rt.wg.Add(1)
	if raceEnabled {
		w.raceID = nextRaceGoroutine()
	}
	go func() {
		defer rt.wg.Done()
		g := goid.Get()
		w.gid.Store(g)
		rt.byGID.Store(g, w)
		rt.det.Name(g, name)
		w.record("start", "", "")
		defer func() {
			r := recover()
			w.record("exit", "", "")
			switch {
			case r == nil:
				w.state.Store(int32(Done))
			case isAbort(r):
				w.state.Store(int32(Aborted))
			default:
				w.state.Store(int32(Panicked))
				buf := make([]byte, 16<<10)
				buf = buf[:runtime.Stack(buf, false)]
				rt.panics.CompareAndSwap(nil, &WorkerPanic{Worker: name, Value: r, Stack: string(buf)})
				rt.det.Abort("worker " + name + " panicked")
			}
		}()
		body(w)
	}()
}

func isAbort(r any) bool {
	err, ok := r.(error)
	return ok && errors.Is(err, detector.ErrAborted)
}

// Wait blocks until every worker has returned or unwound, and returns the
// first worker panic, if any.
func (rt *Runtime) Wait() error {
	rt.wg.Wait()
	if p := rt.panics.Load(); p != nil {
		return p
	}
	return nil
}

// Workers returns the workers started so far, in start order.
func (rt *Runtime) Workers() []*Worker {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return append([]*Worker(nil), rt.workers...)
}

// Progress returns the total progress of every worker.
func (rt *Runtime) Progress() (progress, steps int64) {
	for _, w := range rt.Workers() {
		progress += w.progress.Load()
		steps += w.steps.Load()
	}
	return progress, steps
}

// Mutex returns a new instrumented Mutex.
func (rt *Runtime) Mutex(name string) labs.Mutex {
	var m labs.Mutex
	if rt.mutex != nil {
		m = rt.mutex(name)
	} else {
		m = locks.NewMutex(name, locks.WithDetector(rt.det))
	}
	if rt.events {
		return &recMutex{recorded: recorded{rt, name}, m: m}
	}
	return m
}

// RWMutex returns a new instrumented RWMutex.
func (rt *Runtime) RWMutex(name string) labs.RWMutex {
	var m labs.RWMutex
	if rt.rwmutex != nil {
		m = rt.rwmutex(name)
	} else {
		m = locks.NewRWMutex(name, locks.WithDetector(rt.det))
	}
	if rt.events {
		return &recRWMutex{recMutex: recMutex{recorded: recorded{rt, name}, m: m}, rw: m}
	}
	return m
}

// Semaphore returns a new instrumented Semaphore.
func (rt *Runtime) Semaphore(name string, n int) labs.Semaphore {
	s := locks.NewSemaphore(name, n, locks.WithDetector(rt.det))
	if rt.events {
		return &recSemaphore{recorded: recorded{rt, name}, s: s}
	}
	return s
}

// Chan returns a channel whose blocking operations give control back when
// the run is aborted. A worker blocked on it says so in its Blocked.
func (rt *Runtime) Chan(name string, capacity int) labs.Chan {
	return &channel{rt: rt, name: name, ch: make(chan any, capacity), done: rt.det.Done()}
}

type channel struct {
	rt   *Runtime
	name string
	ch   chan any
	done <-chan struct{}
}

func (c *channel) Send(v any) {
	defer c.rt.current().record("send", c.name, "")
	select {
	case c.ch <- v:
		return
	default:
	}
	w := c.rt.block(&Wait{Op: WaitSend, Targets: []string{c.name}})
	defer unblock(w)
	select {
	case c.ch <- v:
	case <-c.done:
		panic(detector.ErrAborted)
	}
}

func (c *channel) Recv() (any, bool) {
	defer c.rt.current().record("recv", c.name, "")
	select {
	case v, ok := <-c.ch:
		return v, ok
	default:
	}
	w := c.rt.block(&Wait{Op: WaitRecv, Targets: []string{c.name}})
	defer unblock(w)
	select {
	case v, ok := <-c.ch:
		return v, ok
	case <-c.done:
		panic(detector.ErrAborted)
	}
}

func (c *channel) Close() {
	close(c.ch)
	c.rt.current().record("close", c.name, "")
}

// ID returns the worker's number.
func (w *Worker) ID() int { return w.id }

// Name returns the worker's name.
func (w *Worker) Name() string { return w.name }

// Rand returns the worker's random source.
func (w *Worker) Rand() *rand.Rand { return w.rng }

// Progress counts one unit of work.
func (w *Worker) Progress() {
	w.record("progress", "", "")
	w.progress.Add(1)
	w.checkAbort()
}

// Yield pauses for the runtime's yield duration, or yields the processor.
// It panics with detector.ErrAborted once the run is aborted, so a worker
// that never blocks (a livelock) still unwinds.
func (w *Worker) Yield() {
	w.steps.Add(1)
	w.record("yield", "", "")
	w.checkAbort()
	if w.rt.yield > 0 {
		time.Sleep(w.rt.yield)
	} else {
		runtime.Gosched()
	}
}

func (w *Worker) checkAbort() {
	select {
	case <-w.rt.det.Done():
		panic(detector.ErrAborted)
	default:
	}
}

// Count returns the worker's progress so far.
func (w *Worker) Count() int64 { return w.progress.Load() }

// Steps returns how many yield points the worker has passed.
func (w *Worker) Steps() int64 { return w.steps.Load() }

// State returns what the worker is doing.
func (w *Worker) State() State { return State(w.state.Load()) }

// RaceGoroutine returns the number the race detector gives the worker's
// goroutine in its reports (not the Go goroutine id), or 0 when the binary
// was not built with -race.
func (w *Worker) RaceGoroutine() int64 { return w.raceID }

// Goroutine returns the worker's goroutine id, or 0 before it started.
func (w *Worker) Goroutine() int64 { return w.gid.Load() }
