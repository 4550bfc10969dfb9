package boundedbuffer

import "github.com/locklab/locklab/labs"

var twoConds = labs.Variant{
	Name:    "two-conds",
	Kind:    labs.Fixed,
	Summary: "for around every Wait, and a Cond for each condition: producers wait on not-full, consumers on not-empty",
	Lesson: "Every Wait is in a for loop, so a worker that wakes up and finds its condition false again (another worker got there first) " +
		"simply waits again: a stolen wakeup costs a turn, not the buffer's invariant. " +
		"Producers wait on not-full and consumers on not-empty, so a Signal always wakes a worker that can use it: " +
		"a put signals not-empty, a get signals not-full, and no wakeup is lost on the wrong kind of worker.",
	File: "labs/boundedbuffer/two_conds.go",
	Play: playTwoConds,
}

// forBuffer waits in for loops.
type forBuffer struct{ *condBuffer }

func (b forBuffer) Put(w labs.Worker, item int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.r.full() { // woken or not, look again
		b.notFull.Wait()
	}
	b.r.put(item)
	b.notEmpty.Signal() // only consumers wait on not-empty: any of them can use it
	w.Yield()
}

func (b forBuffer) Get(w labs.Worker) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.r.empty() {
		b.notEmpty.Wait()
	}
	item := b.r.take()
	b.notFull.Signal()
	w.Yield()
	return item
}

func playTwoConds(rt labs.Runtime, cfg labs.Config) labs.Instance {
	l := newLine(cfg)
	l.start(rt, cfg, forBuffer{newCondBuffer(rt, &l.ring)})
	return l
}
