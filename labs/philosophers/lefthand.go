package philosophers

import (
	"time"

	"github.com/locklab/locklab/labs"
)

var leftThenRight = labs.Variant{
	Name:    "left-then-right",
	Kind:    labs.Buggy,
	Bug:     labs.CircularWait,
	Summary: "each philosopher takes the left fork, then waits for the right one",
	Lesson: "Every philosopher can pick up their left fork at the same moment. " +
		"Then each holds one fork and waits for the next one's, all the way round the table: " +
		"a circular wait, and nobody ever eats again. All four Coffman conditions hold: " +
		"forks are exclusive, a philosopher holds one fork while waiting for the other, " +
		"nobody takes a fork from another's hand, and the waits form a cycle. " +
		"The wait-for graph reports the cycle the moment it closes; " +
		"the lock-order graph sees fork i taken before fork i+1 all round the table, a cycle of orders.",
	Fix:    "hierarchy",
	Caught: []labs.Detector{labs.WaitFor, labs.LockOrder, labs.GoDeadlock},
	File:   "labs/philosophers/lefthand.go",
	Play:   playLeftThenRight,
}

func playLeftThenRight(rt labs.Runtime, cfg labs.Config) labs.Instance {
	t := newTable(rt, cfg)
	forks := newForks(rt, t.n)
	for i := range t.n {
		left, right := forks[t.left(i)], forks[t.right(i)]
		rt.Go(philosopher(i), func(w labs.Worker) {
			t.sitDown(w, i)
			for range t.meals {
				since := time.Now()
				left.Lock()
				w.Yield()    // BUG: by now every philosopher may hold their left fork,
				right.Lock() // and each waits here for a neighbor's: a circular wait
				t.eat(w, i, since)
				right.Unlock()
				left.Unlock()
				t.think(w)
			}
		})
	}
	return t
}
