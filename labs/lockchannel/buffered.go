package lockchannel

import "github.com/locklab/locklab/labs"

var buffered = labs.Variant{
	Name:    "buffered",
	Kind:    labs.Fixed,
	Summary: "send under the lock, but into a channel with room for every event, so the send never waits",
	Lesson: "The publisher still sends while it holds the lock, but the channel's buffer has room for every event there will be, " +
		"so a send never waits for the subscriber: the publisher never blocks holding the lock. " +
		"It works only because the buffer can hold them all. With a smaller buffer it is the same deadlock, later: " +
		"once the buffer is full, a send under the lock waits for the subscriber, who waits for the lock. " +
		"A buffer is a fix when its size is bounded by design (one event per publisher, or a fixed number of jobs); " +
		"otherwise it only makes the deadlock rarer, and harder to find.",
	File: "labs/lockchannel/buffered.go",
	Play: playBuffered,
}

func playBuffered(rt labs.Runtime, cfg labs.Config) labs.Instance {
	lr := newLockedRegistry(rt, cfg)
	events := rt.Chan("events", lr.r.total) // room for every event: a send never blocks
	for i := range cfg.Workers {
		rt.Go(publisher(i), func(w labs.Worker) {
			for range cfg.Ops {
				lr.mu.Lock()
				e := lr.r.update(i)
				w.Yield()
				events.Send(e) // under the lock, but it cannot wait
				lr.mu.Unlock()
				w.Progress()
			}
		})
	}
	lr.subscribe(rt, events)
	return lr.r
}
