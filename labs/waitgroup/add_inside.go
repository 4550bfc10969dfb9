package waitgroup

import (
	"strconv"

	"github.com/locklab/locklab/labs"
)

var addInside = labs.Variant{
	Name:    "add-inside",
	Kind:    labs.Buggy,
	Bug:     labs.EarlyWait,
	Summary: "each task calls wg.Add(1) itself, inside its goroutine: Wait may run first, find zero and return",
	Lesson: "The coordinator starts the tasks and calls Wait; each task calls Add(1) when it starts and Done when it finishes. " +
		"But a new goroutine does not start at once: the coordinator usually reaches Wait first, finds the counter at zero " +
		"and returns before any task has even counted itself. It reads the tally too early, and the job's result is incomplete. " +
		"Nothing deadlocks and every access is under a lock, so only the check sees it. " +
		"The sync documentation is explicit: calls with a positive delta that occur when the counter is zero must happen before a Wait; " +
		"go vet's waitgroup check reports an Add inside the goroutine it counts.",
	Fix:    "add-before-go",
	Caught: []labs.Detector{labs.Invariant},
	File:   "labs/waitgroup/add_inside.go",
	Play:   playAddInside,
}

func playAddInside(rt labs.Runtime, cfg labs.Config) labs.Instance {
	j := newJob(cfg)
	j.start(rt, cfg, func(rt labs.Runtime, w labs.Worker, i, tasks int, t *tally) {
		wg := rt.WaitGroup("tasks " + strconv.Itoa(i))
		for k := range tasks {
			rt.Go(taskName(i, k), func(w labs.Worker) {
				w.Yield() // the goroutine gets going
				wg.Add(1) // BUG: too late; the coordinator may be past Wait already
				defer wg.Done()
				t.report(work(w, k))
			})
		}
		wg.Wait() // may find the counter at zero before any task has added itself
	})
	return j
}
