package explore

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/run"
)

// spinLimit is how many yields a worker may pass without progress before
// the scheduler treats it as spinning (retrying, backing off) and makes
// it fair: at each of its scheduling points, until it progresses, every
// other worker enabled at that moment runs once before it runs again.
// Without this, a strategy that keeps choosing a spinning worker would
// starve the worker it waits for, and every try-lock-with-backoff fix
// would look like a livelock; with it, workers that all spin go round
// robin, which is the lockstep a livelock needs.
const spinLimit = 4

// stepCap bounds a schedule's length, progress or not, in units of
// the livelock budget: a schedule that never ends is a livelock too.
const stepCap = 100

// opKind is an operation at a scheduling point.
type opKind uint8

const (
	opStart opKind = iota
	opLock
	opUnlock
	opTryLock
	opRLock
	opRUnlock
	opAcquire
	opRelease
	opSend
	opRecv
	opClose
	opYield
	opRead      // a read of shared state (the scheduling point before it)
	opWrite     // a write of shared state (the point before it)
	opPause     // a plain scheduling point that records no event
	opCondWait  // Cond.Wait, first half: take a ticket
	opCondSleep // Cond.Wait, second half: sleep until woken
	opSignal
	opBroadcast
	opAdd  // WaitGroup.Add
	opWait // WaitGroup.Wait
	opOnce // Once.Do
	opSelect
	opTryRLock
)

var opNames = [...]string{"start", "lock", "unlock", "trylock", "rlock", "runlock", "acquire", "release", "send", "recv", "close", "yield",
	"read", "write", "pause", "wait", "sleep", "signal", "broadcast", "add", "wait", "once", "select", "tryrlock"}

func (op opKind) String() string { return opNames[op] }

// objKind is what a synchronization object is.
type objKind uint8

const (
	kMutex objKind = iota
	kRWMutex
	kSemaphore
	kChan
	kCond
	kWaitGroup
	kOnce
)

// object is a lock, semaphore or channel. Its state belongs to the
// scheduler: workers only describe the operation they are about to do.
type object struct {
	rt      *Runtime
	kind    objKind
	name    string
	owner   *worker   // mutex: the holder; rwmutex: the writer
	holders []*worker // rwmutex: readers; semaphore: holders
	n       int       // semaphore: capacity; channel: buffer capacity; waitgroup: counter
	buf     []any     // channel buffer
	closed  bool
	l       labs.Locker // cond: its lock
	waiters []*worker   // cond: tickets, oldest first
	once    int         // once: onceNew, onceRunning or onceDone
	runner  *worker     // once: the worker running f
}

// The states of a Once.
const (
	onceNew = iota
	onceRunning
	onceDone
)

// worker is one worker goroutine and its scheduling state.
type worker struct {
	rt     *Runtime
	id     int
	name   string
	body   func(labs.Worker)
	rng    *rand.Rand
	resume chan struct{}

	// The operation the worker is about to do.
	op      opKind
	obj     *object
	val     any
	at      detector.Pos
	arrival int          // order of arrival at the scheduling point
	matched bool         // an unbuffered send or receive already paired
	label   string       // opRead, opWrite: the shared state's name
	cases   []selectCase // opSelect: the select's cases
	rsel    int          // opSelect: the case that proceeded
	woken   bool         // opCondSleep: a Signal or Broadcast woke it

	// Results handed to the worker when it resumes.
	rval  any
	rok   bool
	fault string // misuse: the worker panics with it

	holds    []*object
	progress int64
	spin     int    // yields since the last progress
	primary  bool   // started by Play; the schedule ends when every primary worker has returned
	timer    bool   // started by GoTimer: runs only when no other worker can
	tried    []int  // after a failed try: the workers that held the lock
	lastEv   int    // index of its last event in Runtime.events, -1 if none
	doing    string // what it set out to do, in words (labs.Say)

	fairMark int   // step at which it yielded while spinning
	fairWait []int // workers that must run before it runs again
	lastRun  int   // last step at which it was chosen

	exited   bool
	aborted  bool
	panicked bool
	panicVal any
}

// deviation is a scheduling decision that differs from the default: at
// the decision-th decision point (a step at which more than one worker
// could run), run worker.
type deviation struct {
	decision int
	worker   int
}

