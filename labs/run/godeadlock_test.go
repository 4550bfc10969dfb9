package run_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	"go.uber.org/zap/zaptest"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/run"
)

// TestMain serves run.GoDeadlock's child process before anything else:
// the child must not run the tests, and it exits with workers still
// blocked in go-deadlock's locks, which goleak must not see.
func TestMain(m *testing.M) {
	if handled, code := run.ServeChild(lookup); handled {
		os.Exit(code)
	}
	goleak.VerifyTestMain(m)
}

// The scenarios below are the tests' own, so that these tests do not
// depend on the catalog. Each lock call a test looks for is marked with a
// "// at:" comment; markLine finds its line.

var pair = &labs.Scenario{
	Name: "pair", Title: "Two locks", Doc: "Two locks, two workers.", Workers: "worker",
	Defaults: labs.Config{Workers: 2, Ops: 3, Seed: 1},
	Variants: []labs.Variant{
		{Name: "in-turn", Kind: labs.Buggy, Play: playInTurn},
		{Name: "in-turn-try", Kind: labs.Fixed, Play: playInTurnTry},
		{Name: "abba", Kind: labs.Buggy, Play: playABBA},
		{Name: "ordered", Kind: labs.Fixed, Play: playOrdered},
		{Name: "stuck-in-play", Kind: labs.Buggy, Play: playStuck},
		{Name: "stuck-in-check", Kind: labs.Buggy, Play: playStuckInCheck},
	},
}

var dining = &labs.Scenario{
	Name: "dining", Title: "Five philosophers", Doc: "Left fork, then right.", Workers: "philosopher",
	Defaults: labs.Config{Workers: 5, Ops: 1, Seed: 1},
	Variants: []labs.Variant{
		{Name: "left-then-right", Kind: labs.Buggy, Play: playLeftThenRight},
	},
}

func lookup(scenario, variant string) (*labs.Scenario, *labs.Variant, error) {
	for _, s := range []*labs.Scenario{pair, dining} {
		if s.Name == scenario {
			v, err := s.Variant(variant)
			return s, v, err
		}
	}
	return nil, nil, fmt.Errorf("unknown scenario %q", scenario)
}

type report struct{ labs.Report }

func (r report) Check() labs.Report { return r.Report }

// playInTurn: worker 0 takes A then B; only when it is done does worker 1
// take B then A. The run never hangs, yet the orders are inverted.
func playInTurn(rt labs.Runtime, cfg labs.Config) labs.Instance {
	a, b := rt.Mutex("A"), rt.Mutex("B")
	turn := rt.Chan("turn", 1)
	rt.Go("worker 0", func(w labs.Worker) {
		a.Lock()
		b.Lock() // at: in-turn first
		b.Unlock()
		a.Unlock()
		w.Progress()
		turn.Send(true)
	})
	rt.Go("worker 1", func(w labs.Worker) {
		turn.Recv()
		b.Lock()
		a.Lock() // at: in-turn second
		a.Unlock()
		b.Unlock()
		w.Progress()
	})
	return report{}
}

// playInTurnTry is playInTurn with worker 1 trying its second lock: it
// never waits while holding a lock, so the inverted order cannot deadlock.
func playInTurnTry(rt labs.Runtime, cfg labs.Config) labs.Instance {
	a, b := rt.Mutex("A"), rt.Mutex("B")
	turn := rt.Chan("turn", 1)
	rt.Go("worker 0", func(w labs.Worker) {
		a.Lock()
		b.Lock()
		b.Unlock()
		a.Unlock()
		w.Progress()
		turn.Send(true)
	})
	rt.Go("worker 1", func(w labs.Worker) {
		turn.Recv()
		b.Lock()
		if a.TryLock() {
			a.Unlock()
		}
		b.Unlock()
		w.Progress()
	})
	return report{}
}

// playABBA: each worker takes its first lock, waits until both have, then
// takes its second: a certain deadlock.
func playABBA(rt labs.Runtime, cfg labs.Config) labs.Instance {
	a, b := rt.Mutex("A"), rt.Mutex("B")
	var both sync.WaitGroup
	both.Add(2)
	rt.Go("worker 0", func(w labs.Worker) {
		a.Lock()
		both.Done()
		both.Wait()
		b.Lock() // at: abba worker 0
		b.Unlock()
		a.Unlock()
		w.Progress()
	})
	rt.Go("worker 1", func(w labs.Worker) {
		b.Lock()
		both.Done()
		both.Wait()
		a.Lock() // at: abba worker 1
		a.Unlock()
		b.Unlock()
		w.Progress()
	})
	return report{}
}

