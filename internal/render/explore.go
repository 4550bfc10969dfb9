package render

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/internal/view"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/explore"
	"github.com/locklab/locklab/labs/run"
)

// ExploreCommand returns the command line that explores a variant under
// the controlled scheduler.
func ExploreCommand(scenario, variant string) string {
	return "locklab explore " + scenario + " --variant " + variant
}

// ReplayCommand returns the command line that replays a schedule from its
// token. Tokens are base64url, so the line needs no shell quoting.
func ReplayCommand(scenario, variant, token string) string {
	return ExploreCommand(scenario, variant) + " --replay " + token
}

// maxTraceRows is how many steps a trace table shows; a longer trace is
// shown by its last tailTraceRows steps, where the bug happens (the JSON
// form has every step).
const (
	maxTraceRows  = 60
	tailTraceRows = 40
)

// ExploreJSON writes an exploration's result as indented JSON, fields in
// explore.Result's order, empty lists as [].
func ExploreJSON(w io.Writer, r *explore.Result) error {
	out := *r
	if out.First != nil {
		out.First = failureJSON(out.First)
	}
	return writeJSON(w, &out)
}

func failureJSON(f *explore.Failure) *explore.Failure {
	out := *f
	out.Findings = nonNil(out.Findings)
	out.Trace = nonNil(out.Trace)
	return &out
}

// replayJSON is the JSON form of a replayed schedule: the failure with the
// scenario and variant it belongs to.
type replayJSON struct {
	Scenario string `json:"scenario"`
	Variant  string `json:"variant"`
	explore.Failure
}

// ReplayJSON writes a replayed schedule as indented JSON: the scenario,
// the variant, then explore.Failure's fields, empty lists as [].
func ReplayJSON(w io.Writer, scenario, variant string, f *explore.Failure) error {
	return writeJSON(w, replayJSON{Scenario: scenario, Variant: variant, Failure: *failureJSON(f)})
}

// Explore writes what an exploration found, for a student: the variant
// and how it was explored; then either that no schedule failed, or the
// first failure: what went wrong (the deadlock cycle, the broken
// invariant), the schedule that led there as a step table, and the
// command that replays it; and the lesson.
func Explore(w io.Writer, s *labs.Scenario, v *labs.Variant, r *explore.Result, st Style) error {
	var b strings.Builder
	variantHeader(&b, s, v, st)
	cfg := r.Config
	fmt.Fprintf(&b, "%s, %s each, seed %d\n", count(cfg.Workers, s.Workers), count(cfg.Ops, opOr(s.Ops)), cfg.Seed)
	fmt.Fprintf(&b, "explored under the controlled scheduler: strategy %s, schedule seed %d\n", r.Strategy, r.Seed)
	b.WriteString("\n")
	f := r.First
	if f == nil {
		exploreClean(&b, v, r, st)
		fmt.Fprintf(&b, "%s %s\n\n", st.paint(bold, "Elapsed"), duration(r.Elapsed))
		exploreLesson(&b, s, v, false, st)
		return writeString(w, &b)
	}
	verdict := fmt.Sprintf("schedule %d of %d ended in %s", f.Schedule, r.Schedules, outcomeText(f.Outcome))
	if r.Failures > 1 {
		verdict += fmt.Sprintf("; %d of the %d schedules failed", r.Failures, r.Schedules)
	}
	fmt.Fprintf(&b, "%s %s\n", st.paint(boldRed, "FAILED:"), wrap(verdict+".", lineWidth, 8, 2))
	fmt.Fprintf(&b, "%s %s\n\n", st.paint(bold, "Elapsed"), duration(r.Elapsed))
	failure(&b, s, v, f, "minimized", st)
	exploreLesson(&b, s, v, true, st)
	return writeString(w, &b)
}

