package boundedbuffer_test

import (
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/boundedbuffer"
	"github.com/locklab/locklab/labs/labtest"
	"github.com/locklab/locklab/labs/run"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestHelperProcess runs a variant for labtest.RunChild; it does nothing
// in a normal test run.
func TestHelperProcess(t *testing.T) { labtest.HelperProcess(t, boundedbuffer.Scenario) }

func TestScenario(t *testing.T) {
	labtest.CheckScenario(t, boundedbuffer.Scenario, "boundedbuffer", "if-wait")
}

// TestIfWaitBreaksTheBuffer checks what a stolen wakeup does: no deadlock
// and no stall, but the buffer's count leaves 0..capacity and items are
// got twice or never.
func TestIfWaitBreaksTheBuffer(t *testing.T) {
	s := boundedbuffer.Scenario
	v, _ := s.Variant("if-wait")
	res := labtest.RunWithin(t, s, v, labs.Config{})
	if res.Outcome != run.Violated {
		t.Fatalf("outcome %s; want invariant: %v", res.Outcome, res.Findings)
	}
	broken := map[string]bool{}
	for _, c := range res.Invariants {
		broken[c.Name] = !c.OK
	}
	if !broken["the buffer held 0 to capacity items"] || !broken["every item got exactly once"] || broken["every worker did all its work"] {
		t.Errorf("broken invariants %v; want the count and the items, not the work", broken)
	}
}

// TestSignalOneCondEveryoneAsleep checks the stall report of the lost
// wakeup: every worker still working is in Wait on the one condition,
// and nobody will Signal.
func TestSignalOneCondEveryoneAsleep(t *testing.T) {
	s := boundedbuffer.Scenario
	v, _ := s.Variant("signal-one-cond")
	opts := run.DefaultOptions()
	opts.Stall = 300 * time.Millisecond
	res := labtest.RunWithin(t, s, v, labs.Config{}, opts)
	if res.Outcome != run.Stall {
		t.Fatalf("outcome %s; want stall: %v", res.Outcome, res.Findings)
	}
	f := labtest.Finding(t, res, detector.Stall)
	wait := labtest.Line(t, v.File, "b.changed.Wait()", 2) // in Get
	asleep := 0
	for _, st := range f.Steps {
		switch st.State {
		case "done":
		case "blocked":
			asleep++
			if st.Op != "in Wait on" || st.Lock != "changed" || st.Now != "nobody will Signal" || st.At.File != v.File {
				t.Errorf("%s: %+v; want it in Wait on changed, nobody to Signal, in %s", st.Worker, st, v.File)
			}
			if st.Worker[:8] == "consumer" && st.At.Line != wait {
				t.Errorf("%s waits at line %d; want %d", st.Worker, st.At.Line, wait)
			}
		default:
			t.Errorf("%s: state %s; want blocked or done", st.Worker, st.State)
		}
	}
	if asleep < 2 {
		t.Errorf("%d workers asleep; want at least 2:\n%s", asleep, f)
	}
}

// TestSmallConfigs checks the fixes on the smallest and on uneven
// configurations: one producer and one consumer, more consumers than
// producers, and items that do not share out evenly.
func TestSmallConfigs(t *testing.T) {
	s := boundedbuffer.Scenario
	for _, v := range s.Variants {
		if v.Kind == labs.Buggy {
			continue
		}
		for _, cfg := range []labs.Config{{Workers: 2, Ops: 1}, {Workers: 2, Ops: 30}, {Workers: 7, Ops: 5}} {
			cfg.Yield = labs.YieldGosched
			labtest.CheckExpectations(t, &v, labtest.RunWithin(t, s, &v, cfg))
		}
	}
}
