package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/race"
	"github.com/locklab/locklab/labs/run"
)

// access is one side of a race in labs/counter/unsynchronized.go.
func access(op, worker string, goroutine int64, line int) detector.Access {
	p := detector.Pos{File: "labs/counter/unsynchronized.go", Line: line, Func: "counter.playUnsynchronized.func1"}
	return detector.Access{Op: op, Goroutine: goroutine, Worker: worker, Func: p.Func, At: p, Stack: []detector.Pos{p}}
}

func racyObservation() *race.Observation {
	return &race.Observation{
		Scenario: "counter", Variant: "unsynchronized", Kind: labs.Buggy, Bug: labs.DataRace, Fix: "mutex",
		File: "labs/counter/unsynchronized.go", WorkerNoun: "worker", OpNoun: "increment",
		Config:   run.ConfigJSON{Workers: 4, Ops: 1000, Seed: 42, Yield: "gosched"},
		Expected: true, Runs: 20, RunsWithRace: 20,
		Races: []race.Seen{
			{Race: detector.Race{Accesses: [2]detector.Access{access("read", "worker 3", 15, 24), access("write", "worker 1", 13, 26)}}, Runs: 20},
			{Race: detector.Race{Accesses: [2]detector.Access{access("write", "worker 0", 12, 26), access("write", "", 14, 26)}}, Runs: 17},
		},
		Outcomes:   append(repeat(run.Violated, 18), run.OK, run.OK),
		Violations: []race.Violation{{Name: "final count is workers × ops", Expected: "4000", Actual: "2911", Runs: 18}},
		Agrees:     true,
		Lesson:     "count = count + 1 is a read followed by a write. Two workers that both read 41 before either writes both write 42, and one increment is lost.",
		Elapsed:    3100 * time.Millisecond,
	}
}

func repeat(o run.Outcome, n int) []run.Outcome {
	out := make([]run.Outcome, n)
	for i := range out {
		out[i] = o
	}
	return out
}

func cleanObservation() *race.Observation {
	return &race.Observation{
		Scenario: "counter", Variant: "mutex", Kind: labs.Fixed, File: "labs/counter/mutex.go",
		WorkerNoun: "worker", OpNoun: "increment",
		Config: run.ConfigJSON{Workers: 4, Ops: 1000, Seed: 42, Yield: "gosched"},
		Runs:   10, Outcomes: repeat(run.OK, 10), Agrees: true,
		Lesson:  "The lock makes the read, the gap and the write one critical section.",
		Elapsed: 250 * time.Millisecond,
	}
}

func atomicityObservation() *race.Observation {
	return &race.Observation{
		Scenario: "bank", Variant: "check-then-act", Kind: labs.Buggy, Bug: labs.AtomicityViolation, Fix: "global",
		File: "labs/bank/check_then_act.go", WorkerNoun: "clerk", OpNoun: "transfer",
		Config: run.ConfigJSON{Workers: 4, Ops: 50, Seed: 42, Yield: "50µs"},
		Runs:   10, Outcomes: append(repeat(run.Violated, 9), run.OK),
		Violations: []race.Violation{
			{Name: "no overdraft", Expected: "no balance below 0", Actual: "account 1 went down to -79", Runs: 9},
		},
		Agrees: true,
		Lesson: "Two clerks check the same account under its lock and both see enough money; each releases the lock, then each withdraws.",
		Note: "The race detector is silent here by design: every read and write of shared state happens under a lock, so there is no data race to report. " +
			"A data race is two accesses to the same memory, at least one a write, that nothing orders. " +
			"A race condition is a result that depends on the timing of the workers, and it can happen under correct locking.",
		Elapsed: 410 * time.Millisecond,
	}
}

func missedObservation() *race.Observation {
	o := racyObservation()
	o.Runs, o.RunsWithRace, o.Races, o.Outcomes, o.Violations, o.Agrees = 1, 0, nil, []run.Outcome{run.OK}, nil, false
	o.Note = "The catalog says this variant races, but the one run drew no report. Try more runs (--runs)."
	return o
}

// oddObservation has the rare shapes of a report: an atomic access whose
// caller the race runtime does not report, a report cut short, a
// location, two functions.
func oddObservation() *race.Observation {
	o := racyObservation()
	atomicAdd := detector.Access{Op: "atomic write", Goroutine: 9, Func: "atomic.AddInt64"}
	plain := access("read", "", 1, 31)
	plain.Func = "main.main"
	o.Races = []race.Seen{
		{Race: detector.Race{Accesses: [2]detector.Access{atomicAdd, plain}, Location: "global 'n' of size 8"}, Runs: 2},
		{Race: detector.Race{Accesses: [2]detector.Access{access("write", "worker 0", 12, 26), {}}, Truncated: true}, Runs: 1},
	}
	o.Violations = nil
	o.RunsWithRace = 3
	return o
}

// unreadObservation raced in runs whose reports could not be parsed.
func unreadObservation() *race.Observation {
	o := cleanObservation()
	o.RunsWithRace, o.Agrees = 2, false
	o.Note = "The catalog says this variant has no data race, yet the race detector reported one."
	return o
}