// Runtime implements labs.Runtime under a controlled scheduler: every
// worker is a goroutine, but only one runs at a time; control changes
// hands only at lock, semaphore and channel operations, Yield and worker
// exit, and which enabled worker runs next is a Strategy's choice. The
// scheduler owns the state of every lock and channel, so a blocked worker
// is just one whose next operation is not enabled. A Runtime runs one
// schedule; it is made by Explore, Replay, RunOnce and NewSession.
type Runtime struct {
	cfg      labs.Config
	trace    bool // record events and source positions
	maxSteps int

	workers []*worker
	cur     *worker      // the running worker; nil while Play sets up
	back    chan *worker // hand-back mode: a worker gives control back
	inst    labs.Instance

	baton    bool          // workers schedule each other (see schedule)
	choose   chooser       // baton mode: picks each step
	done     chan struct{} // baton mode: the schedule has ended
	err      error         // baton mode: choose failed
	buf      []int
	aborting bool
	panicked bool

	step          int
	arrivals      int
	last          int // the worker chosen last, -1 before the first step
	sinceProgress int
	progress      int64
	stepProgress  int64 // progress when the current step began
	switches      int
	preempted     bool // the step being recorded began with a preemption
	decisions     int
	devs          []deviation
	events        []Event

	ended   bool
	outcome run.Outcome
	finds   []detector.Finding
	report  labs.Report
	leaked  []string  // workers started during the schedule and still running when it ended
	objects []*object // every lock, channel, ... made, in order
}

var _ labs.Runtime = (*Runtime)(nil)

// newRuntime starts variant v with cfg: Play runs in the calling
// goroutine, which then schedules the workers.
func newRuntime(v *labs.Variant, cfg labs.Config, maxSteps int, trace bool) (rt *Runtime, err error) {
	rt = &Runtime{cfg: cfg, trace: trace, maxSteps: maxSteps, back: make(chan *worker), last: -1}
	defer func() {
		if r := recover(); r != nil {
			rt.abort()
			rt, err = nil, fmt.Errorf("explore: variant %s: Play panicked: %v", v.Name, r)
		}
	}()
	rt.inst = v.Play(rt, cfg)
	return rt, nil
}

// Go starts a named worker. It runs when the scheduler first chooses it.
func (rt *Runtime) Go(name string, body func(w labs.Worker)) {
	w := &worker{rt: rt, id: len(rt.workers), name: name, body: body, resume: make(chan struct{}), lastRun: -1, lastEv: -1,
		primary: rt.cur == nil}
	w.rng = rand.New(rand.NewPCG(rt.cfg.Seed, uint64(w.id)))
	rt.arrivals++
	w.arrival = rt.arrivals
	rt.workers = append(rt.workers, w)
	go w.main()
}

// GoTimer starts a worker that stands for a timer (time.After,
// time.AfterFunc): it runs only when no other worker can, as time passes
// only when everything waits.
func (rt *Runtime) GoTimer(name string, body func(w labs.Worker)) {
	rt.Go(name, body)
	rt.workers[len(rt.workers)-1].timer = true
}

func (w *worker) main() {
	<-w.resume
	defer func() {
		r := recover()
		switch {
		case r == nil:
		case w.aborted || isAbort(r):
			w.aborted = true
		default:
			w.panicked, w.panicVal = true, r
		}
		w.exited = true
		if rt := w.rt; rt.baton && !rt.aborting {
			rt.afterStep(w)
			rt.schedule(w)
		} else {
			rt.back <- w
		}
	}()
	if w.aborted {
		return
	}
	w.body(w)
}

func isAbort(r any) bool {
	err, ok := r.(error)
	return ok && errors.Is(err, detector.ErrAborted)
}

// point is a scheduling point, called in a worker's goroutine: it
// describes the operation the worker is about to do, hands control back
// to the scheduler, and returns once the scheduler has done the operation
// and chosen this worker again. It returns nil outside a worker (while
// Play sets up), where the caller does the operation itself.
func (rt *Runtime) point(op opKind, o *object, v any) *worker {
	w := rt.cur
	if w == nil {
		return nil
	}
	if w.aborted { // unwinding: deferred unlocks and the like do nothing
		return w
	}
	w.op, w.obj, w.val, w.matched = op, o, v, false
	rt.arrivals++
	w.arrival = rt.arrivals
	if rt.trace {
		w.at = detector.Caller()
	}
	if !rt.baton {
		rt.back <- w
		<-w.resume
	} else if rt.afterStep(w); rt.schedule(w) != goOn {
		<-w.resume
	}
	if w.aborted {
		panic(detector.ErrAborted)
	}
	if f := w.fault; f != "" {
		w.fault = ""
		panic(errors.New("explore: " + f))
	}
	return w
}

