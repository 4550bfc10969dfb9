package labs

// The bug classes of the channel, condition-variable, WaitGroup and
// re-entrancy scenarios: how real Go programs deadlock and race beyond
// two mutexes taken in opposite orders.
const (
	// DoubleLock is a goroutine locking a mutex it already holds, as a
	// method that holds the lock calls another that takes it: Go's
	// mutexes are not re-entrant, so it waits for itself forever.
	DoubleLock BugClass = "double lock"
	// RecursiveRLock is a reader read-locking an RWMutex again while a
	// writer waits in between: the writer waits for the reader, and the
	// waiting writer keeps the reader's second RLock out (the RWR
	// deadlock).
	RecursiveRLock BugClass = "recursive read lock"
	// StolenWakeup is a woken Cond.Wait that goes on without checking its
	// condition again (an if, not a for), after another worker made the
	// condition false again.
	StolenWakeup BugClass = "stolen wakeup"
	// LostWakeup is a wakeup that never reaches the worker that needs it:
	// a Signal that wakes a worker waiting for something else, until
	// everyone waits and nobody is left to signal.
	LostWakeup BugClass = "lost wakeup"
	// LockAcrossChannel is a lock held across a channel operation whose
	// partner needs the same lock: the mixed lock-and-channel deadlock.
	LockAcrossChannel BugClass = "lock held across a channel operation"
	// GoroutineLeak is a goroutine left blocked forever after the work it
	// was started for is over.
	GoroutineLeak BugClass = "goroutine leak"
	// UnclosedChannel is a receiver ranging over a channel that nobody
	// closes: it waits forever after the last value.
	UnclosedChannel BugClass = "channel never closed"
	// EarlyWait is a WaitGroup.Wait that returns before the work it waits
	// for has started, because Add runs inside the goroutines.
	EarlyWait BugClass = "Add after Wait"
	// MissingDone is a WaitGroup whose counter never returns to zero
	// because a path (an error, an early return) skips Done.
	MissingDone BugClass = "missing Done"
)

// StopsProgress reports whether the bug leaves workers unable to go on
// (blocked, or running without getting anywhere), so that a watchdog
// sees a run of it stall when nothing stops the run first.
func (b BugClass) StopsProgress() bool {
	switch b {
	case CircularWait, Livelock, DoubleLock, RecursiveRLock, LostWakeup, LockAcrossChannel,
		GoroutineLeak, UnclosedChannel, MissingDone:
		return true
	}
	return false
}
