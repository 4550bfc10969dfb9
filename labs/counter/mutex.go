package counter

import "github.com/locklab/locklab/labs"

var mutex = labs.Variant{
	Name:    "mutex",
	Kind:    labs.Fixed,
	Summary: "a mutex around the read and the write",
	Lesson: "The lock makes the read, the gap and the write one critical section: " +
		"a worker may still be paused between its read and its write, but no other worker can get past Lock until it has written. " +
		"Unlock happens before the next Lock, so every worker reads the last value written.",
	File: "labs/counter/mutex.go",
	Play: playMutex,
}

func playMutex(rt labs.Runtime, cfg labs.Config) labs.Instance {
	mu := rt.Mutex("count")
	count := 0 // protected by mu
	startWorkers(rt, cfg, func(w labs.Worker) {
		for range cfg.Ops {
			mu.Lock()
			v := count
			w.Read("count", v)
			w.Yield() // others may run here, but none gets past mu.Lock
			w.Write("count", v+1)
			count = v + 1
			mu.Unlock()
			w.Progress()
		}
	})
	return expect(cfg, func() int { return count })
}
