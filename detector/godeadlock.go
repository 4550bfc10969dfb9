package detector

// This file is the only one in locklab that imports go-deadlock. Everything
// about go-deadlock that is process-global lives here, behind one
// sync.Once.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/petermattis/goid"
	deadlock "github.com/sasha-s/go-deadlock"
)

// GoDeadlockConfig is how ConfigureGoDeadlock sets go-deadlock's
// process-global options.
type GoDeadlockConfig struct {
	// Timeout is go-deadlock's DeadlockTimeout: a Lock that has waited
	// longer is reported as a potential deadlock. Zero keeps go-deadlock's
	// default of 30 s. That default matters: go-deadlock's lock-order check
	// compares pairs of locks, so a circular wait of three or more (five
	// philosophers) is only ever reported through this timeout. A negative
	// Timeout turns the timeout check off.
	Timeout time.Duration
	// Echo, if not nil, receives a copy of everything written to the log,
	// as it is written, so that a process killed before it could report
	// still leaves go-deadlock's words behind (a child's stderr, say).
	Echo io.Writer
}

// ErrGoDeadlockConfigured is returned by ConfigureGoDeadlock when
// go-deadlock was already configured with a different timeout.
var ErrGoDeadlockConfigured = errors.New("detector: go-deadlock is already configured with a different timeout")

// maxGoDeadlockLog bounds the captured log. go-deadlock reports an
// inversion on every Lock that repeats it, so a long buggy run would
// otherwise fill memory with copies of one report.
const maxGoDeadlockLog = 1 << 20

// maxGoDeadlockEdges bounds the record of lock orders, as go-deadlock's
// MaxMapSize (64 Ki pairs) bounds its own.
const maxGoDeadlockEdges = 64 << 10

// godeadlock is the process's one connection to go-deadlock, whose options
// are process-global.
var (
	godeadlockOnce sync.Once
	godeadlock     *GoDeadlock
)

// ConfigureGoDeadlock sets go-deadlock's process-global Opts, once per
// process, and returns the GoDeadlock that collects its reports:
//
//   - OnPotentialDeadlock only records the report (go-deadlock's default
//     calls os.Exit(2); and it is called with go-deadlock's internal lock
//     held, so it must do nothing more);
//   - LogBuf is captured into a bounded buffer, which ParseGoDeadlock reads;
//   - DeadlockTimeout is cfg.Timeout (see GoDeadlockConfig).
//
// The first call wins. A later call returns the same GoDeadlock if its
// cfg.Timeout is the same, and ErrGoDeadlockConfigured otherwise; its Echo
// is ignored. Call it before any go-deadlock lock is used, and never from
// tests running in parallel with go-deadlock locks in use: go-deadlock
// reads its options without synchronization.
func ConfigureGoDeadlock(cfg GoDeadlockConfig) (*GoDeadlock, error) {
	godeadlockOnce.Do(func() {
		g := &GoDeadlock{timeout: cfg.Timeout, echo: cfg.Echo}
		g.reset()
		switch {
		case cfg.Timeout > 0:
			deadlock.Opts.DeadlockTimeout = cfg.Timeout
		case cfg.Timeout < 0:
			deadlock.Opts.DeadlockTimeout = 0
		}
		deadlock.Opts.OnPotentialDeadlock = g.onReport
		deadlock.Opts.LogBuf = gdWriter{g}
		deadlock.Opts.PrintAllCurrentGoroutines = false
		g.effective = deadlock.Opts.DeadlockTimeout
		godeadlock = g
	})
	if godeadlock.timeout != cfg.Timeout {
		return nil, fmt.Errorf("%w (%v, not %v)", ErrGoDeadlockConfigured, godeadlock.timeout, cfg.Timeout)
	}
	return godeadlock, nil
}

// GoDeadlock collects what github.com/sasha-s/go-deadlock reports in this
// process. There is at most one, made by ConfigureGoDeadlock; it is safe
// for concurrent use.
//
// go-deadlock prints goroutines by number, locks by address and stacks
// whose lines are often wrong: it resolves return addresses with
// runtime.FuncForPC, so when the statement after a Lock call is an inlined
// call, the caller's frame is printed as that inlined function. The locks
// made by NewMutex and NewRWMutex therefore keep their own record (which
// goroutine acquires or holds which lock, from which line, and the first
// place each pair of locks was taken in order), and each report is
// followed in the log by annotation lines that name what it names and give
// the exact lines. Annotations start with "locklab: ", so that
// ParseGoDeadlock needs nothing but the log.
type GoDeadlock struct {
	timeout   time.Duration // as configured
	effective time.Duration // go-deadlock's DeadlockTimeout; 0 is off
	echo      io.Writer

	mu      sync.Mutex // protects log, notes and dropped, and orders writes to echo
	log     []byte
	notes   int // bytes of annotations in log
	dropped int // bytes not kept

	reports    atomic.Int64
	first      atomic.Int64 // UnixNano of the first report since Reset
	goroutines sync.Map     // goroutine id (int64) -> *gdGoroutine

	emu   sync.Mutex // protects edges
	edges map[[2]string]gdEdge
}

