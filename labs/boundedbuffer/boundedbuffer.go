package boundedbuffer

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/locklab/locklab/labs"
)

//go:embed doc.go
var docGo string

// Scenario is producers and consumers sharing a bounded buffer: every
// variant, in curriculum order, with the package documentation as its
// Doc.
var Scenario = &labs.Scenario{
	Name:    "bounded-buffer",
	Title:   "A bounded buffer: producers, consumers and condition variables",
	Doc:     labs.PackageDoc(docGo),
	Workers: "worker",
	Ops:     "item",
	Defaults: labs.Config{
		Workers: 4,
		Ops:     40,
		Seed:    42,
		// A short pause at each yield point keeps a woken worker waiting
		// for the lock while another arrives, as the buggy variants need.
		Yield: 50 * time.Microsecond,
	},
	Variants: []labs.Variant{
		ifWait,
		signalOneCond,
		twoConds,
		broadcast,
		channel,
	},
}

// capacity is the buffer's size: one item, the smallest bounded buffer,
// so that producers wait for room as often as consumers wait for items
// and waiters of both kinds meet on one condition variable.
const capacity = 1

// pace is how long making or using an item takes: a random number of
// yield points below pace, so that producers and consumers run ahead of
// each other by turns, as real ones do.
const pace = 3

// producers returns how many of cfg's workers are producers: the first
// half, at least one; the others consume.
func producers(cfg labs.Config) int { return max(1, cfg.Workers/2) }

// name returns the name of worker i: "producer 0", "consumer 2".
func name(cfg labs.Config, i int) string {
	if i < producers(cfg) {
		return "producer " + strconv.Itoa(i)
	}
	return "consumer " + strconv.Itoa(i)
}

// ring is the buffer's storage: capacity slots, count of them full, taken
// from head and filled at tail. Who may touch it, and when, is what each
// variant decides; put and take do not check count, so that a variant
// that calls them at the wrong moment breaks the buffer as real code
// would, and the checks see it.
type ring struct {
	slots       [capacity]int
	head, count int
	low, high   int // the lowest and highest count ever: outside 0..capacity, the buffer broke
}

func (r *ring) put(item int) {
	r.slots[slot(r.head+r.count)] = item
	r.count++
	r.high = max(r.high, r.count)
}

func (r *ring) take() int {
	item := r.slots[r.head]
	r.slots[r.head] = -1 // taken: a second take of this slot gets -1
	r.head = slot(r.head + 1)
	r.count--
	r.low = min(r.low, r.count)
	return item
}

// slot returns the slot of position i, which a broken count may have
// made negative.
func slot(i int) int { return (i%capacity + capacity) % capacity }

func (r *ring) empty() bool { return r.count <= 0 }
func (r *ring) full() bool  { return r.count >= capacity }

// A buffer is what a variant builds: Put blocks while the buffer is full,
// Get while it is empty.
type buffer interface {
	Put(w labs.Worker, item int)
	Get(w labs.Worker) int
}

// line is the Instance every variant returns: the ring (for variants that
// use it) and what every worker did.
type line struct {
	ring  ring
	items int     // items in all: each producer makes cfg.Ops
	np    int     // the first np workers are producers
	quota []int   // per worker: items to put or get
	done  []int   // per worker: items put or got
	got   [][]int // per consumer: the items it got, written only by that consumer
}

func newLine(cfg labs.Config) *line {
	np := producers(cfg)
	l := &line{items: np * cfg.Ops, np: np, quota: make([]int, cfg.Workers), done: make([]int, cfg.Workers),
		got: make([][]int, cfg.Workers)}
	for i := range l.ring.slots {
		l.ring.slots[i] = -1
	}
	for i := range cfg.Workers {
		if i < np {
			l.quota[i] = cfg.Ops
			continue
		}
		// The consumers share the items out as evenly as they can.
		nc, k := cfg.Workers-np, i-np
		l.quota[i] = l.items / nc
		if k < l.items%nc {
			l.quota[i]++
		}
	}
	return l
}

// start starts the producers, each putting its cfg.Ops items (numbered
// so that every item is different) into b, and the consumers, each
// getting its share.
func (l *line) start(rt labs.Runtime, cfg labs.Config, b buffer) {
	for i := range cfg.Workers {
		rt.Go(name(cfg, i), func(w labs.Worker) {
			r := w.Rand()
			for n := range l.quota[i] {
				if i < l.np {
					for range r.IntN(pace) {
						w.Yield() // making an item takes a while, longer or shorter
					}
					b.Put(w, i*cfg.Ops+n)
				} else {
					l.got[i] = append(l.got[i], b.Get(w))
					for range r.IntN(pace) {
						w.Yield() // and so does using one
					}
				}
				l.done[i]++
				w.Progress()
			}
		})
	}
}

// Check reports the invariants (the buffer never held more than its
// capacity or fewer than nothing; every item was got exactly once; every
// worker did its work).
func (l *line) Check() labs.Report {
	times := make([]int, l.items)
	bad := 0 // gets of a slot already taken: no item at all
	for _, items := range l.got {
		for _, item := range items {
			if item < 0 || item >= l.items {
				bad++
				continue
			}
			times[item]++
		}
	}
	lost, twice := 0, 0
	for _, n := range times {
		switch {
		case n == 0:
			lost++
		case n > 1:
			twice += n - 1
		}
	}
	all := true
	var done []string
	for i, n := range l.done {
		all = all && n == l.quota[i]
		done = append(done, strconv.Itoa(n))
	}
	r := &l.ring
	return labs.Report{
		Invariants: []labs.Check{
			{
				Name:     "the buffer held 0 to capacity items",
				Expected: fmt.Sprintf("between 0 and %d", capacity),
				Actual:   fmt.Sprintf("between %d and %d", r.low, r.high),
				OK:       r.low >= 0 && r.high <= capacity,
			},
			{
				Name:     "every item got exactly once",
				Expected: fmt.Sprintf("%d items, each once", l.items),
				Actual:   fmt.Sprintf("%d never got, %d got again, %d got from an empty slot", lost, twice, bad),
				OK:       lost == 0 && twice == 0 && bad == 0,
			},
			{
				Name:     "every worker did all its work",
				Expected: "every item put and got",
				Actual:   strings.Join(done, " "),
				OK:       all,
			},
		},
		Metrics: []labs.Metric{
			{Name: "items put or got, per worker", Value: strings.Join(done, " ")},
		},
	}
}
