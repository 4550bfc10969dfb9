package counter

import (
	_ "embed"
	"strconv"

	"github.com/locklab/locklab/labs"
)

//go:embed doc.go
var docGo string

// Scenario is the shared counter: every variant, in curriculum order, with
// the package documentation as its Doc.
var Scenario = &labs.Scenario{
	Name:    "counter",
	Title:   "Shared counter",
	Doc:     labs.PackageDoc(docGo),
	Workers: "worker",
	Ops:     "increment",
	Defaults: labs.Config{
		Workers: 4,
		Ops:     1000,
		Seed:    42,
		// runtime.Gosched at each yield point, no pause: with the workers
		// released together it loses hundreds of updates in every run,
		// and a pause would make the mutex variant, which yields inside
		// its lock, slow.
		Yield: labs.YieldGosched,
	},
	Variants: []labs.Variant{
		unsynchronized,
		mutex,
		atomicAdd,
		owner,
		cooperative,
		cooperativeAwait,
	},
}

// startWorkers starts cfg.Workers workers, named "worker 0" and up, that
// each run body. They wait at a starting gate until all have been started,
// so that they really run at the same time rather than one after another.
func startWorkers(rt labs.Runtime, cfg labs.Config, body func(w labs.Worker)) {
	gate := rt.Chan("starting gate", 0)
	for i := range cfg.Workers {
		rt.Go("worker "+strconv.Itoa(i), func(w labs.Worker) {
			gate.Recv() // returns when the gate is closed
			if cfg.Ops == 1 {
				labs.Say(w, "add 1 to the count")
			} else {
				labs.Say(w, "add 1 to the count, %d times", cfg.Ops)
			}
			body(w)
		})
	}
	gate.Close()
}

// tally is the Instance every variant returns: the count it expects and a
// way to read the final count once every worker has returned.
type tally struct {
	want  int
	count func() int
}

// expect returns the Instance for a run of cfg whose final count count
// reads.
func expect(cfg labs.Config, count func() int) tally {
	return tally{want: cfg.Workers * cfg.Ops, count: count}
}

// Check reports whether the count came out at workers × ops, and how many
// increments were lost on the way.
func (t tally) Check() labs.Report {
	got := t.count()
	return labs.Report{
		Invariants: []labs.Check{{
			Name:     "final count is workers × ops",
			Expected: strconv.Itoa(t.want),
			Actual:   strconv.Itoa(got),
			OK:       got == t.want,
		}},
		Metrics: []labs.Metric{{Name: "lost updates", Value: strconv.Itoa(t.want - got)}},
	}
}
