package boundedbuffer

import "github.com/locklab/locklab/labs"

var broadcast = labs.Variant{
	Name:    "broadcast",
	Kind:    labs.Fixed,
	Summary: "one Cond for producers and consumers, but Broadcast: everyone wakes, and each for loop sorts out who goes on",
	Lesson: "Producers and consumers still share one condition variable, but every change wakes all of them. " +
		"Each re-checks its own condition in its for loop: those who can go on do, the others wait again, " +
		"so the worker that needed the wakeup always gets it. " +
		"It costs wakeups (a thundering herd: everyone wakes to find, mostly, nothing for them); " +
		"two conditions, one per kind of waiter, are cheaper, but Broadcast is the simple, safe choice when waiters wait for different things.",
	File: "labs/boundedbuffer/broadcast.go",
	Play: playBroadcast,
}

func playBroadcast(rt labs.Runtime, cfg labs.Config) labs.Instance {
	l := newLine(cfg)
	mu := rt.Mutex("buffer")
	b := &oneCondBuffer{mu: mu, changed: rt.Cond("changed", mu), r: &l.ring}
	b.wake = b.changed.Broadcast
	l.start(rt, cfg, b)
	return l
}
