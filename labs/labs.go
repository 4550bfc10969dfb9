package labs

import (
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/locklab/locklab/detector"
)

// Kind says whether a variant is wrong on purpose, a lock-based fix, or a
// cooperative alternative that needs no locks.
type Kind string

// The kinds of variant.
const (
	Buggy       Kind = "buggy"
	Fixed       Kind = "fixed"
	Cooperative Kind = "cooperative"
)

// BugClass names the kind of bug a buggy variant shows.
type BugClass string

// The bug classes the catalog shows.
const (
	DataRace           BugClass = "data race"
	LostUpdate         BugClass = "lost update"
	CircularWait       BugClass = "circular wait"
	AtomicityViolation BugClass = "atomicity violation"
	Livelock           BugClass = "livelock"
	Starvation         BugClass = "starvation"
)

// Detector names one of the checks a run can be put through. Variants
// declare, as data, which detectors are expected to report them.
type Detector string

// The detectors. Explorer belongs to the controlled scheduler.
const (
	WaitFor    Detector = "waitfor"    // actual deadlock: a cycle in the wait-for graph
	LockOrder  Detector = "lockorder"  // potential deadlock: a cycle in the lock-order graph
	GoDeadlock Detector = "godeadlock" // github.com/sasha-s/go-deadlock, in a child process
	Race       Detector = "race"       // the Go race detector, in a child process
	Invariant  Detector = "invariant"  // the scenario's own checks (money conserved, ...)
	Watchdog   Detector = "watchdog"   // no progress within the stall limit: livelock or hang
	Explorer   Detector = "explorer"   // the controlled scheduler; native runs do not check it
)

// Detectors lists every detector in a stable order.
func Detectors() []Detector {
	return []Detector{WaitFor, LockOrder, GoDeadlock, Race, Invariant, Watchdog, Explorer}
}

// Variant is one way of writing a scenario: buggy on purpose, fixed, or
// cooperative. A Variant is plain data plus Play; it is safe to copy.
type Variant struct {
	Name    string   // short, lower-case, hyphenated: "left-then-right"
	Kind    Kind     // buggy, fixed or cooperative
	Bug     BugClass // the bug a buggy variant shows; empty otherwise
	Summary string   // one line for `locklab list`
	// Lesson explains why the variant fails or why the fix works; for a
	// deadlock fix, which Coffman condition it breaks.
	Lesson string
	// Fix names the variant a student should run next (buggy variants).
	Fix string
	// Caught lists the detectors that must report a buggy variant with the
	// scenario's default configuration on the native runtime; Explorer
	// means under the controlled scheduler instead.
	Caught []Detector
	// Warned lists detectors that report a fixed variant anyway; Lesson
	// explains why the warning is a false alarm. Usually empty.
	Warned []Detector
	// File is the variant's source file, relative to the module root.
	File string
	// Controlled marks a variant that only makes sense under the
	// controlled scheduler (package labs/explore), which runs one worker at
	// a time and switches only at lock operations and yield points, as a
	// cooperative event loop does. Such a variant shares memory without
	// locks, so on the native runtime it would be a data race: run.Run
	// refuses it, and `locklab run` runs it with explore.RunOnce instead.
	Controlled bool
	// Play starts the variant's workers on rt and returns the instance whose
	// Check is called once every worker has returned.
	Play func(rt Runtime, cfg Config) Instance
}

// Expects reports whether d is declared to report the variant, either as a
// catch (Caught) or as an explained warning (Warned).
func (v *Variant) Expects(d Detector) bool {
	return slices.Contains(v.Caught, d) || slices.Contains(v.Warned, d)
}

// Scenario is a shared resource and the variants that use it.
type Scenario struct {
	Name     string    // command-line name: "philosophers"
	Title    string    // one line: "Dining philosophers"
	Doc      string    // the package documentation; `locklab explain` prints it
	Workers  string    // what a worker is: "philosopher"
	Ops      string    // what one unit of work is: "meal"
	Defaults Config    // the configuration `locklab run` uses
	Variants []Variant // curriculum order: buggy first, then fixes
}

// Variant returns the variant with the given name.
func (s *Scenario) Variant(name string) (*Variant, error) {
	for i := range s.Variants {
		if s.Variants[i].Name == name {
			return &s.Variants[i], nil
		}
	}
	return nil, &UnknownError{What: "variant", Name: name, Valid: s.VariantNames()}
}

// VariantNames lists the scenario's variant names in catalog order.
func (s *Scenario) VariantNames() []string {
	names := make([]string, len(s.Variants))
	for i, v := range s.Variants {
		names[i] = v.Name
	}
	return names
}