func TestRace(t *testing.T) {
	tests := []struct {
		name string // golden file: race-NAME.golden
		obs  *race.Observation
	}{
		{"racy", racyObservation()},
		{"clean", cleanObservation()},
		{"atomicity", atomicityObservation()},
		{"missed", missedObservation()},
		{"odd", oddObservation()},
		{"unread", unreadObservation()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var plain, color bytes.Buffer
			if err := Race(&plain, tt.obs, Style{}); err != nil {
				t.Fatalf("Race() = %v; want nil", err)
			}
			golden(t, "race-"+tt.name, plain.Bytes())
			checkLines(t, plain.String())
			if err := Race(&color, tt.obs, Style{Color: true}); err != nil {
				t.Fatal(err)
			}
			if got := stripANSI(color.String()); got != plain.String() {
				t.Errorf("colored output without escapes differs from the plain one:\n%s\n---\n%s", got, plain.String())
			}
		})
	}
}

// checkLines fails t for a line that ends in a blank or carries an escape
// sequence.
func checkLines(t *testing.T, out string) {
	t.Helper()
	for i, line := range strings.Split(out, "\n") {
		if strings.HasSuffix(line, " ") || strings.Contains(line, "\x1b[") {
			t.Errorf("line %d %q ends in a blank or has an escape sequence", i+1, line)
		}
	}
}

func allObservations() []*race.Observation {
	deadlock := &race.Observation{
		Scenario: "bank", Variant: "from-then-to", Kind: labs.Buggy, Bug: labs.CircularWait,
		Runs: 20, Outcomes: repeat(run.Stall, 20), Agrees: true, Note: "a deadlock is not a data race",
	}
	coop := &race.Observation{Scenario: "bank", Variant: "teller", Kind: labs.Cooperative, Runs: 20, Outcomes: repeat(run.OK, 20), Agrees: true}
	obs := []*race.Observation{racyObservation(), cleanObservation(), deadlock, atomicityObservation(), coop}
	for _, o := range obs {
		o.Runs, o.Elapsed = 20, 41*time.Second
	}
	obs[3].Violations[0].Runs = 19
	return obs
}

func TestRaceAll(t *testing.T) {
	disagree := allObservations()
	disagree[1].RunsWithRace, disagree[1].Agrees = 1, false
	disagree[1].Races = []race.Seen{{Race: detector.Race{Accesses: [2]detector.Access{access("read", "worker 1", 13, 40), access("write", "worker 2", 14, 41)}}, Runs: 1}}
	disagree[1].Note = "The catalog says this variant has no data race, yet the race detector reported one. That is a bug in the variant, or in its declaration: please report it."
	tests := []struct {
		name string // golden file: race-NAME.golden
		obs  []*race.Observation
	}{
		{"all", allObservations()},
		{"all-disagree", disagree},
		{"all-empty", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var plain, color bytes.Buffer
			if err := RaceAll(&plain, tt.obs, Style{}); err != nil {
				t.Fatalf("RaceAll() = %v; want nil", err)
			}
			golden(t, "race-"+tt.name, plain.Bytes())
			checkLines(t, plain.String())
			if err := RaceAll(&color, tt.obs, Style{Color: true}); err != nil {
				t.Fatal(err)
			}
			if got := stripANSI(color.String()); got != plain.String() {
				t.Errorf("colored matrix without escapes differs from the plain one:\n%s\n---\n%s", got, plain.String())
			}
		})
	}
}

func TestRaceJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := RaceJSON(&buf, racyObservation()); err != nil {
		t.Fatalf("RaceJSON() = %v; want nil", err)
	}
	golden(t, "race-racy.json", buf.Bytes())
	var back race.Observation
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatalf("json.Unmarshal(RaceJSON()) = %v; want nil", err)
	}
	if back.RunsWithRace != 20 || len(back.Races) != 2 || back.Races[0].Race.Accesses[1].Worker != "worker 1" || back.Elapsed != 3100*time.Millisecond {
		t.Errorf("round trip = %+v; want the two races of 20 runs", back)
	}

	// Empty lists are [], never null, in one observation and in many.
	buf.Reset()
	if err := RaceAllJSON(&buf, []*race.Observation{{Scenario: "counter", Variant: "mutex"}}); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"races": []`, `"outcomes": []`, `"violations": []`} {
		if !strings.Contains(buf.String(), key) {
			t.Errorf("RaceAllJSON() = %s; want %s", buf.String(), key)
		}
	}
	buf.Reset()
	if err := RaceAllJSON(&buf, nil); err != nil || strings.TrimSpace(buf.String()) != "[]" {
		t.Errorf("RaceAllJSON(nil) = %q, %v; want []", buf.String(), err)
	}
}

func TestRaceWriteErrors(t *testing.T) {
	for name, f := range map[string]func() error{
		"Race":        func() error { return Race(errWriter{}, racyObservation(), Style{}) },
		"RaceJSON":    func() error { return RaceJSON(errWriter{}, racyObservation()) },
		"RaceAll":     func() error { return RaceAll(errWriter{}, allObservations(), Style{}) },
		"RaceAllJSON": func() error { return RaceAllJSON(errWriter{}, allObservations()) },
	} {
		if err := f(); err == nil {
			t.Errorf("%s(failing writer) = nil; want an error", name)
		}
	}
}

func TestAccessVerb(t *testing.T) {
	tests := map[string]string{"read": "reads", "write": "writes", "atomic read": "reads atomically", "atomic write": "writes atomically"}
	for op, want := range tests {
		if got := accessVerb(op); got != want {
			t.Errorf("accessVerb(%q) = %q; want %q", op, got, want)
		}
	}
}
