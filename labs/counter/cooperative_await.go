package counter

import "github.com/locklab/locklab/labs"

var cooperativeAwait = labs.Variant{
	Name:    "cooperative-await",
	Kind:    labs.Buggy,
	Bug:     labs.LostUpdate,
	Summary: "one worker runs at a time, but it yields between the read and the write, as an await would",
	Lesson: "Only one worker runs at a time, and still increments are lost. " +
		"The yield between the read and the write is an await: it hands control back, another worker reads the same old value, " +
		"and when the first one resumes it writes its stale value plus one over the other's increment. " +
		"Cooperative scheduling means a switch can happen only at an await, not that it cannot happen: an await inside a read-modify-write splits it in two. " +
		"The race detector is silent, since nothing runs in parallel and every handoff is a synchronization: a race condition without a data race.",
	Fix:        "cooperative",
	Caught:     []labs.Detector{labs.Invariant, labs.Explorer},
	File:       "labs/counter/cooperative_await.go",
	Controlled: true,
	Play:       playCooperativeAwait,
}

func playCooperativeAwait(rt labs.Runtime, cfg labs.Config) labs.Instance {
	count := 0 // shared, unlocked: one worker runs at a time
	startWorkers(rt, cfg, func(w labs.Worker) {
		for range cfg.Ops {
			v := count // read
			w.Read("count", v)
			w.Yield() // like an await: another worker may run here and read the same value...
			w.Write("count", v+1)
			count = v + 1 // BUG: ...and this write overwrites its increment
			w.Progress()
		}
	})
	return expect(cfg, func() int { return count })
}
