package render

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/run"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// golden compares got with testdata/name.golden, or rewrites the file with
// -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", name, path, got, want)
	}
}

func pos(file string, line int) detector.Pos { return detector.Pos{File: file, Line: line} }

func philosophersResult() *run.Result {
	return &run.Result{
		Scenario: "philosophers", Variant: "left-then-right", Kind: labs.Buggy, Bug: labs.CircularWait,
		Fix:        "hierarchy",
		Lesson:     "Every philosopher picks up the left fork, then waits for the right one. When all five hold their left fork at once, each waits for a fork its neighbour will never put down: a circular wait, one of the four Coffman conditions.",
		WorkerNoun: "philosopher",
		Config:     run.ConfigJSON{Workers: 5, Ops: 3, Seed: 42, Yield: "50µs"},
		Detectors:  []string{"waitfor", "lockorder", "invariant", "watchdog"},
		Outcome:    run.Deadlock,
		Findings: []detector.Finding{{
			Kind:    detector.Deadlock,
			Message: "5 workers wait for each other in a cycle",
			// The cycle as the detector found it: closed by philosopher 3.
			Steps: []detector.Step{
				{Worker: "philosopher 3", Holds: []string{"fork 3"}, Lock: "fork 4", Owner: "philosopher 4", At: pos("labs/philosophers/lefthand.go", 31)},
				{Worker: "philosopher 4", Holds: []string{"fork 4"}, Lock: "fork 0", Owner: "philosopher 0", At: pos("labs/philosophers/lefthand.go", 31)},
				{Worker: "philosopher 0", Holds: []string{"fork 0"}, Lock: "fork 1", Owner: "philosopher 1", At: pos("labs/philosophers/lefthand.go", 31)},
				{Worker: "philosopher 1", Holds: []string{"fork 1"}, Lock: "fork 2", Owner: "philosopher 2", At: pos("labs/philosophers/lefthand.go", 31)},
				{Worker: "philosopher 2", Holds: []string{"fork 2"}, Lock: "fork 3", Owner: "philosopher 3", At: pos("labs/philosophers/lefthand.go", 31)},
			},
		}},
		Workers: []run.WorkerResult{
			{Name: "philosopher 0", Progress: 1, State: "aborted"},
			{Name: "philosopher 1", Progress: 0, State: "aborted"},
			{Name: "philosopher 2", Progress: 2, State: "aborted"},
			{Name: "philosopher 3", Progress: 0, State: "aborted"},
			{Name: "philosopher 4", Progress: 1, State: "aborted"},
		},
		Elapsed:       3400 * time.Microsecond,
		DetectedAfter: 3100 * time.Microsecond,
	}
}

func bankOrderedResult() *run.Result {
	return &run.Result{
		Scenario: "bank", Variant: "ordered", Kind: labs.Fixed,
		Lesson:     "Every teller locks the lower-numbered account first, so no two tellers can each hold what the other wants: the order breaks the circular wait.",
		WorkerNoun: "teller",
		Config:     run.ConfigJSON{Workers: 4, Ops: 1000, Seed: 7, Yield: "0s"},
		Detectors:  []string{"waitfor", "lockorder", "invariant", "watchdog"},
		Outcome:    run.OK,
		Findings:   []detector.Finding{},
		Invariants: []labs.Check{
			{Name: "money conserved", Expected: "1000", Actual: "1000", OK: true},
			{Name: "no overdraft", Expected: "every balance >= 0", Actual: "lowest 3", OK: true},
		},
		Metrics: []labs.Metric{{Name: "transfers", Value: "4000"}, {Name: "longest wait", Value: "212µs"}},
		Workers: []run.WorkerResult{
			{Name: "teller 0", Progress: 1000, State: "done"},
			{Name: "teller 1", Progress: 1000, State: "done"},
			{Name: "teller 2", Progress: 1000, State: "done"},
			{Name: "teller 3", Progress: 1000, State: "done"},
		},
		Elapsed: 18 * time.Millisecond,
	}
}

