package render

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/run"
)

// ResultJSON writes r as indented JSON, fields in run.Result's order. Empty
// lists are written as [] rather than null, so a reader can always iterate.
func ResultJSON(w io.Writer, r *run.Result) error {
	out := *r
	out.Detectors = nonNil(out.Detectors)
	out.Findings = nonNil(out.Findings)
	out.Invariants = nonNil(out.Invariants)
	out.Metrics = nonNil(out.Metrics)
	out.Workers = nonNil(out.Workers)
	return writeJSON(w, &out)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// maxWorkerRows is how many workers the progress table lists one by one;
// beyond it the table is summarized.
const maxWorkerRows = 16

// Result writes what a run found, for a student: which variant ran and how,
// the verdict, each finding with the workers, locks and source lines
// involved, the invariants, every worker's progress, the scenario's
// metrics, the time taken, and the lesson (why the bug happens and which
// variant fixes it, or why the fix works).
func Result(w io.Writer, r *run.Result, st Style) error {
	var b strings.Builder
	resultHeader(&b, r, st)

	problems, notes := splitFindings(r.Findings, r.Outcome)
	b.WriteString("\n")
	if len(problems) == 0 {
		verdictOK(&b, r, st)
	}
	first := true
	for _, f := range problems {
		if f.Kind == detector.LockOrder && echoesDeadlock(f, problems) {
			continue // told in one line under the deadlock
		}
		if !first {
			b.WriteString("\n")
		}
		first = false
		finding(&b, r, f, st)
		if f.Kind == detector.Deadlock && len(f.Steps) > 1 {
			b.WriteString("\n")
			ring(&b, f, st)
		}
	}
	if len(r.Invariants) > 0 {
		b.WriteString("\n")
		invariants(&b, r.Invariants, st)
	}
	for _, f := range notes {
		b.WriteString("\n")
		gatedNote(&b, r, f, st)
	}
	if r.Outcome.Problem() && len(r.Events) > 0 {
		var sb strings.Builder
		eventsSummary(&sb, r, st)
		if sb.Len() > 0 {
			b.WriteString("\n")
			b.WriteString(sb.String())
		}
	}
	if len(r.Workers) > 0 {
		b.WriteString("\n")
		progress(&b, r, st)
	}
	if len(r.Metrics) > 0 {
		b.WriteString("\n")
		metrics(&b, r.Metrics, st)
	}
	fmt.Fprintf(&b, "\n%s %s\n", st.paint(bold, "Elapsed"), duration(r.Elapsed))
	b.WriteString("\n")
	lesson(&b, r, st)
	return writeString(w, &b)
}

// resultHeader writes two lines: the variant, and how it was run.
func resultHeader(b *strings.Builder, r *run.Result, st Style) {
	kind := string(r.Kind)
	if r.Bug != "" {
		kind += ": " + string(r.Bug)
	}
	fmt.Fprintf(b, "%s (%s)\n", st.paint(bold, r.Scenario+" / "+r.Variant), st.paint(kindCell(r.Kind).paint, kind))
	cfg := r.Config
	line := fmt.Sprintf("%s each, seed %d", count(cfg.Workers, r.WorkerNoun)+", "+count(cfg.Ops, opNoun(r)), cfg.Seed)
	if cfg.Yield != "" && cfg.Yield != "0s" {
		line += ", yield " + cfg.Yield
	}
	fmt.Fprintf(b, "%s\n", line)
	if len(r.Detectors) > 0 {
		fmt.Fprintf(b, "checked by %s\n", strings.Join(r.Detectors, ", "))
	}
}

// splitFindings orders the findings most severe first, as run decides the
// outcome, and sets apart the gated findings (cycles that cannot close,
// go-deadlock's complaints about a TryLock): notes, not problems.
func splitFindings(fs []detector.Finding, o run.Outcome) (problems, notes []detector.Finding) {
	for _, f := range fs {
		if f.Gated != "" {
			notes = append(notes, f)
			continue
		}
		if f.Kind == detector.Invariant {
			continue // the invariants table shows them
		}
		problems = append(problems, f)
	}
	slices.SortStableFunc(problems, func(a, b detector.Finding) int { return severity(a.Kind, o) - severity(b.Kind, o) })
	return problems, notes
}

// severity ranks a finding; go-deadlock's reports explain a deadlock
// outcome when the run was made with its locks.
func severity(k detector.Kind, o run.Outcome) int {
	if k == detector.PotentialDeadlock && o == run.Deadlock {
		return 1
	}
	switch k {
	case detector.Deadlock, detector.DoubleLock:
		return 0
	case detector.Panic:
		return 1
	case detector.Livelock:
		return 2
	case detector.Stall:
		return 3
	case detector.DataRace:
		return 4
	case detector.LockOrder, detector.PotentialDeadlock:
		return 6
	}
	return 5
}

// verdictOK is the line for a run without a problem finding; a broken
// invariant still makes it a failure.
func verdictOK(b *strings.Builder, r *run.Result, st Style) {
	if r.Outcome == run.Violated {
		failed := 0
		for _, c := range r.Invariants {
			if !c.OK {
				failed++
			}
		}
		fmt.Fprintf(b, "%s %d of %s did not hold; no detector saw a deadlock or a stall\n",
			st.paint(boldRed, "INVARIANT VIOLATED:"), failed, count(len(r.Invariants), "invariant"))
		return
	}
	if r.Outcome.Problem() {
		fmt.Fprintf(b, "%s %s\n", st.paint(boldRed, strings.ToUpper(string(r.Outcome))+":"), "see below")
		return
	}
	msg := fmt.Sprintf("every %s finished", nounOr(r.WorkerNoun))
	if len(r.Invariants) > 0 {
		msg += ", every invariant held"
	}
	msg += "; no detector reported a problem"
	fmt.Fprintf(b, "%s %s\n", st.paint(boldGreen, "OK:"), msg)
}

// opNoun is what one unit of a worker's work is called: "meal".
func opNoun(r *run.Result) string {
	if r.OpNoun == "" {
		return "op"
	}
	return r.OpNoun
}

func nounOr(noun string) string {
	if noun == "" {
		return "worker"
	}
	return noun
}

// finding writes one problem: a headline, then one line per step.
func finding(b *strings.Builder, r *run.Result, f detector.Finding, st Style) {
	t := &table{indent: 2}
	switch f.Kind {
	case detector.Deadlock:
		steps := rotateCycle(f.Steps, r.Workers)
		fmt.Fprintf(b, "%s %s wait for each other in a cycle\n",
			st.paint(boldRed, "DEADLOCK"+after(r)+":"), count(len(steps), r.WorkerNoun))
		for _, s := range steps {
			t.row(c(s.Worker), c(waitText(s)), cp(dim, s.At.String()))
		}
		t.write(b, st)
		fmt.Fprintf(b, "  %s\n", wrap("Nobody can go on: each one holds a lock the next one needs. The detector stopped the run the moment the cycle closed.", lineWidth, 2, 2))
		for _, g := range r.Findings {
			if g.Kind == detector.LockOrder && g.Gated == "" && sameLocks(g, f) {
				fmt.Fprintf(b, "  %s\n", wrap("The lock-order graph saw the same cycle: it would have warned about this lock order even if the timing had been lucky and nothing had hung.", lineWidth, 2, 2))
				break
			}
		}
	case detector.DoubleLock:
		fmt.Fprintf(b, "%s %s\n", st.paint(boldRed, "DEADLOCK"+after(r)+":"), f.Message)
		for _, s := range f.Steps {
			t.row(c(s.Worker), c("holds "+s.Lock+", locks it again"), cp(dim, s.At.String()))
		}
		t.write(b, st)
		fmt.Fprintf(b, "  %s\n", wrap("A Mutex is not reentrant: a goroutine that locks one it already holds waits for itself forever.", lineWidth, 2, 2))
	case detector.Livelock, detector.Stall:
		label := "STALL"
		switch {
		case f.Kind == detector.Livelock:
			label = "LIVELOCK"
		case r.Outcome == run.Timeout:
			label = "TIMEOUT"
		}
		fmt.Fprintf(b, "%s %s\n", st.paint(boldRed, label+":"), watchdogMessage(f.Message, r.WorkerNoun))
		for _, s := range f.Steps {
			t.row(c(s.Worker), c(stateText(s)), cp(dim, s.At.String()))
		}
		t.write(b, st)
	case detector.LockOrder:
		steps := rotateCycle(f.Steps, r.Workers)
		fmt.Fprintf(b, "%s locks taken in inconsistent order: %s\n", st.paint(boldYellow, "POTENTIAL DEADLOCK:"), cycleText(steps))
		orderSteps(b, steps, st, plain)
		switch r.Outcome {
		case run.LockOrder, run.Violated, run.OK:
			fmt.Fprintf(b, "  %s\n", wrap("This run did not hang, but if each of these steps had its first lock at the same moment, none could take its second: the same cycle as a deadlock.", lineWidth, 2, 2))
		case run.Stall, run.Livelock, run.Timeout:
			fmt.Fprintf(b, "  %s\n", wrap("This cycle is the likely reason the run stopped making progress: each step holds its first lock while it waits for its second.", lineWidth, 2, 2))
		}
	default:
		// Panics, go-deadlock and race reports: the message, then the steps.
		label, p := strings.ToUpper(string(f.Kind)), boldRed
		switch f.Kind {
		case detector.PotentialDeadlock:
			label, p = "POTENTIAL DEADLOCK (go-deadlock)", boldYellow
			if r.Outcome == run.Deadlock {
				label, p = "DEADLOCK (go-deadlock)", boldRed
			}
		case detector.DataRace:
			label = "DATA RACE"
		}
		fmt.Fprintf(b, "%s %s\n", st.paint(p, label+":"), f.Message)
		for _, s := range f.Steps {
			text := s.Lock
			if len(s.Holds) > 0 {
				text = "holding " + strings.Join(s.Holds, ", ") + ", locks " + s.Lock
			}
			t.row(c(s.Worker), c(text), cp(dim, s.At.String()))
		}
		t.write(b, st)
	}
}

// after returns " after 3.1 ms" when the time to detection is known.
func after(r *run.Result) string {
	if r.DetectedAfter > 0 {
		return " after " + duration(r.DetectedAfter)
	}
	return ""
}

// watchdogMessage speaks of the scenario's workers ("no philosopher made
// progress") and drops the trailing ": livelock" that the headline says.
func watchdogMessage(msg, noun string) string {
	msg = strings.TrimSuffix(msg, ": livelock")
	msg = strings.Replace(msg, "(1 steps)", "(1 step)", 1)
	if noun != "" {
		if rest, ok := strings.CutPrefix(msg, "no worker "); ok {
			msg = "no " + noun + " " + rest
		}
	}
	return msg
}

// waitText describes one worker of a deadlock cycle.
func waitText(s detector.Step) string {
	var b strings.Builder
	if len(s.Holds) > 0 {
		b.WriteString("holds " + strings.Join(s.Holds, ", ") + ", ")
	}
	b.WriteString("waits for " + s.Lock)
	if s.Owner != "" {
		b.WriteString(" (held by " + s.Owner + ")")
	}
	return b.String()
}

// stateText describes one worker of a stalled run.
func stateText(s detector.Step) string {
	if s.State == "blocked" {
		t := "blocked on " + s.Lock
		if s.Owner != "" {
			t += " (held by " + s.Owner + ")"
		}
		return t
	}
	return dash(s.State)
}

// orderSteps writes a lock-order cycle as lockdep does: one line per edge,
// the worker that first took it and what it held when it locked the next.
func orderSteps(b *strings.Builder, steps []detector.Step, st Style, p paint) {
	t := &table{indent: 2}
	for _, s := range steps {
		t.row(cp(p, s.Worker), cp(p, "holding "+strings.Join(s.Holds, ", ")+", locks "+s.Lock), cp(dim, s.At.String()))
	}
	t.write(b, st)
}

// rotateCycle starts a deadlock cycle at the worker that started first, so
// a cycle reads the same whichever waiter happened to close it.
func rotateCycle(steps []detector.Step, workers []run.WorkerResult) []detector.Step {
	best, bestRank := 0, len(workers)
	for i, s := range steps {
		rank := slices.IndexFunc(workers, func(w run.WorkerResult) bool { return w.Name == s.Worker })
		if rank >= 0 && rank < bestRank {
			best, bestRank = i, rank
		}
	}
	return append(slices.Clone(steps[best:]), steps[:best]...)
}

// gatedNote explains a finding that is not a problem: a lock-order cycle
// that cannot close, or a go-deadlock report it explains away.
func gatedNote(b *strings.Builder, r *run.Result, f detector.Finding, st Style) {
	if f.Kind != detector.LockOrder {
		msg := fmt.Sprintf("%s, but %s. Not a problem.", strings.TrimSuffix(f.Message, "."), f.Gated)
		fmt.Fprintf(b, "%s %s\n", st.paint(cyan, "Note:"), wrap(msg, lineWidth, 6, 2))
		orderSteps(b, f.Steps, st, dim)
		return
	}
	steps := rotateCycle(f.Steps, r.Workers)
	msg := fmt.Sprintf("the locks were taken in a cycle (%s), but it cannot close: %s. Not a problem.", cycleText(steps), f.Gated)
	fmt.Fprintf(b, "%s %s\n", st.paint(cyan, "Note:"), wrap(msg, lineWidth, 6, 2))
	orderSteps(b, steps, st, dim)
}

// echoesDeadlock reports whether a lock-order finding is the cycle of an
// actual deadlock among fs (the lock-order graph learns the edges a
// deadlock waits on).
func echoesDeadlock(f detector.Finding, fs []detector.Finding) bool {
	return slices.ContainsFunc(fs, func(g detector.Finding) bool { return g.Kind == detector.Deadlock && sameLocks(f, g) })
}

// sameLocks reports whether two findings' steps name the same set of
// locks.
func sameLocks(a, b detector.Finding) bool {
	set := func(f detector.Finding) []string {
		var ls []string
		for _, s := range f.Steps {
			ls = append(ls, s.Lock)
		}
		slices.Sort(ls)
		return slices.Compact(ls)
	}
	return slices.Equal(set(a), set(b))
}

// cycleText returns "fork 0 -> fork 1 -> fork 0" for a lock-order cycle.
func cycleText(steps []detector.Step) string {
	var names []string
	for _, s := range steps {
		names = append(names, strings.Join(s.Holds, "+"))
	}
	if len(steps) > 0 {
		names = append(names, steps[len(steps)-1].Lock)
	}
	return strings.Join(names, " -> ")
}

// invariants writes the scenario's checks, expected against actual.
func invariants(b *strings.Builder, cs []labs.Check, st Style) {
	fmt.Fprintf(b, "%s\n", st.paint(bold, "Invariants"))
	t := &table{indent: 2}
	for _, ch := range cs {
		verdict := cp(boldGreen, "OK")
		if !ch.OK {
			verdict = cp(boldRed, "FAIL")
		}
		t.row(verdict, c(ch.Name), c("expected "+ch.Expected), c("got "+ch.Actual))
	}
	t.write(b, st)
}

// progress writes each worker's units of work and end state, or a summary
// when there are many workers.
func progress(b *strings.Builder, r *run.Result, st Style) {
	noun := nounOr(r.WorkerNoun)
	ws := r.Workers
	same := true
	for _, w := range ws {
		if w.State != "done" || w.Progress != ws[0].Progress {
			same = false
		}
	}
	if same {
		fmt.Fprintf(b, "%s every %s is done, %s each\n", st.paint(bold, "Progress:"), noun, count(int(ws[0].Progress), opNoun(r)))
		return
	}
	fmt.Fprintf(b, "%s %s done per %s (of %d)\n", st.paint(bold, "Progress:"), plural(opNoun(r)), noun, r.Config.Ops)
	if len(ws) > maxWorkerRows {
		progressSummary(b, ws)
		return
	}
	t := &table{indent: 2}
	for _, w := range ws {
		t.row(c(w.Name), c(strconv.FormatInt(w.Progress, 10)), cp(statePaint(w.State), w.State))
	}
	t.write(b, st)
}

func statePaint(state string) paint {
	switch state {
	case "done":
		return green
	case "aborted", "panicked":
		return red
	}
	return yellow
}

// progressSummary writes the total, the least and the most progress, and
// how many workers ended in each state.
func progressSummary(b *strings.Builder, ws []run.WorkerResult) {
	lo, hi, total := ws[0], ws[0], int64(0)
	states := map[string]int{}
	var order []string
	for _, w := range ws {
		total += w.Progress
		if w.Progress < lo.Progress {
			lo = w
		}
		if w.Progress > hi.Progress {
			hi = w
		}
		if states[w.State] == 0 {
			order = append(order, w.State)
		}
		states[w.State]++
	}
	t := &table{indent: 2}
	t.row(c("total"), c(strconv.FormatInt(total, 10)))
	t.row(c("least"), c(strconv.FormatInt(lo.Progress, 10)+" ("+lo.Name+")"))
	t.row(c("most"), c(strconv.FormatInt(hi.Progress, 10)+" ("+hi.Name+")"))
	var parts []string
	for _, s := range order {
		parts = append(parts, fmt.Sprintf("%d %s", states[s], s))
	}
	t.row(c("states"), c(strings.Join(parts, ", ")))
	t.write(b, Style{})
}

// metrics writes the scenario's measurements.
func metrics(b *strings.Builder, ms []labs.Metric, st Style) {
	fmt.Fprintf(b, "%s\n", st.paint(bold, "Metrics"))
	t := &table{indent: 2}
	for _, m := range ms {
		t.row(c(m.Name), c(m.Value))
	}
	t.write(b, st)
}

// lesson closes the report: why the bug happened and what to run next, or
// why the fix works.
func lesson(b *strings.Builder, r *run.Result, st Style) {
	problem := r.Outcome.Problem()
	switch {
	case r.Kind == labs.Buggy && !problem:
		fmt.Fprintf(b, "%s\n", wrap(fmt.Sprintf("This variant is buggy (%s), but the bug did not show this time. Run it again, with another --seed, or with more --ops.", r.Bug), lineWidth, 0, 0))
		fallthrough
	case r.Kind == labs.Buggy:
		fmt.Fprintf(b, "%s %s\n", st.paint(bold, "Why:"), wrap(r.Lesson, lineWidth, 5, 5))
		if r.Fix != "" {
			fmt.Fprintf(b, "%s %s\n", st.paint(bold, "Fix:"), RunCommand(r.Scenario, r.Fix))
		}
	case problem:
		fmt.Fprintf(b, "%s\n", wrap(fmt.Sprintf("This %s variant is not expected to fail like this; if the lesson below does not explain it, it is a bug in the lab.", r.Kind), lineWidth, 0, 0))
		fmt.Fprintf(b, "%s %s\n", st.paint(bold, "Lesson:"), wrap(r.Lesson, lineWidth, 8, 8))
	default:
		fmt.Fprintf(b, "%s %s\n", st.paint(bold, "Why it works:"), wrap(r.Lesson, lineWidth, 14, 14))
	}
}
