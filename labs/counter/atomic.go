package counter

import (
	"sync/atomic"

	"github.com/locklab/locklab/labs"
)

var atomicAdd = labs.Variant{
	Name:    "atomic",
	Kind:    labs.Fixed,
	Summary: "an atomic add: the read, the add and the write in one instruction",
	Lesson: "atomic.Int64.Add reads, adds and writes in one indivisible step, so there is no gap to be interrupted in. " +
		"Atomic operations are also synchronizing operations, so the race detector sees no race. " +
		"It works for one variable; as soon as an update spans two (a transfer between accounts), you need a lock or a single owner.",
	File: "labs/counter/atomic.go",
	Play: playAtomic,
}

func playAtomic(rt labs.Runtime, cfg labs.Config) labs.Instance {
	var count atomic.Int64
	startWorkers(rt, cfg, func(w labs.Worker) {
		for range cfg.Ops {
			count.Add(1) // read, add and write as one step: no gap
			w.Yield()
			w.Progress()
		}
	})
	return expect(cfg, func() int { return int(count.Load()) })
}
