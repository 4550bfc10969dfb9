package lockchannel

import "github.com/locklab/locklab/labs"

var sendUnderLock = labs.Variant{
	Name:    "send-under-lock",
	Kind:    labs.Buggy,
	Bug:     labs.LockAcrossChannel,
	Summary: "a publisher holds the registry's lock while it sends the event, and the subscriber needs that lock to take the next one",
	Lesson: "A publisher updates the registry and, still holding its lock, sends the subscriber an event over an unbuffered channel: " +
		"the send waits until the subscriber receives. The subscriber takes an event, and then takes the registry's lock to apply it. " +
		"While it handles one event, another publisher locks the registry and sends the next: the publisher waits for the subscriber to receive, " +
		"holding the lock the subscriber waits for. Neither can go on. " +
		"It is the typical deadlock that mixes a lock with a channel, and large Go projects have shipped it; " +
		"and it is invisible to a wait-for graph of locks: one edge of the cycle is a channel. " +
		"The watchdog sees everyone stop, and says who waits for what: the subscriber for the lock, its holder to send, and nobody to receive. " +
		"go-deadlock sees only that the subscriber has waited too long for the lock.",
	Fix:    "send-after-unlock",
	Caught: []labs.Detector{labs.Watchdog, labs.GoDeadlock},
	File:   "labs/lockchannel/send_under_lock.go",
	Play:   playSendUnderLock,
}

func playSendUnderLock(rt labs.Runtime, cfg labs.Config) labs.Instance {
	lr := newLockedRegistry(rt, cfg)
	events := rt.Chan("events", 0)
	for i := range cfg.Workers {
		rt.Go(publisher(i), func(w labs.Worker) {
			for range cfg.Ops {
				lr.mu.Lock()
				e := lr.r.update(i)
				w.Yield()      // updating takes a while
				events.Send(e) // BUG: waits for the subscriber while holding the lock it needs
				lr.mu.Unlock()
				w.Progress()
			}
		})
	}
	lr.subscribe(rt, events)
	return lr.r
}