// gdGoroutine is what one goroutine is doing with the locks of a
// GoDeadlock. Only that goroutine changes it (but for a lock released by
// another goroutine), and only it removes it from GoDeadlock.goroutines,
// once it holds and wants nothing; reports read it.
type gdGoroutine struct {
	gid       int64
	mu        sync.Mutex // protects the fields below
	acquiring string     // address of the lock being acquired, or ""
	acqAt     gdPCs      // where
	trying    bool       // with TryLock or TryRLock, which never wait
	noted     bool       // the acquisition was already annotated
	held      []gdHeld
}

type gdHeld struct {
	addr string
	at   gdPCs
}

// gdEdge is the first time a lock was acquired while another was held.
type gdEdge struct {
	gid int64
	at  gdPCs
	try bool
}

// gdPCs is a short call stack, resolved to a position only for reports.
type gdPCs struct {
	pc [8]uintptr
	n  int
}

func callersHere() gdPCs {
	var c gdPCs
	c.n = runtime.Callers(3, c.pc[:])
	return c
}

// pos returns the innermost frame outside the lab's lock machinery and
// go-deadlock, with an absolute file name.
func (c gdPCs) pos() *Pos {
	if c.n == 0 {
		return nil
	}
	frames := runtime.CallersFrames(c.pc[:c.n])
	for {
		fr, more := frames.Next()
		if fr.Function != "" && !internalFrame(fr.Function) && !strings.HasPrefix(fr.Function, "github.com/sasha-s/go-deadlock.") &&
			!strings.HasPrefix(fr.Function, "runtime.") {
			return &Pos{File: fr.File, Line: fr.Line, Func: shortFunc(fr.Function)}
		}
		if !more {
			return nil
		}
	}
}

// gdNote is one annotation line, as JSON after "locklab: ".
type gdNote struct {
	Cwd       string `json:"cwd,omitempty"`
	Goroutine int64  `json:"goroutine,omitempty"`
	Lock      string `json:"lock,omitempty"` // an address, named by Name
	Name      string `json:"name,omitempty"` // of Lock, or else of Goroutine
	Acquiring string `json:"acquiring,omitempty"`
	Reporter  bool   `json:"reporter,omitempty"` // Goroutine made the report this note follows
	Try       bool   `json:"try,omitempty"`      // Acquiring or Then with TryLock or TryRLock
	Holds     string `json:"holds,omitempty"`
	First     string `json:"first,omitempty"` // Goroutine acquired Then while holding First
	Then      string `json:"then,omitempty"`
	At        *Pos   `json:"at,omitempty"`
	Dropped   int    `json:"dropped,omitempty"`
}

// Timeout returns go-deadlock's lock-wait timeout in effect: 30 s unless
// configured otherwise, and 0 when the check is off.
func (g *GoDeadlock) Timeout() time.Duration { return g.effective }

// onReport is go-deadlock's OnPotentialDeadlock. go-deadlock calls it with
// its internal lock held (for a timeout report, just after releasing it),
// so it only records: a count, the time, and annotations from the locks'
// own record. A lock-order or recursive-locking report is made by the
// goroutine about to lock, a timeout report by a timer.
func (g *GoDeadlock) onReport() {
	if g.reports.Add(1) == 1 {
		g.first.CompareAndSwap(0, time.Now().UnixNano())
	}
	var notes []gdNote
	if v, ok := g.goroutines.Load(goid.Get()); ok {
		s := v.(*gdGoroutine)
		s.mu.Lock()
		acq, acqAt, try, held := s.acquiring, s.acqAt, s.trying, slices.Clone(s.held)
		s.mu.Unlock()
		if acq != "" {
			notes = append(notes, gdNote{Goroutine: s.gid, Acquiring: acq, Reporter: true, Try: try, At: acqAt.pos()})
			g.emu.Lock()
			for _, h := range held {
				notes = append(notes, gdNote{Goroutine: s.gid, Holds: h.addr, At: h.at.pos()})
				if e, ok := g.edges[[2]string{acq, h.addr}]; ok {
					notes = append(notes, gdNote{Goroutine: e.gid, First: acq, Then: h.addr, Try: e.try, At: e.at.pos()})
				}
			}
			g.emu.Unlock()
			g.annotate(notes...)
			return
		}
	}
	// A timeout: note every waiting goroutine not noted since it began
	// waiting, and what it holds.
	g.goroutines.Range(func(_, v any) bool {
		s := v.(*gdGoroutine)
		s.mu.Lock()
		if s.acquiring != "" && !s.noted {
			s.noted = true
			notes = append(notes, gdNote{Goroutine: s.gid, Acquiring: s.acquiring, At: s.acqAt.pos()})
			for _, h := range s.held {
				notes = append(notes, gdNote{Goroutine: s.gid, Holds: h.addr, At: h.at.pos()})
			}
		}
		s.mu.Unlock()
		return true
	})
	g.annotate(notes...)
}

