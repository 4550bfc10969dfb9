package shim

import (
	"fmt"
	"math/rand/v2"
	"path"
	"reflect"
	"runtime"
	"sync/atomic"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/locks"
)

// Explorer is what the shim needs of the controlled scheduler's runtime
// (*explore.Runtime implements it).
type Explorer interface {
	labs.Runtime
	// Current returns the running worker, or nil outside a worker.
	Current() labs.Worker
	// Access is a scheduling point before a read or write of shared state;
	// false outside a worker.
	Access(write bool, target string, v any) bool
	// Value attaches the value a read found to its step.
	Value(v any)
	// Tracing reports whether the schedule records events.
	Tracing() bool
}

// detectorRuntime is what the shim needs of the native runtime.
type detectorRuntime interface {
	Detector() *detector.Detector
}

// state is the mode of the current run. Begin replaces it, before any
// worker starts, and every operation loads it. Loads only acquire what
// Begin's store released, never what another worker did, so the state
// adds no synchronization between workers that the race detector would
// see; and a goroutine a submission leaked from an earlier run may still
// load it without a data race.
type state struct {
	exp     Explorer           // non-nil under the controlled scheduler
	abort   <-chan struct{}    // natively: closed when the run is aborted
	yield   bool               // natively: yield now and then at shared accesses
	objects map[uintptr]object // explored: the scheduler's object for an address
	names   map[uintptr]string // names given with Name
	timers  map[uintptr]bool   // explored: channels of After's timers
}

type object struct {
	keep any // keeps the address alive while it is a key
	obj  any
}

var cur atomic.Pointer[state]

func init() { cur.Store(&state{}) }

// st returns the current run's state.
func st() *state { return cur.Load() }

var (
	resets []func()
	sites  []string
)

// RegisterReset registers a function that puts a package's package-level
// variables back to their initial values; Begin calls it before every
// run, so that each run starts as a fresh program would. The instrumented
// build registers one per submission package.
func RegisterReset(f func()) bool {
	resets = append(resets, f)
	return true
}

// RegisterSites registers the labels of a package's instrumented sites
// ("c.N", "accounts[i].Balance") and returns the index of the first: site
// numbers in the package's calls are offsets from it.
func RegisterSites(labels ...string) int {
	base := len(sites)
	sites = append(sites, labels...)
	return base
}

func siteLabel(site int) string {
	if site >= 0 && site < len(sites) {
		return sites[site]
	}
	return "shared state"
}

// Begin starts a run on rt: natively (rt has a Detector) the locks of the
// mirror packages report to its Detector and blocking operations give
// control back when it aborts; under the controlled scheduler (rt is an
// Explorer) every operation is a scheduling point of rt. It then resets
// the submission's package-level variables. Call it in Play, before any
// worker starts.
func Begin(rt labs.Runtime) {
	s := &state{names: map[uintptr]string{}}
	switch r := rt.(type) {
	case Explorer:
		s.exp = r
		s.objects = map[uintptr]object{}
		s.timers = map[uintptr]bool{}
		locks.SetDefaultDetector(nil)
	case detectorRuntime:
		d := r.Detector()
		s.abort = d.Done()
		s.yield = true
		locks.SetDefaultDetector(d)
	}
	cur.Store(s)
	for _, f := range resets {
		f()
	}
	for _, v := range varNames {
		a := reflect.ValueOf(v.ptr).Elem()
		if a.Kind() == reflect.Chan {
			if !a.IsNil() {
				s.names[a.Pointer()] = v.name
			}
			continue
		}
		s.names[addr(v.ptr)] = v.name
		if n, ok := v.ptr.(interface{ SetName(string) }); ok && s.exp == nil {
			n.SetName(v.name)
		}
	}
}

type varName struct {
	ptr  any
	name string
}

var varNames []varName

// NameVars names package-level variables, given as pointer and name
// pairs, for reports: a lock is named after its variable ("mu"), and so
// is a channel a variable holds at the start of each run. The
// instrumented build registers every package-level variable.
func NameVars(pairs ...any) bool {
	for i := 0; i+1 < len(pairs); i += 2 {
		if name, ok := pairs[i+1].(string); ok {
			varNames = append(varNames, varName{ptr: pairs[i], name: name})
		}
	}
	return true
}

