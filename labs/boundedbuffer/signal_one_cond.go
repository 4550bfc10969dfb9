package boundedbuffer

import "github.com/locklab/locklab/labs"

var signalOneCond = labs.Variant{
	Name:    "signal-one-cond",
	Kind:    labs.Buggy,
	Bug:     labs.LostWakeup,
	Summary: "producers and consumers wait on one Cond, and Signal wakes just one of them: the wrong one, until everyone sleeps",
	Lesson: "Producers wait for room and consumers wait for items, both on the same condition variable, each in a correct for loop. " +
		"After a put or a get the worker calls Signal, which wakes one waiter, whichever waited longest, " +
		"and that may be a worker of its own kind: a producer wakes a producer that still finds the buffer full, and goes back to sleep. " +
		"The wakeup that a consumer needed is used up on the wrong worker and lost. " +
		"Once every worker is asleep on the condition, nobody is left to signal: the run stops for good, a deadlock without any cycle of locks, " +
		"so the wait-for graph has nothing to report; the watchdog does, naming each worker in Wait. " +
		"Signal is right only when any waiter can use the wakeup; when waiters wait for different things, Broadcast, or give each kind its own Cond.",
	Fix:    "broadcast",
	Caught: []labs.Detector{labs.Watchdog},
	File:   "labs/boundedbuffer/signal_one_cond.go",
	Play:   playSignalOneCond,
}

// oneCondBuffer is the ring behind one lock and one condition for both
// kinds of waiter; wake is Signal or Broadcast.
type oneCondBuffer struct {
	mu      labs.Mutex // protects r
	changed labs.Cond  // on mu: the buffer changed
	r       *ring
	wake    func()
}

func (b *oneCondBuffer) Put(w labs.Worker, item int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.r.full() {
		b.changed.Wait()
	}
	b.r.put(item)
	b.wake()
	w.Yield()
}

func (b *oneCondBuffer) Get(w labs.Worker) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.r.empty() {
		b.changed.Wait()
	}
	item := b.r.take()
	b.wake()
	w.Yield()
	return item
}

func playSignalOneCond(rt labs.Runtime, cfg labs.Config) labs.Instance {
	l := newLine(cfg)
	mu := rt.Mutex("buffer")
	b := &oneCondBuffer{mu: mu, changed: rt.Cond("changed", mu), r: &l.ring}
	b.wake = b.changed.Signal // BUG: wakes one waiter, producer or consumer, whoever needs it
	l.start(rt, cfg, b)
	return l
}
