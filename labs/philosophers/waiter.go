package philosophers

import (
	"time"

	"github.com/locklab/locklab/labs"
)

var waiter = labs.Variant{
	Name:    "waiter",
	Kind:    labs.Fixed,
	Summary: "a waiter seats at most n-1 philosophers at a time",
	Lesson: "A waiter (a semaphore) lets at most n-1 philosophers sit down at once. " +
		"With n forks and at most n-1 diners, one of them always finds both forks on the table, " +
		"so the waits cannot close into a cycle: this breaks the circular-wait condition. " +
		"The lock-order graph still sees fork i taken before fork i+1 all round the table, " +
		"but every one of those orders was taken inside the waiter, which admits fewer philosophers than the cycle needs: " +
		"the detector reports that cycle as gated, which is not a problem.",
	File: "labs/philosophers/waiter.go",
	Play: playWaiter,
}

func playWaiter(rt labs.Runtime, cfg labs.Config) labs.Instance {
	t := newTable(rt, cfg)
	forks := newForks(rt, t.n)
	seats := rt.Semaphore("waiter", t.n-1)
	for i := range t.n {
		left, right := forks[t.left(i)], forks[t.right(i)]
		rt.Go(philosopher(i), func(w labs.Worker) {
			t.sitDown(w, i)
			for range t.meals {
				since := time.Now()
				seats.Acquire() // FIX: at most n-1 at the table, so one of them can always eat
				left.Lock()
				w.Yield()
				right.Lock()
				t.eat(w, i, since)
				right.Unlock()
				left.Unlock()
				seats.Release()
				t.think(w)
			}
		})
	}
	return t
}
