package lockchannel

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

// Scenario is publishers notifying a subscriber of changes to a shared
// registry: every variant, in curriculum order, with the package
// documentation as its Doc.
var Scenario = &labs.Scenario{
	Name:    "lock-across-channel",
	Title:   "A lock held across a channel operation",
	Doc:     labs.PackageDoc(docGo),
	Workers: "publisher",
	Ops:     "update",
	Defaults: labs.Config{
		Workers: 3,
		Ops:     20,
		Seed:    42,
		Yield:   50 * time.Microsecond,
	},
	Variants: []labs.Variant{
		sendUnderLock,
		sendAfterUnlock,
		buffered,
		owner,
	},
}

// publisher returns the name of publisher i.
func publisher(i int) string { return "publisher " + strconv.Itoa(i) }

// event tells the subscriber that publisher from has made its version-th
// update.
type event struct {
	from, version int
}

// registry is the shared state: every publisher's latest version, and
// what the subscriber has applied. Who may touch it, and when, is what
// each variant decides.
type registry struct {
	version []int // per publisher: updates made
	applied []int // per publisher: the latest version the subscriber applied
	order   int   // events applied out of a publisher's order
	events  int   // events applied
	total   int   // events there will be
}

func newRegistry(cfg labs.Config) *registry {
	return &registry{version: make([]int, cfg.Workers), applied: make([]int, cfg.Workers), total: cfg.Workers * cfg.Ops}
}

// update makes publisher i's next update and returns the event that
// tells of it.
func (r *registry) update(i int) event {
	r.version[i]++
	return event{from: i, version: r.version[i]}
}

// apply is the subscriber handling e: it records the version, checking
// that each publisher's events come in order.
func (r *registry) apply(e event) {
	if e.version != r.applied[e.from]+1 {
		r.order++
	}
	r.applied[e.from] = e.version
	r.events++
}

// Check reports the invariants (every event applied, each publisher's in
// order; every update made) and the events per publisher.
func (r *registry) Check() labs.Report {
	var applied []string
	all := true
	for i := range r.version {
		applied = append(applied, strconv.Itoa(r.applied[i]))
		all = all && r.applied[i] == r.version[i] && r.version[i] == r.total/len(r.version)
	}
	return labs.Report{
		Invariants: []labs.Check{
			{
				Name:     "every event applied, in each publisher's order",
				Expected: fmt.Sprintf("%d events, 0 out of order", r.total),
				Actual:   fmt.Sprintf("%d events, %d out of order", r.events, r.order),
				OK:       r.events == r.total && r.order == 0,
			},
			{
				Name:     "the subscriber is up to date with every publisher",
				Expected: fmt.Sprintf("version %d of each", r.total/len(r.version)),
				Actual:   strings.Join(applied, " "),
				OK:       all,
			},
		},
		Metrics: []labs.Metric{
			{Name: "latest version applied, per publisher", Value: strings.Join(applied, " ")},
		},
	}
}

// lockedRegistry is the registry behind one lock, with the subscriber
// that applies its events: the shape of the three lock-based variants,
// which differ in when a publisher sends.
type lockedRegistry struct {
	mu labs.Mutex // protects r
	r  *registry
}

func newLockedRegistry(rt labs.Runtime, cfg labs.Config) *lockedRegistry {
	return &lockedRegistry{mu: rt.Mutex("registry"), r: newRegistry(cfg)}
}

// subscribe starts the subscriber: for every event it receives it takes
// the registry's lock and applies the event.
func (lr *lockedRegistry) subscribe(rt labs.Runtime, events labs.Chan) {
	rt.Go("subscriber", func(w labs.Worker) {
		for range lr.r.total {
			v, _ := events.Recv()
			w.Yield() // decoding the event takes a while
			lr.mu.Lock()
			lr.r.apply(v.(event)) // the subscriber needs the registry's lock too
			lr.mu.Unlock()
			w.Progress()
		}
	})
}
