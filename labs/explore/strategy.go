package explore

import (
	"math/rand/v2"
	"slices"
)

// Strategy chooses which enabled worker runs next.
type Strategy interface {
	// Next returns one of enabled (worker ids in increasing order, never
	// empty) at the given step of the schedule (0-based). enabled is only
	// valid during the call.
	Next(enabled []int, step int) int
}

// Random returns a seeded random walk: every step picks an enabled worker
// uniformly.
func Random(seed uint64) Strategy {
	return &random{rng: rand.New(rand.NewPCG(seed, 0x5eed))}
}

type random struct{ rng *rand.Rand }

func (r *random) Next(enabled []int, _ int) int { return enabled[r.rng.IntN(len(enabled))] }

// PCT returns the probabilistic concurrency testing strategy of
// Burckhardt et al. (2010) for bug depth depth: workers get random
// distinct priorities, the highest-priority enabled worker runs, and at
// depth-1 steps chosen at random among the first estSteps the running
// worker's priority drops below every other. For n workers and k steps it
// finds a bug of depth d with probability at least 1/(n·k^(d-1)).
// Workers beyond the first workers get a random priority when they first
// show up.
func PCT(seed uint64, workers, depth, estSteps int) Strategy {
	p := &pct{rng: rand.New(rand.NewPCG(seed, 0x9c7)), depth: max(depth, 1)}
	for range max(workers, 0) {
		p.add()
	}
	k := max(estSteps, 1)
	for i := range p.depth - 1 {
		p.changes = append(p.changes, change{step: p.rng.IntN(k), prio: float64(p.depth - 1 - i)})
	}
	slices.SortFunc(p.changes, func(a, b change) int { return a.step - b.step })
	return p
}

type change struct {
	step int
	prio float64 // the low priority given at the change
}

type pct struct {
	rng     *rand.Rand
	depth   int
	prio    []float64 // per worker; higher runs first
	changes []change  // sorted by step
}

// add gives the next worker a random priority above every change
// priority: d, d+1, ... in random order, made distinct with a fraction.
func (p *pct) add() {
	p.prio = append(p.prio, float64(p.depth)+p.rng.Float64()*1e6)
}

func (p *pct) Next(enabled []int, step int) int {
	for enabled[len(enabled)-1] >= len(p.prio) {
		p.add()
	}
	best := p.highest(enabled)
	for len(p.changes) > 0 && p.changes[0].step <= step {
		if p.changes[0].step == step {
			p.prio[best] = p.changes[0].prio
			best = p.highest(enabled)
		}
		p.changes = p.changes[1:]
	}
	return best
}

func (p *pct) highest(enabled []int) int {
	best := enabled[0]
	for _, id := range enabled[1:] {
		if p.prio[id] > p.prio[best] {
			best = id
		}
	}
	return best
}

// dfs is a depth-first search over schedules with a preemption bound: a
// stateless search that replays a prefix of decisions and takes the
// default (keep running the current worker) beyond it, then backtracks
// to the deepest decision with an untried alternative within the bound.
type dfs struct {
	bound  int
	stack  []frame
	depth  int // frames consumed in the current schedule
	last   int // worker chosen last in the current schedule
	preNow int // preemptions so far in the current schedule
}

// frame is one decision of the search.
type frame struct {
	options []int // eligible workers, the default first
	idx     int   // the option being explored
	pre     int   // preemptions before this decision
	prev    int   // worker running before it; -1 at the start
}

func newDFS(bound int) *dfs { return &dfs{bound: bound, last: -1} }

func (d *dfs) Next(enabled []int, _ int) int {
	if len(enabled) == 1 { // forced: not a decision
		d.last = enabled[0]
		return d.last
	}
	if d.depth < len(d.stack) {
		f := &d.stack[d.depth]
		d.depth++
		w := f.options[f.idx]
		if f.preempts(w) {
			d.preNow++
		}
		d.last = w
		return w
	}
	f := frame{pre: d.preNow, prev: d.last}
	if d.last >= 0 && slices.Contains(enabled, d.last) {
		f.options = append(f.options, d.last)
	}
	for _, id := range enabled {
		if id != d.last {
			f.options = append(f.options, id)
		}
	}
	d.stack = append(d.stack, f)
	d.depth++
	w := f.options[0]
	d.last = w
	return w
}

// preempts reports whether choosing w at f switches away from a worker
// that could have gone on.
func (f *frame) preempts(w int) bool {
	return f.prev >= 0 && w != f.prev && f.options[0] == f.prev
}

// backtrack prepares the next schedule after one ended at the current
// depth; it reports false when the search is exhausted.
func (d *dfs) backtrack() bool {
	d.stack = d.stack[:d.depth]
	for len(d.stack) > 0 {
		f := &d.stack[len(d.stack)-1]
		for f.idx+1 < len(f.options) {
			f.idx++
			if !f.preempts(f.options[f.idx]) || f.pre+1 <= d.bound {
				d.depth, d.last, d.preNow = 0, -1, 0
				return true
			}
		}
		d.stack = d.stack[:len(d.stack)-1]
	}
	return false
}
