package leaks

import (
	"fmt"

	"github.com/locklab/locklab/labs"
)

var earlyReturn = labs.Variant{
	Name:    "early-return",
	Kind:    labs.Buggy,
	Bug:     labs.GoroutineLeak,
	Summary: "ask three replicas over an unbuffered channel, return with the first answer: the other two wait to send for ever",
	Lesson: "A client asks three replicas at once and returns with whichever answers first, a common way to cut latency. " +
		"Each replica sends its answer on an unbuffered channel, and a send waits until someone receives. " +
		"The client receives once and returns, so the two slower replicas wait to send for ever: " +
		"two goroutines leaked per query, each holding its stack and everything it refers to. " +
		"Nothing crashes and every answer is right; in a server the leaks pile up until memory runs out. " +
		"Go's runtime does not collect a blocked goroutine, and its deadlock check cannot fire while other goroutines run. " +
		"On real goroutines the lab waits for every worker it started, so the leaked replicas show as a stall: " +
		"the watchdog names each one, waiting to send on its query's results with nobody to receive. " +
		"Under the controlled scheduler the run ends, like a Go program, when the clients and the collector return, " +
		"and the check counts the replicas left blocked.",
	Fix:    "buffered",
	Caught: []labs.Detector{labs.Watchdog},
	File:   "labs/leaks/early_return.go",
	Play:   playEarlyReturn,
}

func playEarlyReturn(rt labs.Runtime, cfg labs.Config) labs.Instance {
	s := newSearch(rt, cfg)
	query := func(w labs.Worker, i, q int) int {
		results := rt.Chan(fmt.Sprintf("results %d.%d", i, q), 0)
		for r := range replicas {
			s.replica(rt, i, q, r, func(w labs.Worker, a int) {
				results.Send(a) // BUG: after the first answer nobody receives, and this waits for ever
			})
		}
		v, _ := results.Recv()
		return v.(int) // the first answer; the others are never received
	}
	s.start(rt, cfg, query, true)
	return s
}
