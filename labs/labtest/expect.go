package labtest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/run"
)

// Reported returns the detectors that reported a problem in res, in the
// order of labs.Detectors. A gated lock-order finding (a cycle that
// cannot close) is not a report. A run under the controlled scheduler
// (res.Detectors lists labs.Explorer) that found a problem is reported by
// the explorer as well. Data races are not in a Result: count them with
// ChildResult.Races.
func Reported(res *run.Result) []labs.Detector {
	seen := map[labs.Detector]bool{}
	for _, f := range res.Findings {
		switch f.Kind {
		case detector.Deadlock, detector.DoubleLock:
			seen[labs.WaitFor] = true
		case detector.LockOrder:
			if f.Gated == "" {
				seen[labs.LockOrder] = true
			}
		case detector.Invariant:
			seen[labs.Invariant] = true
		case detector.Stall, detector.Livelock:
			seen[labs.Watchdog] = true
		case detector.DataRace:
			seen[labs.Race] = true
		case detector.PotentialDeadlock:
			if f.Gated == "" {
				seen[labs.GoDeadlock] = true
			}
		}
	}
	// Under the controlled scheduler every problem is the explorer's
	// finding too.
	if slices.Contains(res.Detectors, string(labs.Explorer)) && res.Outcome.Problem() {
		seen[labs.Explorer] = true
	}
	var ds []labs.Detector
	for _, d := range labs.Detectors() {
		if seen[d] {
			ds = append(ds, d)
		}
	}
	return ds
}

// CheckExpectations reports on t every way in which res, a run of v,
// differs from what v declares (see Mismatches).
func CheckExpectations(t testing.TB, v *labs.Variant, res *run.Result) {
	t.Helper()
	for _, m := range Mismatches(v, res) {
		t.Errorf("%s", m)
	}
}

// Mismatches returns every way in which res, a run of v, differs from
// what v declares: each detector of v.Caught that ran must have reported
// it, and no detector that ran may report it unless v lists it in Caught
// or Warned (a deadlock or livelock may also be stopped by the watchdog). A buggy variant's outcome must be a problem, unless
// only the controlled scheduler (labs.Explorer) is declared to catch it; a
// fixed or cooperative variant's must be run.OK, or the outcome of a
// detector in v.Warned, with every invariant holding.
func Mismatches(v *labs.Variant, res *run.Result) []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	reported := Reported(res)
	for _, name := range res.Detectors {
		d := labs.Detector(name)
		got := slices.Contains(reported, d)
		// A deadlock or livelock stops progress: where nothing aborts
		// the run first (go-deadlock's locks cannot be aborted, a
		// livelock never blocks), the watchdog seeing it is the bug.
		stopped := d == labs.Watchdog && v.Bug.StopsProgress()
		switch {
		case slices.Contains(v.Caught, d) && !got:
			bad("%s: %s did not report it; Caught declares it must\n%s", v.Name, d, describe(res))
		case got && !v.Expects(d) && !stopped:
			bad("%s: %s reported it; the variant does not expect it\n%s", v.Name, d, describe(res))
		}
	}
	switch v.Kind {
	case labs.Buggy:
		explorerOnly := len(v.Caught) == 1 && v.Caught[0] == labs.Explorer
		if !res.Outcome.Problem() && !explorerOnly {
			bad("%s: outcome %s; want a problem\n%s", v.Name, res.Outcome, describe(res))
		}
	default:
		if d, ok := outcomeDetector(res.Outcome); res.Outcome != run.OK && !(ok && slices.Contains(v.Warned, d)) {
			bad("%s: outcome %s; want %s\n%s", v.Name, res.Outcome, run.OK, describe(res))
		}
		for _, c := range res.Invariants {
			if !c.OK {
				bad("%s: invariant %q: expected %s, got %s", v.Name, c.Name, c.Expected, c.Actual)
			}
		}
		if len(res.Invariants) == 0 {
			bad("%s: no invariants checked", v.Name)
		}
	}
	return out
}

// outcomeDetector returns the detector whose report gives outcome o.
func outcomeDetector(o run.Outcome) (labs.Detector, bool) {
	switch o {
	case run.Deadlock:
		return labs.WaitFor, true
	case run.Livelock, run.Stall, run.Timeout:
		return labs.Watchdog, true
	case run.Violated:
		return labs.Invariant, true
	case run.LockOrder:
		return labs.LockOrder, true
	}
	return "", false
}

func describe(res *run.Result) string {
	s := res.Summary()
	for _, f := range res.Findings {
		s += "\n" + f.String()
	}
	return s
}

// CheckRaces reports on t every way in which the race detector's verdict
// on c, a child run of v, differs from what v declares: a variant that
// expects labs.Race must draw at least one report, naming v.File, and a
// non-zero exit status; any other variant must draw none and exit 0 (so
// its child leaked no goroutine either). It skips t when the test binary
// was built without -race, since then no child can report a race.
func CheckRaces(t testing.TB, v *labs.Variant, c *ChildResult) {
	t.Helper()
	if !RaceEnabled {
		t.Skip("the race detector is off (build with -race): a child run cannot report data races")
	}
	switch n := c.Races(); {
	case v.Expects(labs.Race) && n == 0:
		t.Errorf("%s: no data race reported; Caught declares race\nstderr:\n%s", v.Name, c.Stderr)
	case v.Expects(labs.Race) && !strings.Contains(c.Stderr, v.File):
		t.Errorf("%s: %d data races reported, none in %s\nstderr:\n%s", v.Name, n, v.File, c.Stderr)
	case v.Expects(labs.Race) && c.ExitCode == 0:
		t.Errorf("%s: child exit status 0 after %d data races; want non-zero", v.Name, n)
	case !v.Expects(labs.Race) && n != 0:
		t.Errorf("%s: %d data races reported; want none\nstderr:\n%s", v.Name, n, c.Stderr)
	case !v.Expects(labs.Race) && c.ExitCode != 0:
		t.Errorf("%s: child exit status %d; want 0\nstdout:\n%s\nstderr:\n%s", v.Name, c.ExitCode, c.Stdout, c.Stderr)
	}
}