// FirstBuggy returns the scenario's first buggy variant, the one
// `locklab run SCENARIO --buggy` runs.
func (s *Scenario) FirstBuggy() *Variant {
	for i := range s.Variants {
		if s.Variants[i].Kind == Buggy {
			return &s.Variants[i]
		}
	}
	return nil
}

// Config sizes a run. Zero fields take the scenario's defaults (see
// WithDefaults).
type Config struct {
	Workers int    // philosophers, tellers, incrementers
	Ops     int    // per worker: meals, transfers, increments
	Seed    uint64 // seeds each worker's random source
	// Yield is how long the native runtime pauses at a yield point; a short
	// pause widens the window in which a buggy interleaving happens on a
	// real machine. Zero means the scenario's default; YieldGosched means
	// no pause, only runtime.Gosched.
	Yield time.Duration
}

// YieldGosched is the Config.Yield that asks for runtime.Gosched at yield
// points instead of a pause.
const YieldGosched time.Duration = -1

// Limits on Config, to turn absurd input into an error rather than a hang.
const (
	MaxWorkers = 1000
	MaxOps     = 10_000_000
	MaxYield   = time.Second
)

// WithDefaults returns c with each zero field taken from d.
func (c Config) WithDefaults(d Config) Config {
	if c.Workers == 0 {
		c.Workers = d.Workers
	}
	if c.Ops == 0 {
		c.Ops = d.Ops
	}
	if c.Seed == 0 {
		c.Seed = d.Seed
	}
	if c.Yield == 0 {
		c.Yield = d.Yield
	}
	return c
}

// Validate reports the first field of c out of range.
func (c Config) Validate() error {
	switch {
	case c.Workers < 2 || c.Workers > MaxWorkers:
		return fmt.Errorf("workers must be between 2 and %d, got %d", MaxWorkers, c.Workers)
	case c.Ops < 1 || c.Ops > MaxOps:
		return fmt.Errorf("ops must be between 1 and %d, got %d", MaxOps, c.Ops)
	case (c.Yield < 0 && c.Yield != YieldGosched) || c.Yield > MaxYield:
		return fmt.Errorf("yield must be between 0 and %v, got %v", MaxYield, c.Yield)
	}
	return nil
}

// Runtime is the seam every variant is written against. The native runtime
// runs workers on real goroutines over real (instrumented) locks, where the
// race detector sees real data races; a controlled scheduler can implement
// the same interface, running one worker at a time and switching only at
// lock operations, channel operations and yield points.
//
// Locks and channels are created before the workers start or by a worker;
// every method of the values they return may block, and a blocked call
// gives control back when the run is aborted (the worker unwinds).
type Runtime interface {
	// Go starts a named worker. Workers are numbered from 0 in start order.
	Go(name string, body func(w Worker))
	// Mutex returns a new mutual-exclusion lock with the given name.
	Mutex(name string) Mutex
	// RWMutex returns a new reader/writer lock with the given name.
	RWMutex(name string) RWMutex
	// Semaphore returns a counting semaphore admitting n holders at once.
	Semaphore(name string, n int) Semaphore
	// Chan returns a channel with the given buffer capacity.
	Chan(name string, capacity int) Chan
	// Cond returns a condition variable whose Wait unlocks and relocks l,
	// as sync.NewCond(l) does.
	Cond(name string, l Locker) Cond
	// WaitGroup returns a new WaitGroup with a zero counter.
	WaitGroup(name string) WaitGroup
	// Once returns a new Once.
	Once(name string) Once
	// Select blocks until one of the cases can proceed, does it, and
	// returns its index, as a select statement does; with a SelectDefault
	// case it does not block. For a receive, recv and ok are the value and
	// whether it came from a send (false: the channel is closed). A case
	// with a nil Chan never proceeds. With no case at all it blocks
	// forever.
	Select(cases ...SelectCase) (chosen int, recv any, ok bool)
}

// Say tells the runtime, in words, what worker w sets out to do next
// ("transfer 30 from account 1 to account 0"), for step mode and
// traces. A runtime that shows nothing of it ignores it; it synchronizes
// nothing.
func Say(w Worker, format string, args ...any) {
	if s, ok := w.(interface{ Say(string) }); ok {
		s.Say(fmt.Sprintf(format, args...))
	}
}

// Locker is anything that can be locked and unlocked: a Mutex, an
// RWMutex, or an RWMutex's read side (RLocker).
type Locker interface {
	Lock()
	Unlock()
}

// RLocker returns a Locker whose Lock and Unlock call rw.RLock and
// rw.RUnlock, as sync.RWMutex.RLocker does.
func RLocker(rw RWMutex) Locker { return rlocker{rw} }

