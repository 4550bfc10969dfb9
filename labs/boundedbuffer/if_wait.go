package boundedbuffer

import "github.com/locklab/locklab/labs"

var ifWait = labs.Variant{
	Name:    "if-wait",
	Kind:    labs.Buggy,
	Bug:     labs.StolenWakeup,
	Summary: "if, not for, around Cond.Wait: a woken consumer takes from a buffer another consumer has just emptied",
	Lesson: "Consumers that find the buffer empty wait on not-empty; a producer puts an item and broadcasts. " +
		"Every waiting consumer wakes, but they get the lock back one at a time: the first takes the item, " +
		"and the next returns from Wait, does not look again, because its check was an if, and takes from an empty buffer: a stolen wakeup. " +
		"With Signal it happens too, less often: a consumer that was not waiting at all can get the lock before the one woken, and take its item. " +
		"Producers do the same to a full buffer. " +
		"The buffer's count goes below zero or above its capacity, items are got twice or never: the checks catch it. " +
		"There is no data race (every access is under the lock) and no deadlock, so only the invariants can tell. " +
		"A woken Wait knows only that something happened, not that its condition holds: always wait in a for loop.",
	Fix:    "two-conds",
	Caught: []labs.Detector{labs.Invariant},
	File:   "labs/boundedbuffer/if_wait.go",
	Play:   playIfWait,
}

// condBuffer is the ring behind one lock with two conditions.
type condBuffer struct {
	mu       labs.Mutex // protects r
	notFull  labs.Cond  // on mu: there is room
	notEmpty labs.Cond  // on mu: there is an item
	r        *ring
}

func newCondBuffer(rt labs.Runtime, r *ring) *condBuffer {
	mu := rt.Mutex("buffer")
	return &condBuffer{mu: mu, notFull: rt.Cond("not-full", mu), notEmpty: rt.Cond("not-empty", mu), r: r}
}

// ifBuffer waits with if: it trusts that a wakeup means its condition holds.
type ifBuffer struct{ *condBuffer }

func (b ifBuffer) Put(w labs.Worker, item int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.r.full() { // BUG: if, not for
		b.notFull.Wait()
	}
	b.r.put(item) // may overfill: another woken producer took the room first
	b.notEmpty.Broadcast()
	w.Yield()
}

func (b ifBuffer) Get(w labs.Worker) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.r.empty() { // BUG: if, not for
		b.notEmpty.Wait()
	}
	item := b.r.take() // may take from an empty buffer: another consumer stole the item
	b.notFull.Broadcast()
	w.Yield()
	return item
}

func playIfWait(rt labs.Runtime, cfg labs.Config) labs.Instance {
	l := newLine(cfg)
	l.start(rt, cfg, ifBuffer{newCondBuffer(rt, &l.ring)})
	return l
}
