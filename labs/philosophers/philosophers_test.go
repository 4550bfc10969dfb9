package philosophers

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/labtest"
	"github.com/locklab/locklab/labs/run"
)

func mustRun(t *testing.T, v *labs.Variant, cfg labs.Config, opts run.Options) *run.Result {
	t.Helper()
	res, err := run.Run(context.Background(), Scenario, v, cfg, opts)
	if err != nil {
		t.Fatalf("Run(%s, %+v) error = %v", v.Name, cfg, err)
	}
	return res
}

// tries is how many runs a test allows a buggy variant to show its bug. On
// real goroutines a buggy interleaving is likely, not certain: a loaded
// machine can delay one philosopher long enough for a neighbor to eat.
// TestReliability measures the rate (at least 99 in 100).
const tries = 5

// runUntil runs v up to tries times, until done accepts a result, and
// returns every result it got, the last one last. A livelock-prone variant
// gets a short stall limit, so that a run that does livelock ends soon.
func runUntil(t *testing.T, v *labs.Variant, cfg labs.Config, done func(*run.Result) bool) []*run.Result {
	t.Helper()
	opts := run.DefaultOptions()
	if v.Bug == labs.Livelock {
		opts.Stall = 300 * time.Millisecond
	}
	var all []*run.Result
	for range tries {
		res := mustRun(t, v, cfg, opts)
		all = append(all, res)
		if done(res) {
			break
		}
	}
	return all
}

// checkClean asserts that a fixed or cooperative variant's run found
// nothing wrong and every philosopher ate every meal.
func checkClean(t *testing.T, v *labs.Variant, res *run.Result) {
	t.Helper()
	if res.Outcome != run.OK {
		t.Errorf("%s: outcome %s; want ok (%s)", v.Name, res.Outcome, res.Summary())
	}
	for _, d := range labtest.Reported(res) {
		if !v.Expects(d) {
			t.Errorf("%s: %s reported it; want it silent (%s)", v.Name, d, res.Summary())
		}
	}
	if len(res.Invariants) != 2 {
		t.Errorf("%s: %d invariants; want 2", v.Name, len(res.Invariants))
	}
	for _, c := range res.Invariants {
		if !c.OK {
			t.Errorf("%s: invariant %q: expected %s, got %s", v.Name, c.Name, c.Expected, c.Actual)
		}
	}
	want := strings.TrimSpace(strings.Repeat(strconv.Itoa(res.Config.Ops)+" ", res.Config.Workers))
	if m := metric(res, "meals"); m != want {
		t.Errorf("%s: meals = %q; want %q", v.Name, m, want)
	}
}

func metric(res *run.Result, name string) string {
	for _, m := range res.Metrics {
		if m.Name == name {
			return m.Value
		}
	}
	return ""
}

// TestFixedVariantsAnySize runs the fixed and cooperative variants at the
// smallest table and at an odd, larger one.
func TestFixedVariantsAnySize(t *testing.T) {
	for _, cfg := range []labs.Config{
		{Workers: 2, Ops: 5, Yield: time.Microsecond},
		{Workers: 7, Ops: 4},
		{Workers: 50, Ops: 2},
	} {
		for _, v := range Scenario.Variants {
			if v.Kind == labs.Buggy {
				continue
			}
			t.Run(fmt.Sprintf("%s/%d", v.Name, cfg.Workers), func(t *testing.T) {
				checkClean(t, &v, mustRun(t, &v, cfg, run.DefaultOptions()))
			})
		}
	}
}

// lineOf returns the number of the first line of file that contains s.
func lineOf(t *testing.T, file, s string) int {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if strings.Contains(sc.Text(), s) {
			return n
		}
	}
	t.Fatalf("%s has no line containing %q", file, s)
	return 0
}

