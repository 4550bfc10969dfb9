// Package locks provides instrumented drop-ins for sync's blocking
// primitives (Mutex, RWMutex with RLocker, Cond, Once, WaitGroup), a
// Semaphore, and strategies for taking several locks at once without
// deadlocking.
//
// # Drop-ins
//
//	sync.Mutex           locks.Mutex       Lock Unlock TryLock, + LockContext
//	sync.RWMutex         locks.RWMutex     Lock Unlock RLock RUnlock TryLock TryRLock RLocker, + LockContext RLockContext
//	sync.NewCond(l)      locks.NewCond(l)  L Wait Signal Broadcast; l is any sync.Locker
//	sync.Once            locks.Once        Do
//	sync.WaitGroup       locks.WaitGroup   Add Done Wait Go
//
// The rest of sync (Locker, Map, Pool, OnceFunc, OnceValue, OnceValues)
// is re-exported as it is, so that import sync "github.com/locklab/locklab/locks"
// is a drop-in for a whole file. Zero values are ready to use, as sync's are; NewMutex, NewRWMutex,
// NewOnce and NewWaitGroup also take a name for reports and options. Each
// primitive keeps sync's semantics, including the legal uses detectors
// often get wrong: a Mutex unlocked, or an RWMutex read-unlocked, by a
// goroutine other than the one that locked it; a lock handed to another
// goroutine; TryLock in any order. None of them draws a finding.
//
// # Detection with no setup
//
// Every primitive reports to a [detector.Detector]: who holds it and where
// it was taken, who waits for it, and in which order locks are taken. A
// primitive not bound to one with [WithDetector] reports to the default
// Detector (see [DefaultDetector]): the one set with [SetDefaultDetector],
// or else a process default made on first use with detector.NewDefault.
// So replacing sync with locks in existing code is enough to get:
//
//   - actual deadlocks of any length, the moment the cycle closes, and the
//     goroutines of the cycle unwound (their blocked call panics with an
//     *detector.AbortError that wraps detector.ErrAborted and carries the
//     finding) while every other lock keeps working;
//   - potential deadlocks (lock-order inversions of any length) in runs
//     that did not hang, and double locks with where the lock was first
//     taken;
//   - recursive read locking, every time, with both places;
//   - a lock still held by a goroutine that has returned, once someone
//     has waited for it briefly;
//   - waits longer than the wait timeout (2 s; LOCKLAB_WAIT_TIMEOUT), with
//     the holder, where it took the lock and what it is doing now (a
//     channel send on some line, a select, WaitGroup.Wait): how a deadlock
//     that mixes a lock with a channel is explained.
//
// Each finding is written to stderr in full, once. LOCKLAB_DETECTOR=off in
// the environment, or SetDefaultDetector(nil), turns detection off: the
// fast path is then a plain compare-and-swap. For tests, package
// [github.com/locklab/locklab/locks/locktest] turns findings into test
// failures.
//
// # Costs
//
// The uncontended fast path takes no global lock and allocates nothing: a
// goroutine's held locks live in a slot only it touches, the site of an
// acquisition is a few return addresses read by following frame pointers,
// and everything that reads stacks or resolves positions happens only
// when a report is made. The package benchmarks compare every level of
// detection with sync and with github.com/sasha-s/go-deadlock.
//
// Goroutine identity comes from github.com/petermattis/goid, so locks work
// from any goroutine, not only from workers the lab started.
package locks
