package leaks

import (
	"fmt"

	"github.com/locklab/locklab/labs"
)

var buffered = labs.Variant{
	Name:    "buffered",
	Kind:    labs.Fixed,
	Summary: "a results channel with room for every replica's answer, and each client closes its answers when done",
	Lesson: "The results channel has room for all three answers, so every replica's send succeeds at once, received or not: " +
		"the slower replicas put their answer in the buffer and return, and the channel is garbage once nobody refers to it. " +
		"The buffer must be as large as the number of senders that may go unanswered; one less and one replica leaks. " +
		"And every client closes its answers channel after its last answer, as the one goroutine that sends on it, " +
		"so the collector's range ends.",
	File: "labs/leaks/buffered.go",
	Play: playBuffered,
}

func playBuffered(rt labs.Runtime, cfg labs.Config) labs.Instance {
	s := newSearch(rt, cfg)
	query := func(w labs.Worker, i, q int) int {
		results := rt.Chan(fmt.Sprintf("results %d.%d", i, q), replicas) // a slot for every replica
		for r := range replicas {
			s.replica(rt, i, q, r, func(w labs.Worker, a int) { results.Send(a) })
		}
		v, _ := results.Recv()
		return v.(int)
	}
	s.start(rt, cfg, query, true)
	return s
}
