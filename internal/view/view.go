// Package view is what a picture of a run shows, computed once from a
// result and drawn by each renderer (terminal lanes in internal/render,
// an HTML page in internal/html, a Chrome trace in internal/chrometrace,
// Graphviz and Mermaid graphs in internal/graph): the workers and their
// events in order, the findings, the wait-for cycle and the lock-order
// graph as edges, the invariants expected against actual, and the
// lesson. Views only describe; nothing here runs anything.
package view

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/explore"
	"github.com/locklab/locklab/labs/run"
)

// Report is everything a picture of one run or schedule shows.
type Report struct {
	Title   string // "bank / from-then-to"
	Kind    string // "buggy: circular wait"
	How     string // "one schedule under the controlled scheduler", "a native run"
	Outcome run.Outcome
	Summary string // one sentence: what went wrong, or that nothing did
	// Workers are the lanes, in the order the workers first did
	// something.
	Workers    []string
	Events     []labs.Event
	Findings   []detector.Finding
	Invariants []labs.Check
	// WaitFor is the wait-for graph at the end: worker to worker, each
	// edge labelled with the lock one waits for and the other holds.
	WaitFor []Edge
	// LockOrder is the lock-order graph of lock-order findings: lock to
	// lock, each edge labelled with where it was first taken.
	LockOrder []Edge
	Lesson    string
	Fix       string // the command that runs the fix
	Token     string // a replay token, for explored schedules
}

// Edge is one edge of a graph.
type Edge struct {
	From, To string
	Label    string
	Cycle    bool // part of the cycle a finding reported
}

// FromFailure is the report of an explored (or replayed) schedule.
func FromFailure(s *labs.Scenario, v *labs.Variant, f *explore.Failure) *Report {
	r := &Report{
		Title: s.Name + " / " + v.Name, Kind: kind(v),
		How:     "one schedule under the controlled scheduler",
		Outcome: f.Outcome, Events: f.Trace, Findings: f.Findings, Lesson: v.Lesson, Token: f.Token,
	}
	if v.Fix != "" {
		r.Fix = "locklab explore " + s.Name + " --variant " + v.Fix
	}
	if c := f.Config; c.Workers > 0 {
		r.How += fmt.Sprintf(": %d %s × %d %s", c.Workers, plural(s.Workers, c.Workers), c.Ops, plural(s.Ops, c.Ops))
	}
	r.finish()
	// The lanes in natural order ("worker 2" before "worker 10"), not in
	// the order the schedule happened to start them.
	slices.SortStableFunc(r.Workers, func(a, b string) int { return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b)) })
	return r
}

// FromExploration is the report of an exploration: its first failing
// schedule, or, when none failed, a report with no events that says how
// many schedules were explored.
func FromExploration(s *labs.Scenario, v *labs.Variant, res *explore.Result) *Report {
	if res.First != nil {
		return FromFailure(s, v, res.First)
	}
	r := &Report{
		Title: s.Name + " / " + v.Name, Kind: kind(v),
		How:     fmt.Sprintf("%d schedules under the controlled scheduler (strategy %s)", res.Schedules, res.Strategy),
		Outcome: run.OK, Lesson: v.Lesson,
	}
	r.finish()
	r.Summary = fmt.Sprintf("No failure in %d schedules.", res.Schedules)
	return r
}

// FromRun is the report of a native run (or a run under RunOnce).
func FromRun(s *labs.Scenario, v *labs.Variant, res *run.Result) *Report {
	r := &Report{
		Title: s.Name + " / " + v.Name, Kind: kind(v),
		How:     fmt.Sprintf("a run on real goroutines: %d %s × %d %s", res.Config.Workers, plural(s.Workers, res.Config.Workers), res.Config.Ops, plural(s.Ops, res.Config.Ops)),
		Outcome: res.Outcome, Events: res.Events, Findings: res.Findings, Invariants: res.Invariants, Lesson: v.Lesson,
	}
	if v.Fix != "" {
		r.Fix = "locklab run " + s.Name + " --variant " + v.Fix
	}
	for _, w := range res.Workers {
		r.Workers = append(r.Workers, w.Name)
	}
	r.finish()
	return r
}

func kind(v *labs.Variant) string {
	k := string(v.Kind)
	if v.Bug != "" {
		k += ": " + string(v.Bug)
	}
	return k
}

func plural(noun string, n int) string {
	if noun == "" {
		noun = "worker"
	}
	if n == 1 {
		return noun
	}
	if strings.HasSuffix(noun, "s") {
		return noun + "es"
	}
	return noun + "s"
}

