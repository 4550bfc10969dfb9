package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/explore"
	"github.com/locklab/locklab/labs/run"
)

// bankScenario is the bank as the explore renderers see it: names and
// nouns, no Play.
func bankScenario() *labs.Scenario {
	return &labs.Scenario{
		Name: "bank", Title: "Bank transfers", Workers: "clerk", Ops: "transfer",
		Defaults: labs.Config{Workers: 4, Ops: 50, Seed: 42},
		Variants: []labs.Variant{
			{Name: "from-then-to", Kind: labs.Buggy, Bug: labs.CircularWait, Summary: "source, then destination",
				Lesson: "A clerk moving money from A to B locks A and then waits for B, while another clerk moving money from B to A holds B and waits for A.",
				Fix:    "ordered", Caught: []labs.Detector{labs.WaitFor}, File: "labs/bank/from_then_to.go"},
			{Name: "ordered", Kind: labs.Fixed, Summary: "lower id first",
				Lesson: "Every clerk locks the lower-numbered account first, so no cycle can form.", File: "labs/bank/ordered.go"},
		},
	}
}

func counterScenario() *labs.Scenario {
	return &labs.Scenario{
		Name: "counter", Title: "Shared counter", Workers: "worker", Ops: "increment",
		Defaults: labs.Config{Workers: 4, Ops: 1000, Seed: 42},
		Variants: []labs.Variant{
			{Name: "cooperative-await", Kind: labs.Buggy, Bug: labs.LostUpdate, Summary: "a yield between read and write",
				Lesson: "The yield between the read and the write is like an await: another worker may run there.",
				Fix:    "cooperative", Caught: []labs.Detector{labs.Invariant, labs.Explorer}, File: "labs/counter/cooperative_await.go", Controlled: true},
			{Name: "cooperative", Kind: labs.Cooperative, Summary: "no yield between read and write",
				Lesson: "Nothing runs between the read and the write.", File: "labs/counter/cooperative.go", Controlled: true},
		},
	}
}

func at(line int) detector.Pos { return pos("labs/bank/from_then_to.go", line) }

// deadlockFailure is the AB-BA deadlock of two clerks, as the explorer
// reports it.
func deadlockFailure() *explore.Failure {
	return &explore.Failure{
		Outcome: run.Deadlock,
		Findings: []detector.Finding{{
			Kind:    detector.Deadlock,
			Message: "2 workers wait for each other in a cycle",
			Steps: []detector.Step{
				{Worker: "clerk 1", Holds: []string{"account 1"}, Lock: "account 0", Owner: "clerk 0", At: at(27)},
				{Worker: "clerk 0", Holds: []string{"account 0"}, Lock: "account 1", Owner: "clerk 1", At: at(27)},
			},
		}},
		Token: "ll1-AAECAwQFBgcICQ",
		Trace: []explore.Event{
			{Step: 1, Worker: "clerk 0", Op: "lock", Target: "account 0", Holds: []string{"account 0"}, At: at(25)},
			{Step: 2, Worker: "clerk 0", Op: "yield", Holds: []string{"account 0"}, At: at(27)},
			{Step: 3, Worker: "clerk 1", Op: "lock", Target: "account 1", Holds: []string{"account 1"}, At: at(25)},
			{Step: 4, Worker: "clerk 1", Op: "yield", Holds: []string{"account 1"}, At: at(27)},
			{Step: 5, Worker: "clerk 0", Op: "blocked", Target: "account 1", Holds: []string{"account 0"}, At: at(28)},
			{Step: 6, Worker: "clerk 1", Op: "blocked", Target: "account 0", Holds: []string{"account 1"}, At: at(28)},
		},
		Switches: 1,
		Schedule: 3,
	}
}

