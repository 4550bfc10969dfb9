package philosophers

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/locklab/locklab/labs"
)

//go:embed doc.go
var docGo string

// Scenario is the dining philosophers: every variant, in curriculum order,
// with the package documentation as its Doc.
var Scenario = &labs.Scenario{
	Name:    "philosophers",
	Title:   "Dining philosophers",
	Doc:     labs.PackageDoc(docGo),
	Workers: "philosopher",
	Ops:     "meal",
	Defaults: labs.Config{
		Workers: 5,
		Ops:     3,
		Seed:    42,
		// A short pause at each yield point keeps the philosophers in step
		// on a real machine, so that every one of them holds a fork at the
		// same moment, as the buggy variants need. On a busy 2-core
		// machine left-then-right deadlocked in 296 of 300 runs with
		// 100us and in 300 of 300 with 500us.
		Yield: 500 * time.Microsecond,
	},
	Variants: []labs.Variant{
		leftThenRight,
		hierarchy,
		waiter,
		polite,
		backoff,
		host,
	},
}

// philosopher returns the name of philosopher i.
func philosopher(i int) string { return "philosopher " + strconv.Itoa(i) }

// newForks returns n forks: Mutexes named "fork 0" to "fork n-1".
func newForks(rt labs.Runtime, n int) []labs.Mutex {
	forks := make([]labs.Mutex, n)
	for i := range forks {
		forks[i] = rt.Mutex("fork " + strconv.Itoa(i))
	}
	return forks
}

// table is what every variant shares: the seating, the dinner bell and,
// for the checks, who is eating with which fork, how many meals each
// philosopher ate, how often each retried and how long each waited. Apart
// from the bell it only observes: it is not how the variants keep forks
// exclusive, and its atomics guard nothing but its own counters.
//
// Philosopher i sits between fork i, on the left, and fork i+1 (mod n), on
// the right.
type table struct {
	n     int // philosophers, and forks
	meals int // meals each philosopher eats

	seated atomic.Int32 // philosophers at the table so far
	bell   labs.Chan    // closed when the last philosopher sits down

	inUse   []atomic.Int32 // per fork: philosophers eating with it right now
	clashes atomic.Int64   // times a fork was picked up while in someone's hand

	// Per philosopher, each written only by that philosopher and read by
	// Check after every worker has returned.
	eaten   []int
	retries []int           // attempts at the forks they gave up
	longest []time.Duration // the longest wait for forks
}

func newTable(rt labs.Runtime, cfg labs.Config) *table {
	return &table{
		bell:    rt.Chan("dinner bell", 0),
		n:       cfg.Workers,
		meals:   cfg.Ops,
		inUse:   make([]atomic.Int32, cfg.Workers),
		eaten:   make([]int, cfg.Workers),
		retries: make([]int, cfg.Workers),
		longest: make([]time.Duration, cfg.Workers),
	}
}

// sitDown waits until every philosopher has sat down: dinner starts for
// everyone at once. w is philosopher i.
func (t *table) sitDown(w labs.Worker, i int) {
	t.sayMeal(w, i)
	if int(t.seated.Add(1)) == t.n {
		t.bell.Close()
		return
	}
	t.bell.Recv()
}

// left and right return the numbers of philosopher i's forks.
func (t *table) left(i int) int  { return i }
func (t *table) right(i int) int { return (i + 1) % t.n }

// eat is philosopher i's meal, once they have both forks; they started
// reaching for them at since. It marks both forks in use while eating, so
// that Check can tell whether a fork was ever in two hands at once.
func (t *table) eat(w labs.Worker, i int, since time.Time) {
	t.longest[i] = max(t.longest[i], time.Since(since))
	l, r := t.left(i), t.right(i)
	t.pickUp(l)
	t.pickUp(r)
	w.Yield() // eating takes a while
	t.eaten[i]++
	t.inUse[r].Add(-1)
	t.inUse[l].Add(-1)
	w.Progress()
	t.sayMeal(w, i)
}

// sayMeal tells the runtime what philosopher i sets out to do next.
func (t *table) sayMeal(w labs.Worker, i int) {
	if t.eaten[i] >= t.meals {
		labs.Say(w, "think, then leave the table")
		return
	}
	labs.Say(w, "eat meal %d of %d with fork %d and fork %d", t.eaten[i]+1, t.meals, t.left(i), t.right(i))
}

func (t *table) pickUp(fork int) {
	if t.inUse[fork].Add(1) != 1 {
		t.clashes.Add(1)
	}
}

// retry records that philosopher i gave up an attempt at the forks and
// is about to try again.
func (t *table) retry(i int) { t.retries[i]++ }

// think is what a philosopher does between meals.
func (t *table) think(w labs.Worker) { w.Yield() }

// Check reports the invariants (every philosopher ate every meal; no fork
// was ever in two hands) and the metrics (meals and retries per
// philosopher, the longest wait for forks).
func (t *table) Check() labs.Report {
	meals := make([]string, t.n)
	retries := make([]string, t.n)
	all := true
	worst := 0
	for i, m := range t.eaten {
		meals[i] = strconv.Itoa(m)
		retries[i] = strconv.Itoa(t.retries[i])
		all = all && m == t.meals
		if t.longest[i] > t.longest[worst] {
			worst = i
		}
	}
	clashes := t.clashes.Load()
	return labs.Report{
		Invariants: []labs.Check{
			{
				Name:     "every philosopher ate every meal",
				Expected: fmt.Sprintf("%d each", t.meals),
				Actual:   strings.Join(meals, " "),
				OK:       all,
			},
			{
				Name:     "no fork in two hands at once",
				Expected: "0 clashes",
				Actual:   fmt.Sprintf("%d clashes", clashes),
				OK:       clashes == 0,
			},
		},
		Metrics: []labs.Metric{
			{Name: "meals", Value: strings.Join(meals, " ")},
			{Name: "retries", Value: strings.Join(retries, " ")},
			{Name: "longest wait", Value: fmt.Sprintf("%v (%s)", t.longest[worst].Round(time.Microsecond), philosopher(worst))},
		},
	}
}