// Mutex returns a new mutual-exclusion lock.
func (rt *Runtime) Mutex(name string) labs.Mutex {
	return rt.add(&object{rt: rt, kind: kMutex, name: name})
}

// add records a new object, for sessions to list.
func (rt *Runtime) add(o *object) *object {
	rt.objects = append(rt.objects, o)
	return o
}

// RWMutex returns a new reader/writer lock.
func (rt *Runtime) RWMutex(name string) labs.RWMutex {
	return rt.add(&object{rt: rt, kind: kRWMutex, name: name})
}

// Semaphore returns a new semaphore admitting n holders at once.
func (rt *Runtime) Semaphore(name string, n int) labs.Semaphore {
	return rt.add(&object{rt: rt, kind: kSemaphore, name: name, n: n})
}

// Chan returns a new channel with the given buffer capacity.
func (rt *Runtime) Chan(name string, capacity int) labs.Chan {
	return rt.add(&object{rt: rt, kind: kChan, name: name, n: capacity})
}

func setupOnly(o *object, op string) {
	panic(fmt.Sprintf("explore: %s on %q outside a worker would block or needs an owner; do it in a worker", op, o.name))
}

// Lock implements labs.Mutex.
func (o *object) Lock() {
	if o.rt.point(opLock, o, nil) == nil {
		setupOnly(o, "Lock")
	}
}

// Unlock implements labs.Mutex.
func (o *object) Unlock() {
	if o.rt.point(opUnlock, o, nil) == nil {
		setupOnly(o, "Unlock")
	}
}

// TryLock implements labs.Mutex.
func (o *object) TryLock() bool {
	w := o.rt.point(opTryLock, o, nil)
	if w == nil {
		setupOnly(o, "TryLock")
	}
	return w.rok
}

// RLock implements labs.RWMutex.
func (o *object) RLock() {
	if o.rt.point(opRLock, o, nil) == nil {
		setupOnly(o, "RLock")
	}
}

// TryRLock read-locks the RWMutex if no writer holds it or waits for it,
// and reports whether it did.
func (o *object) TryRLock() bool {
	w := o.rt.point(opTryRLock, o, nil)
	if w == nil {
		setupOnly(o, "TryRLock")
	}
	return w.rok
}

// RUnlock implements labs.RWMutex.
func (o *object) RUnlock() {
	if o.rt.point(opRUnlock, o, nil) == nil {
		setupOnly(o, "RUnlock")
	}
}

// Acquire implements labs.Semaphore.
func (o *object) Acquire() {
	if o.rt.point(opAcquire, o, nil) == nil {
		setupOnly(o, "Acquire")
	}
}

// Release implements labs.Semaphore.
func (o *object) Release() {
	if o.rt.point(opRelease, o, nil) == nil {
		setupOnly(o, "Release")
	}
}

// Send implements labs.Chan. Outside a worker it only fills a buffer.
func (o *object) Send(v any) {
	if o.rt.point(opSend, o, v) != nil {
		return
	}
	if o.closed || len(o.buf) >= o.n {
		setupOnly(o, "Send")
	}
	o.buf = append(o.buf, v)
}

// Recv implements labs.Chan. Outside a worker it only drains a buffer.
func (o *object) Recv() (any, bool) {
	if w := o.rt.point(opRecv, o, nil); w != nil {
		return w.rval, w.rok
	}
	switch {
	case len(o.buf) > 0:
		v := o.buf[0]
		o.buf = o.buf[1:]
		return v, true
	case o.closed:
		return nil, false
	}
	setupOnly(o, "Recv")
	return nil, false
}

// Close implements labs.Chan.
func (o *object) Close() {
	if o.rt.point(opClose, o, nil) != nil {
		return
	}
	if o.closed {
		panic("explore: close of closed channel " + o.name)
	}
	o.closed = true
}

// ID implements labs.Worker.
func (w *worker) ID() int { return w.id }

// Name implements labs.Worker.
func (w *worker) Name() string { return w.name }

