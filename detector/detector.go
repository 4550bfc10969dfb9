package detector

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// Detector observes lock operations. It keeps a wait-for graph, which
// reports an actual deadlock the moment a blocking acquire closes a cycle,
// and a lock-order graph, which reports a potential deadlock (an order
// inversion) even in a run that did not hang. With a wait timeout it also
// watches waits: a wait for a lock whose owner has exited, and a wait
// longer than the timeout, are reported with what the holder is doing now.
//
// A Detector is safe for concurrent use. Its zero value is not usable: call
// New. Instrumented locks (package locks) call its methods; most programs
// only create one and read its findings.
type Detector struct {
	waitFor     bool
	lockOrder   bool
	onDL        OnDeadlock
	waitTimeout time.Duration
	exitDelay   time.Duration
	log         *zap.Logger
	onFinding   func(Finding)
	out         io.Writer
	outSet      bool
	outMu       sync.Mutex // orders writes to out

	done      chan struct{} // closed by Abort
	abortOnce sync.Once
	reason    atomic.Pointer[string]

	lockIDs atomic.Uint64
	foreign atomic.Int64 // holds released by a goroutine other than the holder, ever
	names   sync.Map     // goroutine id (int64) -> worker name (string), from Name
	auto    sync.Map     // goroutine id (int64) -> name read from its stack (string)
	slots   slotTable
	reg     registry

	wmu   sync.Mutex            // protects waits and armed; held while a wait is checked
	waits map[int64]*waitRecord // goroutine -> what it is blocked on
	armed bool                  // a watch of the waits is scheduled

	omu   sync.Mutex              // protects the lock-order graph (new edges only) and seen
	seen  map[string]bool         // findings already reported, by key
	nmu   sync.Mutex              // protects named
	named map[string]int          // locks named after each line, for autoName
	fmu   sync.Mutex              // protects findings
	finds []Finding               // in report order
	first atomic.Pointer[Finding] // the first deadlock, for Aborted callers
}

// OnDeadlock is what a Detector does when it finds an actual deadlock.
type OnDeadlock uint8

// What a Detector can do about an actual deadlock.
const (
	// AbortRun reports the deadlock and aborts the Detector: every
	// blocked operation on its locks, and every later one that would
	// block, gives up with an *AbortError. This is the default of New and
	// what a lab run wants: the whole run unwinds.
	AbortRun OnDeadlock = iota
	// UnwindCycle reports the deadlock and unwinds only the goroutines in
	// the cycle: their blocked operations give up with an *AbortError
	// carrying the finding. Every other lock keeps working. This is what
	// the process default detector of package locks does.
	UnwindCycle
	// KeepBlocked only reports: the goroutines stay blocked.
	KeepBlocked
)

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

// WithAbortOnDeadlock sets whether an actual deadlock aborts the Detector
// (AbortRun, the default) or is only reported (KeepBlocked).
func WithAbortOnDeadlock(on bool) Option {
	return optionFunc(func(d *Detector) {
		d.onDL = KeepBlocked
		if on {
			d.onDL = AbortRun
		}
	})
}

// WithOnDeadlock sets what an actual deadlock does: AbortRun (the
// default), UnwindCycle or KeepBlocked.
func WithOnDeadlock(p OnDeadlock) Option { return optionFunc(func(d *Detector) { d.onDL = p }) }

// WithWaitTimeout watches waits on the Detector's locks: a wait longer
// than limit is reported (a finding of kind WaitTimeout, once per wait,
// with the holder, where it took the lock and what it is doing now), and
// a wait for a lock whose owner has exited is reported once the waiter has
// waited a tenth of limit, at most 200 ms (kind ExitedOwner). The waiter
// keeps waiting either way. Zero, the default of New, turns the watch off;
// lab runs have their own stall watchdog. The process default detector of
// package locks uses DefaultWaitTimeout.
func WithWaitTimeout(limit time.Duration) Option {
	return optionFunc(func(d *Detector) { d.waitTimeout = max(limit, 0) })
}

// WithOnFinding sets a function called with each finding as it is made. It
// is called with internal locks held: it must return quickly and must not
// call back into the Detector or lock instrumented locks. Setting it turns
// off the default output to stderr (see WithOutput).
func WithOnFinding(f func(Finding)) Option {
	return optionFunc(func(d *Detector) { d.onFinding = f })
}

