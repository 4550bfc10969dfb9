// Package detector finds deadlocks, actual and potential, in programs that
// use the instrumented locks of package locks, and describes every problem
// as a [Finding]: plain data with a stable JSON form.
//
// # Actual deadlocks: the wait-for graph
//
// When a goroutine is about to block acquiring a lock, the Detector records
// the wait and follows it: the lock's owner, the lock that owner waits for,
// its owner, and so on. If the path comes back to the waiter, the cycle has
// just closed: it is reported at once, for any length (two bank accounts,
// five philosophers, fifty), with every worker, the lock it holds, the lock
// it waits for, where it took what it holds and the source line of each
// blocked Lock. Then, as OnDeadlock says, the Detector aborts and every
// blocked operation gives control back (AbortRun: a lab run unwinds), or
// only the goroutines of the cycle give up (UnwindCycle: engineers' code
// keeps running), or nothing more happens (KeepBlocked). A blocked call
// that gives up panics with (or returns) an *AbortError, which wraps
// ErrAborted and carries the finding. Readers of an RWMutex are owners
// too, so a recursive RLock behind a waiting writer is a cycle; the
// goroutine running Once.Do's function owns the Once, and goroutines
// started by WaitGroup.Go owe it a Done, so cycles through Once and
// WaitGroup close too. Go's own "all goroutines are asleep" check is no
// substitute: it never fires once cgo is linked, and never for a partial
// deadlock.
//
// # Potential deadlocks: the lock-order graph
//
// As Linux lockdep does, the Detector records "held A while acquiring B"
// edges and reports any cycle, of any length, even in a run that got lucky
// and finished. Each report is a scenario in two columns: the worker and the
// line where each edge was first seen. Findings are conservative: a cycle
// whose edges were all taken inside a common gate (a lock held around all of
// them, or a semaphore admitting fewer holders than the cycle is long)
// cannot close, and is reported with Gated set rather than as a problem.
//
// # Waits, holders and the end of a test
//
// With WithWaitTimeout, the Detector watches waits while there are any: a
// wait for a lock whose owner has exited is reported after a short while
// (ExitedOwner), and a wait longer than the timeout is reported with the
// holder, where it took the lock and what it is doing now, read from its
// current stack: a channel send on some line, a select, WaitGroup.Wait
// (WaitTimeout). That is how a deadlock mixing a lock and a channel is
// explained. A goroutine that waits for a lock whose holder is parked in
// Cond.Wait, or in WaitGroup.Wait for Done calls nobody is known to owe,
// is reported at once (WaitUnderLock); a recursive RLock is reported every
// time (RecursiveRLock). Audit lists what is wrong when a test ends: locks
// held by goroutines that have returned, goroutines still blocked.
//
// Findings are written to stderr in full unless a callback takes them
// (WithOutput, WithOnFinding). Unnamed locks are named after the line that
// made or first locked them, goroutines after their start function and
// creator, as the runtime's traceback names them. NewDefault is the setup
// the process default of package locks and package locktest use.
//
// # Second opinions: the race detector and go-deadlock
//
// [ParseRace] turns the Go race detector's ThreadSanitizer reports into
// [Race] values (the two accesses, their goroutines and positions, where
// the goroutines were created) and findings of kind DataRace. It never
// panics, whatever the input. [ConfigureGoDeadlock] sets up
// github.com/sasha-s/go-deadlock, whose options are process-global, once,
// with a callback that only records; this file is the only one that
// imports it. Both run in child processes (package labs/race and
// run.GoDeadlock), so that deliberately buggy code cannot hang or fail the
// program that checks it.
//
// # Cost
//
// The fast path takes no global lock: a goroutine's held locks live in a
// slot only it touches, known edges are read from a copy-on-write list, an
// acquisition's site is a few return addresses read by following frame
// pointers (see Site), readers of an RWMutex record their holds on cache
// lines of their own, and the wait-for check runs only when a goroutine is
// about to block. Stacks are read, and positions resolved, only to make a
// report.
package detector