// Rand implements labs.Worker.
func (w *worker) Rand() *rand.Rand { return w.rng }

// Yield implements labs.Worker: a scheduling point, nothing more.
func (w *worker) Yield() {
	w.spin++
	w.rt.point(opYield, nil, nil)
}

// Progress implements labs.Worker.
func (w *worker) Progress() {
	w.progress++
	w.spin = 0
	w.rt.progress++
}

// enabled reports whether w's next operation can happen now.
func (rt *Runtime) enabled(w *worker) bool {
	if w.exited {
		return false
	}
	if w.matched {
		return true
	}
	o := w.obj
	switch w.op {
	case opLock:
		return o.owner == nil && len(o.holders) == 0
	case opRLock:
		return o.owner == nil && !(len(o.holders) > 0 && rt.writerWaiting(o))
	case opAcquire:
		return len(o.holders) < o.n
	case opSend:
		return rt.ready(w, selectCase{dir: labs.SelectSend, obj: o})
	case opRecv:
		return rt.ready(w, selectCase{dir: labs.SelectRecv, obj: o})
	case opCondSleep:
		return w.woken
	case opWait:
		return o.n == 0
	case opOnce:
		return o.once != onceRunning
	case opSelect:
		if hasDefault(w) {
			return true
		}
		for _, c := range w.cases {
			if rt.ready(w, c) {
				return true
			}
		}
		return false
	}
	return true
}

// writerWaiting reports whether a worker waits to write-lock o.
func (rt *Runtime) writerWaiting(o *object) bool {
	for _, u := range rt.workers {
		if !u.exited && u.op == opLock && u.obj == o {
			return true
		}
	}
	return false
}

// pending returns the worker other than not that arrived first at a send
// (op opSend) or receive (opRecv) on channel o, alone or as a case of a
// select, and is not yet paired, or nil; i is the select case's index, or
// -1 for a plain send or receive.
func (rt *Runtime) pending(o *object, op opKind, not *worker) (first *worker, i int) {
	dir := labs.SelectRecv
	if op == opSend {
		dir = labs.SelectSend
	}
	i = -1
	for _, u := range rt.workers {
		if u == not || u.exited || u.matched || (first != nil && u.arrival >= first.arrival) {
			continue
		}
		switch {
		case u.op == op && u.obj == o:
			first, i = u, -1
		case u.op == opSelect:
			for j, c := range u.cases {
				if c.dir == dir && c.obj == o {
					first, i = u, j
					break
				}
			}
		}
	}
	return first, i
}

// eligible returns the enabled workers that fairness lets run, in id
// order, appending to buf.
func (rt *Runtime) eligible(buf []int) []int {
	en := buf[:0]
	busy := false // a worker that is not a timer can run
	for _, w := range rt.workers {
		if rt.enabled(w) {
			en = append(en, w.id)
			busy = busy || !w.timer
		}
	}
	if busy {
		// Timers fire only when nothing else can run: time passes when
		// every worker waits, as in testing/synctest, so a timeout is
		// never taken for a worker that could have gone on.
		kept := en[:0]
		for _, id := range en {
			if !rt.workers[id].timer {
				kept = append(kept, id)
			}
		}
		en = kept
	}
	if len(en) < 2 {
		return en
	}
	fair := en[len(en):len(en)]
	for _, id := range en {
		if rt.fairOK(rt.workers[id]) {
			fair = append(fair, id)
		}
	}
	if len(fair) == 0 { // cannot happen; never let fairness cause a deadlock
		return en
	}
	return append(en[:0], fair...)
}

// fairOK reports whether every worker that w, spinning, must let run
// first has run or cannot run.
func (rt *Runtime) fairOK(w *worker) bool {
	for _, id := range w.fairWait {
		u := rt.workers[id]
		if u.lastRun <= w.fairMark && rt.enabled(u) {
			return false
		}
	}
	w.fairWait = w.fairWait[:0]
	return true
}

// defaultChoice is the decision a schedule takes when nothing says
// otherwise: keep running the last worker, else the lowest id.
func (rt *Runtime) defaultChoice(eligible []int) int {
	if rt.last >= 0 && slices.Contains(eligible, rt.last) {
		return rt.last
	}
	return eligible[0]
}

