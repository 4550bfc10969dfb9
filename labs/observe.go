package labs

// Observer is what a scenario's checks may ask a runtime about its
// workers, to judge a run (never to steer the variant's own logic): the
// lab's runtimes implement it, so a scenario type-asserts its Runtime
// and, if the runtime does not, checks less.
type Observer interface {
	// Blocked reports whether worker id (as Worker.ID numbers it) is
	// blocked now: waiting for a lock, a channel, a Cond or a WaitGroup,
	// rather than running, runnable or returned. Under the controlled
	// scheduler it is exact (the worker's next operation cannot happen);
	// on real goroutines it says what the worker was doing a moment ago,
	// and counts only a wait that has lasted a little while (a wait
	// that has just begun may be a lock being handed over).
	Blocked(id int) bool
}
