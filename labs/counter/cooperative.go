package counter

import "github.com/locklab/locklab/labs"

var cooperative = labs.Variant{
	Name:    "cooperative",
	Kind:    labs.Cooperative,
	Summary: "one worker runs at a time and switches only at a yield point, never between the read and the write",
	Lesson: "Like Python's asyncio, the controlled scheduler runs one worker at a time and switches only where a worker yields, as a coroutine does at an await. " +
		"Threads are preemptive: a switch can happen anywhere, and locks say where it must not. Coroutines are cooperative: a switch can happen only at an await, and you can see where. " +
		"There is no yield between the read and the write, so nobody gets between them and no increment is lost, without any lock. " +
		"On real goroutines, which run in parallel, the same code would be a data race.",
	File:       "labs/counter/cooperative.go",
	Controlled: true,
	Play:       playCooperative,
}

func playCooperative(rt labs.Runtime, cfg labs.Config) labs.Instance {
	count := 0 // shared, unlocked: safe only because one worker runs at a time
	startWorkers(rt, cfg, func(w labs.Worker) {
		for range cfg.Ops {
			v := count // read
			w.Read("count", v)
			w.Write("count", v+1)
			count = v + 1 // write: no yield in between, so no other worker ran
			w.Progress()
			w.Yield() // the only place another worker may run
		}
	})
	return expect(cfg, func() int { return count })
}
