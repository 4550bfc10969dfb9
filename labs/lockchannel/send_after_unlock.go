package lockchannel

import "github.com/locklab/locklab/labs"

var sendAfterUnlock = labs.Variant{
	Name:    "send-after-unlock",
	Kind:    labs.Fixed,
	Summary: "update under the lock, unlock, then send: never block on a channel while holding a lock",
	Lesson: "The publisher makes its update and copies the event while it holds the lock, then unlocks, and only then sends. " +
		"A publisher blocked in a send holds nothing, so the subscriber can always get the lock, apply its event and come back for the next: " +
		"the cycle has lost its lock edge. " +
		"Each publisher's events still arrive in its own order, because each publisher sends its own events one after the other. " +
		"The rule it follows: do not block (on a channel, a WaitGroup, a Cond, I/O) while holding a lock that the goroutine you wait for may need.",
	File: "labs/lockchannel/send_after_unlock.go",
	Play: playSendAfterUnlock,
}

func playSendAfterUnlock(rt labs.Runtime, cfg labs.Config) labs.Instance {
	lr := newLockedRegistry(rt, cfg)
	events := rt.Chan("events", 0)
	for i := range cfg.Workers {
		rt.Go(publisher(i), func(w labs.Worker) {
			for range cfg.Ops {
				lr.mu.Lock()
				e := lr.r.update(i) // a copy: the event needs no lock once made
				w.Yield()
				lr.mu.Unlock()
				events.Send(e) // holding nothing
				w.Progress()
			}
		})
	}
	lr.subscribe(rt, events)
	return lr.r
}
