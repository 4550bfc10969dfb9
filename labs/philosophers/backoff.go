package philosophers

import (
	"time"

	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/locks"
)

var backoff = labs.Variant{
	Name:    "backoff",
	Kind:    labs.Fixed,
	Summary: "try both forks; if either is taken, put both down and wait a random while",
	Lesson: "Try to pick up both forks without waiting; if either is taken, put down what you hold and wait a random, " +
		"growing while before trying again. A philosopher never holds a fork while waiting for another, " +
		"which breaks the hold-and-wait condition, so there is no deadlock. " +
		"The random waits break the symmetry that makes the polite variant livelock: " +
		"two neighbors are unlikely to wait exactly as long, again and again.",
	File: "labs/philosophers/backoff.go",
	Play: playBackoff,
}

func playBackoff(rt labs.Runtime, cfg labs.Config) labs.Instance {
	t := newTable(rt, cfg)
	forks := newForks(rt, t.n)
	for i := range t.n {
		left, right := forks[t.left(i)], forks[t.right(i)]
		rt.Go(philosopher(i), func(w labs.Worker) {
			// Wait between 1 and 2, 4, ... 64 yields, at random.
			pause := locks.RandomBackoff(w.Rand(), 6, w.Yield)
			retry := func(attempt int) { t.retry(i); pause(attempt) }
			t.sitDown(w, i)
			for range t.meals {
				since := time.Now()
				putDown := locks.TryAll(retry, left, right) // FIX: both forks or none, then a random wait
				t.eat(w, i, since)
				putDown()
				t.think(w)
			}
		})
	}
	return t
}
