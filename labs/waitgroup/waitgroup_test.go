package waitgroup_test

import (
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/labtest"
	"github.com/locklab/locklab/labs/run"
	"github.com/locklab/locklab/labs/waitgroup"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestHelperProcess runs a variant for labtest.RunChild; it does nothing
// in a normal test run.
func TestHelperProcess(t *testing.T) { labtest.HelperProcess(t, waitgroup.Scenario) }

func TestScenario(t *testing.T) {
	labtest.CheckScenario(t, waitgroup.Scenario, "waitgroup", "add-inside")
}

// TestAddInsideReadsEarly checks the early Wait: the run ends, nothing
// hangs, and a coordinator read an incomplete tally.
func TestAddInsideReadsEarly(t *testing.T) {
	s := waitgroup.Scenario
	v, _ := s.Variant("add-inside")
	res := labtest.RunWithin(t, s, v, labs.Config{})
	if res.Outcome != run.Violated || len(res.Invariants) != 1 || res.Invariants[0].OK {
		t.Fatalf("outcome %s, invariants %v; want the tally check broken", res.Outcome, res.Invariants)
	}
}

// TestMissingDoneStalls checks the watchdog's report: each coordinator in
// Wait on its tasks, Done calls owed, every task done.
func TestMissingDoneStalls(t *testing.T) {
	s := waitgroup.Scenario
	v, _ := s.Variant("missing-done")
	opts := run.DefaultOptions()
	opts.Stall = 300 * time.Millisecond
	res := labtest.RunWithin(t, s, v, labs.Config{}, opts)
	if res.Outcome != run.Stall {
		t.Fatalf("outcome %s; want stall: %v", res.Outcome, res.Findings)
	}
	f := labtest.Finding(t, res, detector.Stall)
	wait := labtest.Line(t, v.File, "wg.Wait()", 1)
	for _, st := range f.Steps {
		switch {
		case strings.HasPrefix(st.Worker, "coordinator "):
			if st.State != "blocked" || st.Op != "in Wait on" || !strings.HasPrefix(st.Lock, "tasks ") ||
				st.Now != "1 Done calls owed, nobody will make them" || st.At.Line != wait {
				t.Errorf("%s: %+v; want it in Wait at line %d, owed 1 Done", st.Worker, st, wait)
			}
		case st.State != "done":
			t.Errorf("%s: state %s; want done", st.Worker, st.State)
		}
	}
}

// TestSmallConfigs checks the fixes on the smallest and on larger
// configurations: no failing task, and many.
func TestSmallConfigs(t *testing.T) {
	s := waitgroup.Scenario
	for _, v := range s.Variants {
		if v.Kind == labs.Buggy {
			continue
		}
		for _, cfg := range []labs.Config{{Workers: 2, Ops: 1}, {Workers: 2, Ops: 40}, {Workers: 6, Ops: 7}} {
			cfg.Yield = labs.YieldGosched
			labtest.CheckExpectations(t, &v, labtest.RunWithin(t, s, &v, cfg))
		}
	}
}