// Reports returns how many potential deadlocks go-deadlock reported since
// the last Reset. A repeated report counts each time.
func (g *GoDeadlock) Reports() int { return int(g.reports.Load()) }

// FirstReport returns when go-deadlock first reported since the last
// Reset, or the zero Time.
func (g *GoDeadlock) FirstReport() time.Time {
	if ns := g.first.Load(); ns != 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}

// Log returns a copy of the captured log: go-deadlock's reports and the
// annotations. At most 1 MiB of go-deadlock's text and 1 MiB of
// annotations are kept; a last annotation says how much was dropped.
func (g *GoDeadlock) Log() []byte {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := slices.Clone(g.log)
	if g.dropped > 0 {
		out = appendNote(out, gdNote{Dropped: g.dropped})
	}
	return out
}

// Findings parses the log so far (see ParseGoDeadlock).
func (g *GoDeadlock) Findings() []Finding { return ParseGoDeadlock(g.Log()) }

// Reset empties the log and the report count, for a new run in the same
// process. go-deadlock itself forgets nothing: lock orders it has seen stay
// known (its record keeps those locks alive, so a new lock never shares an
// address with one it remembers). Names of locks made before Reset are
// forgotten.
func (g *GoDeadlock) Reset() { g.reset() }

func (g *GoDeadlock) reset() {
	g.mu.Lock()
	g.log, g.notes, g.dropped = g.log[:0], 0, 0
	g.mu.Unlock()
	g.emu.Lock()
	g.edges = map[[2]string]gdEdge{}
	g.emu.Unlock()
	g.reports.Store(0)
	g.first.Store(0)
	if wd, err := os.Getwd(); err == nil {
		g.annotate(gdNote{Cwd: wd})
	}
}

// NameGoroutine records a worker name for goroutine gid, so that findings
// say "philosopher 3" instead of "goroutine 17".
func (g *GoDeadlock) NameGoroutine(gid int64, name string) {
	g.annotate(gdNote{Goroutine: gid, Name: name})
}

func appendNote(b []byte, n gdNote) []byte {
	j, err := json.Marshal(n)
	if err != nil {
		return b
	}
	b = append(b, gdAnnotation...)
	b = append(b, j...)
	return append(b, '\n')
}

// annotate appends annotation lines, one per note.
func (g *GoDeadlock) annotate(notes ...gdNote) {
	var lines []byte
	for _, n := range notes {
		lines = appendNote(lines, n)
	}
	if len(lines) == 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.notes+len(lines) > maxGoDeadlockLog {
		g.dropped += len(lines)
		return
	}
	g.notes += len(lines)
	g.log = append(g.log, lines...)
	if g.echo != nil {
		g.echo.Write(lines) //nolint:errcheck // the echo is a best-effort copy
	}
}

// gdWriter is go-deadlock's LogBuf. go-deadlock writes one line per call,
// with its internal locks held.
type gdWriter struct{ g *GoDeadlock }

func (w gdWriter) Write(p []byte) (int, error) {
	g := w.g
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.log)-g.notes+len(p) > maxGoDeadlockLog {
		g.dropped += len(p)
		return len(p), nil
	}
	g.log = append(g.log, p...)
	if g.echo != nil {
		g.echo.Write(p) //nolint:errcheck // the echo is a best-effort copy
	}
	return len(p), nil
}

// newLock names a new lock at addr.
func (g *GoDeadlock) newLock(addr, name string) {
	g.annotate(gdNote{Lock: addr, Name: name})
}

// enter records that the calling goroutine is about to acquire the lock at
// addr (try: without waiting), from the caller of the lock method, and, as
// go-deadlock does before it locks, the order of addr after each lock the
// goroutine holds.
func (g *GoDeadlock) enter(addr string, try bool) *gdGoroutine {
	gid := goid.Get()
	v, ok := g.goroutines.Load(gid)
	if !ok {
		v, _ = g.goroutines.LoadOrStore(gid, &gdGoroutine{gid: gid})
	}
	s := v.(*gdGoroutine)
	at := callersHere()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.acquiring, s.acqAt, s.trying, s.noted = addr, at, try, false
	if len(s.held) > 0 {
		g.emu.Lock() // after s.mu, as everywhere
		for _, h := range s.held {
			k := [2]string{h.addr, addr}
			if _, seen := g.edges[k]; !seen {
				if len(g.edges) >= maxGoDeadlockEdges {
					clear(g.edges) // as go-deadlock does with its own record
				}
				g.edges[k] = gdEdge{gid: gid, at: at, try: try}
			}
		}
		g.emu.Unlock()
	}
	return s
}

// acquired records that s got the lock it was acquiring (ok) or gave up.
func (g *GoDeadlock) acquired(s *gdGoroutine, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ok {
		s.held = append(s.held, gdHeld{addr: s.acquiring, at: s.acqAt})
	}
	s.acquiring = ""
	if len(s.held) == 0 {
		g.goroutines.Delete(s.gid)
	}
}

