package reentrant_test

import (
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/labtest"
	"github.com/locklab/locklab/labs/reentrant"
	"github.com/locklab/locklab/labs/run"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestHelperProcess runs a variant for labtest.RunChild; it does nothing
// in a normal test run.
func TestHelperProcess(t *testing.T) { labtest.HelperProcess(t, reentrant.Scenario) }

func TestScenario(t *testing.T) {
	labtest.CheckScenario(t, reentrant.Scenario, "reentrant", "double-lock")
}

// TestDoubleLockReport checks what a student is shown: a double lock of
// the store by one shopper, blocked in Available's Lock, having taken the
// lock in Reserve; and that the run returned rather than hanging.
func TestDoubleLockReport(t *testing.T) {
	s := reentrant.Scenario
	v, _ := s.Variant("double-lock")
	res := labtest.RunWithin(t, s, v, labs.Config{})
	if res.Outcome != run.Deadlock {
		t.Fatalf("outcome %s; want deadlock: %v", res.Outcome, res.Findings)
	}
	f := labtest.Finding(t, res, detector.DoubleLock)
	if len(f.Steps) != 1 {
		t.Fatalf("double lock %v; want one step", f)
	}
	st := f.Steps[0]
	again := labtest.Line(t, v.File, "s.mu.Lock()", 1) // in Available
	first := labtest.Line(t, v.File, "s.mu.Lock()", 2) // in Reserve
	if !strings.HasPrefix(st.Worker, "shopper ") || st.Lock != "store" || st.At.Line != again || st.Taken == nil || st.Taken.Line != first {
		t.Errorf("step %+v (taken %v); want a shopper locking store again at line %d, taken at line %d", st, st.Taken, again, first)
	}
}

// TestSmallConfigs checks the fixes on the smallest and on uneven
// configurations.
func TestSmallConfigs(t *testing.T) {
	s := reentrant.Scenario
	for _, v := range s.Variants {
		if v.Kind == labs.Buggy {
			continue
		}
		for _, cfg := range []labs.Config{{Workers: 2, Ops: 1}, {Workers: 2, Ops: 50}, {Workers: 9, Ops: 5}} {
			cfg.Yield = labs.YieldGosched
			labtest.CheckExpectations(t, &v, labtest.RunWithin(t, s, &v, cfg))
		}
	}
}
