package waitgroup

import (
	"strconv"

	"github.com/locklab/locklab/labs"
)

var addBeforeGo = labs.Variant{
	Name:    "add-before-go",
	Kind:    labs.Fixed,
	Summary: "wg.Add(1) before the go statement, defer wg.Done() first thing in the goroutine",
	Lesson: "The coordinator counts each task before it starts it, so the counter is already up when Wait looks, however late the goroutine starts. " +
		"Each task's first statement is defer wg.Done(), so every way out of it counts it done: the error path, a panic, a return added later. " +
		"Wait returns exactly when the last task has reported, and the coordinator reads a complete tally. " +
		"(Go 1.25's wg.Go(f) does both for you.)",
	File: "labs/waitgroup/add_before_go.go",
	Play: playAddBeforeGo,
}

func playAddBeforeGo(rt labs.Runtime, cfg labs.Config) labs.Instance {
	j := newJob(cfg)
	j.start(rt, cfg, func(rt labs.Runtime, w labs.Worker, i, tasks int, t *tally) {
		wg := rt.WaitGroup("tasks " + strconv.Itoa(i))
		for k := range tasks {
			wg.Add(1) // before the goroutine exists: Wait cannot miss it
			rt.Go(taskName(i, k), func(w labs.Worker) {
				defer wg.Done() // on every path out
				part, err := work(w, k)
				t.report(part, err)
				if err != nil {
					return
				}
				w.Yield() // a task that succeeds has more to do
			})
		}
		wg.Wait()
	})
	return j
}
