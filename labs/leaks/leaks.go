package leaks

import (
	_ "embed"
	"fmt"
	"strconv"
	"time"

	"github.com/locklab/locklab/labs"
)

//go:embed doc.go
var docGo string

// Scenario is clients that ask several replicas and take the first answer,
// and a collector of their answers: every variant, in curriculum order,
// with the package documentation as its Doc.
var Scenario = &labs.Scenario{
	Name:    "leaks",
	Title:   "Goroutine leaks and lost wakeups on channels",
	Doc:     labs.PackageDoc(docGo),
	Workers: "client",
	Ops:     "query",
	Defaults: labs.Config{
		Workers: 2,
		Ops:     3,
		Seed:    42,
		Yield:   50 * time.Microsecond,
	},
	Variants: []labs.Variant{
		earlyReturn,
		unclosedRange,
		buffered,
		selectDone,
		owner,
	},
}

// replicas is how many replicas a client asks each query: it uses the
// first answer.
const replicas = 3

// client returns the name of client i.
func client(i int) string { return "client " + strconv.Itoa(i) }

// replicaName returns the name of the replica r that client i starts for
// its query q.
func replicaName(i, q, r int) string { return fmt.Sprintf("replica %d of query %d.%d", r, i, q) }

// answer is what replica r answers to query q of client i: the same for
// every replica, as replicas of one service agree.
func answer(i, q int) int { return 1000*i + q }

// A queryFunc asks query q of client i and returns the first answer.
type queryFunc func(w labs.Worker, i, q int) int

// search is the Instance every variant returns: what the collector got,
// and which replicas started and returned.
type search struct {
	obs       labs.Observer // tells whether a replica is blocked; nil if the runtime cannot
	clients   int
	queries   int
	collected []int // per client: answers the collector got, written only by the collector
	wrong     int   // answers that were not the answer to their query, written only by the collector
	// Per replica goroutine (index replicaIndex): its worker ID once it
	// has started (-1 before), and whether it has returned. Each slot is
	// written only by its replica.
	ids      []int
	returned []bool
}

func newSearch(rt labs.Runtime, cfg labs.Config) *search {
	s := &search{clients: cfg.Workers, queries: cfg.Ops, collected: make([]int, cfg.Workers)}
	n := cfg.Workers * cfg.Ops * replicas
	s.ids, s.returned = make([]int, n), make([]bool, n)
	for k := range s.ids {
		s.ids[k] = -1
	}
	s.obs, _ = rt.(labs.Observer)
	return s
}

func (s *search) replicaIndex(i, q, r int) int { return (i*s.queries+q)*replicas + r }

// replica starts replica r of client i's query q, which works a while and
// then hands its answer over with send.
func (s *search) replica(rt labs.Runtime, i, q, r int, send func(w labs.Worker, a int)) {
	k := s.replicaIndex(i, q, r)
	rt.Go(replicaName(i, q, r), func(w labs.Worker) {
		s.ids[k] = w.ID()
		for range w.Rand().IntN(3) {
			w.Yield() // some replicas are slower than others
		}
		send(w, answer(i, q))
		s.returned[k] = true
	})
}

// start starts the clients, each making cfg.Ops queries with query and
// sending every answer to the collector on its own channel, which it
// closes when done if close says so; and the collector, which ranges over
// every client's channel in turn.
func (s *search) start(rt labs.Runtime, cfg labs.Config, query queryFunc, close bool) {
	answers := make([]labs.Chan, cfg.Workers)
	for i := range answers {
		answers[i] = rt.Chan("answers "+strconv.Itoa(i), cfg.Ops) // room for every answer: a client never waits for the collector
	}
	for i := range cfg.Workers {
		rt.Go(client(i), func(w labs.Worker) {
			for q := range cfg.Ops {
				answers[i].Send(query(w, i, q))
				w.Progress()
			}
			if close {
				answers[i].Close() // the owner, the only sender, closes: "no more answers"
			}
		})
	}
	rt.Go("collector", func(w labs.Worker) {
		for i, ch := range answers {
			for { // for a := range answers[i]
				v, ok := ch.Recv()
				if !ok {
					break
				}
				if v.(int)/1000 != i {
					s.wrong++
				}
				s.collected[i]++
			}
		}
	})
}

// Check reports the invariants (the collector got every answer, each
// right; no replica is left blocked, where the runtime can tell).
func (s *search) Check() labs.Report {
	got, want := 0, s.clients*s.queries
	for _, n := range s.collected {
		got += n
	}
	leaked, started := 0, 0
	for k, id := range s.ids {
		if id < 0 {
			continue
		}
		started++
		if !s.returned[k] && s.obs != nil && s.obs.Blocked(id) {
			leaked++ // blocked with nobody left to unblock it: the run is over
		}
	}
	return labs.Report{
		Invariants: []labs.Check{
			{
				Name:     "the collector got every answer, right",
				Expected: fmt.Sprintf("%d answers, 0 wrong", want),
				Actual:   fmt.Sprintf("%d answers, %d wrong", got, s.wrong),
				OK:       got == want && s.wrong == 0,
			},
			{
				Name:     "no replica left blocked",
				Expected: "0 leaked goroutines",
				Actual:   fmt.Sprintf("%d leaked goroutines", leaked),
				OK:       leaked == 0,
			},
		},
		Metrics: []labs.Metric{
			{Name: "replica goroutines started", Value: strconv.Itoa(started)},
		},
	}
}
