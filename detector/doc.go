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
// it waits for and the source line of each blocked Lock. Then the Detector
// aborts, and every blocked lock operation gives control back. Readers of an
// RWMutex are owners too, so a recursive RLock behind a waiting writer is a
// cycle. Go's own "all goroutines are asleep" check is no substitute: it
// never fires once cgo is linked, and never for a partial deadlock.
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
// slot only it touches, known edges are read from a copy-on-write list, and
// the wait-for check runs only when a goroutine is about to block.
package detector
