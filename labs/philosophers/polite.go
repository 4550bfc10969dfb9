package philosophers

import (
	"time"

	"github.com/locklab/locklab/labs"
)

var polite = labs.Variant{
	Name:    "polite",
	Kind:    labs.Buggy,
	Bug:     labs.Livelock,
	Summary: "take the left fork; if the right one is taken, put the left one down and try again",
	Lesson: "A philosopher who cannot get the right fork puts the left one down, waits a moment and tries again. " +
		"Nobody holds a fork while waiting for another, which breaks hold-and-wait, so there is no deadlock. " +
		"But if everyone starts together and waits just as long, they all pick up, give up and put down in step, " +
		"forever: a livelock. Everyone keeps busy and nobody eats. " +
		"On real goroutines the timing jitters, so the lockstep usually breaks by itself within some tens of milliseconds: " +
		"most runs finish, with many retries and long waits to show for it, and only a few in a hundred stay in step " +
		"long enough for the watchdog, which reports a livelock when nobody eats for its whole stall limit. " +
		"That is the trouble with livelock: it comes and goes with timing. " +
		"The controlled scheduler, which chooses who runs next, finds the schedule that repeats forever every time.",
	Fix:    "backoff",
	Caught: []labs.Detector{labs.Explorer},
	File:   "labs/philosophers/polite.go",
	Play:   playPolite,
}

func playPolite(rt labs.Runtime, cfg labs.Config) labs.Instance {
	t := newTable(rt, cfg)
	forks := newForks(rt, t.n)
	for i := range t.n {
		left, right := forks[t.left(i)], forks[t.right(i)]
		rt.Go(philosopher(i), func(w labs.Worker) {
			t.sitDown(w, i)
			for range t.meals {
				since := time.Now()
				for {
					left.Lock()
					w.Yield() // reach for the right fork
					if right.TryLock() {
						break
					}
					w.Yield()     // wait a moment for it,
					left.Unlock() // BUG: then give up politely, as every neighbor does at the same moment,
					w.Yield()     // and wait exactly as long as they do: no backoff, so all retry in step
					t.retry(i)
				}
				t.eat(w, i, since)
				right.Unlock()
				left.Unlock()
				t.think(w)
			}
		})
	}
	return t
}