// released records that the calling goroutine let go of the lock at addr.
// A lock released by a goroutine other than the one that took it is
// removed from its taker's record.
func (g *GoDeadlock) released(addr string) {
	gid := goid.Get()
	drop := func(s *gdGoroutine) bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		for i := len(s.held) - 1; i >= 0; i-- {
			if s.held[i].addr == addr {
				s.held = slices.Delete(s.held, i, i+1)
				if s.gid == gid && len(s.held) == 0 && s.acquiring == "" {
					g.goroutines.Delete(gid)
				}
				return true
			}
		}
		return false
	}
	if v, ok := g.goroutines.Load(gid); ok && drop(v.(*gdGoroutine)) {
		return
	}
	g.goroutines.Range(func(_, v any) bool { return !drop(v.(*gdGoroutine)) })
}

// NewMutex returns an unlocked go-deadlock Mutex with a name for reports.
func (g *GoDeadlock) NewMutex(name string) *GoDeadlockMutex {
	m := &GoDeadlockMutex{g: g}
	m.addr = fmt.Sprintf("%p", &m.mu)
	g.newLock(m.addr, name)
	return m
}

// NewRWMutex returns an unlocked go-deadlock RWMutex with a name for
// reports.
func (g *GoDeadlock) NewRWMutex(name string) *GoDeadlockRWMutex {
	m := &GoDeadlockRWMutex{g: g}
	m.addr = fmt.Sprintf("%p", &m.mu)
	g.newLock(m.addr, name)
	return m
}

// GoDeadlockMutex is a go-deadlock Mutex that names itself in reports. Its
// zero value is an unlocked, unnamed go-deadlock Mutex; use
// GoDeadlock.NewMutex for a named one. It must not be copied after first
// use. Unlike the lab's own locks, its waits cannot be aborted: a
// deadlocked Lock never returns, so run it where a hang can be killed.
type GoDeadlockMutex struct {
	mu   deadlock.Mutex // first: go-deadlock prints its address
	g    *GoDeadlock
	addr string
}

// Lock locks m.
func (m *GoDeadlockMutex) Lock() {
	if m.g == nil {
		m.mu.Lock()
		return
	}
	s := m.g.enter(m.addr, false)
	m.mu.Lock()
	m.g.acquired(s, true)
}

// TryLock tries to lock m and reports whether it succeeded.
func (m *GoDeadlockMutex) TryLock() bool {
	if m.g == nil {
		return m.mu.TryLock()
	}
	s := m.g.enter(m.addr, true)
	ok := m.mu.TryLock()
	m.g.acquired(s, ok)
	return ok
}

// Unlock unlocks m.
func (m *GoDeadlockMutex) Unlock() {
	if m.g != nil {
		m.g.released(m.addr)
	}
	m.mu.Unlock()
}

// GoDeadlockRWMutex is a go-deadlock RWMutex that names itself in reports.
// Its zero value is an unlocked, unnamed go-deadlock RWMutex; use
// GoDeadlock.NewRWMutex for a named one. It must not be copied after first
// use, and its waits cannot be aborted.
type GoDeadlockRWMutex struct {
	mu   deadlock.RWMutex // first: go-deadlock prints its address
	g    *GoDeadlock
	addr string
}

// Lock locks m for writing.
func (m *GoDeadlockRWMutex) Lock() {
	if m.g == nil {
		m.mu.Lock()
		return
	}
	s := m.g.enter(m.addr, false)
	m.mu.Lock()
	m.g.acquired(s, true)
}

// RLock locks m for reading.
func (m *GoDeadlockRWMutex) RLock() {
	if m.g == nil {
		m.mu.RLock()
		return
	}
	s := m.g.enter(m.addr, false)
	m.mu.RLock()
	m.g.acquired(s, true)
}

// TryLock tries to lock m for writing and reports whether it succeeded.
func (m *GoDeadlockRWMutex) TryLock() bool {
	if m.g == nil {
		return m.mu.TryLock()
	}
	s := m.g.enter(m.addr, true)
	ok := m.mu.TryLock()
	m.g.acquired(s, ok)
	return ok
}

// TryRLock tries to lock m for reading and reports whether it succeeded.
func (m *GoDeadlockRWMutex) TryRLock() bool {
	if m.g == nil {
		return m.mu.TryRLock()
	}
	s := m.g.enter(m.addr, true)
	ok := m.mu.TryRLock()
	m.g.acquired(s, ok)
	return ok
}

// Unlock unlocks m for writing.
func (m *GoDeadlockRWMutex) Unlock() {
	if m.g != nil {
		m.g.released(m.addr)
	}
	m.mu.Unlock()
}

// RUnlock undoes one RLock.
func (m *GoDeadlockRWMutex) RUnlock() {
	if m.g != nil {
		m.g.released(m.addr)
	}
	m.mu.RUnlock()
}

// The parser.

