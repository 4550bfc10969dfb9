// Package locks provides instrumented drop-ins for sync.Mutex and
// sync.RWMutex, a Semaphore, and strategies for taking several locks at
// once without deadlocking.
//
// A lock reports to a [detector.Detector]: who holds it, who waits for it,
// and in which order locks are taken. Bind a lock to a Detector with
// [WithDetector], or make a Detector the default for every unbound lock,
// zero values included, with [SetDefaultDetector]; that is how an engineer
// replaces sync.Mutex with locks.Mutex in existing code and gets detection.
// With no Detector, a Mutex is a plain lock whose uncontended path is one
// compare-and-swap.
//
// Waits are abortable. When a Detector finds a deadlock it aborts, and
// every blocked Lock on a lock bound to it panics with
// [detector.ErrAborted] (LockContext returns it instead), so a deadlocked
// program unwinds rather than hangs.
//
// Goroutine identity comes from github.com/petermattis/goid, so locks work
// from any goroutine, not only from workers the lab started.
package locks
