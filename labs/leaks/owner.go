package leaks

import (
	"fmt"

	"github.com/locklab/locklab/labs"
)

var owner = labs.Variant{
	Name:    "owner",
	Kind:    labs.Cooperative,
	Summary: "each client owns three replicas and their channels: it reads every answer it asked for, and closes what it made",
	Lesson: "Instead of a goroutine per replica per query, each client starts its three replicas once and owns them. " +
		"For every query it asks all three and reads all three answers, using the first: nobody is left waiting to send. " +
		"When it is done it closes the channels it sends queries on, so each replica's range ends and the replica returns, " +
		"and closes its answers channel, so the collector's range ends. " +
		"Every goroutine has an owner that knows when it is done and tells it so: the structure that makes leaks impossible.",
	File: "labs/leaks/owner.go",
	Play: playOwner,
}

func playOwner(rt labs.Runtime, cfg labs.Config) labs.Instance {
	s := newSearch(rt, cfg)
	asks := make([][replicas]labs.Chan, cfg.Workers) // client i to its replica r: the query number
	replies := make([]labs.Chan, cfg.Workers)        // client i's replicas to client i
	for i := range cfg.Workers {
		replies[i] = rt.Chan(fmt.Sprintf("replies %d", i), replicas)
		for r := range replicas {
			asks[i][r] = rt.Chan(fmt.Sprintf("asks %d.%d", i, r), 0)
		}
	}
	started := make([]bool, cfg.Workers) // per client, written only by that client
	query := func(w labs.Worker, i, q int) int {
		if !started[i] {
			started[i] = true
			for r := range replicas {
				k := s.replicaIndex(i, 0, r)
				rt.Go(fmt.Sprintf("replica %d of client %d", r, i), func(w labs.Worker) {
					s.ids[k] = w.ID()
					for { // for q := range asks[i][r]
						v, ok := asks[i][r].Recv()
						if !ok {
							break
						}
						for range w.Rand().IntN(3) {
							w.Yield()
						}
						replies[i].Send(answer(i, v.(int)))
					}
					s.returned[k] = true
				})
			}
		}
		for r := range replicas {
			asks[i][r].Send(q)
		}
		v, _ := replies[i].Recv() // the first answer
		for range replicas - 1 {
			replies[i].Recv() // and the others: nobody is left waiting to send
		}
		if q == cfg.Ops-1 {
			for r := range replicas {
				asks[i][r].Close() // the owner closes: the replicas' ranges end
			}
		}
		return v.(int)
	}
	s.start(rt, cfg, query, true)
	return s
}