// checkCycle asserts that f is the deadlock of n philosophers, each holding
// their left fork and waiting for their right one, at the given line of
// the left-then-right file.
func checkCycle(t *testing.T, f detector.Finding, n, line int) {
	t.Helper()
	if f.Kind != detector.Deadlock {
		t.Fatalf("finding kind = %s; want %s", f.Kind, detector.Deadlock)
	}
	if len(f.Steps) != n {
		t.Fatalf("deadlock has %d steps; want %d\n%s", len(f.Steps), n, f)
	}
	seen := map[int]bool{}
	for _, s := range f.Steps {
		i, err := strconv.Atoi(strings.TrimPrefix(s.Worker, "philosopher "))
		if err != nil || !strings.HasPrefix(s.Worker, "philosopher ") {
			t.Fatalf("step worker = %q; want a philosopher", s.Worker)
		}
		seen[i] = true
		right := (i + 1) % n
		if want := fmt.Sprintf("fork %d", right); s.Lock != want {
			t.Errorf("%s waits for %q; want %q", s.Worker, s.Lock, want)
		}
		if want := philosopher(right); s.Owner != want {
			t.Errorf("%s: owner of %s = %q; want %q", s.Worker, s.Lock, s.Owner, want)
		}
		if want := []string{fmt.Sprintf("fork %d", i)}; !slices.Equal(s.Holds, want) {
			t.Errorf("%s holds %q; want %q", s.Worker, s.Holds, want)
		}
		if s.At.File != leftThenRight.File || s.At.Line != line {
			t.Errorf("%s blocked at %s; want %s:%d", s.Worker, s.At, leftThenRight.File, line)
		}
	}
	if len(seen) != n {
		t.Errorf("deadlock names %d distinct philosophers; want %d", len(seen), n)
	}
}

// TestDeadlockFinding checks what the wait-for graph reports for the
// buggy variant: every philosopher, the fork each holds and waits for, its
// owner, and the line of the blocked Lock.
func TestDeadlockFinding(t *testing.T) {
	line := lineOf(t, filepath.Base(leftThenRight.File), "right.Lock()")
	tests := []struct {
		name string
		cfg  labs.Config
	}{
		{"5 philosophers", labs.Config{}},
		{"50 philosophers", labs.Config{Workers: 50}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			results := runUntil(t, &leftThenRight, tt.cfg, func(res *run.Result) bool { return res.Outcome == run.Deadlock })
			// Reaching this line means Run returned: the deadlock was unwound.
			res := results[len(results)-1]
			if res.Outcome != run.Deadlock {
				t.Fatalf("in %d runs, no deadlock; last outcome %s (%s)", len(results), res.Outcome, res.Summary())
			}
			n := tt.cfg.WithDefaults(Scenario.Defaults).Workers
			var found bool
			for _, f := range res.Findings {
				if f.Kind == detector.Deadlock {
					checkCycle(t, f, n, line)
					found = true
					break
				}
			}
			if !found {
				t.Fatalf("no deadlock finding in %s", res.Summary())
			}
			if res.DetectedAfter <= 0 || res.DetectedAfter > res.Elapsed {
				t.Errorf("DetectedAfter = %v; want in (0, %v]", res.DetectedAfter, res.Elapsed)
			}
			for _, w := range res.Workers {
				if w.State != "aborted" {
					t.Errorf("%s ended %s; want aborted", w.Name, w.State)
				}
			}
			if res.Invariants != nil {
				t.Errorf("Invariants = %v; want none for an aborted run", res.Invariants)
			}
		})
	}
}

// TestLockOrderCycle checks the lock-order graph's view of the forks: the
// buggy variant's cycle counts, the waiter's is gated by the waiter, and
// the hierarchy has none.
func TestLockOrderCycle(t *testing.T) {
	tests := []struct {
		variant *labs.Variant
		gated   string // "": a real cycle; "-": no cycle at all
	}{
		{&leftThenRight, ""},
		{&waiter, "waiter"},
		{&hierarchy, "-"},
	}
	for _, tt := range tests {
		t.Run(tt.variant.Name, func(t *testing.T) {
			res := mustRun(t, tt.variant, labs.Config{}, run.DefaultOptions())
			var cycles []detector.Finding
			for _, f := range res.Findings {
				if f.Kind == detector.LockOrder {
					cycles = append(cycles, f)
				}
			}
			if tt.gated == "-" {
				if len(cycles) != 0 {
					t.Fatalf("lock-order findings = %v; want none", cycles)
				}
				return
			}
			if len(cycles) != 1 {
				t.Fatalf("%d lock-order findings; want 1 (%s)", len(cycles), res.Summary())
			}
			f := cycles[0]
			if len(f.Steps) != 5 {
				t.Errorf("lock-order cycle has %d steps; want 5\n%s", len(f.Steps), f)
			}
			for _, s := range f.Steps {
				if s.At.File != tt.variant.File || s.At.Line <= 0 {
					t.Errorf("edge %v -> %s seen at %s; want a line of %s", s.Holds, s.Lock, s.At, tt.variant.File)
				}
			}
			if !strings.Contains(f.Gated, tt.gated) || (tt.gated == "") != (f.Gated == "") {
				t.Errorf("Gated = %q; want %q", f.Gated, tt.gated)
			}
		})
	}
}

