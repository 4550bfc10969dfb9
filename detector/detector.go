package detector

import (
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// ErrAborted is the error a blocked lock operation returns (or, for
// operations with no error result, panics with) once its Detector has been
// aborted: a deadlock was found, or the run was stopped.
var ErrAborted = errors.New("detector: run aborted")

// Detector observes lock operations. It keeps a wait-for graph, which
// reports an actual deadlock the moment a blocking acquire closes a cycle,
// and a lock-order graph, which reports a potential deadlock (an order
// inversion) even in a run that did not hang.
//
// A Detector is safe for concurrent use. Its zero value is not usable: call
// New. Instrumented locks (package locks) call its methods; most programs
// only create one and read its findings.
type Detector struct {
	waitFor   bool
	lockOrder bool
	abortOnDL bool
	log       *zap.Logger
	onFinding func(Finding)

	done      chan struct{} // closed by Abort
	abortOnce sync.Once
	reason    atomic.Pointer[string]

	lockIDs atomic.Uint64
	names   sync.Map // goroutine id (int64) -> worker name (string)
	slots   slotTable

	wmu   sync.Mutex              // protects waits; held while a wait is checked
	waits map[int64]*waitRecord   // goroutine -> what it is blocked on
	omu   sync.Mutex              // protects the lock-order graph (new edges only)
	seen  map[string]bool         // lock-order cycles already reported, by key
	fmu   sync.Mutex              // protects findings
	finds []Finding               // in report order
	first atomic.Pointer[Finding] // the first deadlock, for Aborted callers
}

// Option configures a Detector.
type Option interface{ apply(*Detector) }

type optionFunc func(*Detector)

func (f optionFunc) apply(d *Detector) { f(d) }

// WithLogger sets the logger; the default is a no-op logger.
func WithLogger(l *zap.Logger) Option {
	return optionFunc(func(d *Detector) { d.log = l })
}

// WithWaitFor turns the wait-for graph (actual deadlocks) on or off.
// It is on by default.
func WithWaitFor(on bool) Option { return optionFunc(func(d *Detector) { d.waitFor = on }) }

// WithLockOrder turns the lock-order graph (potential deadlocks) on or off.
// It is on by default.
func WithLockOrder(on bool) Option { return optionFunc(func(d *Detector) { d.lockOrder = on }) }

// WithAbortOnDeadlock sets whether an actual deadlock aborts the Detector,
// so that every blocked lock operation gives control back. It is on by
// default; with it off, a deadlock is reported and the goroutines stay
// blocked.
func WithAbortOnDeadlock(on bool) Option {
	return optionFunc(func(d *Detector) { d.abortOnDL = on })
}

// WithOnFinding sets a function called with each finding as it is made. It
// is called with internal locks held: it must return quickly and must not
// call back into the Detector or lock instrumented locks.
func WithOnFinding(f func(Finding)) Option {
	return optionFunc(func(d *Detector) { d.onFinding = f })
}

// New returns a Detector with the wait-for and lock-order graphs on.
func New(opts ...Option) *Detector {
	d := &Detector{
		waitFor:   true,
		lockOrder: true,
		abortOnDL: true,
		log:       zap.NewNop(),
		done:      make(chan struct{}),
		waits:     map[int64]*waitRecord{},
		seen:      map[string]bool{},
	}
	for _, o := range opts {
		o.apply(d)
	}
	if d.log == nil {
		d.log = zap.NewNop()
	}
	return d
}

// Done returns a channel closed when the Detector is aborted.
func (d *Detector) Done() <-chan struct{} { return d.done }

// Aborted reports whether the Detector has been aborted.
func (d *Detector) Aborted() bool {
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}

// Abort stops the Detector: every blocked lock operation on an instrumented
// lock bound to it returns ErrAborted (or panics with it), and so does
// every later one that would block. The first reason is kept.
func (d *Detector) Abort(reason string) {
	d.abortOnce.Do(func() {
		d.reason.Store(&reason)
		d.log.Debug("abort", zap.String("reason", reason))
		close(d.done)
	})
}

// Reason returns why the Detector was aborted, or "".
func (d *Detector) Reason() string {
	if r := d.reason.Load(); r != nil {
		return *r
	}
	return ""
}

// Findings returns a copy of the findings so far, in report order.
func (d *Detector) Findings() []Finding {
	d.fmu.Lock()
	defer d.fmu.Unlock()
	return append([]Finding(nil), d.finds...)
}

// Deadlock returns the first actual deadlock found, if any.
func (d *Detector) Deadlock() (Finding, bool) {
	if f := d.first.Load(); f != nil {
		return *f, true
	}
	return Finding{}, false
}

// Name records a human name ("philosopher 3") for the goroutine with the
// given id; findings use it instead of "goroutine N".
func (d *Detector) Name(gid int64, name string) { d.names.Store(gid, name) }

func (d *Detector) nameOf(gid int64) string {
	if n, ok := d.names.Load(gid); ok {
		return n.(string)
	}
	return "goroutine " + strconv.FormatInt(gid, 10)
}

func (d *Detector) report(f Finding) {
	d.fmu.Lock()
	d.finds = append(d.finds, f)
	d.fmu.Unlock()
	if f.Kind == Deadlock || f.Kind == DoubleLock {
		d.first.CompareAndSwap(nil, &f)
	}
	if d.onFinding != nil {
		d.onFinding(f)
	}
	d.log.Info("finding", zap.String("kind", string(f.Kind)), zap.String("message", f.Message))
}

// Report adds a finding made outside the Detector (a stall, a broken
// invariant) so that it is listed with the others.
func (d *Detector) Report(f Finding) { d.report(f) }

// LockKind says how a lock admits holders.
type LockKind uint8

// The kinds of lock a Detector knows.
const (
	KindMutex     LockKind = iota // one holder
	KindRWMutex                   // one writer or many readers
	KindSemaphore                 // up to a fixed number of holders
)

// Lock is a Detector's view of one lock: its name, who holds it and which
// locks have been acquired while holding it. Package locks creates one per
// instrumented lock.
type Lock struct {
	d    *Detector
	id   uint64
	name string
	kind LockKind
	cap  int // holders admitted at once: 1 for a Mutex or a write lock

	owner   atomic.Int64 // exclusive holder's goroutine id; 0 when none
	ownerOf func() int64 // when set, the lock keeps its owner itself

	hmu     sync.Mutex     // protects holders and wwait (RWMutex, Semaphore)
	holders map[int64]int  // shared holders -> hold count
	wwait   map[int64]bool // goroutines waiting to write (RWMutex)
	succ    atomic.Pointer[[]edge]
}

// NewLock registers a lock. An empty name is replaced by "lock#N".
func (d *Detector) NewLock(name string, kind LockKind, capacity int) *Lock {
	l := &Lock{d: d, id: d.lockIDs.Add(1), name: name, kind: kind, cap: max(capacity, 1)}
	if l.name == "" {
		l.name = "lock#" + strconv.FormatUint(l.id, 10)
	}
	if kind != KindMutex {
		l.holders = map[int64]int{}
		l.wwait = map[int64]bool{}
	}
	return l
}

// NewMutexLock registers a mutual-exclusion lock that keeps its exclusive
// owner's goroutine id itself (package locks keeps it in the Mutex's state
// word, set by the same atomic operation that takes the lock) and reports
// it through owner. The Detector then never stores the owner, which saves
// two atomic operations per Lock/Unlock.
func (d *Detector) NewMutexLock(name string, owner func() int64) *Lock {
	l := d.NewLock(name, KindMutex, 1)
	l.ownerOf = owner
	return l
}

// Name returns the lock's name.
func (l *Lock) Name() string { return l.name }

// Detector returns the Detector the lock reports to.
func (l *Lock) Detector() *Detector { return l.d }

// Mode is how a goroutine holds or wants a lock.
type Mode uint8

// The modes. A Mutex is always held Exclusive; a Semaphore Shared.
const (
	Exclusive Mode = iota
	Shared
)

// Tracking reports whether the lock's Detector checks anything; when it
// does not, package locks skips the hooks and only uses Done for aborts.
func (l *Lock) Tracking() bool { return l.d.waitFor || l.d.lockOrder }

// Acquired records that goroutine gid now holds l. Before it, the
// lock-order graph learns "held H while acquiring l" for every lock H the
// goroutine holds, unless try is set: a TryLock cannot block, so it adds no
// edge into l.
func (l *Lock) Acquired(gid int64, mode Mode, try bool) {
	if mode == Exclusive && l.kind != KindSemaphore {
		if l.ownerOf == nil {
			l.owner.Store(gid)
		}
	} else {
		l.hmu.Lock()
		l.holders[gid]++
		l.hmu.Unlock()
	}
	if !l.d.lockOrder {
		return
	}
	s := l.d.slots.claim(gid)
	if s == nil {
		return // table full: this acquisition goes unrecorded
	}
	s.purge(gid)
	if !try {
		l.d.order(s, l, gid)
	}
	s.push(held{lock: l, mode: mode})
}

// Released records that goroutine gid no longer holds l.
func (l *Lock) Released(gid int64, mode Mode) {
	if mode == Exclusive && l.kind != KindSemaphore {
		if l.ownerOf == nil {
			l.owner.Store(0)
		}
	} else {
		l.hmu.Lock()
		if l.holders[gid] <= 1 {
			delete(l.holders, gid)
		} else {
			l.holders[gid]--
		}
		l.hmu.Unlock()
	}
	if !l.d.lockOrder {
		return
	}
	if s := l.d.slots.find(gid); s != nil {
		s.remove(l)
		if s.n == 0 {
			s.gid.Store(0)
		}
	}
}

// Owner returns the goroutine holding l exclusively, or 0.
func (l *Lock) Owner() int64 {
	if l.ownerOf != nil {
		return l.ownerOf()
	}
	return l.owner.Load()
}

// Wait is called by a goroutine about to block acquiring l. It records the
// wait (stall reports list who is blocked on what) and, with the wait-for
// graph on, checks whether the wait closes a cycle; if it does, the
// deadlock is reported and (by default) the Detector aborted. Call
// WaitDone when the goroutine stops waiting. Wait is called only on the
// slow path, so it may capture the caller's position.
func (l *Lock) Wait(gid int64, mode Mode) {
	d := l.d
	rec := &waitRecord{gid: gid, lock: l, mode: mode, at: Caller(), since: time.Now()}
	if mode == Exclusive && l.kind == KindRWMutex {
		l.hmu.Lock()
		l.wwait[gid] = true
		l.hmu.Unlock()
	}
	d.wmu.Lock()
	d.waits[gid] = rec
	var cycle []*waitRecord
	if d.waitFor {
		cycle = d.findCycle(gid)
	}
	d.wmu.Unlock()
	if cycle != nil {
		f := d.deadlockFinding(cycle)
		d.report(f)
		if d.abortOnDL {
			d.Abort(f.Message)
		}
	}
	if d.lockOrder {
		// Learn "held H, then wanted l" before blocking, as lockdep does,
		// so that an actual deadlock is also a lock-order cycle: its
		// edges are never acquired, only waited for. This comes after
		// the wait-for check so that an actual deadlock is reported the
		// moment its cycle closes, not after the lock-order search.
		if s := d.slots.find(gid); s != nil {
			s.purge(gid)
			d.order(s, l, gid)
		}
	}
}

// WaitDone records that goroutine gid no longer waits for l.
func (l *Lock) WaitDone(gid int64, mode Mode) {
	if mode == Exclusive && l.kind == KindRWMutex {
		l.hmu.Lock()
		delete(l.wwait, gid)
		l.hmu.Unlock()
	}
	l.d.wmu.Lock()
	delete(l.d.waits, gid)
	l.d.wmu.Unlock()
}

type waitRecord struct {
	gid   int64
	lock  *Lock
	mode  Mode
	at    Pos
	since time.Time
}

// blockers returns the goroutines that must act before the wait can end:
// the owner of a Mutex; for a write lock every holder; for a read lock the
// writer and the writers already waiting (a waiting writer blocks new
// readers, as in sync.RWMutex); for a Semaphore every holder.
func (r *waitRecord) blockers() []int64 {
	l := r.lock
	var out []int64
	if o := l.Owner(); o != 0 {
		out = append(out, o)
	}
	if l.kind == KindMutex {
		return out
	}
	l.hmu.Lock()
	defer l.hmu.Unlock()
	if l.kind == KindSemaphore || r.mode == Exclusive {
		for g := range l.holders {
			out = append(out, g)
		}
	}
	if l.kind == KindRWMutex && r.mode == Shared {
		for g := range l.wwait {
			if g != r.gid {
				out = append(out, g)
			}
		}
	}
	return out
}

// findCycle looks for a path of waits from gid back to gid. It returns the
// wait records along the cycle, starting with gid's. d.wmu must be held.
func (d *Detector) findCycle(start int64) []*waitRecord {
	gids := FindCycle(start, func(g int64) ([]int64, bool) {
		rec := d.waits[g]
		if rec == nil {
			return nil, false // running, so not (yet) part of a deadlock
		}
		return rec.blockers(), true
	})
	recs := make([]*waitRecord, len(gids))
	for i, g := range gids {
		recs[i] = d.waits[g]
	}
	if len(recs) == 0 {
		return nil
	}
	return recs
}

func (d *Detector) deadlockFinding(cycle []*waitRecord) Finding {
	steps := make([]Step, len(cycle))
	for i, r := range cycle {
		next := cycle[(i+1)%len(cycle)]
		// What r's goroutine holds that the previous one in the cycle wants.
		prev := cycle[(i+len(cycle)-1)%len(cycle)]
		steps[i] = Step{
			Worker: d.nameOf(r.gid),
			Lock:   r.lock.name,
			Owner:  d.nameOf(next.gid),
			At:     r.at,
		}
		if prev.lock != nil && len(cycle) > 1 {
			steps[i].Holds = []string{prev.lock.name}
		}
	}
	if len(cycle) == 1 {
		r := cycle[0]
		steps[0].Holds = []string{r.lock.name}
		return Finding{
			Kind:    DoubleLock,
			Message: fmt.Sprintf("%s locks %s, which it already holds", steps[0].Worker, r.lock.name),
			Steps:   steps,
		}
	}
	return Finding{
		Kind:    Deadlock,
		Message: fmt.Sprintf("%d workers wait for each other in a cycle", len(cycle)),
		Steps:   steps,
	}
}

// WaitState describes what one goroutine is blocked on, for stall reports.
type WaitState struct {
	Worker string
	Lock   string
	Owner  string
	At     Pos
	Since  time.Time
}

// Waiting returns the goroutines currently blocked on instrumented locks,
// keyed by goroutine id. Owners are known only while a graph is on.
func (d *Detector) Waiting() map[int64]WaitState {
	d.wmu.Lock()
	defer d.wmu.Unlock()
	out := make(map[int64]WaitState, len(d.waits))
	for g, r := range d.waits {
		owners := r.blockers()
		var names []string
		for _, o := range owners {
			names = append(names, d.nameOf(o))
		}
		out[g] = WaitState{Worker: d.nameOf(g), Lock: r.lock.name, Owner: strings.Join(names, ", "), At: r.at, Since: r.since}
	}
	return out
}

// Caller returns the position of the innermost caller outside the lab's
// lock machinery (packages locks and detector and the lab runtimes), which
// is the line a student wrote.
func Caller() Pos {
	var pcs [16]uintptr
	n := runtime.Callers(2, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	for {
		fr, more := frames.Next()
		if strings.HasPrefix(fr.Function, "runtime.") {
			return Pos{}
		}
		if !internalFrame(fr.Function) {
			return Pos{File: trimPath(fr.File), Line: fr.Line, Func: shortFunc(fr.Function)}
		}
		if !more {
			return Pos{}
		}
	}
}

const modPath = "github.com/locklab/locklab/"

func internalFrame(fn string) bool {
	for _, p := range []string{modPath + "locks.", modPath + "detector.", modPath + "labs/native.", modPath + "labs/run.", modPath + "labs/explore.",
		modPath + "grade/shim"} { // the grader's instrumentation: grade/shim, grade/shim/sync, ...
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return false
}

func shortFunc(fn string) string {
	if i := strings.LastIndex(fn, "/"); i >= 0 {
		fn = fn[i+1:]
	}
	return fn
}