func resultCases() []struct {
	name  string // golden file name inside testdata
	res   *run.Result
	style Style
} {
	deadlock := philosophersResult()

	violated := bankOrderedResult()
	violated.Variant, violated.Kind, violated.Bug, violated.Fix = "check-then-act", labs.Buggy, labs.AtomicityViolation, "ordered"
	violated.Lesson = "The balance is checked under the lock and debited under a second, separate lock: between the two, another teller can spend the same money. No access is unsynchronized, so the race detector is silent."
	violated.Outcome = run.Violated
	violated.Invariants[1] = labs.Check{Name: "no overdraft", Expected: "every balance >= 0", Actual: "account 2 has -40", OK: false}
	violated.Findings = []detector.Finding{{Kind: detector.Invariant, Message: "no overdraft: expected every balance >= 0, got account 2 has -40"}}

	lucky := bankOrderedResult()
	lucky.Variant, lucky.Kind, lucky.Bug, lucky.Fix = "naive", labs.Buggy, labs.CircularWait, "ordered"
	lucky.Lesson = "A transfer locks the account it takes from, then the one it pays into. Two opposite transfers each take their first lock and wait for the other's."
	lucky.Outcome = run.LockOrder
	lucky.Findings = []detector.Finding{{
		Kind:    detector.LockOrder,
		Message: "locks taken in inconsistent order: account 0 -> account 1 -> account 0",
		Steps: []detector.Step{
			{Worker: "teller 0", Holds: []string{"account 0"}, Lock: "account 1", At: pos("labs/bank/naive.go", 24)},
			{Worker: "teller 2", Holds: []string{"account 1"}, Lock: "account 0", At: pos("labs/bank/naive.go", 24)},
		},
	}}

	gated := philosophersResult()
	gated.Variant, gated.Kind, gated.Bug, gated.Fix = "waiter", labs.Fixed, "", ""
	gated.Lesson = "A waiter seats at most four of the five philosophers, so at least one of them can always take both forks: the circular wait cannot close."
	gated.Outcome = run.OK
	gated.DetectedAfter = 0
	gated.Findings = []detector.Finding{{
		Kind:    detector.LockOrder,
		Message: "locks taken in inconsistent order: fork 0 -> fork 1 -> fork 2 -> fork 3 -> fork 4 -> fork 0",
		Gated:   "every edge was taken inside waiter, which admits 4 at a time, fewer than the 5 the cycle needs",
		Steps: []detector.Step{
			{Worker: "philosopher 0", Holds: []string{"fork 0"}, Lock: "fork 1", At: pos("labs/philosophers/waiter.go", 40)},
			{Worker: "philosopher 1", Holds: []string{"fork 1"}, Lock: "fork 2", At: pos("labs/philosophers/waiter.go", 40)},
			{Worker: "philosopher 2", Holds: []string{"fork 2"}, Lock: "fork 3", At: pos("labs/philosophers/waiter.go", 40)},
			{Worker: "philosopher 3", Holds: []string{"fork 3"}, Lock: "fork 4", At: pos("labs/philosophers/waiter.go", 40)},
			{Worker: "philosopher 4", Holds: []string{"fork 4"}, Lock: "fork 0", At: pos("labs/philosophers/waiter.go", 40)},
		},
	}}
	gated.Invariants = []labs.Check{{Name: "meals eaten", Expected: "15", Actual: "15", OK: true}}
	gated.Metrics = []labs.Metric{{Name: "longest wait for forks", Value: "1.2ms"}}
	for i := range gated.Workers {
		gated.Workers[i].Progress, gated.Workers[i].State = 3, "done"
	}

	livelock := philosophersResult()
	livelock.Variant, livelock.Bug, livelock.Fix = "polite", labs.Livelock, "backoff"
	livelock.Lesson = "A philosopher who cannot take the second fork puts the first one down and tries again at once. In lockstep, everyone keeps picking up and putting down forks and nobody eats."
	livelock.Outcome = run.Livelock
	livelock.DetectedAfter = 0
	livelock.Elapsed = 2050 * time.Millisecond
	livelock.Findings = []detector.Finding{{
		Kind:    detector.Livelock,
		Message: "no worker made progress for 2s, yet they kept running (81234 steps): livelock",
		Steps: []detector.Step{
			{Worker: "philosopher 0", State: "running"},
			{Worker: "philosopher 1", State: "blocked", Lock: "fork 2", Owner: "philosopher 2", At: pos("labs/philosophers/polite.go", 27)},
			{Worker: "philosopher 2", State: "running"},
			{Worker: "philosopher 3", State: "running"},
			{Worker: "philosopher 4", State: "done"},
		},
	}}

	lostUpdate := &run.Result{
		Scenario: "counter", Variant: "unsynchronized", Kind: labs.Buggy, Bug: labs.DataRace, Fix: "mutex",
		Lesson:     "count = count + 1 is a read followed by a write.",
		WorkerNoun: "worker", OpNoun: "increment",
		Config:     run.ConfigJSON{Workers: 2, Ops: 100, Seed: 42, Yield: "gosched"},
		Detectors:  []string{"waitfor", "lockorder", "invariant", "watchdog"},
		Outcome:    run.Violated,
		Findings:   []detector.Finding{{Kind: detector.Invariant, Message: "final count is workers × ops: expected 200, got 199"}},
		Invariants: []labs.Check{{Name: "final count is workers × ops", Expected: "200", Actual: "199"}},
		Workers:    []run.WorkerResult{{Name: "worker 0", Progress: 100, State: "done"}, {Name: "worker 1", Progress: 100, State: "done"}},
		Events:     counterEvents(),
		Elapsed:    2 * time.Millisecond,
	}
	deadlockEvents := philosophersResult()
	deadlockEvents.Events = forkEvents()

	timeout := bankOrderedResult()
	timeout.Outcome = run.Timeout
	timeout.Invariants, timeout.Metrics = nil, nil
	timeout.Elapsed = 10 * time.Second
	timeout.Findings = []detector.Finding{{
		Kind:    detector.Stall,
		Message: "the run exceeded its time limit of 10s",
		Steps: []detector.Step{
			{Worker: "teller 0", State: "running"},
			{Worker: "teller 1", State: "running"},
			{Worker: "teller 2", State: "done"},
			{Worker: "teller 3", State: "running"},
		},
	}}
	timeout.Workers[2].Progress = 999

	double := bankOrderedResult()
	double.Variant, double.Kind, double.Bug, double.Fix = "self-transfer", labs.Buggy, labs.CircularWait, "ordered"
	double.Outcome = run.Deadlock
	double.Invariants, double.Metrics = nil, nil
	double.DetectedAfter = 800 * time.Microsecond
	double.Findings = []detector.Finding{{
		Kind:    detector.DoubleLock,
		Message: "teller 1 locks account 3, which it already holds",
		Steps:   []detector.Step{{Worker: "teller 1", Holds: []string{"account 3"}, Lock: "account 3", Owner: "teller 1", At: pos("labs/bank/naive.go", 25)}},
	}}
	for i := range double.Workers {
		double.Workers[i].State = "aborted"
	}

	panicked := bankOrderedResult()
	panicked.Outcome = run.Panic
	panicked.Invariants, panicked.Metrics = nil, nil
	panicked.Findings = []detector.Finding{{Kind: "panic", Message: "worker teller 2 panicked: runtime error: index out of range [4] with length 4"}}
	panicked.Workers[2].State = "panicked"
	panicked.Workers[0].State = "aborted"

	unlucky := philosophersResult()
	unlucky.Outcome = run.OK
	unlucky.Findings = nil
	unlucky.DetectedAfter = 0
	unlucky.Invariants = []labs.Check{{Name: "meals eaten", Expected: "15", Actual: "15", OK: true}}
	for i := range unlucky.Workers {
		unlucky.Workers[i].Progress, unlucky.Workers[i].State = 3, "done"
	}

	// Since the lock-order graph learns the edges a deadlock waits on, a
	// deadlock comes with a lock-order finding of the same cycle.
	echoed := philosophersResult()
	order := detector.Finding{Kind: detector.LockOrder, Message: "locks taken in inconsistent order: fork 4 -> fork 0 -> fork 1 -> fork 2 -> fork 3 -> fork 4"}
	for _, i := range []int{4, 0, 1, 2, 3} {
		st := echoed.Findings[0].Steps[(i+2)%5]
		order.Steps = append(order.Steps, detector.Step{Worker: st.Worker, Holds: st.Holds, Lock: st.Lock, At: st.At})
	}
	// And an unrelated inversion, shown in full.
	other := detector.Finding{Kind: detector.LockOrder, Message: "locks taken in inconsistent order: table -> fork 0 -> table",
		Steps: []detector.Step{
			{Worker: "philosopher 2", Holds: []string{"table"}, Lock: "fork 0", At: pos("labs/philosophers/lefthand.go", 20)},
			{Worker: "philosopher 1", Holds: []string{"fork 0"}, Lock: "table", At: pos("labs/philosophers/lefthand.go", 22)},
		}}
	echoed.Findings = []detector.Finding{order, other, echoed.Findings[0]}

	// With the wait-for graph off, a deadlock is a stall; the lock-order
	// graph explains it.
	stalled := philosophersResult()
	stalled.Outcome = run.Stall
	stalled.Detectors = []string{"lockorder", "invariant", "watchdog"}
	stalled.DetectedAfter = 0
	stalled.Findings = []detector.Finding{order, {
		Kind: detector.Stall, Message: "no worker made progress for 2s",
		Steps: []detector.Step{{Worker: "philosopher 0", State: "running"}, {Worker: "philosopher 1", State: "running"}},
	}}

	// A run with go-deadlock's locks: the watchdog saw a stall, go-deadlock
	// explains it.
	gd := bankOrderedResult()
	gd.Variant, gd.Kind, gd.Bug, gd.Fix = "from-then-to", labs.Buggy, labs.CircularWait, "ordered"
	gd.Outcome = run.Deadlock
	gd.Detectors = []string{"godeadlock", "invariant", "watchdog"}
	gd.Invariants, gd.Metrics = nil, nil
	gd.DetectedAfter = time.Second
	gd.Elapsed = 2 * time.Second
	gd.Findings = []detector.Finding{
		{Kind: detector.Stall, Message: "no worker made progress for 2s", Steps: []detector.Step{
			{Worker: "teller 0", State: "blocked", Lock: "account 1", Owner: "teller 2", At: pos("labs/bank/naive.go", 27)},
			{Worker: "teller 2", State: "blocked", Lock: "account 0", Owner: "teller 0", At: pos("labs/bank/naive.go", 27)},
		}},
		{Kind: detector.PotentialDeadlock, Message: "2 workers wait for each other in a cycle, each for more than 1s (go-deadlock: lock wait timeout)", Steps: []detector.Step{
			{Worker: "teller 0", Holds: []string{"account 0"}, Lock: "account 1", At: pos("labs/bank/naive.go", 27)},
			{Worker: "teller 2", Holds: []string{"account 1"}, Lock: "account 0", At: pos("labs/bank/naive.go", 27)},
		}},
	}

	many := bankOrderedResult()
	many.Config.Workers = 20
	many.Workers = nil
	for i := range 20 {
		st := "done"
		if i == 13 {
			st = "aborted"
		}
		many.Workers = append(many.Workers, run.WorkerResult{Name: "teller " + strconv.Itoa(i), Progress: int64(1000 - i), State: st})
	}

	return []struct {
		name  string
		res   *run.Result
		style Style
	}{
		{"deadlock", deadlock, Style{}},
		{"deadlock-color", deadlock, Style{Color: true}},
		{"deadlock-with-order", echoed, Style{}},
		{"stall-with-order", stalled, Style{}},
		{"godeadlock", gd, Style{}},
		{"fixed-ok", bankOrderedResult(), Style{}},
		{"invariant-violated", violated, Style{}},
		{"lock-order", lucky, Style{}},
		{"gated-note", gated, Style{}},
		{"livelock", livelock, Style{}},
		{"timeout", timeout, Style{}},
		{"double-lock", double, Style{}},
		{"panic", panicked, Style{}},
		{"buggy-clean", unlucky, Style{}},
		{"many-workers", many, Style{}},
		{"lost-update-events", lostUpdate, Style{}},
		{"deadlock-events", deadlockEvents, Style{}},
		{"deadlock-events-table", deadlockEvents, Style{View: ViewTable}},
	}
}

