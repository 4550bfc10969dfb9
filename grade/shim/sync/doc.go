// Package sync is the grader's mirror of the standard library's package
// sync: the same API (Mutex, RWMutex, Cond, WaitGroup, Once, OnceFunc,
// OnceValue, OnceValues, Map, Pool, Locker), which the instrumented build
// of a submission imports instead of sync.
//
// Natively every type behaves as its sync counterpart, with the same
// happens-before edges, so the race detector sees what it would see; the
// locks are locklab's instrumented ones (package locks), so a run's
// detector sees deadlocks and lock-order inversions, and every blocking
// operation gives control back when the run is aborted. Under the
// controlled scheduler each operation is a scheduling point on an object
// the scheduler owns, found by the value's address (package grade/shim).
//
// The zero value of every type is ready to use, as in sync; values must
// not be copied after first use.
package sync
