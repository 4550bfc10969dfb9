package waitgroup

import (
	"strconv"

	"github.com/locklab/locklab/labs"
)

var missingDone = labs.Variant{
	Name:    "missing-done",
	Kind:    labs.Buggy,
	Bug:     labs.MissingDone,
	Summary: "a task that fails returns early and skips its Done: the counter never reaches zero and Wait never returns",
	Lesson: "The coordinator adds one to the WaitGroup per task before starting it, as it should. " +
		"Each task calls Done at its end, but a task that fails reports the error and returns early, skipping that line. " +
		"The counter stays above zero for good, and the coordinator waits for ever: a deadlock with no lock in it, " +
		"so the wait-for graph has nothing to report; the watchdog names the coordinator, in Wait with Done calls still owed, " +
		"and nobody left to make them. " +
		"defer wg.Done() as the goroutine's first line makes every path, errors and panics included, count itself out.",
	Fix:    "add-before-go",
	Caught: []labs.Detector{labs.Watchdog},
	File:   "labs/waitgroup/missing_done.go",
	Play:   playMissingDone,
}

func playMissingDone(rt labs.Runtime, cfg labs.Config) labs.Instance {
	j := newJob(cfg)
	j.start(rt, cfg, func(rt labs.Runtime, w labs.Worker, i, tasks int, t *tally) {
		wg := rt.WaitGroup("tasks " + strconv.Itoa(i))
		for k := range tasks {
			wg.Add(1)
			rt.Go(taskName(i, k), func(w labs.Worker) {
				part, err := work(w, k)
				t.report(part, err)
				if err != nil {
					return // BUG: the error path skips Done
				}
				wg.Done()
			})
		}
		wg.Wait() // waits for a Done that a failed task never calls
	})
	return j
}