// Replay writes a schedule replayed from its token: what it ended in, its
// step table, and the lesson. It writes nothing that depends on the
// machine or the time, so a replay prints the same bytes every time.
func Replay(w io.Writer, s *labs.Scenario, v *labs.Variant, f *explore.Failure, st Style) error {
	var b strings.Builder
	variantHeader(&b, s, v, st)
	b.WriteString("one schedule, replayed from its token under the controlled scheduler\n\n")
	if !f.Outcome.Problem() {
		fmt.Fprintf(&b, "%s %s\n\n", st.paint(boldGreen, "OK:"),
			wrap(fmt.Sprintf("the schedule ran to its end: every %s finished and every invariant held.", nounOr(s.Workers)), lineWidth, 4, 2))
	}
	failure(&b, s, v, f, "", st)
	exploreLesson(&b, s, v, f.Outcome.Problem(), st)
	return writeString(w, &b)
}

// variantHeader writes the first line of a report: the variant and its
// kind.
func variantHeader(b *strings.Builder, s *labs.Scenario, v *labs.Variant, st Style) {
	kind := string(v.Kind)
	if v.Bug != "" {
		kind += ": " + string(v.Bug)
	}
	fmt.Fprintf(b, "%s (%s)\n", st.paint(bold, s.Name+" / "+v.Name), st.paint(kindCell(v.Kind).paint, kind))
}

// outcomeText names an outcome in a sentence: "a deadlock".
func outcomeText(o run.Outcome) string {
	switch o {
	case run.Deadlock:
		return "a deadlock"
	case run.Violated:
		return "a broken invariant"
	case run.Livelock:
		return "a livelock"
	case run.Panic:
		return "a panic"
	case run.Stall:
		return "a stall: workers still blocked at the end"
	case run.OK:
		return "success"
	}
	return string(o)
}

// exploreClean writes the verdict of an exploration without a failure.
func exploreClean(b *strings.Builder, v *labs.Variant, r *explore.Result, st Style) {
	msg := fmt.Sprintf("no failure in %s", count(r.Schedules, "schedule"))
	if r.Exhausted {
		msg += ": that is every schedule within the preemption bound"
	}
	label, p := "OK:", boldGreen
	switch {
	case v.Kind == labs.Buggy && r.Exhausted:
		label, p = "NOT FOUND:", boldYellow
		msg += fmt.Sprintf(". This variant is buggy (%s), but not with this configuration and bound: try more --ops or --workers, another --worker-seed (the workers' own choices), or more --preemptions", v.Bug)
	case v.Kind == labs.Buggy:
		label, p = "NOT FOUND:", boldYellow
		msg += fmt.Sprintf(". This variant is buggy (%s), but no schedule showed it: try more --schedules, another --seed or --strategy", v.Bug)
	}
	fmt.Fprintf(b, "%s %s\n", st.paint(p, label), wrap(msg+".", lineWidth, width(label)+1, 2))
}

// failure writes a failing (or replayed) schedule: its findings, its
// trace and its replay command. how qualifies the trace ("minimized").
func failure(b *strings.Builder, s *labs.Scenario, v *labs.Variant, f *explore.Failure, how string, st Style) {
	r := &run.Result{Scenario: s.Name, Variant: v.Name, WorkerNoun: s.Workers, OpNoun: s.Ops, Outcome: f.Outcome,
		Findings: f.Findings, Workers: traceWorkers(f.Trace)}
	problems, notes := splitFindings(f.Findings, f.Outcome)
	for _, g := range f.Findings {
		if g.Kind == detector.Invariant && g.Gated == "" {
			fmt.Fprintf(b, "%s %s\n\n", st.paint(boldRed, "INVARIANT VIOLATED:"), wrap(g.Message, lineWidth, 19, 2))
		}
	}
	for _, g := range problems {
		if g.Kind == detector.LockOrder && echoesDeadlock(g, problems) {
			continue
		}
		finding(b, r, g, st)
		b.WriteString("\n")
		if g.Kind == detector.Deadlock && len(g.Steps) > 1 {
			ring(b, g, st)
			b.WriteString("\n")
		}
	}
	for _, g := range notes {
		gatedNote(b, r, g, st)
		b.WriteString("\n")
	}
	traceTable(b, s, f, how, st)
	if f.Token != "" {
		fmt.Fprintf(b, "\n%s %s\n", st.paint(bold, "Replay:"), ReplayCommand(s.Name, v.Name, f.Token))
	}
	b.WriteString("\n")
}