// WithOutput sets where the findings the Detector makes are written in
// full, each once, as they are made; nil writes nothing. By default they
// go to os.Stderr unless WithOnFinding is given, so that no finding is
// ever silent. Findings added with Report are not written: their maker
// reports them.
func WithOutput(w io.Writer) Option {
	return optionFunc(func(d *Detector) { d.out, d.outSet = w, true })
}

// New returns a Detector with the wait-for and lock-order graphs on, that
// aborts on an actual deadlock (AbortRun), with no wait timeout, writing
// its findings to stderr unless WithOnFinding or WithOutput says
// otherwise.
func New(opts ...Option) *Detector {
	d := &Detector{
		waitFor:   true,
		lockOrder: true,
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
	if !d.outSet && d.onFinding == nil {
		d.out = os.Stderr
	}
	d.exitDelay = min(max(d.waitTimeout/10, time.Millisecond), 200*time.Millisecond)
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
// lock bound to it gives up with an *AbortError (wrapping ErrAborted), and
// so does every later one that would block. The first reason is kept.
func (d *Detector) Abort(reason string) {
	d.abortOnce.Do(func() {
		d.reason.Store(&reason)
		d.log.Debug("abort", zap.String("reason", reason))
		close(d.done)
		d.wmu.Lock()
		for _, r := range d.waits {
			r.unwind(nil)
		}
		d.wmu.Unlock()
	})
}

// Reason returns why the Detector was aborted, or "".
func (d *Detector) Reason() string {
	if r := d.reason.Load(); r != nil {
		return *r
	}
	return ""
}

// Err returns the error an operation that gives up because the Detector
// was aborted returns: an *AbortError with the reason and the first
// deadlock, if any. It is nil while the Detector is not aborted.
func (d *Detector) Err() error {
	if !d.Aborted() {
		return nil
	}
	return &AbortError{Reason: d.Reason(), Finding: d.first.Load()}
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
// given id; findings use it instead of the name read from its stack.
func (d *Detector) Name(gid int64, name string) { d.names.Store(gid, name) }

// nameOf returns the goroutine's explicit name, else the name read from
// its stack earlier, else "goroutine N".
func (d *Detector) nameOf(gid int64) string {
	if n, ok := d.names.Load(gid); ok {
		return n.(string)
	}
	if n, ok := d.auto.Load(gid); ok {
		return n.(string)
	}
	return gname(gid)
}

// selfName returns the calling goroutine's name, reading it from its own
// stack the first time (a few microseconds; only new lock-order edges and
// reports ask).
func (d *Detector) selfName(gid int64) string {
	if n, ok := d.names.Load(gid); ok {
		return n.(string)
	}
	if n, ok := d.auto.Load(gid); ok {
		return n.(string)
	}
	if g := self(); g != nil && g.id == gid {
		n := g.label()
		d.auto.Store(gid, n)
		return n
	}
	return gname(gid)
}

// namer names goroutines for one report, taking at most one snapshot of
// every goroutine's stack.
type namer struct {
	d    *Detector
	snap *stacks
}

func (d *Detector) namer() *namer { return &namer{d: d} }

func (n *namer) stacks() *stacks {
	if n.snap == nil {
		n.snap = snapshot()
	}
	return n.snap
}

func (n *namer) name(gid int64) string {
	if v, ok := n.d.names.Load(gid); ok {
		return v.(string)
	}
	if v, ok := n.d.auto.Load(gid); ok {
		return v.(string)
	}
	if g := n.stacks().get(gid); g != nil {
		l := g.label()
		n.d.auto.Store(gid, l)
		return l
	}
	return gname(gid)
}

func (d *Detector) report(f Finding) { d.record(f, true) }

func (d *Detector) record(f Finding, print bool) {
	d.fmu.Lock()
	d.finds = append(d.finds, f)
	d.fmu.Unlock()
	if f.Kind == Deadlock || f.Kind == DoubleLock {
		d.first.CompareAndSwap(nil, &f)
	}
	if d.onFinding != nil {
		d.onFinding(f)
	}
	if print && d.out != nil {
		d.outMu.Lock()
		fmt.Fprintf(d.out, "locklab: %s\n\n", f)
		d.outMu.Unlock()
	}
	d.log.Info("finding", zap.String("kind", string(f.Kind)), zap.String("message", f.Message))
}

// Report adds a finding made outside the Detector (a stall, a broken
// invariant) so that it is listed with the others. It is passed to the
// OnFinding function and the logger, but not written to the output.
func (d *Detector) Report(f Finding) { d.record(f, false) }

// once reports whether key is new, and remembers it.
func (d *Detector) once(key string) bool {
	d.omu.Lock()
	defer d.omu.Unlock()
	if d.seen[key] {
		return false
	}
	d.seen[key] = true
	return true
}

// LockKind says how a lock admits holders.
type LockKind uint8

// The kinds of lock a Detector knows.
const (
	KindMutex     LockKind = iota // one holder
	KindRWMutex                   // one writer or many readers
	KindSemaphore                 // up to a fixed number of holders
	KindOnce                      // held by the goroutine running Once.Do's function
	KindCond                      // no holder: a wait ends when someone signals
	KindWaitGroup                 // a wait ends when every Done owed has been called
)

var kindNouns = [...]string{"mutex", "rwmutex", "semaphore", "once", "cond", "wait group"}

func (k LockKind) String() string {
	if int(k) < len(kindNouns) {
		return kindNouns[k]
	}
	return "lock kind " + strconv.Itoa(int(k))
}

// lockLike reports whether the kind has holders who can forget to release.
func (k LockKind) lockLike() bool { return k <= KindSemaphore }

// Lock is a Detector's view of one lock or other primitive: its name, who
// holds it and which locks have been acquired while holding it. Package
// locks creates one per instrumented primitive.
type Lock struct {
	d         *Detector
	id        uint64
	name      string
	kind      LockKind
	cap       int              // holders admitted at once: 1 for a Mutex or a write lock
	auto      *[maxPCs]uintptr // an unnamed lock's birthplace, named from on demand
	autoNamed atomic.Pointer[string]
	track     bool // the Detector checks anything
	tag       uint64

	owner   atomic.Int64 // exclusive holder's goroutine id; 0 when none
	ownerOf func() int64 // when set, the lock keeps its owner itself
	site    Site         // where the exclusive holder took it

	holds   *holdTable   // shared holders; a WaitGroup's known debtors
	foreign atomic.Int32 // shared holds released by a goroutine other than the holder
	count   func() int   // a WaitGroup's Done calls still owed

	hmu   sync.Mutex     // protects wwait
	wwait map[int64]bool // goroutines waiting to write (RWMutex)
	succ  atomic.Pointer[[]edge]
}

// NewLock registers a lock. An empty name is replaced by the kind and the
// position of the first caller outside the lab's lock machinery, as in
// "mutex at pkg/file.go:42".
func (d *Detector) NewLock(name string, kind LockKind, capacity int) *Lock {
	l := &Lock{d: d, id: d.lockIDs.Add(1), name: name, kind: kind, cap: max(capacity, 1), track: d.waitFor || d.lockOrder}
	if l.name == "" {
		// Named after the line that made it or first used it, when a
		// report first asks: finding that line costs a microsecond.
		l.auto = new([maxPCs]uintptr)
		callers(1, l.auto[:])
	}
	switch kind {
	case KindRWMutex, KindSemaphore, KindWaitGroup:
		l.holds = &holdTable{}
	}
	if kind == KindRWMutex {
		l.wwait = map[int64]bool{}
	}
	d.reg.add(l)
	return l
}

// autoName names an unnamed lock after where it was made or first used,
// "mutex at pkg/file.go:42", adding " (2)", " (3)" for further locks
// named after the same line, in the order they are first named. d.nmu
// must be held.
func (d *Detector) autoName(kind LockKind, at Pos) string {
	name := kind.String()
	if !at.IsZero() {
		name += " at " + at.String()
	}
	if d.named == nil {
		d.named = map[string]int{}
	}
	d.named[name]++
	if n := d.named[name]; n > 1 || name == kind.String() {
		name += " (" + strconv.Itoa(n) + ")"
	}
	return name
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

// NewWaitGroupLock registers a WaitGroup; owed reports how many Done calls
// it still waits for. Goroutines started by the WaitGroup's Go method are
// its known debtors (see Owe); a wait for Done calls from unknown
// goroutines has no one to wait for in the wait-for graph.
func (d *Detector) NewWaitGroupLock(name string, owed func() int) *Lock {
	l := d.NewLock(name, KindWaitGroup, 1)
	l.count = owed
	return l
}

// Name returns the lock's name.
func (l *Lock) Name() string {
	if l.auto == nil {
		return l.name
	}
	if n := l.autoNamed.Load(); n != nil {
		return *n
	}
	at := pcsPos(l.auto[:])
	l.d.nmu.Lock()
	defer l.d.nmu.Unlock()
	if n := l.autoNamed.Load(); n != nil {
		return *n
	}
	n := l.d.autoName(l.kind, at)
	l.autoNamed.Store(&n)
	return n
}

// Kind returns the lock's kind.
func (l *Lock) Kind() LockKind { return l.kind }

// Detector returns the Detector the lock reports to.
func (l *Lock) Detector() *Detector { return l.d }

// Tag returns the word set by SetTag. Package locks keeps in it the
// generation of the default Detector a lock was bound to, so that a lock
// bound to an earlier test's Detector rebinds to the next one.
func (l *Lock) Tag() uint64 { return l.tag }

// SetTag sets the word Tag returns. Call it before the lock is shared.
func (l *Lock) SetTag(t uint64) { l.tag = t }

// Mode is how a goroutine holds or wants a lock.
type Mode uint8

// The modes. A Mutex is always held Exclusive; a Semaphore Shared.
const (
	Exclusive Mode = iota
	Shared
)

// Tracking reports whether the lock's Detector checks anything; when it
// does not, package locks skips the hooks and only uses Done for aborts.
func (l *Lock) Tracking() bool { return l.track }

// exclusive reports whether a hold in mode has a single owner.
func (l *Lock) exclusive(mode Mode) bool {
	return mode == Exclusive && l.kind != KindSemaphore && l.kind != KindWaitGroup
}

// Acquired records that goroutine gid now holds l, and where it took it.
// Before it, the lock-order graph learns "held H while acquiring l" for
// every lock H the goroutine holds, unless try is set: a TryLock cannot
// block, so it adds no edge into l. A goroutine that read-locks an RWMutex
// it already holds for reading is reported (RecursiveRLock), unless the
// second lock is a try.
//
//go:noinline
func (l *Lock) Acquired(gid int64, mode Mode, try bool) {
	pcs := siteHere()
	var s *slot
	if l.d.lockOrder {
		if s = l.d.slots.claim(gid); s != nil {
			s.purge(l.d, gid)
		}
	}
	switch {
	case l.exclusive(mode):
		if l.ownerOf == nil {
			l.owner.Store(gid)
		}
		l.site.store(&pcs)
	case l.holds == nil:
	case s != nil:
		// The goroutine's own record says whether it already holds l,
		// without reading the other readers' entries.
		if !try && l.kind == KindRWMutex && mode == Shared && s.holdsShared(l) {
			l.d.recursiveRead(l, gid, l.holds.siteOf(gid), pcs)
		}
		l.holds.add(gid, &pcs)
	default:
		again, first := l.holds.acquire(gid, &pcs)
		if again && !try && l.kind == KindRWMutex && mode == Shared && l.track {
			l.d.recursiveRead(l, gid, first, pcs)
		}
	}
	if s == nil {
		return // lock order off, or its table full: unrecorded
	}
	if !try {
		l.d.order(s, l, gid)
	}
	s.push(held{lock: l, mode: mode})
}

// Released records that goroutine gid no longer holds l. A shared hold
// released by a goroutine that holds none (sync allows RUnlock from
// another goroutine) releases one hold of the oldest holder instead.
func (l *Lock) Released(gid int64, mode Mode) {
	if l.exclusive(mode) {
		if o := l.Owner(); o != gid && l.d.lockOrder {
			l.d.foreign.Add(1) // the owner's record keeps a stale hold: purge it
		}
		if l.ownerOf == nil {
			l.owner.Store(0)
		}
	} else if l.holds != nil {
		if got := l.holds.release(gid); got != gid && got != 0 {
			l.foreign.Add(1)
			l.d.foreign.Add(1)
		}
	}
	if !l.d.lockOrder {
		return
	}
	if s := l.d.slots.find(gid); s != nil {
		s.remove(l)
		if s.n == 0 {
			l.d.slots.done(s)
		}
	}
}

// Order records the lock-order edges "held H, then wanted l" for every
// lock H that gid holds, without taking l: package locks calls it for
// Once.Do on a Once that has already run and for WaitGroup.Wait, which
// could block in another run.
func (l *Lock) Order(gid int64) {
	if !l.d.lockOrder {
		return
	}
	if s := l.d.slots.find(gid); s != nil {
		s.purge(l.d, gid)
		l.d.order(s, l, gid)
	}
}

// Owe records that goroutine gid owes the WaitGroup l a Done: it was
// started by the WaitGroup's Go method. Until Paid, waits on l wait for
// gid, and the locks gid takes are ordered after l.
func (l *Lock) Owe(gid int64) {
	pcs := siteHere()
	if l.holds != nil {
		l.holds.acquire(gid, &pcs)
	}
	if l.d.lockOrder {
		if s := l.d.slots.claim(gid); s != nil {
			s.push(held{lock: l, mode: Shared})
		}
	}
}

// Paid records that gid has called the Done it owed l.
func (l *Lock) Paid(gid int64) { l.Released(gid, Shared) }

// Owner returns the goroutine holding l exclusively, or 0.
func (l *Lock) Owner() int64 {
	if l.ownerOf != nil {
		return l.ownerOf()
	}
	return l.owner.Load()
}

// siteOf returns where gid took its hold of l, if it holds l.
func (l *Lock) siteOf(gid int64) *Pos {
	var s *Site
	if o := l.Owner(); o == gid && o != 0 {
		s = &l.site
	} else if l.holds != nil {
		s = l.holds.siteOf(gid)
	}
	if s == nil {
		return nil
	}
	if p := s.Pos(); !p.IsZero() {
		return &p
	}
	return nil
}

// holders returns every goroutine holding l, the owner first.
func (l *Lock) holders() []int64 {
	var out []int64
	if o := l.Owner(); o != 0 {
		out = append(out, o)
	}
	if l.holds != nil && l.kind != KindWaitGroup {
		l.holds.each(func(g int64, _ *Site) {
			if !slices.Contains(out, g) {
				out = append(out, g)
			}
		})
	}
	return out
}

// Waiter is one goroutine's wait on a lock, from Block to End.
type Waiter struct{ rec *waitRecord }

// Unwind returns a channel closed when the wait must give up: the Detector
// was aborted, or the goroutine is in a deadlock that the Detector
// unwinds. A nil *Waiter returns nil, a channel that is never closed.
func (b *Waiter) Unwind() <-chan struct{} {
	if b == nil {
		return nil
	}
	return b.rec.abort
}

// Err returns why the wait must give up, once Unwind is closed: an
// *AbortError wrapping ErrAborted.
func (b *Waiter) Err() error {
	if e := b.rec.err; e != nil {
		return e
	}
	if err := b.rec.lock.d.Err(); err != nil {
		return err
	}
	return &AbortError{}
}

// End records that the wait is over. A nil *Waiter does nothing.
func (b *Waiter) End() {
	if b == nil {
		return
	}
	r := b.rec
	l := r.lock
	if r.mode == Exclusive && l.kind == KindRWMutex {
		l.hmu.Lock()
		delete(l.wwait, r.gid)
		l.hmu.Unlock()
	}
	l.d.wmu.Lock()
	if l.d.waits[r.gid] == r {
		delete(l.d.waits, r.gid)
	}
	l.d.wmu.Unlock()
}

// Wait is called by a goroutine about to block acquiring l. It records the
// wait (stall reports list who is blocked on what) and, with the wait-for
// graph on, checks whether the wait closes a cycle; if it does, the
// deadlock is reported and handled as the Detector's OnDeadlock says.
// Call WaitDone when the goroutine stops waiting. Block is the same with a
// handle to select on.
func (l *Lock) Wait(gid int64, mode Mode) { l.block(gid, mode) }

// Block is Wait returning the wait: select on its Unwind channel while
// blocked, and call End when the wait is over.
func (l *Lock) Block(gid int64, mode Mode) *Waiter { return &Waiter{l.block(gid, mode)} }

func (l *Lock) block(gid int64, mode Mode) *waitRecord {
	d := l.d
	rec := &waitRecord{gid: gid, lock: l, mode: mode, since: time.Now(), abort: make(chan struct{})}
	callers(2, rec.pcs[:])
	if mode == Exclusive && l.kind == KindRWMutex {
		l.hmu.Lock()
		l.wwait[gid] = true
		l.hmu.Unlock()
	}
	d.wmu.Lock()
	d.waits[gid] = rec
	if d.Aborted() {
		rec.unwind(nil)
	}
	var cycle []*waitRecord
	if d.waitFor {
		cycle = d.findCycle(gid)
	}
	if d.waitTimeout > 0 && !d.armed && !d.Aborted() {
		d.armed = true
		time.AfterFunc(d.tick(), d.watch)
	}
	d.wmu.Unlock()
	switch {
	case cycle != nil:
		d.deadlocked(cycle)
	case d.waitFor:
		d.underLock(rec)
	}
	if d.lockOrder && l.kind != KindCond {
		// Learn "held H, then wanted l" before blocking, as lockdep does,
		// so that an actual deadlock is also a lock-order cycle: its
		// edges are never acquired, only waited for. This comes after
		// the wait-for check so that an actual deadlock is reported the
		// moment its cycle closes, not after the lock-order search.
		if s := d.slots.find(gid); s != nil {
			s.purge(d, gid)
			d.order(s, l, gid)
		}
	}
	return rec
}

// WaitDone records that goroutine gid no longer waits for l.
func (l *Lock) WaitDone(gid int64, mode Mode) {
	l.d.wmu.Lock()
	r := l.d.waits[gid]
	l.d.wmu.Unlock()
	if r != nil && r.lock == l {
		(&Waiter{r}).End()
	}
}

type waitRecord struct {
	gid   int64
	lock  *Lock
	mode  Mode
	pcs   [maxPCs]uintptr // where it blocked
	since time.Time

	// Guarded by the Detector's wmu:
	abort       chan struct{} // closed when the wait must give up
	err         error         // why, for an unwound deadlock; nil for an abort
	unwound     bool
	exitChecked bool // the watch looked for an exited owner
	timedOut    bool // the watch reported the wait timeout
}

// unwind closes the wait's abort channel, once. wmu must be held.
func (r *waitRecord) unwind(err error) {
	if !r.unwound {
		r.unwound = true
		r.err = err
		close(r.abort)
	}
}

func (r *waitRecord) at() Pos { return pcsPos(r.pcs[:]) }

// blockers returns the goroutines that must act before the wait can end:
// the owner of a Mutex or of a running Once; for a write lock every
// holder; for a read lock the writer and the writers already waiting (a
// waiting writer blocks new readers, as in sync.RWMutex); for a Semaphore
// every holder; for a WaitGroup its known debtors. A Cond has none to
// name. unknown is set when goroutines not listed could end the wait too
// (a Cond's signaller, a WaitGroup's Done callers not started by Go).
func (r *waitRecord) blockers() (out []int64, unknown bool) {
	l := r.lock
	switch l.kind {
	case KindCond:
		return nil, true
	case KindWaitGroup:
		l.holds.each(func(g int64, _ *Site) { out = append(out, g) })
		return out, l.count == nil || l.count() > len(out)
	}
	if o := l.Owner(); o != 0 {
		out = append(out, o)
	}
	if l.kind == KindMutex || l.kind == KindOnce {
		return out, false
	}
	if l.kind == KindSemaphore || r.mode == Exclusive {
		l.holds.each(func(g int64, _ *Site) { out = append(out, g) })
	}
	if l.kind == KindRWMutex && r.mode == Shared {
		l.hmu.Lock()
		for g := range l.wwait {
			if g != r.gid {
				out = append(out, g)
			}
		}
		l.hmu.Unlock()
	}
	return out, false
}

// findCycle looks for a path of waits from gid back to gid. It returns the
// wait records along the cycle, starting with gid's. d.wmu must be held.
func (d *Detector) findCycle(start int64) []*waitRecord {
	gids := FindCycle(start, func(g int64) ([]int64, bool) {
		rec := d.waits[g]
		if rec == nil || rec.unwound {
			return nil, false // running (or unwinding), so not (yet) part of a deadlock
		}
		bs, _ := rec.blockers()
		return bs, true
	})
	if len(gids) == 0 {
		return nil
	}
	recs := make([]*waitRecord, len(gids))
	for i, g := range gids {
		recs[i] = d.waits[g]
	}
	return recs
}

// deadlocked reports a cycle of waits and handles it as OnDeadlock says.
func (d *Detector) deadlocked(cycle []*waitRecord) {
	f := d.deadlockFinding(cycle)
	d.report(f)
	switch d.onDL {
	case AbortRun:
		d.Abort(f.Message)
	case UnwindCycle:
		err := &AbortError{Finding: &f}
		d.wmu.Lock()
		for _, r := range cycle {
			if d.waits[r.gid] == r {
				r.unwind(err)
			}
		}
		d.wmu.Unlock()
	}
}

func (d *Detector) deadlockFinding(cycle []*waitRecord) Finding {
	nm := d.namer()
	steps := make([]Step, len(cycle))
	for i, r := range cycle {
		next := cycle[(i+1)%len(cycle)]
		// What r's goroutine holds that the previous one in the cycle wants.
		prev := cycle[(i+len(cycle)-1)%len(cycle)]
		steps[i] = Step{
			Worker: nm.name(r.gid),
			Lock:   r.lock.Name(),
			Owner:  nm.name(next.gid),
			At:     r.at(),
		}
		if r.lock.kind == KindOnce {
			steps[i].Op = "waits in Do of"
		}
		if len(cycle) > 1 {
			steps[i].Holds = []string{prev.lock.Name()}
			steps[i].Taken = prev.lock.siteOf(r.gid)
		}
	}
	if len(cycle) == 1 {
		r := cycle[0]
		steps[0].Holds = []string{r.lock.Name()}
		steps[0].Taken = r.lock.siteOf(r.gid)
		what := "locks %s, which it already holds"
		if r.lock.kind == KindOnce {
			what = "calls Do on %s from inside its own function"
			steps[0].Op = "calls Do again on"
		}
		msg := steps[0].Worker + " " + fmt.Sprintf(what, r.lock.Name())
		if t := steps[0].Taken; t != nil {
			msg += " (taken at " + t.String() + ")"
		}
		return Finding{Kind: DoubleLock, Message: msg, Steps: steps}
	}
	return Finding{
		Kind:    Deadlock,
		Message: fmt.Sprintf("%d workers wait for each other in a cycle", len(cycle)),
		Steps:   steps,
	}
}

// recursiveRead reports gid read-locking l again while it holds it for
// reading: once per pair of places.
func (d *Detector) recursiveRead(l *Lock, gid int64, first *Site, now [siteDepth]uintptr) {
	var firstPCs [siteDepth]uintptr
	if first != nil {
		firstPCs = first.load()
	}
	key := fmt.Sprintf("rr:%d:%v:%v", l.id, firstPCs, now)
	if !d.once(key) {
		return
	}
	firstAt, againAt := pcsPos(firstPCs[:]), pcsPos(now[:])
	if !firstAt.IsZero() && !againAt.IsZero() && !d.once(fmt.Sprintf("rr:%d:%v:%v", l.id, firstAt, againAt)) {
		return // the same lines by another path
	}
	who := d.selfName(gid)
	d.report(Finding{
		Kind: RecursiveRLock,
		Message: fmt.Sprintf("%s read-locks %s again while holding it for reading: a writer that waits in between "+
			"deadlocks both (sync.RWMutex forbids recursive read locking)", who, l.Name()),
		Steps: []Step{
			{Worker: who, Op: "first RLock of", Lock: l.Name(), At: firstAt},
			{Worker: who, Op: "RLock again of", Holds: []string{l.Name() + " (read)"}, Taken: ptr(firstAt), Lock: l.Name(), At: againAt},
		},
	})
}

func ptr(p Pos) *Pos {
	if p.IsZero() {
		return nil
	}
	return &p
}

// underLock reports a goroutine that waits for a lock whose holder is
// itself waiting on a primitive with no one to wait for (Cond.Wait, or
// WaitGroup.Wait for Done calls from unknown goroutines), whichever of the
// two waits began first.
func (d *Detector) underLock(rec *waitRecord) {
	type pair struct{ waiter, parked *waitRecord }
	var ps []pair
	parks := func(r *waitRecord) bool {
		if r == nil || r.unwound || (r.lock.kind != KindCond && r.lock.kind != KindWaitGroup) {
			return false
		}
		_, unknown := r.blockers()
		return unknown
	}
	d.wmu.Lock()
	if parks(rec) {
		// rec parks: does anyone wait for a lock it holds?
		for _, r := range d.waits {
			if r == rec || r.unwound || !r.lock.kind.lockLike() {
				continue
			}
			if bs, _ := r.blockers(); slices.Contains(bs, rec.gid) {
				ps = append(ps, pair{r, rec})
			}
		}
	} else if rec.lock.kind.lockLike() {
		// rec waits for a lock: is a holder parked?
		bs, _ := rec.blockers()
		for _, b := range bs {
			if r := d.waits[b]; parks(r) {
				ps = append(ps, pair{rec, r})
			}
		}
	}
	d.wmu.Unlock()
	for _, p := range ps {
		d.reportUnderLock(p.waiter, p.parked)
	}
}

func (d *Detector) reportUnderLock(waitRec, parked *waitRecord) {
	l, p := waitRec.lock, parked.lock
	if !d.once(fmt.Sprintf("wul:%d:%d:%d", p.id, l.id, parked.gid)) {
		return
	}
	nm := d.namer()
	holder, waiter := nm.name(parked.gid), nm.name(waitRec.gid)
	op := "waits in Cond.Wait on"
	why := "whoever must signal %s needs %s"
	if p.kind == KindWaitGroup {
		op = "waits in WaitGroup.Wait on"
		why = "a goroutine that owes %s a Done needs %s"
	}
	d.report(Finding{
		Kind: WaitUnderLock,
		Message: fmt.Sprintf("%s %s %s while holding %s, and %s waits for %s: if "+why+", nothing can move",
			holder, op, p.Name(), l.Name(), waiter, l.Name(), p.Name(), l.Name()),
		Steps: []Step{
			{Worker: holder, Op: op, Holds: []string{l.Name()}, Taken: l.siteOf(parked.gid), Lock: p.Name(), At: parked.at(), State: "blocked"},
			{Worker: waiter, Lock: l.Name(), Owner: holder, At: waitRec.at(), State: "blocked"},
		},
	})
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
	type wait struct {
		r      *waitRecord
		owners []int64
	}
	ws := make(map[int64]wait, len(d.waits))
	for g, r := range d.waits {
		owners, _ := r.blockers()
		ws[g] = wait{r, owners}
	}
	d.wmu.Unlock()
	out := make(map[int64]WaitState, len(ws))
	for g, w := range ws {
		var names []string
		for _, o := range w.owners {
			names = append(names, d.nameOf(o))
		}
		out[g] = WaitState{Worker: d.nameOf(g), Lock: w.r.lock.Name(), Owner: strings.Join(names, ", "), At: w.r.at(), Since: w.r.since}
	}
	return out
}

// Caller returns the position of the innermost caller outside the lab's
// lock machinery (packages locks and detector and the lab runtimes), which
// is the line a student wrote.
func Caller() Pos {
	var pcs [16]uintptr
	n := runtime.Callers(2, pcs[:])
	return CallerOf(pcs[:n])
}

// CallerOf is Caller for a stack already taken with runtime.Callers:
// the position of its innermost frame outside the lab's lock machinery.
// A recorder takes the program counters, which is cheap, and resolves
// each distinct stack once.
func CallerOf(pcs []uintptr) Pos {
	if len(pcs) == 0 {
		return Pos{}
	}
	frames := runtime.CallersFrames(pcs)
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