// playOrdered: every worker takes A then B, Ops times, and counts.
func playOrdered(rt labs.Runtime, cfg labs.Config) labs.Instance {
	a, b := rt.Mutex("A"), rt.Mutex("B")
	n := 0
	for i := range cfg.Workers {
		rt.Go(fmt.Sprintf("worker %d", i), func(w labs.Worker) {
			for range cfg.Ops {
				a.Lock()
				b.Lock()
				v := n
				w.Yield()
				n = v + 1
				b.Unlock()
				a.Unlock()
				w.Progress()
			}
		})
	}
	return instanceFunc(func() labs.Report {
		want := cfg.Workers * cfg.Ops
		return labs.Report{Invariants: []labs.Check{{
			Name: "count", Expected: fmt.Sprint(want), Actual: fmt.Sprint(n), OK: n == want,
		}}}
	})
}

// invertInPlay takes A then B, then B then A, on Play's own goroutine.
func invertInPlay(rt labs.Runtime) {
	a, b := rt.Mutex("A"), rt.Mutex("B")
	a.Lock()
	b.Lock()
	b.Unlock()
	a.Unlock()
	b.Lock()
	a.Lock()
	a.Unlock()
	b.Unlock()
}

// playStuck inverts two locks in Play itself, then never returns: the
// watchdog never starts, and the child reports at the time limit.
func playStuck(rt labs.Runtime, cfg labs.Config) labs.Instance {
	invertInPlay(rt)
	time.Sleep(time.Hour) // not select{}: the runtime would call that a deadlock and exit
	return report{}
}

// playStuckInCheck inverts two locks in Play and returns an Instance whose
// Check never returns: only the parent's kill ends the child.
func playStuckInCheck(rt labs.Runtime, cfg labs.Config) labs.Instance {
	invertInPlay(rt)
	rt.Go("worker 0", func(w labs.Worker) { w.Progress() })
	return instanceFunc(func() labs.Report {
		time.Sleep(time.Hour)
		return labs.Report{}
	})
}

// playLeftThenRight: philosopher i takes fork i, waits until everyone holds
// their left fork, then takes fork i+1: a circular wait of five.
func playLeftThenRight(rt labs.Runtime, cfg labs.Config) labs.Instance {
	n := cfg.Workers
	forks := make([]labs.Mutex, n)
	for i := range forks {
		forks[i] = rt.Mutex(fmt.Sprintf("fork %d", i))
	}
	var seated sync.WaitGroup
	seated.Add(n)
	for i := range n {
		left, right := forks[i], forks[(i+1)%n]
		rt.Go(fmt.Sprintf("philosopher %d", i), func(w labs.Worker) {
			left.Lock()
			seated.Done()
			seated.Wait()
			right.Lock() // at: right fork
			right.Unlock()
			left.Unlock()
			w.Progress()
		})
	}
	return report{}
}

type instanceFunc func() labs.Report

func (f instanceFunc) Check() labs.Report { return f() }

// markLine returns the line of this file holding the comment "// at: mark".
func markLine(t *testing.T, mark string) int {
	t.Helper()
	f, err := os.Open("godeadlock_test.go")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if strings.HasSuffix(sc.Text(), "// at: "+mark) {
			return n
		}
	}
	t.Fatalf("no line marked %q", mark)
	return 0
}

const thisFile = "labs/run/godeadlock_test.go"

func goDeadlock(t *testing.T, s *labs.Scenario, variant string, opts run.Options) *run.Result {
	t.Helper()
	t.Parallel() // every run is a child process of its own
	v, err := s.Variant(variant)
	if err != nil {
		t.Fatal(err)
	}
	opts.Logger = zaptest.NewLogger(t)
	res, err := run.GoDeadlock(context.Background(), s, v, labs.Config{}, opts)
	if err != nil {
		t.Fatalf("GoDeadlock(%s/%s) error: %v", s.Name, variant, err)
	}
	t.Logf("%s (detected after %v)", res.Summary(), res.DetectedAfter)
	for _, f := range res.Findings {
		t.Logf("%v", f)
	}
	return res
}

func godeadlockFindings(res *run.Result) []detector.Finding {
	var out []detector.Finding
	for _, f := range res.Findings {
		if f.Kind == detector.PotentialDeadlock {
			out = append(out, f)
		}
	}
	return out
}

