package labtest_test

import (
	"fmt"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/labtest"
	"github.com/locklab/locklab/labs/run"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestHelperProcess(t *testing.T) { labtest.HelperProcess(t, toy) }

// toy is a scenario with one racy and one clean variant.
var toy = &labs.Scenario{
	Name:     "toy",
	Title:    "Toy",
	Doc:      "Package toy is a test scenario.",
	Workers:  "worker",
	Defaults: labs.Config{Workers: 2, Ops: 100, Seed: 1},
	Variants: []labs.Variant{
		{
			Name: "racy", Kind: labs.Buggy, Bug: labs.DataRace, Summary: "racy", Lesson: "racy",
			Fix: "clean", Caught: []labs.Detector{labs.Race}, File: "labs/labtest/labtest_test.go",
			Play: func(rt labs.Runtime, cfg labs.Config) labs.Instance {
				n := 0
				for i := range cfg.Workers {
					rt.Go(fmt.Sprint("worker ", i), func(w labs.Worker) {
						for range cfg.Ops {
							n++ // a data race, on purpose
							w.Yield()
						}
					})
				}
				return holds{}
			},
		},
		{
			Name: "clean", Kind: labs.Fixed, Summary: "clean", Lesson: "clean", File: "labs/labtest/labtest_test.go",
			Play: func(rt labs.Runtime, cfg labs.Config) labs.Instance {
				for i := range cfg.Workers {
					rt.Go(fmt.Sprint("worker ", i), func(w labs.Worker) { w.Progress() })
				}
				return holds{}
			},
		},
	},
}

// holds is an Instance whose one invariant always holds.
type holds struct{}

func (holds) Check() labs.Report {
	return labs.Report{Invariants: []labs.Check{{Name: "true", Expected: "true", Actual: "true", OK: true}}}
}

func TestRunChild(t *testing.T) {
	tests := []struct {
		variant string
		races   bool // whether the child reports a race (with -race)
	}{
		{"clean", false},
		{"racy", true},
	}
	for _, tt := range tests {
		t.Run(tt.variant, func(t *testing.T) {
			v, _ := toy.Variant(tt.variant)
			c := labtest.RunChild(t, toy.Name, tt.variant, labs.Config{Ops: 10})
			if c.Result.Scenario != toy.Name || c.Result.Variant != tt.variant || c.Result.Config.Ops != 10 {
				t.Errorf("result for %s/%s with %d ops; want %s/%s with 10",
					c.Result.Scenario, c.Result.Variant, c.Result.Config.Ops, toy.Name, tt.variant)
			}
			if c.Result.Outcome != run.OK {
				t.Errorf("outcome %s; want ok", c.Result.Outcome)
			}
			wantRaces := tt.races && labtest.RaceEnabled
			if got := c.Races() > 0; got != wantRaces {
				t.Errorf("Races() = %d; want races %v\nstderr:\n%s", c.Races(), wantRaces, c.Stderr)
			}
			if got := c.ExitCode != 0; got != wantRaces {
				t.Errorf("ExitCode = %d; want non-zero %v", c.ExitCode, wantRaces)
			}
			if labtest.RaceEnabled {
				labtest.CheckRaces(t, v, c)
			}
		})
	}
}

func TestRaces(t *testing.T) {
	c := &labtest.ChildResult{Stderr: "==================\nWARNING: DATA RACE\n...\nWARNING: DATA RACE\nFound 2 data race(s)\n"}
	if got := c.Races(); got != 2 {
		t.Errorf("Races() = %d; want 2", got)
	}
}

func TestReported(t *testing.T) {
	tests := []struct {
		kinds []detector.Kind
		gated bool
		want  []labs.Detector
	}{
		{nil, false, nil},
		{[]detector.Kind{detector.LockOrder, detector.Deadlock}, false, []labs.Detector{labs.WaitFor, labs.LockOrder}},
		{[]detector.Kind{detector.LockOrder}, true, nil},
		{[]detector.Kind{detector.DoubleLock}, false, []labs.Detector{labs.WaitFor}},
		{[]detector.Kind{detector.Invariant, detector.Invariant}, false, []labs.Detector{labs.Invariant}},
		{[]detector.Kind{detector.Livelock, detector.Stall}, false, []labs.Detector{labs.Watchdog}},
		{[]detector.Kind{detector.PotentialDeadlock, detector.DataRace}, false, []labs.Detector{labs.GoDeadlock, labs.Race}},
	}
	for _, tt := range tests {
		res := &run.Result{}
		for _, k := range tt.kinds {
			f := detector.Finding{Kind: k}
			if tt.gated {
				f.Gated = "inside a gate"
			}
			res.Findings = append(res.Findings, f)
		}
		if got := labtest.Reported(res); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("Reported(%v, gated %v) = %v; want %v", tt.kinds, tt.gated, got, tt.want)
		}
	}
}