// do runs one step in hand-back mode (sessions): it does w's pending
// operation, then lets w run to its next scheduling point or its end
// while the calling goroutine waits.
func (rt *Runtime) do(w *worker, eligible []int) {
	rt.beforeStep(w, eligible)
	rt.cur = w
	w.resume <- struct{}{}
	<-rt.back
	rt.cur = nil
	rt.afterStep(w)
}

// beforeStep records the decision to run w and does w's pending
// operation.
func (rt *Runtime) beforeStep(w *worker, eligible []int) {
	if len(eligible) > 1 {
		if d := rt.defaultChoice(eligible); w.id != d {
			rt.devs = append(rt.devs, deviation{decision: rt.decisions, worker: w.id})
		}
		rt.decisions++
	}
	if rt.last >= 0 && rt.last != w.id && rt.enabled(rt.workers[rt.last]) {
		rt.switches++
		rt.preempted = true
	}
	rt.last = w.id
	w.lastRun = rt.step
	rt.stepProgress = rt.progress
	rt.apply(w)
}

// afterStep ends the step once w has reached its next scheduling point or
// its end.
func (rt *Runtime) afterStep(w *worker) {
	if w.exited {
		op := "exit"
		if w.panicked {
			op = "panic"
			rt.panicked = true
		}
		rt.event(w, op, "", detector.Pos{})
	} else if len(w.tried) > 0 {
		// A failed try gives the holder priority: the trier may not run
		// again before the holder has run (or while the holder cannot), so
		// a try-lock spin is never mistaken for a livelock.
		w.fairMark = rt.step
		w.fairWait = append(w.fairWait[:0], w.tried...)
		w.tried = w.tried[:0]
	} else if w.spin > spinLimit {
		w.fairMark = rt.step
		w.fairWait = w.fairWait[:0]
		for _, u := range rt.workers {
			if u != w && rt.enabled(u) {
				w.fairWait = append(w.fairWait, u.id)
			}
		}
	}
	if rt.progress != rt.stepProgress {
		rt.sinceProgress = 0
	} else {
		rt.sinceProgress++
	}
	rt.step++
}

// What schedule did.
const (
	handed        = iota // another worker runs now
	goOn                 // the calling worker was chosen again: it goes on
	scheduleEnded        // the schedule has ended
)

// schedule chooses the next step and starts it, in baton mode: the worker
// that just finished its step (self; nil for the very first step) runs
// the scheduler itself, so that a worker chosen again goes on without any
// goroutine switch, and another one is woken directly.
func (rt *Runtime) schedule(self *worker) int {
	el := rt.eligible(rt.buf)
	rt.buf = el
	if rt.checkEnd(el) {
		return rt.signalEnd(self)
	}
	id, err := rt.choose(rt, el, rt.step)
	if err == nil && !slices.Contains(el, id) {
		err = fmt.Errorf("explore: strategy chose worker %d, not one of %v", id, el)
	}
	if err != nil {
		rt.err, rt.ended = err, true
		return rt.signalEnd(self)
	}
	u := rt.workers[id]
	rt.beforeStep(u, el)
	if u == self {
		return goOn
	}
	rt.cur = u
	u.resume <- struct{}{}
	return handed
}

// signalEnd tells the goroutine waiting in runBaton that the schedule
// has ended.
func (rt *Runtime) signalEnd(self *worker) int {
	if self != nil {
		rt.done <- struct{}{}
	}
	return scheduleEnded
}

// runBaton runs the schedule to its end in baton mode, choosing each step
// with choose, and returns once it has ended.
func (rt *Runtime) runBaton(choose chooser) error {
	rt.baton, rt.choose, rt.done = true, choose, make(chan struct{})
	if rt.schedule(nil) == handed {
		<-rt.done
	}
	return rt.err
}