func TestGoDeadlockInversionWithoutHang(t *testing.T) {
	res := goDeadlock(t, pair, "in-turn", run.Options{})
	if res.Outcome != run.LockOrder {
		t.Errorf("Outcome = %v; want %v", res.Outcome, run.LockOrder)
	}
	if !slices.Contains(res.Detectors, string(labs.GoDeadlock)) {
		t.Errorf("Detectors = %v; want it to list %q", res.Detectors, labs.GoDeadlock)
	}
	for _, w := range res.Workers {
		if w.Progress != 1 || w.State != "done" {
			t.Errorf("worker %s: progress %d, state %s; want 1, done", w.Name, w.Progress, w.State)
		}
	}
	fs := godeadlockFindings(res)
	if len(fs) != 1 {
		t.Fatalf("go-deadlock findings = %d; want 1 inversion", len(fs))
	}
	want := []detector.Step{
		{Worker: "worker 0", Holds: []string{"A"}, Lock: "B", At: detector.Pos{File: thisFile, Line: markLine(t, "in-turn first")}},
		{Worker: "worker 1", Holds: []string{"B"}, Lock: "A", At: detector.Pos{File: thisFile, Line: markLine(t, "in-turn second")}},
	}
	checkSteps(t, fs[0], want)
	if !strings.Contains(fs[0].Message, "inconsistent locking") {
		t.Errorf("Message = %q; want go-deadlock's inconsistent locking", fs[0].Message)
	}
}

func TestGoDeadlockInversionWithTryLock(t *testing.T) {
	res := goDeadlock(t, pair, "in-turn-try", run.Options{})
	if res.Outcome != run.OK {
		t.Errorf("Outcome = %v; want %v: a TryLock never waits", res.Outcome, run.OK)
	}
	fs := godeadlockFindings(res)
	if len(fs) != 1 || fs[0].Gated == "" {
		t.Errorf("go-deadlock findings = %v; want its inversion, gated", fs)
	}
}

func TestGoDeadlockABBA(t *testing.T) {
	res := goDeadlock(t, pair, "abba", run.Options{Stall: 600 * time.Millisecond})
	if res.Outcome != run.Deadlock {
		t.Errorf("Outcome = %v; want %v", res.Outcome, run.Deadlock)
	}
	var inversion, cycle bool
	for _, f := range godeadlockFindings(res) {
		switch {
		case strings.Contains(f.Message, "inconsistent locking"):
			inversion = true
		case strings.Contains(f.Message, "2 workers wait for each other in a cycle"):
			cycle = true
			checkSteps(t, f, []detector.Step{
				{Worker: "worker 0", Holds: []string{"A"}, Lock: "B", Owner: "worker 1", At: detector.Pos{File: thisFile, Line: markLine(t, "abba worker 0")}},
				{Worker: "worker 1", Holds: []string{"B"}, Lock: "A", Owner: "worker 0", At: detector.Pos{File: thisFile, Line: markLine(t, "abba worker 1")}},
			})
		}
	}
	if !inversion || !cycle {
		t.Errorf("go-deadlock reported inversion %v, cycle of waits %v; want both", inversion, cycle)
	}
	for _, w := range res.Workers {
		if w.State != "blocked" {
			t.Errorf("worker %s: state %s; want blocked", w.Name, w.State)
		}
	}
}

func TestGoDeadlockFivePhilosophers(t *testing.T) {
	// The default stall limit, 2 s, sets go-deadlock's timeout to 1 s.
	res := goDeadlock(t, dining, "left-then-right", run.Options{})
	if res.Outcome != run.Deadlock {
		t.Errorf("Outcome = %v; want %v", res.Outcome, run.Deadlock)
	}
	fs := godeadlockFindings(res)
	if len(fs) != 1 {
		t.Fatalf("go-deadlock findings = %d; want 1 (timeouts only: go-deadlock compares pairs of locks, so it sees no inversion in a cycle of 5)", len(fs))
	}
	f := fs[0]
	if !strings.Contains(f.Message, "5 workers wait for each other in a cycle") || !strings.Contains(f.Message, "lock wait timeout") {
		t.Errorf("Message = %q; want a cycle of 5 from go-deadlock's lock wait timeout", f.Message)
	}
	if len(f.Steps) != 5 {
		t.Fatalf("steps = %d; want 5", len(f.Steps))
	}
	line := markLine(t, "right fork")
	for i, st := range f.Steps {
		next := f.Steps[(i+1)%len(f.Steps)]
		if st.Owner != next.Worker {
			t.Errorf("step %d: %s waits for %s, owned by %s; want the next in the cycle, %s", i, st.Worker, st.Lock, st.Owner, next.Worker)
		}
		if len(next.Holds) != 1 || next.Holds[0] != st.Lock {
			t.Errorf("step %d: %s waits for %s, and %s holds %v; want [%s]", i, st.Worker, st.Lock, next.Worker, next.Holds, st.Lock)
		}
		if st.At.File != thisFile || st.At.Line != line {
			t.Errorf("step %d: At = %v; want %s:%d", i, st.At, thisFile, line)
		}
	}
	if res.DetectedAfter < time.Second {
		t.Errorf("DetectedAfter = %v; want at least go-deadlock's timeout of 1s", res.DetectedAfter)
	}
}

