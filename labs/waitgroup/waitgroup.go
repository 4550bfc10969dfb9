package waitgroup

import (
	_ "embed"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/locklab/locklab/labs"
)

//go:embed doc.go
var docGo string

// Scenario is coordinators that split a job into tasks, run them in
// goroutines and wait for them all: every variant, in curriculum order,
// with the package documentation as its Doc.
var Scenario = &labs.Scenario{
	Name:    "waitgroup",
	Title:   "WaitGroup misuse: an Add in the wrong goroutine, a Done on no path",
	Doc:     labs.PackageDoc(docGo),
	Workers: "coordinator",
	Ops:     "task",
	Defaults: labs.Config{
		Workers: 2,
		Ops:     5,
		Seed:    42,
		Yield:   50 * time.Microsecond,
	},
	Variants: []labs.Variant{
		addInside,
		missingDone,
		addBeforeGo,
		errgroup,
	},
}

// coordinator returns the name of coordinator i.
func coordinator(i int) string { return "coordinator " + strconv.Itoa(i) }

// taskName returns the name of task k of coordinator i.
func taskName(i, k int) string { return fmt.Sprintf("task %d of coordinator %d", k, i) }

// errFailed is what a failing task returns.
var errFailed = errors.New("task failed")

// work is task k: it works a while and returns its part of the job, k+1,
// or fails, as every fourth task does.
func work(w labs.Worker, k int) (int, error) {
	w.Yield() // the work takes a while
	if k%4 == 3 {
		return 0, errFailed
	}
	return k + 1, nil
}

// tally is one coordinator's view of its job: what its tasks reported,
// under a lock, since tasks report in parallel.
type tally struct {
	mu     labs.Mutex // protects sum, failed and reported
	sum    int        // the parts of the tasks that succeeded
	failed int        // tasks that failed
}

func (t *tally) report(part int, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err != nil {
		t.failed++
		return
	}
	t.sum += part
}

func (t *tally) read() (sum, failed int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.sum, t.failed
}

// A runFunc runs coordinator i's tasks 0..tasks-1 on rt, each reporting
// to t, and returns once they have all finished (if it is right).
type runFunc func(rt labs.Runtime, w labs.Worker, i, tasks int, t *tally)

// job is the Instance every variant returns: per coordinator, what it saw
// when its wait returned, and what it should have seen.
type job struct {
	tasks int
	seen  []string // per coordinator, written only by that coordinator: "sum S, F failed"
	want  string
}

func newJob(cfg labs.Config) *job {
	sum, failed := 0, 0
	for k := range cfg.Ops {
		if k%4 == 3 {
			failed++
		} else {
			sum += k + 1
		}
	}
	return &job{tasks: cfg.Ops, seen: make([]string, cfg.Workers), want: fmt.Sprintf("sum %d, %d failed", sum, failed)}
}

// start starts the coordinators: each runs its cfg.Ops tasks with run,
// then reads what they reported.
func (j *job) start(rt labs.Runtime, cfg labs.Config, run runFunc) {
	for i := range cfg.Workers {
		rt.Go(coordinator(i), func(w labs.Worker) {
			t := &tally{mu: rt.Mutex("tally " + strconv.Itoa(i))}
			run(rt, w, i, cfg.Ops, t)
			sum, failed := t.read() // every task has reported, or so the wait says
			j.seen[i] = fmt.Sprintf("sum %d, %d failed", sum, failed)
			w.Progress()
		})
	}
}

// Check reports the invariant: every coordinator saw every task's report
// once its wait returned.
func (j *job) Check() labs.Report {
	ok := true
	for _, s := range j.seen {
		ok = ok && s == j.want
	}
	return labs.Report{
		Invariants: []labs.Check{{
			Name:     "every coordinator saw all its tasks when its wait returned",
			Expected: j.want + " for each",
			Actual:   strings.Join(j.seen, "; "),
			OK:       ok,
		}},
		Metrics: []labs.Metric{{Name: "tasks per coordinator", Value: strconv.Itoa(j.tasks)}},
	}
}