const (
	gdHeader        = "POTENTIAL DEADLOCK:"
	gdAnnotation    = "locklab: "
	gdInversion     = "go-deadlock: inconsistent locking"
	gdRecursive     = "go-deadlock: recursive locking"
	gdTimedOut      = "go-deadlock: lock wait timeout"
	gdSomeGoroutine = "some goroutine"
)

var (
	// path/file.go:41 pkg.Func { code } <<<<<
	gdFrameRE = regexp.MustCompile(`^(\S.*?):(\d+) (\S+)(?: .*)?$`)
	// goroutine 17 lock 0xc000012345, and with "current " before it.
	gdHolderRE = regexp.MustCompile(`^(current )?goroutine (\d+) lock (\S+)$`)
	gdNowRE    = regexp.MustCompile(`^Here is what goroutine (\d+) doing now$`)
	gdWaitedRE = regexp.MustCompile(`^Have been trying to lock it again for more than (.*)$`)
)

// gdFrame is one line of a stack as go-deadlock prints it: the line before
// the one runtime.FuncForPC gives for the return address, which is the
// line of the call only when the next statement is not an inlined call.
type gdFrame struct {
	file string
	line int
	fn   string
}

// gdBlock is one stack in a report, with the label it came under and, when
// go-deadlock printed one, the goroutine and lock address before it.
type gdBlock struct {
	label  string
	gid    int64
	addr   string
	frames []gdFrame
	text   strings.Builder // the stack's lines, to tell equal stacks apart
}

// gdReport is one "POTENTIAL DEADLOCK:" report and the annotations after
// it.
type gdReport struct {
	header string
	blocks []*gdBlock
	waited string   // "1s", from a timeout report
	notes  []gdNote // annotations between this report and the next
}

// reporter returns the note of the goroutine that made the report (a
// lock-order or recursive-locking report), if annotated.
func (r *gdReport) reporter() (gdNote, bool) {
	for _, n := range r.notes {
		if n.Reporter && n.Acquiring != "" {
			return n, true
		}
	}
	return gdNote{}, false
}

// gdNames is what the annotations say, over the whole log.
type gdNames struct {
	cwd     string
	locks   map[string]string    // address -> name
	workers map[int64]string     // goroutine -> name
	acq     map[int64]gdNote     // goroutine -> its latest acquisition
	holds   map[gdHold]Pos       // where a goroutine took a lock it holds
	edges   map[[2]string]gdNote // first, then -> the first time seen
	dropped int
}

// gdHold is a lock (by address) held by a goroutine.
type gdHold struct {
	gid  int64
	addr string
}

func (n *gdNames) note(a gdNote) {
	switch {
	case a.Cwd != "":
		n.cwd = a.Cwd
	case a.Lock != "":
		n.locks[a.Lock] = a.Name
	case a.Acquiring != "":
		n.acq[a.Goroutine] = a
	case a.Holds != "" && a.At != nil:
		n.holds[gdHold{a.Goroutine, a.Holds}] = *a.At
	case a.First != "" && a.Then != "":
		k := [2]string{a.First, a.Then}
		if _, ok := n.edges[k]; !ok {
			n.edges[k] = a
		}
	case a.Goroutine != 0 && a.Name != "":
		n.workers[a.Goroutine] = a.Name
	case a.Dropped > 0:
		n.dropped += a.Dropped
	}
}

func (n *gdNames) lock(addr string) string {
	if name, ok := n.locks[addr]; ok {
		return name
	}
	if addr == "" {
		return "another lock" // go-deadlock does not print the lock being acquired
	}
	return "lock " + addr
}

func (n *gdNames) worker(gid int64) string {
	if name, ok := n.workers[gid]; ok {
		return name
	}
	if gid <= 0 {
		return gdSomeGoroutine
	}
	return "goroutine " + strconv.FormatInt(gid, 10)
}

// at returns an annotated position in its short form, or the zero Pos.
func (n *gdNames) at(p *Pos) Pos {
	if p == nil || p.File == "" {
		return Pos{}
	}
	return Pos{File: trimPath(p.File), Line: p.Line, Func: p.Func}
}

// pos returns the position of the first frame of a go-deadlock stack
// outside go-deadlock, its wrappers in this package, the lab's native
// runtime and the Go runtime: the line a student wrote, as far as
// go-deadlock's stacks tell.
func (n *gdNames) pos(frames []gdFrame) Pos {
	for _, f := range frames {
		if gdInternal(f) {
			continue
		}
		file := f.file
		if !filepath.IsAbs(file) && !strings.HasPrefix(file, "~") && n.cwd != "" {
			file = filepath.Join(n.cwd, file)
		}
		return Pos{File: trimPath(file), Line: f.line, Func: f.fn}
	}
	return Pos{}
}

func gdInternal(f gdFrame) bool {
	if strings.Contains(f.file, "sasha-s/go-deadlock") {
		return true
	}
	for _, p := range []string{"go-deadlock.", "deadlock.", "detector.(*GoDeadlock", "native.", "runtime.", "atomic.", "sync.", "testing."} {
		if strings.HasPrefix(f.fn, p) {
			return true
		}
	}
	return false
}