// recorder is a testing.TB that records errors instead of failing.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestCheckExpectations(t *testing.T) {
	deadlock := detector.Finding{Kind: detector.Deadlock}
	order := detector.Finding{Kind: detector.LockOrder}
	gated := detector.Finding{Kind: detector.LockOrder, Gated: "inside table"}
	broken := labs.Check{Name: "money", Expected: "400", Actual: "380"}
	fine := labs.Check{Name: "money", Expected: "400", Actual: "400", OK: true}
	abba := &labs.Variant{Name: "abba", Kind: labs.Buggy, Caught: []labs.Detector{labs.WaitFor, labs.LockOrder}}
	fixed := &labs.Variant{Name: "fixed", Kind: labs.Fixed}
	warned := &labs.Variant{Name: "warned", Kind: labs.Fixed, Warned: []labs.Detector{labs.LockOrder}}
	tests := []struct {
		name    string
		v       *labs.Variant
		outcome run.Outcome
		finds   []detector.Finding
		checks  []labs.Check
		want    []string // substrings of the errors, in order
	}{
		{"caught by both", abba, run.Deadlock, []detector.Finding{order, deadlock}, nil, nil},
		{"missed by lockorder", abba, run.Deadlock, []detector.Finding{deadlock}, nil, []string{"lockorder did not report it"}},
		{"missed entirely", abba, run.OK, nil, []labs.Check{fine}, []string{"waitfor did not", "lockorder did not", "outcome ok; want a problem"}},
		{"clean fix", fixed, run.OK, nil, []labs.Check{fine}, nil},
		{"gated warning is no report", fixed, run.OK, []detector.Finding{gated}, []labs.Check{fine}, nil},
		{"unexpected lock order", fixed, run.LockOrder, []detector.Finding{order}, []labs.Check{fine}, []string{"lockorder reported it", "outcome lock-order"}},
		{"declared warning", warned, run.LockOrder, []detector.Finding{order}, []labs.Check{fine}, nil},
		{"undeclared deadlock", warned, run.Deadlock, []detector.Finding{deadlock}, nil, []string{"waitfor reported it", "outcome deadlock", "no invariants"}},
		{"broken invariant", fixed, run.Violated, []detector.Finding{{Kind: detector.Invariant}}, []labs.Check{broken}, []string{"invariant reported it", "outcome invariant", `invariant "money"`}},
		{"no invariants", fixed, run.OK, nil, nil, []string{"no invariants"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := &run.Result{
				Detectors:  []string{"waitfor", "lockorder", "invariant", "watchdog"},
				Outcome:    tt.outcome,
				Findings:   tt.finds,
				Invariants: tt.checks,
			}
			r := &recorder{TB: t}
			labtest.CheckExpectations(r, tt.v, res)
			if len(r.errs) != len(tt.want) {
				t.Fatalf("CheckExpectations reported %d errors; want %d:\n%s", len(r.errs), len(tt.want), strings.Join(r.errs, "\n"))
			}
			for i, w := range tt.want {
				if !strings.Contains(r.errs[i], w) {
					t.Errorf("error %d = %q; want it to mention %q", i, r.errs[i], w)
				}
			}
		})
	}
}

func TestReliability(t *testing.T) {
	t.Setenv(labtest.EnvReliability, "3")
	labtest.Reliability(t, toy, 0.99)
}