type rlocker struct{ rw RWMutex }

func (r rlocker) Lock()   { r.rw.RLock() }
func (r rlocker) Unlock() { r.rw.RUnlock() }

// Cond is a condition variable, as sync.Cond: Wait unlocks its Locker,
// suspends the worker until Signal or Broadcast wakes it, and locks the
// Locker again before returning. The Locker must be held when Wait is
// called. As with sync.Cond, a woken Wait must re-check its condition.
type Cond interface {
	Wait()
	Signal()    // wakes the longest-waiting worker, if any
	Broadcast() // wakes every waiting worker
}

// WaitGroup waits for a collection of tasks to finish, as
// sync.WaitGroup: Add adds delta (possibly negative) to the counter, Done
// subtracts one, and Wait blocks until the counter is zero. A negative
// counter panics.
type WaitGroup interface {
	Add(delta int)
	Done()
	Wait()
}

// Once runs a function once, as sync.Once: the first Do calls f, and every
// other Do returns only after that call has returned. Calling Do from
// inside f deadlocks, as with sync.Once.
type Once interface {
	Do(f func())
}

// SelectDir is the kind of a SelectCase.
type SelectDir uint8

// The kinds of select case.
const (
	SelectRecv    SelectDir = iota // receive from Chan
	SelectSend                     // send Send on Chan
	SelectDefault                  // proceed at once if no other case can
)

// SelectCase is one case of Runtime.Select.
type SelectCase struct {
	Dir  SelectDir
	Chan Chan // nil: the case never proceeds (as a nil channel)
	Send any  // the value a SelectSend case sends
}

// Worker is a worker's handle on the runtime.
type Worker interface {
	ID() int      // 0-based, in start order
	Name() string // as given to Go
	// Yield marks a point where a preemptive scheduler could switch to
	// another worker, such as between the read and the write of a shared
	// variable. It never synchronizes anything.
	Yield()
	// Progress records that the worker completed a unit of work (a meal, a
	// transfer, an increment). The watchdog treats a run in which no worker
	// progresses as stalled.
	Progress()
	// Rand is the worker's own random source, seeded from the run's seed
	// and the worker's ID, so a run's choices are reproducible.
	Rand() *rand.Rand
	// Read records that the worker has just read v from the shared state
	// named target (the counter's "n := count"), and Write that it is
	// about to write v to it ("count = n + 1"), so that traces show the
	// values. They synchronize nothing, so the race detector sees the
	// variant's own accesses as they are, and they are not scheduling
	// points: where another worker may come between a read and a write is
	// still the variant's Yield.
	Read(target string, v any)
	Write(target string, v any)
}

// Mutex is a mutual-exclusion lock; *locks.Mutex implements it.
type Mutex interface {
	Lock()
	Unlock()
	TryLock() bool
}

// RWMutex is a reader/writer lock; *locks.RWMutex implements it.
type RWMutex interface {
	Mutex
	RLock()
	RUnlock()
}

// Semaphore admits a fixed number of holders at once.
type Semaphore interface {
	Acquire()
	Release()
}

// Chan is a channel of values; Recv reports false once the channel is
// closed and drained.
type Chan interface {
	Send(v any)
	Recv() (any, bool)
	Close()
}

// Instance is a started variant. Check is called once every worker has
// returned; it must not start workers.
type Instance interface {
	Check() Report
}

// Report is what a scenario says about a finished run.
type Report struct {
	Invariants []Check  // the scenario's invariants, expected against actual
	Metrics    []Metric // scenario-specific measurements
}

// Check is one invariant: what the scenario expected and what it found.
type Check struct {
	Name     string `json:"name"`
	Expected string `json:"expected"`
	Actual   string `json:"actual"`
	OK       bool   `json:"ok"`
}

// Metric is one named measurement, such as the longest wait for a fork.
type Metric struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// UnknownError reports a name that is not in the catalog, with the valid
// choices and the closest one.
type UnknownError struct {
	What  string   // "scenario" or "variant"
	Name  string   // what was asked for
	Valid []string // what exists
}

func (e *UnknownError) Error() string {
	msg := fmt.Sprintf("unknown %s %q; valid: %s", e.What, e.Name, strings.Join(e.Valid, ", "))
	if s := Closest(e.Name, e.Valid); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg
}

