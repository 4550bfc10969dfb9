package leaks

import (
	"fmt"

	"github.com/locklab/locklab/labs"
)

var selectDone = labs.Variant{
	Name:    "select-done",
	Kind:    labs.Fixed,
	Summary: "each replica sends in a select with a done channel, which the client closes when it has its answer",
	Lesson: "The client makes a done channel for the query and closes it when it returns, as context.WithCancel's cancel does. " +
		"A replica sends its answer in a select: either the client receives it, or done is closed and the replica gives up and returns. " +
		"A receive from a closed channel never blocks, so one close wakes every replica still waiting, however many there are. " +
		"This is what ctx.Done() is for: every goroutine that may wait needs a way to be told to stop.",
	File: "labs/leaks/select_done.go",
	Play: playSelectDone,
}

func playSelectDone(rt labs.Runtime, cfg labs.Config) labs.Instance {
	s := newSearch(rt, cfg)
	query := func(w labs.Worker, i, q int) int {
		results := rt.Chan(fmt.Sprintf("results %d.%d", i, q), 0)
		done := rt.Chan(fmt.Sprintf("done %d.%d", i, q), 0)
		defer done.Close() // tells every replica still sending: nobody will receive
		for r := range replicas {
			s.replica(rt, i, q, r, func(w labs.Worker, a int) {
				rt.Select(
					labs.SelectCase{Dir: labs.SelectSend, Chan: results, Send: a},
					labs.SelectCase{Dir: labs.SelectRecv, Chan: done}, // the client has its answer: give up
				)
			})
		}
		v, _ := results.Recv()
		return v.(int)
	}
	s.start(rt, cfg, query, true)
	return s
}
