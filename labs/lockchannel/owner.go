package lockchannel

import "github.com/locklab/locklab/labs"

var owner = labs.Variant{
	Name:    "owner",
	Kind:    labs.Cooperative,
	Summary: "the subscriber owns the registry: publishers send it their updates, and nobody locks anything",
	Lesson: "The registry belongs to one goroutine, the subscriber, which alone reads and writes it. " +
		"A publisher does not update the registry itself: it sends the update, and the subscriber applies it. " +
		"There is no lock to hold across the send, so the lock-and-channel cycle cannot form; " +
		"a publisher waits only for the subscriber, and the subscriber waits for nobody but the next message.",
	File: "labs/lockchannel/owner.go",
	Play: playOwner,
}

func playOwner(rt labs.Runtime, cfg labs.Config) labs.Instance {
	r := newRegistry(cfg)
	updates := rt.Chan("updates", 0)
	for i := range cfg.Workers {
		rt.Go(publisher(i), func(w labs.Worker) {
			for range cfg.Ops {
				w.Yield()
				updates.Send(i) // "publisher i has an update"
				w.Progress()
			}
		})
	}
	rt.Go("subscriber", func(w labs.Worker) {
		for range r.total {
			v, _ := updates.Recv()
			w.Yield()
			r.apply(r.update(v.(int))) // only the subscriber touches the registry
		}
	})
	return r
}