// Closest returns the element of valid nearest to name by edit distance,
// or "" when none is near enough to be a likely typo.
func Closest(name string, valid []string) string {
	best, bestD := "", len(name)/2+2
	for _, v := range valid {
		if strings.HasPrefix(v, name) && name != "" {
			return v
		}
		if d := editDistance(name, v); d < bestD {
			best, bestD = v, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Validate checks a catalog: names present, unique and well-formed, every
// variant complete and its expectations consistent with its kind.
func Validate(scenarios []*Scenario) error {
	var errs []error
	seen := map[string]bool{}
	for _, s := range scenarios {
		if s == nil {
			errs = append(errs, errors.New("nil scenario"))
			continue
		}
		if !validName(s.Name) {
			errs = append(errs, fmt.Errorf("scenario %q: bad name", s.Name))
		}
		if seen[s.Name] {
			errs = append(errs, fmt.Errorf("scenario %q: duplicate", s.Name))
		}
		seen[s.Name] = true
		if s.Title == "" || s.Doc == "" || s.Workers == "" || s.Ops == "" {
			errs = append(errs, fmt.Errorf("scenario %q: missing Title, Doc, Workers or Ops", s.Name))
		}
		if err := s.Defaults.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("scenario %q: defaults: %w", s.Name, err))
		}
		if s.FirstBuggy() == nil {
			errs = append(errs, fmt.Errorf("scenario %q: no buggy variant", s.Name))
		}
		vseen := map[string]bool{}
		for _, v := range s.Variants {
			where := fmt.Sprintf("%s/%s", s.Name, v.Name)
			if !validName(v.Name) || vseen[v.Name] {
				errs = append(errs, fmt.Errorf("%s: bad or duplicate name", where))
			}
			vseen[v.Name] = true
			if v.Summary == "" || v.Lesson == "" || v.File == "" || v.Play == nil {
				errs = append(errs, fmt.Errorf("%s: missing Summary, Lesson, File or Play", where))
			}
			switch v.Kind {
			case Buggy:
				if v.Bug == "" || len(v.Caught) == 0 || v.Fix == "" {
					errs = append(errs, fmt.Errorf("%s: a buggy variant needs Bug, Caught and Fix", where))
				}
				if v.Fix != "" && !slices.Contains(s.VariantNames(), v.Fix) {
					errs = append(errs, fmt.Errorf("%s: Fix %q is not a variant", where, v.Fix))
				}
			case Fixed, Cooperative:
				if v.Bug != "" || len(v.Caught) != 0 {
					errs = append(errs, fmt.Errorf("%s: a %s variant has no Bug and no Caught", where, v.Kind))
				}
			default:
				errs = append(errs, fmt.Errorf("%s: bad kind %q", where, v.Kind))
			}
		}
	}
	return errors.Join(errs...)
}

func validName(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

// PackageDoc returns the text of the package comment in src, the source of
// a scenario's doc.go (embedded with go:embed), without comment markers.
// It panics if src has none: a scenario without its explanation is a
// programming error caught by the first test that loads the catalog.
func PackageDoc(src string) string {
	f, err := parser.ParseFile(token.NewFileSet(), "doc.go", src, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil || f.Doc == nil {
		panic(fmt.Sprintf("labs: doc.go has no package comment: %v", err))
	}
	return f.Doc.Text()
}

// Event is one event of a run or an explored schedule: what a worker did
// (a lock requested or taken, a send, a labelled read or write, a
// yield...), in the order it happened. Native runs and the controlled
// scheduler record the same stream; renderers draw it as lanes, as HTML
// or as a Chrome trace.
type Event struct {
	// Step numbers the schedule's steps under the controlled scheduler
	// (several events can share one); natively it counts the events.
	Step   int    `json:"step"`
	Worker string `json:"worker"`
	// Op is what happened: "start", "exit", "lock", "unlock", "request"
	// (a lock asked for, natively), "trylock ok", "trylock fail",
	// "rlock", "runlock", "acquire", "release", "send", "recv", "close",
	// "yield", "read", "write", "wait", "sleep", "woke", "signal",
	// "broadcast", "add", "done", "once run", "once done", "select send",
	// "select recv", "select default", "progress", "blocked" or
	// "finding".
	Op     string   `json:"op"`
	Target string   `json:"target,omitempty"` // the lock or channel
	Holds  []string `json:"holds,omitempty"`  // what the worker holds after the step
	// Value is the value read or written, for "read" and "write" steps.
	Value string       `json:"value,omitempty"`
	At    detector.Pos `json:"at"`
	// Preempt marks the first event of a step that switched away from a
	// worker that could have gone on: one of the schedule's Switches.
	Preempt bool `json:"preempt,omitempty"`
	// Time is when it happened, from the start of a native run; zero
	// under the controlled scheduler, where only the order counts.
	Time time.Duration `json:"time_ns,omitempty"`
}