// finish fills in the lanes, the graphs and the summary.
func (r *Report) finish() {
	seen := map[string]bool{}
	for _, w := range r.Workers {
		seen[w] = true
	}
	for _, e := range r.Events {
		if e.Worker != "" && !seen[e.Worker] {
			seen[e.Worker] = true
			r.Workers = append(r.Workers, e.Worker)
		}
	}
	for _, f := range r.Findings {
		switch f.Kind {
		case detector.Deadlock, detector.DoubleLock:
			for _, st := range f.Steps {
				if st.Owner != "" {
					r.WaitFor = append(r.WaitFor, Edge{From: st.Worker, To: st.Owner, Label: st.Lock, Cycle: true})
				}
			}
		case detector.Stall, detector.Livelock:
			for _, st := range f.Steps {
				if st.Owner != "" && st.State == "blocked" {
					r.WaitFor = append(r.WaitFor, Edge{From: st.Worker, To: st.Owner, Label: st.Lock})
				}
			}
		case detector.LockOrder:
			for _, st := range f.Steps {
				for _, h := range st.Holds {
					r.LockOrder = append(r.LockOrder, Edge{From: h, To: st.Lock, Label: st.At.String(), Cycle: f.Gated == ""})
				}
			}
		}
	}
	if len(r.LockOrder) == 0 {
		r.LockOrder = orderFromEvents(r.Events)
	}
	switch {
	case !r.Outcome.Problem():
		r.Summary = "Nothing went wrong: every worker finished and every invariant held."
	case len(r.Findings) > 0:
		r.Summary = firstLine(r.Findings[0].Message)
	default:
		r.Summary = "The run ended in " + string(r.Outcome) + "."
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// Overwrite is a lost write: a worker's write of a target that follows
// its own read of it, when another worker wrote the target in between.
type Overwrite struct {
	By, Over string // the writer, and whose write it overwrites
	Value    string // what the overwritten write wrote
}

// LostWrites finds, for each write event (by index), the write it
// overwrites with a value computed from a stale read.
func LostWrites(events []labs.Event) map[int]Overwrite {
	out := map[int]Overwrite{}
	lastRead := map[string]int{} // worker, target -> index of its last read
	for i, e := range events {
		key := e.Worker + "\x00" + e.Target
		switch e.Op {
		case "gap": // events were not kept: a read before is no longer the last
			for k := range lastRead {
				if strings.HasPrefix(k, e.Worker+"\x00") {
					delete(lastRead, k)
				}
			}
		case "read":
			lastRead[key] = i
		case "write":
			r, ok := lastRead[key]
			if !ok {
				continue
			}
			for j := i - 1; j > r; j-- {
				o := events[j]
				if o.Op == "write" && o.Target == e.Target && o.Worker != e.Worker {
					out[i] = Overwrite{By: e.Worker, Over: o.Worker, Value: o.Value}
					break
				}
			}
		}
	}
	return out
}

// Text is what a picture shows for one event: "lock fork 1",
// "write count = 6".
func Text(e labs.Event) string {
	if e.Op == "gap" {
		return "… " + e.Value
	}
	s := e.Op
	if e.Target != "" {
		s += " " + e.Target
	}
	switch {
	case e.Value == "":
	case e.Op == "blocked": // the Value is how: "send", "receive"
		s += " (" + e.Value + ")"
	default:
		s += " = " + e.Value
	}
	return s
}

// Holds pairs each acquisition of a lock with its release: what a
// picture draws as a bar. An acquisition never released ends at the
// last event.
type Hold struct {
	Worker, Lock string
	From, To     int // event indexes
	Open         bool
}

// Holds returns the lock holds of the events.
func Holds(events []labs.Event) []Hold {
	var out []Hold
	open := map[string]int{} // worker, lock -> index into out
	for i, e := range events {
		key := e.Worker + "\x00" + e.Target
		switch e.Op {
		case "lock", "trylock ok", "rlock", "tryrlock ok", "acquire", "select recv", "once run":
			if e.Op == "select recv" || e.Op == "once run" {
				continue
			}
			open[key] = len(out)
			out = append(out, Hold{Worker: e.Worker, Lock: e.Target, From: i, To: -1, Open: true})
		case "unlock", "runlock", "release":
			if j, ok := open[key]; ok {
				out[j].To, out[j].Open = i, false
				delete(open, key)
			}
		}
	}
	for i := range out {
		if out[i].Open {
			out[i].To = len(events) - 1
		}
	}
	return out
}

// orderFromEvents is the lock-order graph of a trace: an edge from every
// lock a worker held to each lock it then took or blocked waiting for (a
// try adds none: it cannot wait), each edge on a cycle marked.
func orderFromEvents(events []labs.Event) []Edge {
	var out []Edge
	seen := map[[2]string]bool{}
	for _, e := range events {
		if e.Op != "lock" && e.Op != "rlock" && e.Op != "acquire" && e.Op != "blocked" {
			continue
		}
		for _, h := range e.Holds {
			k := [2]string{h, e.Target}
			if h == e.Target || seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, Edge{From: h, To: e.Target, Label: e.At.String()})
		}
	}
	reach := func(from, to string) bool {
		stack, visited := []string{from}, map[string]bool{}
		for len(stack) > 0 {
			n := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if n == to {
				return true
			}
			if visited[n] {
				continue
			}
			visited[n] = true
			for _, e := range out {
				if e.From == n {
					stack = append(stack, e.To)
				}
			}
		}
		return false
	}
	for i := range out {
		out[i].Cycle = reach(out[i].To, out[i].From)
	}
	return out
}
