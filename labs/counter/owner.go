package counter

import "github.com/locklab/locklab/labs"

var owner = labs.Variant{
	Name:    "owner",
	Kind:    labs.Cooperative,
	Summary: "one owner worker keeps the count; the others send it increments over a channel",
	Lesson: "Only the owner ever reads or writes count, so there is nothing shared to protect and no lock. " +
		"The workers send their increments over a channel and the owner applies them one at a time, in the order they arrive. " +
		"Each send happens before the matching receive, which is all the synchronization there is.",
	File: "labs/counter/owner.go",
	Play: playOwner,
}

// Messages to the owner.
type (
	increment struct{} // add 1 to the count
	finished  struct{} // the sending worker is done
)

func playOwner(rt labs.Runtime, cfg labs.Config) labs.Instance {
	inbox := rt.Chan("inbox", cfg.Workers)
	count := 0 // touched only by the owner
	rt.Go("owner", func(w labs.Worker) {
		for working := cfg.Workers; working > 0; {
			msg, _ := inbox.Recv()
			switch msg.(type) {
			case increment:
				count++ // nobody else touches count: no lock needed
				w.Progress()
			case finished:
				working--
			}
		}
	})
	startWorkers(rt, cfg, func(w labs.Worker) {
		for range cfg.Ops {
			inbox.Send(increment{})
			w.Yield()
			w.Progress()
		}
		inbox.Send(finished{})
	})
	return expect(cfg, func() int { return count })
}
