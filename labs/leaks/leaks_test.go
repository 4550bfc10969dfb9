package leaks_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/explore"
	"github.com/locklab/locklab/labs/labtest"
	"github.com/locklab/locklab/labs/leaks"
	"github.com/locklab/locklab/labs/run"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestHelperProcess runs a variant for labtest.RunChild; it does nothing
// in a normal test run.
func TestHelperProcess(t *testing.T) { labtest.HelperProcess(t, leaks.Scenario) }

func TestScenario(t *testing.T) {
	labtest.CheckScenario(t, leaks.Scenario, "leaks", "early-return")
}

// stall runs v with a short stall limit and returns its stall finding.
func stall(t *testing.T, name string) (*labs.Variant, detector.Finding) {
	t.Helper()
	s := leaks.Scenario
	v, _ := s.Variant(name)
	opts := run.DefaultOptions()
	opts.Stall = 300 * time.Millisecond
	res := labtest.RunWithin(t, s, v, labs.Config{}, opts)
	if res.Outcome != run.Stall {
		t.Fatalf("outcome %s; want stall: %v", res.Outcome, res.Findings)
	}
	return v, labtest.Finding(t, res, detector.Stall)
}

// TestEarlyReturnLeaks checks the leak as the watchdog shows it on real
// goroutines (every client and the collector done, two replicas per query
// waiting to send with nobody to receive) and as the controlled scheduler
// shows it (the run ends with the clients, and the check counts the
// replicas left blocked).
func TestEarlyReturnLeaks(t *testing.T) {
	v, f := stall(t, "early-return")
	send := labtest.Line(t, v.File, "results.Send(a)", 1)
	blocked := 0
	for _, st := range f.Steps {
		switch {
		case strings.HasPrefix(st.Worker, "replica "):
			if st.State == "blocked" {
				blocked++
				if st.Op != "waits to send on" || !strings.HasPrefix(st.Lock, "results ") || st.Now != "nobody receives" || st.At.Line != send {
					t.Errorf("%s: %+v; want it waiting to send its result at line %d, nobody receiving", st.Worker, st, send)
				}
			}
		case st.State != "done":
			t.Errorf("%s: state %s; want done", st.Worker, st.State)
		}
	}
	cfg := leaks.Scenario.Defaults
	if want := cfg.Workers * cfg.Ops * 2; blocked != want {
		t.Errorf("%d replicas blocked; want %d, all but the first of every query", blocked, want)
	}

	res, err := explore.Explore(context.Background(), leaks.Scenario, v, explore.Options{Seed: 1, Schedules: 10, Config: labs.Config{Workers: 2, Ops: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if res.First == nil || res.First.Outcome != run.Violated {
		t.Fatalf("Explore found %+v; want an invariant failure", res.First)
	}
	if msg := res.First.Findings[0].Message; !strings.Contains(msg, "no replica left blocked") || strings.Contains(msg, "got 0 leaked") {
		t.Errorf("explored finding %q; want leaked replicas", msg)
	}
}

// TestUnclosedRangeStalls checks the watchdog's report of the range that
// never ends: the collector waiting to receive on a channel nobody sends
// on or closes, everyone else done.
func TestUnclosedRangeStalls(t *testing.T) {
	_, f := stall(t, "unclosed-range")
	for _, st := range f.Steps {
		if st.Worker != "collector" {
			if st.State != "done" {
				t.Errorf("%s: state %s; want done", st.Worker, st.State)
			}
			continue
		}
		if st.State != "blocked" || st.Op != "waits to receive from" || st.Lock != "answers 0" || st.Now != "nobody sends, and nobody closes it" || st.At.File != "labs/leaks/leaks.go" {
			t.Errorf("collector: %+v; want it waiting to receive from answers 0 in leaks.go", st)
		}
	}
}

// TestSmallConfigs checks the fixes on the smallest and on uneven
// configurations.
func TestSmallConfigs(t *testing.T) {
	s := leaks.Scenario
	for _, v := range s.Variants {
		if v.Kind == labs.Buggy {
			continue
		}
		for _, cfg := range []labs.Config{{Workers: 2, Ops: 1}, {Workers: 2, Ops: 20}, {Workers: 7, Ops: 3}} {
			cfg.Yield = labs.YieldGosched
			labtest.CheckExpectations(t, &v, labtest.RunWithin(t, s, &v, cfg))
		}
	}
}