// End ends the run Begin started: operations go back to plain ones.
func End() {
	cur.Store(&state{})
	locks.SetDefaultDetector(nil)
}

// Name gives the object at address p (a lock, a channel, ...) a name for
// reports: the checks harness names the exercise's own locks.
//
// Natively a lock that can be named (the mirrors' locks can) is named at
// once, so that the run's detector reports it so; call Name before the
// workers start.
func Name(p any, name string) {
	if s := st(); s.names != nil {
		s.names[addr(p)] = name
	}
	if n, ok := p.(interface{ SetName(string) }); ok && st().exp == nil {
		n.SetName(name)
	}
}

// addr returns the address a pointer or channel value refers to.
func addr(p any) uintptr {
	return reflect.ValueOf(p).Pointer()
}

// Explored returns the controlled scheduler's object for the value at
// address p (a pointer to a mirror type, or a channel), making it with
// mk on first use in this schedule; nil when not exploring or outside a
// worker. The mirror packages call it.
func Explored(p any, kind string, mk func(rt labs.Runtime, name string) any) any {
	o, _ := explored(p, kind, mk)
	return o
}

// explored is Explored, and reports whether the object is new.
func explored(p any, kind string, mk func(rt labs.Runtime, name string) any) (any, bool) {
	s := st()
	e := s.exp
	if e == nil || e.Current() == nil {
		return nil, false
	}
	a := addr(p)
	if o, ok := s.objects[a]; ok {
		return o.obj, false
	}
	name := s.names[a]
	if name == "" {
		name = kind
		if pos := detector.Caller(); !pos.IsZero() {
			name = fmt.Sprintf("%s at %s:%d", kind, path.Base(pos.File), pos.Line)
		}
	}
	o := mk(e, name)
	s.objects[a] = object{keep: p, obj: o}
	return o, true
}

// Exploring reports whether a worker runs under the controlled scheduler
// now.
func Exploring() bool {
	e := st().exp
	return e != nil && e.Current() != nil
}

// Point is a scheduling point before an access to shared state, under
// the controlled scheduler; natively it yields the processor now and
// then. The mirror packages call it for their non-blocking operations
// (atomics, sync.Map).
func Point(write bool, target string) {
	if e := st().exp; e != nil {
		e.Access(write, target, nil)
		return
	}
	nativeYield()
}

// yieldPoint is a plain scheduling point (Gosched, a sleep) under the
// controlled scheduler.
func yieldPoint() bool {
	if e := st().exp; e != nil {
		if w := e.Current(); w != nil {
			w.Yield()
			return true
		}
	}
	return false
}

// nativeYield yields the processor at one access in four during a native
// run: often enough that a wrong solution's window between a read and the
// write that depends on it is seen by another goroutine, rarely enough to
// keep the runs fast.
//
// The choice comes from the runtime's per-thread random source, which
// synchronizes nothing.
func nativeYield() {
	if st().yield && rand.Uint32()&3 == 0 {
		runtime.Gosched()
	}
}

// AfterLock is called by the mirror locks after a native lock: it yields
// the processor, so that a goroutine holding one lock and about to take
// another lets the others run: a lock-order deadlock then happens in the
// native runs too, not only in schedules the explorer searches.
func AfterLock() {
	if st().yield {
		runtime.Gosched()
	}
}

// AfterUnlock is called by the mirror locks after a native unlock: it
// yields the processor, so that another goroutine can take the lock
// between two critical sections that should have been one.
func AfterUnlock() {
	if st().yield {
		runtime.Gosched()
	}
}

// Abort returns the channel closed when the current native run is
// aborted (nil outside a run: it never closes). Blocking operations of
// the mirror packages select on it.
func Abort() <-chan struct{} { return st().abort }

// Aborted panics with detector.ErrAborted: what a blocked operation does
// when its run is aborted, so that the worker unwinds.
func Aborted() { panic(detector.ErrAborted) }

// Zero sets *p to the zero value of its type (resets use it for
// variables declared without a value).
func Zero[T any](p *T) {
	var z T
	*p = z
}

// Rand returns the running worker's own random source under the
// controlled scheduler, so that random choices (a backoff's length) are
// part of the schedule and replay exactly; nil natively.
func Rand() *rand.Rand {
	if e := st().exp; e != nil {
		if w := e.Current(); w != nil {
			return w.Rand()
		}
	}
	return nil
}