// lostUpdate is a lost update of two workers under the cooperative
// scheduler.
func lostUpdate() *explore.Failure {
	p := func(line int) detector.Pos { return pos("labs/counter/cooperative_await.go", line) }
	return &explore.Failure{
		Outcome:  run.Violated,
		Findings: []detector.Finding{{Kind: detector.Invariant, Message: "final count is workers × ops: expected 2, got 1"}},
		Token:    "ll1-BBBB",
		Trace: []explore.Event{
			{Step: 1, Worker: "worker 0", Op: "recv", Target: "starting gate", At: p(40)},
			{Step: 2, Worker: "worker 1", Op: "recv", Target: "starting gate", At: p(40)},
			{Step: 3, Worker: "worker 0", Op: "yield", At: p(31)},
			{Step: 4, Worker: "worker 1", Op: "yield", At: p(31)},
			{Step: 5, Worker: "worker 0", Op: "exit", At: p(35)},
			{Step: 6, Worker: "worker 1", Op: "exit", At: p(35)},
		},
		Switches: 2,
		Schedule: 1,
	}
}

func exploreCases() []struct {
	name     string // golden file name inside testdata
	scenario *labs.Scenario
	variant  int
	res      *explore.Result
	style    Style
} {
	bank, counter := bankScenario(), counterScenario()
	found := &explore.Result{Scenario: "bank", Variant: "from-then-to", Strategy: "pct", Seed: 1,
		Config: run.ConfigJSON{Workers: 2, Ops: 1, Seed: 42}, Schedules: 3, Failures: 1, Elapsed: 2100 * time.Microsecond,
		First: deadlockFailure()}
	lost := &explore.Result{Scenario: "counter", Variant: "cooperative-await", Strategy: "random", Seed: 7,
		Config: run.ConfigJSON{Workers: 2, Ops: 1, Seed: 42}, Schedules: 40, Failures: 12, Elapsed: 900 * time.Microsecond,
		First: lostUpdate()}
	clean := &explore.Result{Scenario: "bank", Variant: "ordered", Strategy: "pct", Seed: 1,
		Config: run.ConfigJSON{Workers: 4, Ops: 50, Seed: 42}, Schedules: 10000, Elapsed: 1200 * time.Millisecond}
	exhausted := &explore.Result{Scenario: "bank", Variant: "ordered", Strategy: "dfs", Seed: 1,
		Config: run.ConfigJSON{Workers: 2, Ops: 1, Seed: 42}, Schedules: 118, Elapsed: 30 * time.Millisecond, Exhausted: true}
	missed := &explore.Result{Scenario: "bank", Variant: "from-then-to", Strategy: "random", Seed: 1,
		Config: run.ConfigJSON{Workers: 2, Ops: 1, Seed: 42}, Schedules: 5, Elapsed: 3 * time.Millisecond}

	long := *found
	lf := *deadlockFailure()
	lf.Trace = nil
	for i := range 70 {
		w := fmt.Sprintf("clerk %d", i%2)
		lf.Trace = append(lf.Trace, explore.Event{Step: i + 1, Worker: w, Op: "lock", Target: "account 0", Holds: []string{"account 0"}, At: at(25)})
	}
	long.First = &lf

	return []struct {
		name     string
		scenario *labs.Scenario
		variant  int
		res      *explore.Result
		style    Style
	}{
		{"explore-deadlock", bank, 0, found, Style{}},
		{"explore-deadlock-color", bank, 0, found, Style{Color: true}},
		{"explore-invariant", counter, 0, lost, Style{}},
		{"explore-clean", bank, 1, clean, Style{}},
		{"explore-exhausted", bank, 1, exhausted, Style{}},
		{"explore-not-found", bank, 0, missed, Style{}},
		{"explore-long-trace", bank, 0, &long, Style{}},
	}
}

func TestExplore(t *testing.T) {
	for _, tc := range exploreCases() {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			v := &tc.scenario.Variants[tc.variant]
			if err := Explore(&buf, tc.scenario, v, tc.res, tc.style); err != nil {
				t.Fatalf("Explore() = %v; want nil", err)
			}
			golden(t, tc.name, buf.Bytes())
			out := buf.String()
			if !tc.style.Color {
				checkLines(t, out)
			}
			if f := tc.res.First; f != nil {
				if want := ReplayCommand(tc.scenario.Name, v.Name, f.Token); !strings.Contains(out, want) {
					t.Errorf("Explore() output lacks the replay command %q:\n%s", want, out)
				}
			}
		})
	}
}