// ParseGoDeadlock turns go-deadlock's log into findings of kind
// PotentialDeadlock. It reads go-deadlock's text alone, and uses the
// annotations a GoDeadlock adds, when present, for worker and lock names
// and exact lines:
//
//   - "Inconsistent locking" (one goroutine took A then B, another takes B
//     then A): one finding with two steps, one per order. Without
//     annotations the worker of the first order is "some goroutine":
//     go-deadlock does not record it.
//   - "Recursive locking": a goroutine locks a lock it holds.
//   - "Have been trying to lock it again for more than T": all such reports
//     together make one finding with a step per waiting goroutine, ordered
//     along a cycle of waits when they form one (each waits for a lock the
//     next one holds). That is how a circular wait of three or more shows
//     up at all: go-deadlock's lock-order check compares pairs of locks.
//
// An inversion or a recursive lock in which one of the acquisitions was a
// TryLock or TryRLock cannot deadlock, since a try never waits, but
// go-deadlock checks tries too: when the annotations say so, the finding's
// Gated tells why it is no problem. Repeated reports of the same inversion
// (same lines) make one finding. ParseGoDeadlock never panics; text it
// does not recognize is skipped.
func ParseGoDeadlock(log []byte) []Finding {
	reports, names := splitGoDeadlock(string(log))
	var (
		out      []Finding
		seen     = map[string]int{} // finding key -> index in out
		repeats  = map[int]int{}    // index in out -> further reports
		waits    []gdWait
		waitSeen = map[string]bool{}
	)
	add := func(key string, f Finding) {
		if i, ok := seen[key]; ok {
			repeats[i]++
			return
		}
		seen[key] = len(out)
		out = append(out, f)
	}
	for _, r := range reports {
		switch {
		case strings.Contains(r.header, "Inconsistent locking"):
			f := inversionFinding(r, &names)
			add("inv\x00"+f.Steps[0].At.String()+"\x00"+f.Steps[1].At.String(), f)
		case strings.Contains(r.header, "Recursive locking"):
			f := recursiveFinding(r, &names)
			add("rec\x00"+f.Steps[0].At.String(), f)
		case r.waited != "":
			for _, w := range timeoutWaits(r, &names) {
				key := fmt.Sprint(w.gid, w.addr, w.step.At)
				if !waitSeen[key] {
					waitSeen[key] = true
					waits = append(waits, w)
				}
			}
		default:
			msg := strings.TrimSpace(strings.TrimPrefix(r.header, gdHeader))
			if msg == "" {
				msg = "unrecognized report"
			}
			add("other\x00"+msg, Finding{Kind: PotentialDeadlock, Message: "go-deadlock: " + msg})
		}
	}
	for i, n := range repeats {
		out[i].Message += fmt.Sprintf(" (reported %d times)", n+1)
	}
	if len(waits) > 0 {
		out = append(out, timeoutFinding(waits))
	}
	if names.dropped > 0 && len(out) > 0 {
		out[len(out)-1].Message += fmt.Sprintf(" (%d bytes of go-deadlock's log were dropped)", names.dropped)
	}
	return out
}

// splitGoDeadlock splits the log into reports and collects the annotations.
func splitGoDeadlock(log string) ([]*gdReport, gdNames) {
	names := gdNames{
		locks:   map[string]string{},
		workers: map[int64]string{},
		acq:     map[int64]gdNote{},
		holds:   map[gdHold]Pos{},
		edges:   map[[2]string]gdNote{},
	}
	var reports []*gdReport
	var cur *gdReport
	var lines []string // of cur, annotations removed
	flush := func() {
		if cur != nil {
			parseReportBody(cur, lines)
			reports = append(reports, cur)
		}
	}
	for line := range strings.SplitSeq(log, "\n") {
		line = strings.TrimRight(line, "\r")
		if a, ok := strings.CutPrefix(line, gdAnnotation); ok {
			var n gdNote
			if json.Unmarshal([]byte(a), &n) != nil {
				continue
			}
			names.note(n)
			if cur != nil {
				cur.notes = append(cur.notes, n)
			}
			continue
		}
		if strings.HasPrefix(line, gdHeader) {
			flush()
			cur, lines = &gdReport{header: line}, nil
			continue
		}
		if cur != nil {
			lines = append(lines, line)
		}
	}
	flush()
	return reports, names
}