// traceWorkers lists the workers of a trace in the order they first
// moved, which is the order a deadlock cycle is printed from.
func traceWorkers(trace []explore.Event) []run.WorkerResult {
	var ws []run.WorkerResult
	seen := map[string]bool{}
	for _, e := range trace {
		if !seen[e.Worker] {
			seen[e.Worker] = true
			ws = append(ws, run.WorkerResult{Name: e.Worker})
		}
	}
	return ws
}

// traceTable writes a schedule's steps: as lanes, one column per worker,
// when they fit (or the style asks for them), else as a table of step,
// worker, operation, target, what the worker holds after the step, and
// where.
func traceTable(b *strings.Builder, s *labs.Scenario, f *explore.Failure, how string, st Style) {
	desc := count(len(f.Trace), "step") + ", " + count(f.Switches, "context switch")
	if how != "" {
		desc += " (" + how + ")"
	}
	if c := f.Config; c.Workers > 0 {
		desc += fmt.Sprintf("; %s × %s", count(c.Workers, nounOr(s.Workers)), count(c.Ops, nounOr(s.Ops)))
	}
	fmt.Fprintf(b, "%s %s\n", st.paint(bold, "Schedule:"), desc)
	rows := f.Trace
	if len(rows) > maxTraceRows {
		skipped := len(rows) - tailTraceRows
		rows = rows[skipped:]
		fmt.Fprintf(b, "  %s\n", st.paint(dim, fmt.Sprintf("... %s before these (--json has them all; fewer --ops make a shorter schedule)", count(skipped, "step"))))
	}
	var workers []string
	for _, w := range traceWorkers(f.Trace) {
		workers = append(workers, w.Name)
	}
	sortNames(workers)
	laneW := lanesFit(workers, rows, st.Width)
	if st.View == ViewLanes && laneW == 0 {
		laneW = laneMin
	}
	if st.View != ViewTable && laneW > 0 {
		lanes(b, workers, rows, laneW, st)
		return
	}
	t := &table{indent: 2, head: []string{"STEP", strings.ToUpper(nounOr(s.Workers)), "OP", "TARGET", "HOLDS AFTER", "AT"}}
	lost := view.LostWrites(rows)
	for i, e := range rows {
		target := e.Target
		if e.Value != "" {
			target += " = " + e.Value
		}
		op := e.Op
		if e.Preempt {
			op = "» " + op
		}
		p := opPaint(e.Op)
		if _, ok := lost[i]; ok {
			p = boldRed
			target += " (overwrites " + lost[i].Over + "'s write: lost)"
		}
		t.row(c(strconv.Itoa(e.Step)), c(e.Worker), cp(p, op), c(target), c(dash(strings.Join(e.Holds, ", "))), cp(dim, e.At.String()))
	}
	t.write(b, st)
}

// opPaint emphasizes the operations a student should look at: a worker
// that blocks, and a yield (the only place a cooperative scheduler
// switches).
func opPaint(op string) paint {
	switch op {
	case "blocked", "trylock fail":
		return red
	case "yield":
		return cyan
	}
	return plain
}

// exploreLesson closes a report: why the bug happens and what to explore
// next, or why the fix holds in every schedule.
func exploreLesson(b *strings.Builder, s *labs.Scenario, v *labs.Variant, failed bool, st Style) {
	switch {
	case v.Kind == labs.Buggy:
		fmt.Fprintf(b, "%s %s\n", st.paint(bold, "Why:"), wrap(v.Lesson, lineWidth, 5, 5))
		if v.Fix != "" {
			fmt.Fprintf(b, "%s %s\n", st.paint(bold, "Fix:"), ExploreCommand(s.Name, v.Fix))
		}
	case failed:
		fmt.Fprintf(b, "%s\n", wrap(fmt.Sprintf("This %s variant is not expected to fail; if the lesson below does not explain it, it is a bug in the lab.", v.Kind), lineWidth, 0, 0))
		fmt.Fprintf(b, "%s %s\n", st.paint(bold, "Lesson:"), wrap(v.Lesson, lineWidth, 8, 8))
	default:
		fmt.Fprintf(b, "%s %s\n", st.paint(bold, "Why it works:"), wrap(v.Lesson, lineWidth, 14, 14))
	}
}
