package counter

import "github.com/locklab/locklab/labs"

var unsynchronized = labs.Variant{
	Name:    "unsynchronized",
	Kind:    labs.Buggy,
	Bug:     labs.DataRace,
	Summary: "every worker reads the count and writes it back plus one, with no synchronization",
	Lesson: "count = count + 1 is a read followed by a write. " +
		"Two workers that both read 41 before either writes both write 42, and one increment is lost. " +
		"Nothing orders the two workers' accesses to count, so this is also a data race, " +
		"which the race detector reports with both stacks even in a run whose total happens to come out right.",
	Fix:    "mutex",
	Caught: []labs.Detector{labs.Race, labs.Invariant},
	File:   "labs/counter/unsynchronized.go",
	Play:   playUnsynchronized,
}

func playUnsynchronized(rt labs.Runtime, cfg labs.Config) labs.Instance {
	count := 0 // shared by every worker, protected by nothing
	startWorkers(rt, cfg, func(w labs.Worker) {
		for range cfg.Ops {
			v := count // read
			w.Read("count", v)
			w.Yield() // another worker may read the same value here...
			w.Write("count", v+1)
			count = v + 1 // BUG: ...and one of the two writes is lost
			w.Progress()
		}
	})
	return expect(cfg, func() int { return count })
}