// parseReportBody reads the stacks of one report and the labels they come
// under.
func parseReportBody(r *gdReport, lines []string) {
	label := "" // the section the next stack belongs to
	var blk *gdBlock
	end := func() {
		if blk != nil {
			r.blocks = append(r.blocks, blk)
			blk = nil
		}
	}
	skipping := false // inside a goroutine dump ("Here is what ... doing now")
	for _, line := range lines {
		if skipping {
			if line != "" && line != "Other goroutines holding locks:" && !strings.HasPrefix(line, "Here is what goroutine ") {
				continue
			}
			skipping = false
		}
		switch {
		case line == "":
			end()
		case line == "happened before":
			end()
			label = "before"
		case line == "happened after":
			end()
			if label == "another-before" {
				label = "another-after"
			} else {
				label = "after"
			}
		case line == "in another goroutine: happened before":
			end()
			label = "another-before"
		case line == "Previous place where the lock was grabbed (same goroutine)":
			end()
			label = "previous-same"
		case line == "Previous place where the lock was grabbed":
			end()
			label = "holder"
		case line == "Other goroutines holding locks:":
			end()
			label = "other"
		case line == "All current goroutines:":
			end()
			return
		case strings.HasPrefix(line, "Have been trying") && gdWaitedRE.MatchString(line):
			end()
			label = "waiter"
			r.waited = strings.TrimSpace(gdWaitedRE.FindStringSubmatch(line)[1])
		case strings.HasPrefix(line, "Here is what goroutine ") && gdNowRE.MatchString(line):
			end()
			skipping = true
		case (strings.HasPrefix(line, "goroutine ") || strings.HasPrefix(line, "current goroutine ")) && gdHolderRE.MatchString(line):
			end()
			m := gdHolderRE.FindStringSubmatch(line)
			gid, _ := strconv.ParseInt(m[2], 10, 64)
			l := label
			if m[1] != "" {
				l = "current"
			}
			blk = &gdBlock{label: l, gid: gid, addr: m[3]}
		case strings.Contains(line, ":"):
			m := gdFrameRE.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			n, err := strconv.Atoi(m[2])
			if err != nil {
				continue
			}
			if blk == nil {
				blk = &gdBlock{label: label}
			}
			blk.frames = append(blk.frames, gdFrame{file: m[1], line: n, fn: m[3]})
			blk.text.WriteString(line)
			blk.text.WriteByte('\n')
		}
	}
	end()
}

// block returns the first block with the label, or an empty one.
func (r *gdReport) block(label string) *gdBlock {
	for _, b := range r.blocks {
		if b.label == label {
			return b
		}
	}
	return &gdBlock{}
}

func (r *gdReport) blocksLabeled(label string) []*gdBlock {
	var out []*gdBlock
	for _, b := range r.blocks {
		if b.label == label {
			out = append(out, b)
		}
	}
	return out
}

// inversionFinding: earlier, a goroutine held P (grabbed at "before") while
// acquiring B ("after"); now a goroutine holding B (grabbed at
// "another-before") acquires P ("another-after").
func inversionFinding(r *gdReport, n *gdNames) Finding {
	held, mine := r.block("another-before"), r.block("another-after")
	var (
		gid    int64
		p, b   string
		first  gdNote
		firstW = gdSomeGoroutine
		try    bool
	)
	firstAt := n.pos(r.block("after").frames)
	mineAt := n.pos(mine.frames)
	if rep, ok := r.reporter(); ok {
		gid, p, mineAt, try = rep.Goroutine, rep.Acquiring, n.at(rep.At), rep.Try
		// B is a lock the reporter holds, taken after P in another order.
		for _, h := range r.notes {
			if h.Goroutine != gid || h.Holds == "" {
				continue
			}
			if e, ok := n.edges[[2]string{p, h.Holds}]; ok {
				b, first = h.Holds, e
				break
			}
		}
	}
	if b == "" {
		// go-deadlock lists the lock the goroutine holds, with the stack
		// it printed as "in another goroutine: happened before".
		var same []*gdBlock
		for _, o := range r.blocksLabeled("other") {
			if gid == 0 || o.gid == gid {
				same = append(same, o)
			}
		}
		for _, o := range same {
			if o.text.String() == held.text.String() {
				b, gid = o.addr, o.gid
				break
			}
		}
		if b == "" && len(same) == 1 && gid != 0 {
			b = same[0].addr
		}
	}
	if first.At != nil {
		firstAt, firstW = n.at(first.At), n.worker(first.Goroutine)
	}
	pName, bName, who := n.lock(p), n.lock(b), n.worker(gid)
	f := Finding{
		Kind: PotentialDeadlock,
		Message: fmt.Sprintf("lock order inversion: %s took %s before %s, and %s takes %s before %s (%s)",
			firstW, pName, bName, who, bName, pName, gdInversion),
		Steps: []Step{
			{Worker: firstW, Holds: []string{pName}, Lock: bName, At: firstAt},
			{Worker: who, Holds: []string{bName}, Lock: pName, At: mineAt},
		},
	}
	if try || first.Try {
		f.Gated = gdTryGate
	}
	return f
}

// gdTryGate is why an inversion or a recursive lock seen on a try-lock
// cannot deadlock. go-deadlock checks the order on TryLock as on Lock.
const gdTryGate = "one of the locks was tried (TryLock), and a try never waits, so this cannot deadlock"

