// Package shim is what the grader's instrumented build of a submission
// calls instead of the language's own shared-memory operations, so that
// one binary runs the submission both natively (real goroutines, under
// the race detector) and under the controlled scheduler (package
// labs/explore), which then sees everything the code does.
//
// The grader (package grade/instrument) rewrites a submission's source
// in its scratch copy, keeping every line where it was:
//
//	n := c.N          becomes  n := _llshim.Ptr(&c.N, 3).Get()
//	c.N = n + 1       becomes  _llshim.Ptr(&c.N, 4).Set(n + 1)
//	ch <- v           becomes  _llshim.C(ch, 5).Send(v)
//	go f(x)           becomes  { _llf, _lla0 := f, x; _llshim.Go(func() { _llf(_lla0) }, 6) }
//	import "sync"     becomes  import sync "github.com/locklab/locklab/grade/shim/sync"
//
// and likewise for map elements, receives, close, len and cap of
// channels, range over a channel, select, time.Sleep, time.After,
// time.AfterFunc and runtime.Gosched. Packages sync and sync/atomic are
// replaced by the mirrors grade/shim/sync and grade/shim/sync/atomic,
// which have the same API.
//
// The checks harness (grade/checks/kit) calls Begin at the start of every
// run with the run's labs.Runtime. Natively each operation is the plain
// one (channel operations also give control back when the run is
// aborted, and shared accesses and unlocks yield the processor now and
// then, which widens the windows in which a wrong solution goes wrong);
// under the controlled scheduler each one is a scheduling point, and
// locks, channels, condition variables, WaitGroups and Once values are
// the scheduler's own, looked up by address.
//
// A submission cannot import this package (the grader's import
// allow-list forbids it) and its behaviour does not depend on the mode:
// the types it sees (sync.Mutex, chan T) are the same in both.
package shim