// TestCheck checks the invariants themselves on a table driven by hand:
// a fork picked up twice and a missed meal are both reported.
func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		play    func(tb *table, w labs.Worker)
		ok      []bool // per invariant: meals, forks
		meals   string
		retries string
	}{
		{
			name: "clean",
			play: func(tb *table, w labs.Worker) {
				for i := range 3 {
					tb.eat(w, i, time.Now())
				}
			},
			ok: []bool{true, true}, meals: "1 1 1", retries: "0 0 0",
		},
		{
			name: "missed meal",
			play: func(tb *table, w labs.Worker) {
				tb.eat(w, 0, time.Now())
				tb.eat(w, 1, time.Now())
				tb.retry(2)
				tb.retry(2)
			},
			ok: []bool{false, true}, meals: "1 1 0", retries: "0 0 2",
		},
		{
			name: "fork in two hands",
			play: func(tb *table, w labs.Worker) {
				tb.pickUp(1) // philosopher 0 holds fork 1 while philosopher 1 eats
				for i := range 3 {
					tb.eat(w, i, time.Now())
				}
			},
			ok: []bool{true, false}, meals: "1 1 1", retries: "0 0 0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTable(fakeRuntime{}, labs.Config{Workers: 3, Ops: 1})
			tt.play(tb, fakeWorker{})
			rep := tb.Check()
			for i, c := range rep.Invariants {
				if c.OK != tt.ok[i] {
					t.Errorf("invariant %q OK = %v; want %v (expected %s, actual %s)", c.Name, c.OK, tt.ok[i], c.Expected, c.Actual)
				}
			}
			for name, want := range map[string]string{"meals": tt.meals, "retries": tt.retries} {
				if got := metric(&run.Result{Metrics: rep.Metrics}, name); got != want {
					t.Errorf("metric %s = %q; want %q", name, got, want)
				}
			}
		})
	}
}

// fakeRuntime and fakeWorker let the table be tested without running
// anything.
type fakeRuntime struct{ labs.Runtime }

func (fakeRuntime) Chan(string, int) labs.Chan { return nil }

type fakeWorker struct{}

func (fakeWorker) ID() int           { return 0 }
func (fakeWorker) Name() string      { return "fake" }
func (fakeWorker) Yield()            {}
func (fakeWorker) Progress()         {}
func (fakeWorker) Read(string, any)  {}
func (fakeWorker) Write(string, any) {}
func (fakeWorker) Rand() *rand.Rand  { return rand.New(rand.NewPCG(1, 2)) }

func TestScenario(t *testing.T) {
	if err := labs.Validate([]*labs.Scenario{Scenario}); err != nil {
		t.Fatalf("Validate(philosophers) = %v; want nil", err)
	}
	for _, want := range []string{"# The four Coffman conditions", "// WRONG", "// RIGHT", "Circular wait", "Hold and wait"} {
		if !strings.Contains(Scenario.Doc, want) {
			t.Errorf("Doc does not contain %q", want)
		}
	}
	if strings.Contains(Scenario.Doc, "package philosophers") {
		t.Errorf("Doc contains the package clause; want only the comment text")
	}
	for _, v := range Scenario.Variants {
		if _, err := os.Stat(filepath.Base(v.File)); err != nil || filepath.Dir(v.File) != "labs/philosophers" {
			t.Errorf("%s: File %q is not a file of this package", v.Name, v.File)
		}
		if !strings.Contains(Scenario.Doc, "("+string(v.Kind)) {
			t.Errorf("Doc has no section marked (%s", v.Kind)
		}
	}
}
