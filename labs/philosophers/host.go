package philosophers

import (
	"fmt"
	"time"

	"github.com/locklab/locklab/labs"
)

var host = labs.Variant{
	Name:    "host",
	Kind:    labs.Cooperative,
	Summary: "a host owns the forks and hands out both at once over channels",
	Lesson: "Nobody locks anything: the forks belong to one host goroutine, which alone reads and writes their state. " +
		"A philosopher asks the host for forks over a channel and waits for a grant; the host grants both forks at once " +
		"or, while a neighbor eats, keeps the request until both are free. " +
		"A philosopher never holds one fork while waiting for the other, which breaks the hold-and-wait condition; " +
		"the host never blocks handing out a grant, so no wait can be circular. " +
		"Do not communicate by sharing memory; share memory by communicating.",
	File: "labs/philosophers/host.go",
	Play: playHost,
}

// request is a message from philosopher who to the host: hungry (wants
// both forks) or done eating (gives both back).
type request struct {
	who  int
	done bool
}

func playHost(rt labs.Runtime, cfg labs.Config) labs.Instance {
	t := newTable(rt, cfg)
	requests := rt.Chan("requests", t.n) // philosophers to host; one message each at a time, so sends never block
	grants := make([]labs.Chan, t.n)     // host to philosopher i: both your forks
	for i := range grants {
		grants[i] = rt.Chan(fmt.Sprintf("grant %d", i), 1)
	}
	for i := range t.n {
		rt.Go(philosopher(i), func(w labs.Worker) {
			t.sitDown(w, i)
			for range t.meals {
				since := time.Now()
				requests.Send(request{who: i})
				grants[i].Recv() // both forks at once, or none yet
				t.eat(w, i, since)
				requests.Send(request{who: i, done: true})
				t.think(w)
			}
		})
	}
	rt.Go("host", func(w labs.Worker) {
		free := make([]bool, t.n) // fork i is on the table; only the host touches this
		for i := range free {
			free[i] = true
		}
		var hungry []int // philosophers waiting for a grant, oldest first
		for unfinished := t.n * t.meals; unfinished > 0; {
			v, _ := requests.Recv()
			r := v.(request)
			if r.done {
				free[t.left(r.who)], free[t.right(r.who)] = true, true
				unfinished--
			} else {
				hungry = append(hungry, r.who)
			}
			// Serve whoever can eat now, oldest request first.
			waiting := hungry[:0]
			for _, p := range hungry {
				if !free[t.left(p)] || !free[t.right(p)] {
					waiting = append(waiting, p)
					continue
				}
				free[t.left(p)], free[t.right(p)] = false, false
				grants[p].Send(struct{}{}) // never blocks: one grant per request, capacity 1
				w.Progress()
			}
			hungry = waiting
		}
	})
	return t
}