func recursiveFinding(r *gdReport, n *gdNames) Finding {
	cur, prev := r.block("current"), r.block("previous-same")
	at, prevAt := n.pos(cur.frames), n.pos(prev.frames)
	try := false
	if rep, ok := r.reporter(); ok && rep.Goroutine == cur.gid && rep.Acquiring == cur.addr {
		at, try = n.at(rep.At), rep.Try
	}
	if p, ok := n.holds[gdHold{cur.gid, cur.addr}]; ok {
		prevAt = n.at(&p)
	}
	who, lock := n.worker(cur.gid), n.lock(cur.addr)
	msg := fmt.Sprintf("%s locks %s, which it already holds", who, lock)
	if !prevAt.IsZero() {
		msg += fmt.Sprintf(" (taken at %s)", prevAt)
	}
	f := Finding{
		Kind:    PotentialDeadlock,
		Message: msg + " (" + gdRecursive + ")",
		Steps:   []Step{{Worker: who, Holds: []string{lock}, Lock: lock, Owner: who, At: at}},
	}
	if try {
		f.Gated = gdTryGate
	}
	return f
}

// gdWait is one goroutine that waited longer than the timeout.
type gdWait struct {
	gid    int64
	addr   string
	owners []int64
	waited string
	step   Step
}

func timeoutWaits(r *gdReport, n *gdNames) []gdWait {
	var out []gdWait
	var owners []int64
	var ownerNames []string
	for _, h := range r.blocksLabeled("holder") {
		owners = append(owners, h.gid)
		ownerNames = append(ownerNames, n.worker(h.gid))
	}
	others := map[int64][]string{} // goroutine -> addresses of the locks it holds
	for _, o := range r.blocksLabeled("other") {
		others[o.gid] = append(others[o.gid], o.addr)
	}
	for _, w := range r.blocksLabeled("waiter") {
		var holds []string
		for _, addr := range others[w.gid] {
			if name := n.lock(addr); addr != w.addr && !slices.Contains(holds, name) {
				holds = append(holds, name)
			}
		}
		at := n.pos(w.frames)
		if a, ok := n.acq[w.gid]; ok && a.Acquiring == w.addr {
			at = n.at(a.At)
		}
		out = append(out, gdWait{
			gid: w.gid, addr: w.addr, owners: owners, waited: r.waited,
			step: Step{
				Worker: n.worker(w.gid),
				Holds:  holds,
				Lock:   n.lock(w.addr),
				Owner:  strings.Join(ownerNames, ", "),
				At:     at,
				State:  "blocked",
			},
		})
	}
	return out
}

// timeoutFinding joins the timed-out waits into one finding, ordered along
// a cycle of waits when there is one.
func timeoutFinding(waits []gdWait) Finding {
	cycle := waitCycle(waits)
	var steps []Step
	inCycle := map[int]bool{}
	for _, i := range cycle {
		inCycle[i] = true
		steps = append(steps, waits[i].step)
	}
	for i, w := range waits {
		if !inCycle[i] {
			steps = append(steps, w.step)
		}
	}
	waited := waits[0].waited
	var msg string
	switch {
	case len(cycle) == 1:
		msg = fmt.Sprintf("%s waits for %s, which it holds itself, and has waited more than %s",
			steps[0].Worker, steps[0].Lock, waited)
	case len(cycle) > 1:
		msg = fmt.Sprintf("%d workers wait for each other in a cycle, each for more than %s", len(cycle), waited)
		if extra := len(waits) - len(cycle); extra > 0 {
			msg += fmt.Sprintf("; %d more wait behind them", extra)
		}
	case len(waits) == 1:
		msg = fmt.Sprintf("%s has waited more than %s for %s", steps[0].Worker, waited, steps[0].Lock)
	default:
		msg = fmt.Sprintf("%d lock waits took more than %s", len(waits), waited)
	}
	return Finding{Kind: PotentialDeadlock, Message: msg + " (" + gdTimedOut + ")", Steps: steps}
}

// waitCycle returns the indexes into waits of a cycle of waits (each
// waiter's lock is held by the next), in order, or nil.
func waitCycle(waits []gdWait) []int {
	byGID := map[int64]int{}
	for i, w := range waits {
		if _, ok := byGID[w.gid]; !ok && w.gid > 0 {
			byGID[w.gid] = i
		}
	}
	const (
		white = iota
		grey
		black
	)
	color := make([]int, len(waits))
	var path, found []int
	var visit func(i int) bool
	visit = func(i int) bool {
		color[i] = grey
		path = append(path, i)
		for _, o := range waits[i].owners {
			j, ok := byGID[o]
			if !ok {
				continue
			}
			if color[j] == grey {
				found = slices.Clone(path[slices.Index(path, j):])
				return true
			}
			if color[j] == white && visit(j) {
				return true
			}
		}
		path = path[:len(path)-1]
		color[i] = black
		return false
	}
	for i := range waits {
		if color[i] == white && visit(i) {
			// Start with the goroutine started first, so that the order
			// does not depend on whose timer fired first.
			k := 0
			for j, w := range found {
				if waits[w].gid < waits[found[k]].gid {
					k = j
				}
			}
			return append(found[k:], found[:k]...)
		}
	}
	return nil
}
