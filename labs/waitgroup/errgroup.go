package waitgroup

import (
	"strconv"

	"github.com/locklab/locklab/labs"
)

var errgroup = labs.Variant{
	Name:    "errgroup",
	Kind:    labs.Cooperative,
	Summary: "an errgroup-style group: Go(f) counts the task and f's return reports it, over a channel; no Add or Done to misplace",
	Lesson: "golang.org/x/sync/errgroup gives tasks a Go(func() error) and the coordinator a Wait() error, and hides the counting. " +
		"Here the group is a channel: Go counts the task before it starts it, and the task's result, error or not, is sent when f returns, " +
		"whatever path it took. Wait receives one result per task counted, and returns the first error. " +
		"There is no Add to put in the wrong goroutine and no Done to forget on an error path: the structure does the bookkeeping.",
	File: "labs/waitgroup/errgroup.go",
	Play: playErrgroup,
}

// group runs tasks and waits for them, as errgroup.Group does.
type group struct {
	rt      labs.Runtime
	results labs.Chan // one error (or nil) per task
	n       int       // tasks started; only the coordinator touches it
}

func newGroup(rt labs.Runtime, name string, capacity int) *group {
	return &group{rt: rt, results: rt.Chan(name, capacity)}
}

// Go starts f in a new goroutine, counted before it starts.
func (g *group) Go(name string, f func(w labs.Worker) error) {
	g.n++
	g.rt.Go(name, func(w labs.Worker) {
		var err error
		defer func() { g.results.Send(err) }() // every path out reports, once
		err = f(w)
	})
}

// Wait waits for every task started and returns the first error, if any.
func (g *group) Wait() error {
	var first error
	for range g.n {
		v, _ := g.results.Recv()
		if err, _ := v.(error); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func playErrgroup(rt labs.Runtime, cfg labs.Config) labs.Instance {
	j := newJob(cfg)
	j.start(rt, cfg, func(rt labs.Runtime, w labs.Worker, i, tasks int, t *tally) {
		g := newGroup(rt, "results "+strconv.Itoa(i), tasks) // room for every result: a task never waits to report
		for k := range tasks {
			g.Go(taskName(i, k), func(w labs.Worker) error {
				part, err := work(w, k)
				t.report(part, err)
				return err
			})
		}
		_ = g.Wait() // the first error; the tally has them all
	})
	return j
}
