package philosophers

import (
	"time"

	"github.com/locklab/locklab/labs"
)

var hierarchy = labs.Variant{
	Name:    "hierarchy",
	Kind:    labs.Fixed,
	Summary: "each philosopher takes the lower-numbered fork first",
	Lesson: "Number the forks and always pick up the lower-numbered one first. " +
		"Philosopher n-1 now reaches for fork 0 before fork n-1, against the direction of everyone else, " +
		"so the waits cannot go all the way round the table. " +
		"This breaks the circular-wait condition: every philosopher waits only for a fork numbered higher " +
		"than any they hold, and a chain of such waits ends at someone who can eat.",
	File: "labs/philosophers/hierarchy.go",
	Play: playHierarchy,
}

func playHierarchy(rt labs.Runtime, cfg labs.Config) labs.Instance {
	t := newTable(rt, cfg)
	forks := newForks(rt, t.n)
	for i := range t.n {
		// FIX: one global order, lower-numbered fork first. Only the last
		// philosopher's forks (n-1 and 0) come out reversed.
		first, second := min(t.left(i), t.right(i)), max(t.left(i), t.right(i))
		rt.Go(philosopher(i), func(w labs.Worker) {
			t.sitDown(w, i)
			for range t.meals {
				since := time.Now()
				forks[first].Lock()
				w.Yield()
				forks[second].Lock()
				t.eat(w, i, since)
				forks[second].Unlock()
				forks[first].Unlock()
				t.think(w)
			}
		})
	}
	return t
}
