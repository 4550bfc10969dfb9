package grade

import (
	"fmt"
	"sort"
	"strings"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/grade/checks/kit"
	"github.com/locklab/locklab/grade/report"
	"github.com/locklab/locklab/labs/explore"
	"github.com/locklab/locklab/labs/run"
)

// scoreNative scores works, race-free and no-leaks from the native
// runs: every run must be there and end well, the race detector must be
// silent, and goleak must find nothing left. Points go only to what the
// runs showed: race-free and no-leaks count only when the runs did the
// work right (works).
func (g *grading) scoreNative(c *childRun) {
	want := 2 * 2 * max(g.ex.Effort.NativeRuns, 1)
	var runs []*report.Run
	leaks, sawLeaks, done := "", false, false
	for _, l := range c.lines {
		switch l.Kind {
		case report.KindRun:
			if l.Run != nil {
				runs = append(runs, l.Run)
			}
		case report.KindLeaks:
			leaks, sawLeaks = l.Leaks, true
		case report.KindDone:
			done = true
		}
	}
	races := detector.Dedup(detector.ParseRace(c.stderr))

	works, worksMsg := true, ""
	orderNote := ""
	for i, r := range runs {
		if r.Outcome == string(run.LockOrder) {
			// A lock-order cycle is a potential deadlock, and a gate the
			// graph cannot see (a channel used as a semaphore) can keep it
			// from closing: the explored schedules judge it.
			if orderNote == "" {
				orderNote = fmt.Sprintf(" (run %d saw a lock-order cycle; the explored schedules show whether it can deadlock)", i+1)
			}
			continue
		}
		if r.Outcome == string(run.OK) {
			continue
		}
		var broken []string
		for _, c := range r.Invariants {
			broken = append(broken, c.Name)
		}
		if r.Outcome == string(run.Violated) && allFairness(broken) {
			// Native timing judges fairness badly (a writer that has just
			// asked looks kept waiting): the explored schedules judge it.
			if orderNote == "" {
				orderNote = fmt.Sprintf(" (run %d saw a worker kept waiting: %s; the explored schedules judge fairness)", i+1, r.Invariants[0].Name)
			}
			continue
		}
		works = false
		worksMsg = fmt.Sprintf("native run %d (%s workload, detectors %s) %s", i+1, r.Workload, onOff(r.Detect), g.runProblem(r))
		break
	}
	switch {
	case !works:
	case leaks != "" && done && len(runs) >= 2:
		// The runs stopped early at the goroutines left behind.
		worksMsg = fmt.Sprintf("%d native runs (%s), detectors on: every worker did all its work, every invariant held (the runs stopped early: goroutines were left behind, see no-leaks)", len(runs), g.nativeConfig()) + orderNote
	case len(runs) < want || !done || !sawLeaks:
		works = false
		if len(races) > 0 {
			worksMsg = fmt.Sprintf("not shown: the native runs stopped at the first data race, after %d of %d runs (see race-free)", len(runs), want)
		} else {
			worksMsg = fmt.Sprintf("not shown: the native runs did not all finish (%d of %d): %s", len(runs), want, g.childEnd(c))
		}
	default:
		cfg := g.nativeConfig()
		worksMsg = fmt.Sprintf("%d native runs (%s), detectors off and on: every worker did all its work, every invariant held", len(runs), cfg) + orderNote
	}
	g.res.set(CheckWorks, works, worksMsg)

	switch {
	case len(races) > 0:
		g.res.set(CheckRaceFree, false, g.raceMessage(races))
	case !works:
		g.res.set(CheckRaceFree, false, notCredited(CheckWorks))
	default:
		g.res.set(CheckRaceFree, true, fmt.Sprintf("no data race in %d native runs under the race detector", len(runs)))
	}
	switch {
	case !works:
		g.res.set(CheckNoLeaks, false, notCredited(CheckWorks))
	case leaks != "":
		g.res.set(CheckNoLeaks, false, "goroutines the submission started were still running after the native runs: "+g.display(clip(leaks)))
	default:
		g.res.set(CheckNoLeaks, true, fmt.Sprintf("no goroutine left after %d native runs", len(runs)))
	}
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func notCredited(need string) string {
	return fmt.Sprintf("not credited: the native runs did not show the code working (see %s), so this check shows nothing", need)
}

func (g *grading) nativeConfig() string {
	switch g.ex.Name {
	case "counter":
		return "4 workers × 300 increments"
	case "bank":
		return "4 tellers × 200 transfers"
	case "philosophers":
		return "5 philosophers × 200 meals"
	}
	return "the exercise's workload"
}

// runProblem says in a phrase how a native run went wrong.
func (g *grading) runProblem(r *report.Run) string {
	var why string
	switch {
	case len(r.Invariants) > 0:
		c := r.Invariants[0]
		why = fmt.Sprintf("broke an invariant: %s: expected %s, got %s", c.Name, c.Expected, c.Actual)
	case len(r.Findings) > 0:
		why = findingSentence(r.Findings[0])
	}
	what := map[string]string{
		string(run.Deadlock): "ended in a deadlock", string(run.Panic): "panicked", string(run.Livelock): "made no progress (livelock)",
		string(run.Stall): "stalled: no worker made progress", string(run.Timeout): "did not finish in time",
		string(run.Violated): "went wrong", string(run.LockOrder): "showed a potential deadlock (a lock-order cycle)",
	}[r.Outcome]
	if what == "" {
		what = "ended in " + r.Outcome
	}
	if why == "" {
		return what
	}
	return g.display(clip(what + ": " + why))
}

// findingSentence is a finding's message and, for a cycle, its steps on
// one line.
func findingSentence(f detector.Finding) string {
	msg := firstLine(f.Message)
	var steps []string
	for _, s := range f.Steps {
		switch {
		case s.Lock != "" && s.Owner != "":
			steps = append(steps, fmt.Sprintf("%s waits for %s held by %s at %s", s.Worker, s.Lock, s.Owner, s.At))
		case s.Lock != "" && f.Kind == detector.LockOrder:
			steps = append(steps, fmt.Sprintf("%s took %s while holding %s at %s", s.Worker, s.Lock, strings.Join(s.Holds, ", "), s.At))
		}
		if len(steps) == 3 {
			break
		}
	}
	if len(steps) > 0 {
		msg += " (" + strings.Join(steps, "; ") + ")"
	}
	if f.Kind == detector.Panic {
		msg += " (the panic value is the submission's own)"
	}
	return msg
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// raceMessage names the two accesses of each data race.
func (g *grading) raceMessage(races []detector.Race) string {
	var b strings.Builder
	fmt.Fprintf(&b, "the race detector reported %d data race(s)", len(races))
	sort.SliceStable(races, func(i, j int) bool { return races[i].Key() < races[j].Key() })
	for i, r := range races {
		if i == 3 {
			fmt.Fprintf(&b, "\nand %s more", Thousands(len(races)-3))
			break
		}
		a, p := r.Accesses[0], r.Accesses[1]
		fmt.Fprintf(&b, "\n%s by %s at %s / %s by %s at %s", a.Op, a.Who(), g.display(where(a)), p.Op, p.Who(), g.display(where(p)))
		if strings.Contains(where(a)+where(p), "kit/exercises.go") {
			b.WriteString(" (in the grader's own bookkeeping, reached through your calls: the shared state it touches was not guarded by the locks)")
		}
	}
	return b.String()
}

func where(a detector.Access) string {
	if s := a.At.String(); s != "" {
		return s
	}
	return a.Func
}

// scoreExplored scores schedules and progress from the explored
// schedules. They count only when the native runs showed the code
// working: a submission that behaves only when explored earns nothing.
func (g *grading) scoreExplored(c *childRun) {
	works := g.res.Check(CheckWorks).Passed()
	got := map[string][]*report.Explore{}
	for _, l := range c.lines {
		if l.Kind == report.KindExplore && l.Explore != nil {
			got[l.Explore.Workload] = append(got[l.Explore.Workload], l.Explore)
		}
	}
	stuck := ""
	for _, l := range c.lines {
		if l.Kind == report.KindExplore && l.Explore != nil && l.Explore.Stuck {
			stuck = g.display(clip(l.Explore.Stopped))
		}
	}
	for _, chk := range []struct{ name, workload, what string }{
		{CheckSchedules, report.Safety, "ends in"},
		{CheckProgress, report.Liveness, "left a worker's work undone:"},
	} {
		reps := got[chk.workload]
		pass, msg, repro := true, "", ""
		total := 0
		var parts []string
		for _, r := range reps {
			total += r.Schedules
			parts = append(parts, fmt.Sprintf("%d %s", r.Schedules, r.Strategy))
			switch {
			case r.Failure != nil:
				pass = false
				msg = fmt.Sprintf("explored schedule %d (%s) %s %s: %s", r.Failure.Schedule, r.Strategy, chk.what, r.Failure.Outcome, g.display(clip(g.shortName(failureSentence(r.Failure)))))
				repro = withDir("locklab grade "+g.ex.Name+" --replay "+r.Failure.Token, g.ex.Name, g.dir)
			case r.Stopped != "":
				pass = false
				msg = "not shown: " + g.display(clip(r.Stopped))
			}
			if !pass {
				break
			}
		}
		switch {
		case !pass:
		case len(reps) == 0 && stuck != "":
			pass, msg = false, "not shown: "+stuck
		case len(reps) < 2:
			pass, msg = false, "not shown: the explored schedules did not all finish: "+g.childEnd(c)
		case !works:
			pass, msg = false, notCredited(CheckWorks)
		default:
			msg = fmt.Sprintf("%d explored schedules (%s), switching at every lock, channel operation and shared access: ", total, strings.Join(parts, ", "))
			if chk.workload == report.Safety {
				msg += "no deadlock, stall, livelock or panic, every invariant held"
			} else {
				msg += "every worker finished all its work"
			}
		}
		g.res.set(chk.name, pass, msg)
		if !pass && repro != "" {
			g.res.Check(chk.name).Reproduce = repro
		}
	}
	if works {
		g.violatedWhenExplored(got[report.Safety])
	}
}

// violatedWhenExplored fails works when an explored schedule broke an
// invariant that the native runs, by the luck of their timing, did not:
// the code gives wrong results either way, and a grade must not change
// from one grading of the same code to the next. The checks that need
// works lose their credit with it.
func (g *grading) violatedWhenExplored(reps []*report.Explore) {
	for _, r := range reps {
		if r.Failure == nil || r.Failure.Outcome != run.Violated {
			continue
		}
		var broken []string
		for _, fd := range r.Failure.Findings {
			if fd.Kind == detector.Invariant {
				broken = append(broken, fd.Message)
			}
		}
		if allFairness(broken) {
			continue
		}
		g.res.set(CheckWorks, false, fmt.Sprintf("explored schedule %d (%s) broke an invariant that the native runs' timing did not happen to show: %s (see schedules)",
			r.Failure.Schedule, r.Strategy, g.display(clip(g.shortName(failureSentence(r.Failure))))))
		for _, name := range []string{CheckRaceFree, CheckProgress, CheckNoLeaks} {
			if g.res.Check(name).Passed() {
				g.res.set(name, false, notCredited(CheckWorks))
			}
		}
		return
	}
}

// allFairness reports whether there are broken invariants and each is a
// fairness bound (kit.IsFairness), by its name or a message that starts
// with its name.
func allFairness(broken []string) bool {
	for _, name := range broken {
		if !kit.IsFairness(name) {
			return false
		}
	}
	return len(broken) > 0
}

// failureSentence says what went wrong in an explored schedule.
func failureSentence(f *explore.Failure) string {
	for _, fd := range f.Findings {
		if fd.Message != "" {
			return findingSentence(fd)
		}
	}
	return string(f.Outcome)
}
