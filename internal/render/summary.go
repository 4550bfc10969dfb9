package render

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/internal/view"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/eventlog"
	"github.com/locklab/locklab/labs/run"
)

// Bounds on a native run's lane summary.
const (
	summaryBefore = 10 // events shown before a lost write
	summaryLast   = 3  // events per worker shown at the end of a run
)

// summaryEvents picks the events a native run's report shows around its
// failure, from everything the run recorded: the stretch that ends in the
// first lost write, when there is one (the read and the write of each
// worker in it); else each worker's last few events that are not yields
// or progress, which for a deadlock end with every worker's request for
// the lock it waits on. The result keeps the run's order.
func summaryEvents(events []labs.Event) []labs.Event {
	if out := lostStretch(events); out != nil {
		return out
	}
	keep := map[int]bool{}
	seen := map[string]int{}
	for i := len(events) - 1; i >= 0; i-- {
		e := events[i]
		if quiet(e.Op) || e.Op == "exit" || seen[e.Worker] >= summaryLast {
			continue
		}
		seen[e.Worker]++
		keep[i] = true
	}
	last := map[string]int{}
	for i, e := range events {
		last[e.Worker] = i
	}
	var out []labs.Event
	for i, e := range events {
		if !keep[i] {
			continue
		}
		if e.Op == "request" && last[e.Worker] == i {
			e.Op = "blocked" // asked, and never got it
		}
		out = append(out, e)
	}
	return out
}

// lostStretch returns the clearest lost update in events, if there is
// one: the two workers' events from the first one's read of the target to
// the write that overwrites the second one's. Clearest is two workers
// writing the same value, having read the same one; else the first.
func lostStretch(events []labs.Event) []labs.Event {
	lost := view.LostWrites(events)
	if len(lost) == 0 {
		return nil
	}
	// The first lost write, preferring one that wrote the value it
	// overwrote (both read 41, both wrote 42).
	pick := -1
	for i := range events {
		o, ok := lost[i]
		if !ok {
			continue
		}
		if pick < 0 {
			pick = i
		}
		if o.Value == events[i].Value {
			pick = i
			break
		}
	}
	e, o := events[pick], lost[pick]
	from := pick
	for from > 0 && (events[from].Worker != e.Worker || events[from].Op != "read" || events[from].Target != e.Target) {
		from--
	}
	// Start at the other worker's read, if it came first.
	for j := from - 1; j >= 0 && j >= from-summaryBefore; j-- {
		if events[j].Worker == o.Over && events[j].Op == "read" && events[j].Target == e.Target {
			from = j
			break
		}
	}
	var out []labs.Event
	for i := from; i <= pick; i++ {
		if w := events[i].Worker; (w == e.Worker || w == o.Over) && !quiet(events[i].Op) {
			out = append(out, events[i])
		}
	}
	if len(out) > summaryBefore {
		out = out[len(out)-summaryBefore:]
	}
	return out
}

// quiet reports the events a summary leaves out: they happen between
// every two that matter.
func quiet(op string) bool {
	return op == "yield" || op == "progress" || op == "start" || op == eventlog.Gap
}

// eventsSummary writes a native run's lane summary: what the workers did
// just before the failure, one lane per worker, when the run recorded
// events and they fit the style's width.
func eventsSummary(b *strings.Builder, r *run.Result, st Style) {
	if !r.Outcome.Problem() || len(r.Events) == 0 {
		return
	}
	evs := summaryEvents(r.Events)
	if len(evs) == 0 {
		return
	}
	var workers []string
	for _, w := range r.Workers {
		for _, e := range evs {
			if e.Worker == w.Name {
				workers = append(workers, w.Name)
				break
			}
		}
	}
	laneW := lanesFit(workers, evs, st.Width)
	if laneW == 0 {
		// Without the AT column: the findings above give the lines.
		evs = slices.Clone(evs)
		for i := range evs {
			evs[i].At = detector.Pos{}
		}
		laneW = lanesFit(workers, evs, st.Width)
	}
	what := "What each " + nounOr(r.WorkerNoun) + " did last"
	if len(view.LostWrites(evs)) > 0 {
		what = "How the update was lost"
	}
	fmt.Fprintf(b, "%s %s\n", st.paint(bold, what+":"), st.paint(dim, "(time downward; --html and --trace show the whole run)"))
	if laneW == 0 && st.View == ViewLanes {
		laneW = laneMin
	}
	if laneW > 0 && st.View != ViewTable {
		lanes(b, workers, evs, laneW, st)
		return
	}
	t := &table{indent: 2, head: []string{"STEP", strings.ToUpper(nounOr(r.WorkerNoun)), "OP", "TARGET", "HOLDS AFTER", "AT"}}
	for _, e := range summaryEvents(r.Events) { // with their positions
		target := strings.TrimPrefix(strings.TrimPrefix(view.Text(e), e.Op), " ")
		t.row(c(strconv.Itoa(e.Step)), c(e.Worker), cp(opPaint(e.Op), e.Op), c(target), c(dash(strings.Join(e.Holds, ", "))), cp(dim, e.At.String()))
	}
	t.write(b, st)
}