// counterEvents are a native run's events in which worker 1's write
// overwrites worker 0's: both read 41, both write 42.
func counterEvents() []labs.Event {
	at := func(line int) detector.Pos { return pos("labs/counter/unsynchronized.go", line) }
	evs := []labs.Event{
		{Worker: "worker 0", Op: "start"},
		{Worker: "worker 1", Op: "start"},
		{Worker: "worker 0", Op: "read", Target: "count", Value: "40", At: at(25)},
		{Worker: "worker 0", Op: "yield", At: at(26)},
		{Worker: "worker 0", Op: "write", Target: "count", Value: "41", At: at(27)},
		{Worker: "worker 0", Op: "gap", Value: "120 events not kept"},
		{Worker: "worker 0", Op: "read", Target: "count", Value: "41", At: at(25)},
		{Worker: "worker 1", Op: "read", Target: "count", Value: "41", At: at(25)},
		{Worker: "worker 0", Op: "yield", At: at(26)},
		{Worker: "worker 1", Op: "yield", At: at(26)},
		{Worker: "worker 0", Op: "write", Target: "count", Value: "42", At: at(27)},
		{Worker: "worker 0", Op: "progress", At: at(28)},
		{Worker: "worker 1", Op: "write", Target: "count", Value: "42", At: at(27)},
		{Worker: "worker 1", Op: "progress", At: at(28)},
		{Worker: "worker 0", Op: "exit"},
		{Worker: "worker 1", Op: "exit"},
	}
	for i := range evs {
		evs[i].Step = i + 1
	}
	return evs
}