func TestExploreLongTrace(t *testing.T) {
	var buf bytes.Buffer
	for _, tc := range exploreCases() {
		if tc.name != "explore-long-trace" {
			continue
		}
		if err := Explore(&buf, tc.scenario, &tc.scenario.Variants[0], tc.res, Style{}); err != nil {
			t.Fatal(err)
		}
	}
	out := buf.String()
	if !strings.Contains(out, "... 30 steps before these") || strings.Contains(out, "\n  30  ") || !strings.Contains(out, "\n  31  ") || !strings.Contains(out, "\n  70  ") {
		t.Errorf("a 70-step trace: want steps 31 to 70 and a line for the 30 before them:\n%s", out)
	}
}

func TestReplay(t *testing.T) {
	bank, counter := bankScenario(), counterScenario()
	passed := lostUpdate()
	passed.Outcome, passed.Findings = run.OK, nil
	for _, tc := range []struct {
		name     string
		scenario *labs.Scenario
		variant  int
		f        *explore.Failure
	}{
		{"replay-deadlock", bank, 0, deadlockFailure()},
		{"replay-invariant", counter, 0, lostUpdate()},
		{"replay-ok", counter, 1, passed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var a, b bytes.Buffer
			v := &tc.scenario.Variants[tc.variant]
			if err := Replay(&a, tc.scenario, v, tc.f, Style{}); err != nil {
				t.Fatalf("Replay() = %v; want nil", err)
			}
			if err := Replay(&b, tc.scenario, v, tc.f, Style{}); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Errorf("Replay() twice: outputs differ")
			}
			golden(t, tc.name, a.Bytes())
			checkLines(t, a.String())
		})
	}
}

func TestExploreJSON(t *testing.T) {
	for _, tc := range exploreCases() {
		if tc.name != "explore-deadlock" && tc.name != "explore-clean" {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := ExploreJSON(&buf, tc.res); err != nil {
				t.Fatalf("ExploreJSON() = %v; want nil", err)
			}
			golden(t, tc.name+".json", buf.Bytes())
			var back explore.Result
			if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
				t.Fatalf("json.Unmarshal(ExploreJSON()) = %v; want nil", err)
			}
			if back.Schedules != tc.res.Schedules || (back.First == nil) != (tc.res.First == nil) {
				t.Errorf("round trip = %+v; want %+v", back, tc.res)
			}
			if back.First != nil && (back.First.Token != tc.res.First.Token || len(back.First.Trace) != len(tc.res.First.Trace)) {
				t.Errorf("round trip First = %+v; want %+v", back.First, tc.res.First)
			}
		})
	}
}

func TestReplayJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := ReplayJSON(&buf, "bank", "from-then-to", deadlockFailure()); err != nil {
		t.Fatalf("ReplayJSON() = %v; want nil", err)
	}
	golden(t, "replay-deadlock.json", buf.Bytes())
	var back struct {
		Scenario, Variant string
		explore.Failure
	}
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatalf("json.Unmarshal(ReplayJSON()) = %v; want nil", err)
	}
	if back.Scenario != "bank" || back.Variant != "from-then-to" || back.Outcome != run.Deadlock || len(back.Trace) != 6 {
		t.Errorf("round trip = %+v; want bank/from-then-to, deadlock, 6 steps", back)
	}
}

