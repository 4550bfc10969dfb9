package leaks

import (
	"fmt"

	"github.com/locklab/locklab/labs"
)

var unclosedRange = labs.Variant{
	Name:    "unclosed-range",
	Kind:    labs.Buggy,
	Bug:     labs.UnclosedChannel,
	Summary: "the collector ranges over each client's answers, and the client never closes its channel",
	Lesson: "The collector reads a client's answers with for a := range answers, which ends only when the channel is closed. " +
		"The client sends all its answers and returns without closing it, so after the last answer the collector waits for ever: " +
		"the wakeup that says \"no more\" is never sent. Everyone else is done; the program cannot finish. " +
		"A range over a channel is a promise that someone will close it: the owner, the one goroutine that sends on it, " +
		"when it has sent its last value. (Several senders need someone who knows when all are done: see the waitgroup scenario.) " +
		"The watchdog names the collector, waiting to receive on a channel that nobody sends on and nobody closes.",
	Fix:    "buffered",
	Caught: []labs.Detector{labs.Watchdog},
	File:   "labs/leaks/unclosed_range.go",
	Play:   playUnclosedRange,
}

func playUnclosedRange(rt labs.Runtime, cfg labs.Config) labs.Instance {
	s := newSearch(rt, cfg)
	query := func(w labs.Worker, i, q int) int {
		results := rt.Chan(fmt.Sprintf("results %d.%d", i, q), replicas) // room for every answer: no leak here
		for r := range replicas {
			s.replica(rt, i, q, r, func(w labs.Worker, a int) { results.Send(a) })
		}
		v, _ := results.Recv()
		return v.(int)
	}
	s.start(rt, cfg, query, false) // BUG: no client closes its answers channel, so the collector's range never ends
	return s
}