func TestGoDeadlockFixedIsClean(t *testing.T) {
	res := goDeadlock(t, pair, "ordered", run.Options{})
	if res.Outcome != run.OK || len(res.Findings) != 0 {
		t.Errorf("Outcome = %v with %d findings; want %v and none", res.Outcome, len(res.Findings), run.OK)
	}
	if len(res.Invariants) != 1 || !res.Invariants[0].OK {
		t.Errorf("Invariants = %+v; want one that holds", res.Invariants)
	}
}

func TestGoDeadlockStuckInPlay(t *testing.T) {
	res := goDeadlock(t, pair, "stuck-in-play", run.Options{Timeout: 300 * time.Millisecond})
	if res.Outcome != run.Timeout {
		t.Errorf("Outcome = %v; want %v", res.Outcome, run.Timeout)
	}
	if len(res.Findings) != 2 || res.Findings[0].Kind != detector.Stall ||
		res.Findings[1].Kind != detector.PotentialDeadlock || !strings.Contains(res.Findings[1].Message, "inconsistent locking") {
		t.Errorf("Findings = %v; want a stall finding and go-deadlock's inversion", res.Findings)
	}
}

func TestGoDeadlockKilledChild(t *testing.T) {
	res := goDeadlock(t, pair, "stuck-in-check", run.Options{Timeout: 300 * time.Millisecond})
	if res.Outcome != run.Timeout {
		t.Errorf("Outcome = %v; want %v", res.Outcome, run.Timeout)
	}
	if len(res.Findings) == 0 || res.Findings[0].Kind != detector.Stall || !strings.Contains(res.Findings[0].Message, "killed") {
		t.Fatalf("Findings = %v; want a stall finding saying the child was killed first", res.Findings)
	}
	// What go-deadlock said before the kill comes from the child's stderr.
	fs := godeadlockFindings(res)
	if len(fs) != 1 || !strings.Contains(fs[0].Message, "inconsistent locking") {
		t.Errorf("go-deadlock findings = %v; want the inversion made before the hang", fs)
	}
}

func TestGoDeadlockErrors(t *testing.T) {
	unknown := &labs.Scenario{Name: "nowhere", Workers: "worker", Defaults: labs.Config{Workers: 2, Ops: 1},
		Variants: []labs.Variant{{Name: "v", Play: playOrdered}}}
	tests := []struct {
		name string
		s    *labs.Scenario
		cfg  labs.Config
		opts run.Options
		want string // in the error
	}{
		{"unknown to the child", unknown, labs.Config{}, run.Options{}, `unknown scenario "nowhere"`},
		{"bad config", pair, labs.Config{Workers: -1}, run.Options{}, "workers must be"},
		{"bad options", pair, labs.Config{}, run.Options{Stall: -time.Second}, "must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := run.GoDeadlock(context.Background(), tt.s, &tt.s.Variants[0], tt.cfg, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("GoDeadlock() = %v, %v; want an error containing %q", res, err, tt.want)
			}
		})
	}
}

func TestGoDeadlockCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	v, _ := pair.Variant("ordered")
	if _, err := run.GoDeadlock(ctx, pair, v, labs.Config{}, run.Options{}); err == nil {
		t.Errorf("GoDeadlock(canceled ctx) error = nil; want context.Canceled")
	}
}

func TestServeChildNotAChild(t *testing.T) {
	if handled, code := run.ServeChild(lookup); handled || code != 0 {
		t.Errorf("ServeChild() = %v, %d outside a child; want false, 0", handled, code)
	}
}

// checkSteps compares workers, locks, owners and positions (file and line).
func checkSteps(t *testing.T, f detector.Finding, want []detector.Step) {
	t.Helper()
	if len(f.Steps) != len(want) {
		t.Fatalf("%s: %d steps; want %d", f.Message, len(f.Steps), len(want))
	}
	for i, w := range want {
		g := f.Steps[i]
		if g.Worker != w.Worker || g.Lock != w.Lock || g.Owner != w.Owner || !slices.Equal(g.Holds, w.Holds) {
			t.Errorf("step %d = %s holds %v wants %s (owner %q); want %s holds %v wants %s (owner %q)",
				i, g.Worker, g.Holds, g.Lock, g.Owner, w.Worker, w.Holds, w.Lock, w.Owner)
		}
		if g.At.File != w.At.File || g.At.Line != w.At.Line {
			t.Errorf("step %d: At = %v; want %s:%d", i, g.At, w.At.File, w.At.Line)
		}
	}
}