// apply does w's pending operation on the scheduler's state.
func (rt *Runtime) apply(w *worker) {
	o := w.obj
	target := ""
	if o != nil {
		target = o.name
	}
	op := w.op.String()
	if !w.matched {
		w.rval, w.rok = nil, false
	}
	switch w.op {
	case opLock:
		o.owner = w
		w.holds = append(w.holds, o)
	case opUnlock:
		if o.owner == nil {
			w.fault = "unlock of unlocked mutex " + o.name
			break
		}
		o.owner.drop(o)
		o.owner = nil
	case opTryLock:
		if o.owner == nil && len(o.holders) == 0 {
			o.owner, w.rok = w, true
			w.holds = append(w.holds, o)
			op = "trylock ok"
		} else {
			op = "trylock fail"
			w.spin++ // a retry, as a yield is
			w.tried = w.tried[:0]
			for _, u := range o.owners() {
				w.tried = append(w.tried, u.id)
			}
		}
	case opRLock:
		o.holders = append(o.holders, w)
		w.holds = append(w.holds, o)
	case opTryRLock:
		if o.owner == nil && !rt.writerWaiting(o) {
			o.holders, w.rok = append(o.holders, w), true
			w.holds = append(w.holds, o)
			op = "tryrlock ok"
		} else {
			op = "tryrlock fail"
			w.tried = w.tried[:0]
			for _, u := range o.owners() {
				w.tried = append(w.tried, u.id)
			}
		}
	case opRUnlock, opRelease:
		i := slices.Index(o.holders, w)
		if i < 0 && len(o.holders) > 0 {
			i = 0 // a semaphore may be released by another worker
		}
		if i < 0 {
			w.fault = op + " of " + o.name + ", which nobody holds"
			break
		}
		o.holders[i].drop(o)
		o.holders = slices.Delete(o.holders, i, i+1)
	case opAcquire:
		o.holders = append(o.holders, w)
		w.holds = append(w.holds, o)
	case opSend:
		switch {
		case w.matched:
		case o.closed:
			w.fault = "send on closed channel " + o.name
		case o.n > 0:
			o.buf = append(o.buf, w.val)
		default:
			r, ri := rt.pending(o, opRecv, w)
			r.rval, r.rok, r.matched = w.val, true, true
			if ri >= 0 {
				r.rsel = ri
			}
		}
	case opRecv:
		switch {
		case w.matched:
		case len(o.buf) > 0:
			w.rval, w.rok = o.buf[0], true
			o.buf[0] = nil
			o.buf = o.buf[1:]
		case o.closed:
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
	case opClose:
		if o.closed {
			w.fault = "close of closed channel " + o.name
		}
		o.closed = true
	case opRead, opWrite:
		target = w.label
	case opPause:
		w.matched = false
		return
	case opCondWait:
		w.woken = false
		o.waiters = append(o.waiters, w)
	case opCondSleep:
		w.woken = false
	case opSignal:
		if len(o.waiters) > 0 {
			o.waiters[0].woken = true
			o.waiters = slices.Delete(o.waiters, 0, 1)
		}
	case opBroadcast:
		for _, u := range o.waiters {
			u.woken = true
		}
		o.waiters = o.waiters[:0]
	case opAdd:
		o.n += w.val.(int)
		if o.n < 0 {
			w.fault = "negative WaitGroup counter on " + o.name
		}
		if d := w.val.(int); d < 0 {
			op = "done"
		}
	case opOnce:
		w.rok = o.once == onceNew
		if w.rok {
			o.once, o.runner = onceRunning, w
			op = "once run"
		} else {
			op = "once done"
		}
	case opSelect:
		op, target = rt.applySelect(w)
	}
	w.matched = false
	rt.event(w, op, target, w.at)
	if rt.trace && w.op == opWrite && len(rt.events) > 0 {
		rt.events[len(rt.events)-1].Value = formatValue(w.val)
	}
}

// drop removes o from what w holds.
func (w *worker) drop(o *object) {
	if i := slices.Index(w.holds, o); i >= 0 {
		w.holds = slices.Delete(w.holds, i, i+1)
	}
}

func (w *worker) holdNames() []string {
	if len(w.holds) == 0 {
		return nil
	}
	names := make([]string, len(w.holds))
	for i, o := range w.holds {
		names[i] = o.name
	}
	return names
}

func (rt *Runtime) event(w *worker, op, target string, at detector.Pos) {
	if !rt.trace {
		return
	}
	w.lastEv = len(rt.events)
	rt.events = append(rt.events, Event{Step: rt.step, Worker: w.name, Op: op, Target: target, Holds: w.holdNames(), At: at, Preempt: rt.preempted})
	rt.preempted = false
}

// checkEnd decides whether the schedule has ended, given the eligible
// workers, and if so records why.
func (rt *Runtime) checkEnd(eligible []int) bool {
	if rt.ended {
		return true
	}
	if rt.panicked {
		for _, w := range rt.workers {
			if !w.panicked {
				continue
			}
			rt.end(run.Panic, detector.Finding{Kind: detector.Panic, Message: fmt.Sprintf("worker %s panicked: %v", w.name, w.panicVal)})
			return true
		}
	}
	if rt.primaryDone() {
		for _, w := range rt.workers {
			if !w.exited {
				rt.leaked = append(rt.leaked, w.name)
			}
		}
		rt.finish()
		return true
	}
	if len(eligible) > 0 {
		if rt.sinceProgress >= rt.maxSteps || rt.step >= stepCap*rt.maxSteps {
			rt.end(run.Livelock, rt.stateFinding(detector.Livelock,
				fmt.Sprintf("no worker made progress in %d steps, yet they kept running: livelock", rt.maxSteps)))
			return true
		}
		return false
	}
	var blocked []*worker
	for _, w := range rt.workers {
		if !w.exited {
			blocked = append(blocked, w)
		}
	}
	if len(blocked) == 0 {
		rt.finish()
		return true
	}
	for _, w := range blocked {
		rt.event(w, "blocked", w.waitTarget(), w.at)
	}
	if cycle := rt.cycle(blocked); cycle != nil {
		rt.end(run.Deadlock, cycleFinding(cycle))
		return true
	}
	rt.end(run.Stall, rt.stateFinding(detector.Stall,
		fmt.Sprintf("%d workers are blocked and none can go on, but not in a cycle of locks", len(blocked))))
	return true
}

// primaryDone reports whether every worker Play started has returned.
// Workers started during the schedule (by a submission's go statements)
// do not keep a schedule alive, as goroutines do not keep a Go program
// alive once main returns.
func (rt *Runtime) primaryDone() bool {
	for _, w := range rt.workers {
		if w.primary && !w.exited {
			return false
		}
	}
	return true
}

// waitTarget names what a blocked worker waits for.
func (w *worker) waitTarget() string {
	if w.op == opSelect {
		var names []string
		for _, c := range w.cases {
			if c.obj != nil {
				names = append(names, c.obj.name)
			}
		}
		if len(names) == 0 {
			return "select with no ready channel"
		}
		return "select on " + strings.Join(names, ", ")
	}
	if w.obj == nil {
		return ""
	}
	return w.obj.name
}

// finish checks the scenario's invariants once every worker returned.
func (rt *Runtime) finish() {
	rep := rt.inst.Check()
	rt.report = rep
	var fs []detector.Finding
	for _, c := range rep.Invariants {
		if !c.OK {
			fs = append(fs, detector.Finding{Kind: detector.Invariant, Message: fmt.Sprintf("%s: expected %s, got %s", c.Name, c.Expected, c.Actual)})
		}
	}
	if len(fs) > 0 {
		rt.end(run.Violated, fs...)
		return
	}
	rt.end(run.OK)
}

func (rt *Runtime) end(o run.Outcome, fs ...detector.Finding) {
	rt.ended, rt.outcome, rt.finds = true, o, fs
}

// owners returns the workers that hold o, which a worker waiting for o
// waits for.
func (o *object) owners() []*worker {
	var ws []*worker
	if o.owner != nil {
		ws = append(ws, o.owner)
	}
	switch o.kind {
	case kMutex, kRWMutex, kSemaphore:
		ws = append(ws, o.holders...)
	case kOnce:
		if o.runner != nil {
			ws = append(ws, o.runner)
		}
	}
	return ws
}

// cycle returns a cycle of blocked workers, each waiting for a lock the
// next one holds, trying the workers in id order; nil if there is none.
func (rt *Runtime) cycle(blocked []*worker) []*worker {
	isBlocked := func(w *worker) bool { return !w.exited && !rt.enabled(w) }
	for _, start := range blocked {
		path := detector.FindCycle(start, func(w *worker) ([]*worker, bool) {
			if !isBlocked(w) || w.obj == nil || w.op == opSelect {
				return nil, false
			}
			return rt.waitsFor(w), true
		})
		if path != nil {
			return path
		}
	}
	return nil
}

// waitsFor returns the workers a blocked worker waits for: the holders
// of the lock it wants; for a read lock, the writer holding it and the
// writers waiting for it, since a waiting writer keeps new readers out
// (so a reader that read-locks again behind a waiting writer waits for
// that writer, which waits for the reader: a cycle).
func (rt *Runtime) waitsFor(w *worker) []*worker {
	o := w.obj
	if w.op != opRLock {
		return o.owners()
	}
	var ws []*worker
	if o.owner != nil {
		ws = append(ws, o.owner)
	}
	for _, u := range rt.workers {
		if u != w && !u.exited && u.op == opLock && u.obj == o {
			ws = append(ws, u)
		}
	}
	return ws
}

// cycleFinding describes a wait cycle as the wait-for graph does. A
// worker holds what the previous one waits for, unless it only stands in
// the way (a writer waiting for a lock that a reader waits to read-lock
// again).
func cycleFinding(cycle []*worker) detector.Finding {
	steps := make([]detector.Step, len(cycle))
	for i, w := range cycle {
		next := cycle[(i+1)%len(cycle)]
		prev := cycle[(i+len(cycle)-1)%len(cycle)]
		steps[i] = detector.Step{Worker: w.name, Lock: w.obj.name, Owner: next.name, At: w.at}
		if slices.Contains(w.holds, prev.obj) {
			steps[i].Holds = []string{prev.obj.name}
		}
	}
	if len(cycle) == 1 && cycle[0].obj.kind == kOnce {
		return detector.Finding{Kind: detector.DoubleLock,
			Message: fmt.Sprintf("%s calls Do on %s from inside that Do's own function", cycle[0].name, cycle[0].obj.name), Steps: steps}
	}
	if len(cycle) == 1 {
		return detector.Finding{Kind: detector.DoubleLock,
			Message: fmt.Sprintf("%s locks %s, which it already holds", cycle[0].name, cycle[0].obj.name), Steps: steps}
	}
	return detector.Finding{Kind: detector.Deadlock,
		Message: fmt.Sprintf("%d workers wait for each other in a cycle", len(cycle)), Steps: steps}
}

// stateFinding describes every worker's state.
func (rt *Runtime) stateFinding(kind detector.Kind, msg string) detector.Finding {
	f := detector.Finding{Kind: kind, Message: msg}
	for _, w := range rt.workers {
		st := detector.Step{Worker: w.name, Holds: w.holdNames(), State: "running"}
		switch {
		case w.exited:
			st.State = "done"
		case !rt.enabled(w):
			st.State, st.Lock, st.At = "blocked", w.waitTarget(), w.at
			if op, target, why := w.waitWhy(); op != "" {
				st.Op, st.Lock, st.Now = op, target, why
			}
			if w.obj != nil && st.Op == "" {
				if owners := rt.waitsFor(w); len(owners) > 0 {
					st.Owner = owners[0].name
				}
			}
		}
		f.Steps = append(f.Steps, st)
	}
	return f
}

// waitWhy says, for a blocked worker that waits on something other than
// a lock, what it does and on what ("waits to send on", "results") and
// why nothing ends the wait ("nobody receives"), as the native stall
// report does; "" for a lock wait, which names the lock's holder instead.
func (w *worker) waitWhy() (op, target, why string) {
	switch w.op {
	case opSend:
		return "waits to send on", w.obj.name, "nobody receives"
	case opRecv:
		return "waits to receive from", w.obj.name, "nobody sends, and nobody closes it"
	case opSelect:
		var names []string
		for _, c := range w.cases {
			if c.obj != nil {
				names = append(names, c.obj.name)
			}
		}
		if len(names) == 0 {
			return "waits in a select with no channel", "", "it never proceeds"
		}
		return "waits in select on", strings.Join(names, ", "), "no case can proceed"
	case opCondSleep:
		return "in Wait on", w.obj.name, "nobody will Signal"
	case opWait:
		return "in Wait on", w.obj.name, fmt.Sprintf("%d Done calls owed, nobody will make them", w.obj.n)
	}
	return "", "", ""
}

// abort ends every worker goroutine that has not returned: each one
// panics with detector.ErrAborted at its scheduling point and unwinds.
func (rt *Runtime) abort() {
	rt.aborting = true
	for i := 0; i < len(rt.workers); i++ { // unwinding cannot start workers, but be safe
		w := rt.workers[i]
		if w.exited {
			continue
		}
		w.aborted = true
		rt.cur = w
		w.resume <- struct{}{}
		<-rt.back
		rt.cur = nil
	}
}