// forkEvents are the last events of a native run of five philosophers
// who each took their left fork.
func forkEvents() []labs.Event {
	var evs []labs.Event
	for i := range 5 {
		w := fmt.Sprintf("philosopher %d", i)
		at := pos("labs/philosophers/lefthand.go", 31)
		evs = append(evs,
			labs.Event{Worker: w, Op: "request", Target: fmt.Sprintf("fork %d", i), At: at},
			labs.Event{Worker: w, Op: "lock", Target: fmt.Sprintf("fork %d", i), Holds: []string{fmt.Sprintf("fork %d", i)}, At: at})
	}
	for i := range 5 {
		w := fmt.Sprintf("philosopher %d", i)
		evs = append(evs, labs.Event{Worker: w, Op: "request", Target: fmt.Sprintf("fork %d", (i+1)%5), Holds: []string{fmt.Sprintf("fork %d", i)}, At: pos("labs/philosophers/lefthand.go", 38)})
	}
	for i := range evs {
		evs[i].Step = i + 1
	}
	return evs
}

func TestResult(t *testing.T) {
	for _, tc := range resultCases() {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Result(&buf, tc.res, tc.style); err != nil {
				t.Fatalf("Result() = %v; want nil", err)
			}
			golden(t, "result-"+tc.name, buf.Bytes())
			if !tc.style.Color && strings.Contains(buf.String(), "\x1b[") {
				t.Errorf("Result(Style{}) wrote an escape sequence")
			}
			for i, line := range strings.Split(buf.String(), "\n") {
				if strings.HasSuffix(line, " ") {
					t.Errorf("line %d %q ends in a blank", i+1, line)
				}
			}
		})
	}
}

func TestResultJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := ResultJSON(&buf, philosophersResult()); err != nil {
		t.Fatalf("ResultJSON() = %v; want nil", err)
	}
	golden(t, "result-deadlock.json", buf.Bytes())
	var back run.Result
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatalf("json.Unmarshal(ResultJSON()) = %v; want nil", err)
	}
	if back.Outcome != run.Deadlock || len(back.Findings) != 1 || len(back.Findings[0].Steps) != 5 {
		t.Errorf("round trip = %+v; want the deadlock with 5 steps", back)
	}
}

// TestDeadlockRotation checks that a cycle is printed from the first worker
// whichever waiter closed it.
func TestDeadlockRotation(t *testing.T) {
	r := philosophersResult()
	var buf bytes.Buffer
	if err := Result(&buf, r, Style{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	i0 := strings.Index(out, "philosopher 0  holds fork 0")
	i4 := strings.Index(out, "philosopher 4  holds fork 4")
	if i0 < 0 || i4 < 0 || i0 > i4 {
		t.Errorf("deadlock lines out of order (philosopher 0 at %d, 4 at %d):\n%s", i0, i4, out)
	}
}

// errWriter fails every write.
type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestWriteErrors(t *testing.T) {
	s := toyScenario()
	for name, f := range map[string]func() error{
		"Result":      func() error { return Result(errWriter{}, philosophersResult(), Style{}) },
		"ResultJSON":  func() error { return ResultJSON(errWriter{}, philosophersResult()) },
		"List":        func() error { return List(errWriter{}, []*labs.Scenario{s}, Style{}) },
		"ListJSON":    func() error { return ListJSON(errWriter{}, []*labs.Scenario{s}) },
		"Explain":     func() error { return Explain(errWriter{}, s, nil, Style{}) },
		"ExplainJSON": func() error { return ExplainJSON(errWriter{}, s, nil) },
	} {
		if err := f(); err == nil {
			t.Errorf("%s(failing writer) = nil; want an error", name)
		}
	}
}
