package cli

import (
	"fmt"
	"strconv"
	"sync/atomic"

	"github.com/locklab/locklab/labs"
)

// The fixture catalog: small scenarios whose outcomes are deterministic, so
// that the CLI's output can be compared with golden files.

const toyDoc = `// Package toy is a fixture: n workers and n locks in a ring.
//
// # Opposite orders
//
// Worker i locks lock i, then lock i+1:
//
//	mu[i].Lock()
//	mu[(i+1)%n].Lock()
package toy
`

func fixtureCatalog() []*labs.Scenario {
	toy := &labs.Scenario{
		Name: "toy", Title: "Locks in a ring", Doc: toyDoc, Workers: "worker",
		Defaults: labs.Config{Workers: 2, Ops: 5, Seed: 1},
		Variants: []labs.Variant{
			{Name: "abba", Kind: labs.Buggy, Bug: labs.CircularWait, Summary: "each worker locks its lock, then its neighbour's",
				Lesson: "Every worker holds its own lock while it waits for its neighbour's: a circular wait.",
				Fix:    "ordered", Caught: []labs.Detector{labs.WaitFor}, File: "internal/cli/fixture_test.go", Play: playRing},
			{Name: "ordered", Kind: labs.Fixed, Summary: "the lower-numbered lock first",
				Lesson: "Taking the lower-numbered lock first gives every lock a rank, so no cycle can form.",
				File:   "internal/cli/fixture_test.go", Play: playOrdered(false)},
			{Name: "lossy", Kind: labs.Buggy, Bug: labs.LostUpdate, Summary: "drops one increment",
				Lesson: "Worker 0 forgets its first increment, and the total comes out one short.",
				Fix:    "ordered", Caught: []labs.Detector{labs.Invariant}, File: "internal/cli/fixture_test.go", Play: playOrdered(true)},
			{Name: "spin", Kind: labs.Buggy, Bug: labs.Livelock, Summary: "busy, never done",
				Lesson: "The workers keep yielding to each other and never get anything done.",
				Fix:    "ordered", Caught: []labs.Detector{labs.Watchdog}, File: "internal/cli/fixture_test.go", Play: playSpin},
			{Name: "owner", Kind: labs.Cooperative, Summary: "one worker owns the count",
				Lesson: "Worker 0 owns the count and the others send it increments: no locks at all.",
				File:   "internal/cli/fixture_test.go", Play: playOwner},
		},
	}
	queue := &labs.Scenario{
		Name: "queue", Title: "A second scenario", Doc: "Package queue is plain text.", Workers: "party",
		Defaults: labs.Config{Workers: 3, Ops: 2, Seed: 9},
		Variants: []labs.Variant{
			{Name: "lossy", Kind: labs.Buggy, Bug: labs.LostUpdate, Summary: "drops one", Lesson: "One short.",
				Fix: "loop", Caught: []labs.Detector{labs.Invariant}, File: "internal/cli/fixture_test.go", Play: playOrdered(true)},
			{Name: "loop", Kind: labs.Fixed, Summary: "counts right", Lesson: "Counts every one.",
				Warned: []labs.Detector{labs.LockOrder}, File: "internal/cli/fixture_test.go", Play: playOrdered(false)},
		},
	}
	return []*labs.Scenario{toy, queue}
}

// counted is an Instance that checks a total.
type counted struct {
	want int
	got  *atomic.Int64
	n    int
}

func (c counted) Check() labs.Report {
	got := int(c.got.Load())
	return labs.Report{
		Invariants: []labs.Check{{Name: "total", Expected: strconv.Itoa(c.want), Actual: strconv.Itoa(got), OK: got == c.want}},
		Metrics:    []labs.Metric{{Name: "locks", Value: strconv.Itoa(c.n)}},
	}
}

// playRing deadlocks every time: each worker takes its own lock, waits
// until every other worker holds its own (a barrier over channels), then
// asks for its neighbour's.
func playRing(rt labs.Runtime, cfg labs.Config) labs.Instance {
	n := cfg.Workers
	mu := make([]labs.Mutex, n)
	inbox := make([]labs.Chan, n)
	for i := range n {
		mu[i] = rt.Mutex(fmt.Sprintf("lock %d", i))
		inbox[i] = rt.Chan(fmt.Sprintf("inbox %d", i), n)
	}
	total := new(atomic.Int64)
	for i := range n {
		rt.Go(fmt.Sprintf("worker %d", i), func(w labs.Worker) {
			for op := range cfg.Ops {
				mu[i].Lock()
				if op == 0 {
					for j := range n {
						if j != i {
							inbox[j].Send(i)
						}
					}
					for range n - 1 {
						inbox[i].Recv()
					}
				}
				mu[(i+1)%n].Lock()
				total.Add(1)
				mu[(i+1)%n].Unlock()
				mu[i].Unlock()
				w.Progress()
			}
		})
	}
	return counted{want: n * cfg.Ops, got: total, n: n}
}

// playOrdered takes the two locks in rank order; with lose set, worker 0
// skips its first increment.
func playOrdered(lose bool) func(rt labs.Runtime, cfg labs.Config) labs.Instance {
	return func(rt labs.Runtime, cfg labs.Config) labs.Instance {
		n := cfg.Workers
		mu := make([]labs.Mutex, n)
		for i := range n {
			mu[i] = rt.Mutex(fmt.Sprintf("lock %d", i))
		}
		total := new(atomic.Int64)
		for i := range n {
			rt.Go(fmt.Sprintf("worker %d", i), func(w labs.Worker) {
				lo, hi := min(i, (i+1)%n), max(i, (i+1)%n)
				for op := range cfg.Ops {
					mu[lo].Lock()
					mu[hi].Lock()
					if !(lose && i == 0 && op == 0) {
						total.Add(1)
					}
					mu[hi].Unlock()
					mu[lo].Unlock()
					w.Progress()
				}
			})
		}
		return counted{want: n * cfg.Ops, got: total, n: n}
	}
}

// playSpin never progresses: a livelock for the watchdog.
func playSpin(rt labs.Runtime, cfg labs.Config) labs.Instance {
	for i := range cfg.Workers {
		rt.Go(fmt.Sprintf("worker %d", i), func(w labs.Worker) {
			for {
				w.Yield()
			}
		})
	}
	return counted{got: new(atomic.Int64)}
}

// playOwner confines the count to worker 0.
func playOwner(rt labs.Runtime, cfg labs.Config) labs.Instance {
	n := cfg.Workers
	ch := rt.Chan("increments", 0)
	total := new(atomic.Int64)
	rt.Go("worker 0", func(w labs.Worker) {
		for range (n - 1) * cfg.Ops {
			v, _ := ch.Recv()
			total.Add(int64(v.(int)))
			w.Progress()
		}
	})
	for i := 1; i < n; i++ {
		rt.Go(fmt.Sprintf("worker %d", i), func(w labs.Worker) {
			for range cfg.Ops {
				ch.Send(1)
				w.Progress()
			}
		})
	}
	return counted{want: (n - 1) * cfg.Ops, got: total, n: 0}
}