// TestStepGame renders a whole step-mode game: the intro, two turns, the
// win.
func TestStepGame(t *testing.T) {
	s := bankScenario()
	v := &s.Variants[0]
	f := deadlockFailure()
	var buf bytes.Buffer
	steps := []func() error{
		func() error {
			return StepIntro(&buf, s, v, run.ConfigJSON{Workers: 2, Ops: 1, Seed: 42}, true, Style{})
		},
		func() error {
			return StepState(&buf, s, 0,
				[]explore.WorkerState{
					{Worker: 0, Name: "clerk 0", Next: "lock", Target: "account 0"},
					{Worker: 1, Name: "clerk 1", Next: "lock", Target: "account 1"},
				},
				[]explore.Choice{{Worker: 0, Name: "clerk 0", Op: "lock", Target: "account 0"}, {Worker: 1, Name: "clerk 1", Op: "lock", Target: "account 1"}},
				Style{})
		},
		func() error { _, err := buf.WriteString("0\n"); return err },
		func() error { return StepEvents(&buf, f.Trace[:1], Style{}) },
		func() error {
			return StepState(&buf, s, 3,
				[]explore.WorkerState{
					{Worker: 0, Name: "clerk 0", Holds: []string{"account 0"}, Waiting: "account 1"},
					{Worker: 1, Name: "clerk 1", Holds: []string{"account 1"}, Next: "lock", Target: "account 0"},
					{Worker: 2, Name: "clerk 2", Done: true},
				},
				[]explore.Choice{{Worker: 1, Name: "clerk 1", Op: "lock", Target: "account 0"}},
				Style{})
		},
		func() error { _, err := buf.WriteString("7\n"); return err },
		func() error { return StepMessage(&buf, "There is no clerk 7 to move; choose 1.", Style{}) },
		func() error { return StepEnd(&buf, s, v, f, "ll1-PATH", false, Style{}) },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	golden(t, "step-game", buf.Bytes())
	out := buf.String()
	for _, want := range []string{"clerk 0  account 0  blocked: waits for account 1 (held by clerk 1)", "-  clerk 2  -          done", "YOU WIN:", "Replay: locklab explore bank --variant from-then-to --replay ll1-PATH"} {
		if !strings.Contains(out, want) {
			t.Errorf("step game lacks %q:\n%s", want, out)
		}
	}
}

func TestStepEndQuit(t *testing.T) {
	s := counterScenario()
	var buf bytes.Buffer
	if err := StepEnd(&buf, s, &s.Variants[0], nil, "ll1-Q", true, Style{}); err != nil {
		t.Fatal(err)
	}
	want := "\nQuit before the bug showed.\nReplay: locklab explore counter --variant cooperative-await --replay ll1-Q\n"
	if got := buf.String(); got != want {
		t.Errorf("StepEnd(quit) = %q; want %q", got, want)
	}
}

func TestStepJSON(t *testing.T) {
	var buf bytes.Buffer
	r := &StepResult{Scenario: "bank", Variant: "from-then-to", Config: run.ConfigJSON{Workers: 2, Ops: 1, Seed: 42}, Token: "ll1-Q"}
	if err := StepJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatalf("json.Unmarshal(StepJSON()) = %v", err)
	}
	if back["won"] != false || back["token"] != "ll1-Q" || back["trace"] == nil || back["findings"] == nil {
		t.Errorf("StepJSON() = %s; want won false, the token, [] for trace and findings", buf.String())
	}
	if _, ok := back["outcome"]; ok {
		t.Errorf("StepJSON() of a quit game has an outcome: %s", buf.String())
	}
}

func TestExploreWriteErrors(t *testing.T) {
	s := bankScenario()
	v := &s.Variants[0]
	res := exploreCases()[0].res
	for name, f := range map[string]func() error{
		"Explore":     func() error { return Explore(errWriter{}, s, v, res, Style{}) },
		"ExploreJSON": func() error { return ExploreJSON(errWriter{}, res) },
		"Replay":      func() error { return Replay(errWriter{}, s, v, res.First, Style{}) },
		"ReplayJSON":  func() error { return ReplayJSON(errWriter{}, "bank", "from-then-to", res.First) },
		"StepIntro":   func() error { return StepIntro(errWriter{}, s, v, run.ConfigJSON{}, false, Style{}) },
		"StepEnd":     func() error { return StepEnd(errWriter{}, s, v, res.First, "t", false, Style{}) },
		"StepJSON":    func() error { return StepJSON(errWriter{}, &StepResult{}) },
	} {
		if err := f(); err == nil {
			t.Errorf("%s(failing writer) = nil; want an error", name)
		}
	}
}
