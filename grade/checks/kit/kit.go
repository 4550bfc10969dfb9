package kit

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"go.uber.org/goleak"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/grade/report"
	"github.com/locklab/locklab/grade/shim"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/explore"
	"github.com/locklab/locklab/labs/run"
)

// Defaults of the effort, which the grader's rubric may override.
const (
	DefaultRuns      = 2    // native runs of each workload in each detection mode
	DefaultSchedules = 2000 // explored schedules of the safety workload
	DefaultBudget    = 10 * time.Second

	nativeLimit = 5 * time.Second
	nativeStall = 2 * time.Second
)

// Exercise is an exercise's workload built around a submission.
type Exercise struct {
	Name string // as in `locklab grade NAME`
	// Explore sizes the explored schedules; Native sizes the native runs.
	Explore, Native labs.Config
	// Safety plays the workload whose Check reports the safety
	// invariants; Liveness plays it with every worker's work checked
	// done (and, for the bank, ample balances).
	Safety, Liveness func(rt labs.Runtime, cfg labs.Config) labs.Instance
}

// Scenario returns the exercise as a scenario of two variants, "safety"
// and "liveness", as the explorer and the native runner take them.
func (e *Exercise) Scenario() *labs.Scenario {
	return &labs.Scenario{
		Name: e.Name, Title: e.Name + " exercise", Doc: "the submission under test",
		Workers: "worker", Ops: "call", Defaults: e.Explore,
		Variants: []labs.Variant{
			{Name: report.Safety, Kind: labs.Fixed, Play: begin(e.Safety)},
			{Name: report.Liveness, Kind: labs.Fixed, Play: begin(e.Liveness)},
		},
	}
}

// begin wraps a workload so that every run starts the shim on its
// runtime, from the submission's initial state.
func begin(play func(rt labs.Runtime, cfg labs.Config) labs.Instance) func(rt labs.Runtime, cfg labs.Config) labs.Instance {
	return func(rt labs.Runtime, cfg labs.Config) labs.Instance {
		shim.Begin(rt)
		return play(rt, cfg)
	}
}

// Main is a checks program's main.
func Main(e *Exercise) {
	ctl, out, err := report.Open()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	go guard(nil, func(why string) {
		out.Write(report.Line{Kind: report.KindGuard, Guard: why})
		os.Exit(4)
	})
	ctx := context.Background()
	switch ctl.Mode {
	case report.ModeNative:
		Native(ctx, e, ctl, out)
	case report.ModeExplore:
		Explore(ctx, e, ctl, out)
	case report.ModeReplay:
		Replay(ctx, e, ctl.Token, out)
	default:
		fmt.Fprintf(os.Stderr, "unknown mode %q\n", ctl.Mode)
		os.Exit(3)
	}
	out.Write(report.Line{Kind: report.KindDone})
	os.Exit(0) // whatever goroutines the submission left
}

// Native plays both workloads natively, ctl.Runs times each with the
// detectors off and as many with them on, and reports every run, then
// the goroutines left behind.
func Native(ctx context.Context, e *Exercise, ctl report.Control, out *report.Writer) {
	runs := ctl.Runs
	if runs <= 0 {
		runs = DefaultRuns
	}
	before := goleak.IgnoreCurrent()
	leaked := func() string {
		if err := goleak.Find(before, goleak.IgnoreAnyFunction("github.com/locklab/locklab/grade/checks/kit.guard")); err != nil {
			return leakSummary(err.Error())
		}
		return ""
	}
	s := e.Scenario()
	seed := uint64(0)
	for _, detect := range []bool{true, false} {
		for range runs {
			for i := range s.Variants {
				v := &s.Variants[i]
				seed++
				cfg := e.Native
				cfg.Seed = seed
				res, stuck, err := runWithin(ctx, s, v, cfg, detect)
				if stuck != "" {
					// A worker runs on and on without reaching anything the
					// runtime could stop it at: no later run could start.
					out.Write(report.Line{Kind: report.KindRun, Run: &report.Run{Workload: v.Name, Detect: detect, Seed: seed, Outcome: string(run.Timeout),
						Findings: []detector.Finding{{Kind: detector.Stall, Message: stuck}}}})
					out.Write(report.Line{Kind: report.KindLeaks})
					return
				}
				shim.End()
				if err != nil {
					out.Write(report.Line{Kind: report.KindRun, Run: &report.Run{Workload: v.Name, Detect: detect, Seed: seed, Outcome: "error",
						Findings: []detector.Finding{{Kind: detector.Panic, Message: err.Error()}}}})
					out.Write(report.Line{Kind: report.KindLeaks})
					return
				}
				r := &report.Run{Workload: v.Name, Detect: detect, Seed: seed, Outcome: string(res.Outcome), Findings: res.Findings, Elapsed: res.Elapsed}
				for _, c := range res.Invariants {
					if !c.OK {
						r.Invariants = append(r.Invariants, c)
					}
				}
				out.Write(report.Line{Kind: report.KindRun, Run: r})
				if res.Outcome.Problem() && res.Outcome != run.LockOrder {
					// The runs have shown the code not working; more of
					// them would show nothing more.
					out.Write(report.Line{Kind: report.KindLeaks})
					return
				}
			}
			// Goroutines left by one round of both workloads are enough
			// to judge, and every further round would pile up more.
			if l := leaked(); l != "" {
				out.Write(report.Line{Kind: report.KindLeaks, Leaks: l})
				return
			}
		}
	}
	out.Write(report.Line{Kind: report.KindLeaks, Leaks: leaked()})
}

// runWithin is one native run, given up on when it outlasts its own
// limits by far: then a worker is running without ever reaching a lock,
// channel or shared access, and stuck says where.
func runWithin(ctx context.Context, s *labs.Scenario, v *labs.Variant, cfg labs.Config, detect bool) (res *run.Result, stuck string, err error) {
	type result struct {
		res *run.Result
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := run.Run(ctx, s, v, cfg, run.Options{WaitFor: detect, LockOrder: detect, Timeout: nativeLimit, Stall: nativeStall})
		done <- result{res, err}
	}()
	t := time.NewTimer(nativeLimit + nativeStall + 2*time.Second)
	defer t.Stop()
	select {
	case r := <-done:
		return r.res, "", r.err
	case <-t.C:
		msg := "a worker never returned and could not be stopped: it runs without reaching a lock, channel or shared access"
		if at := stuckAt(); at != "" {
			msg += ", at " + at + " (a loop that never ends?)"
		}
		return nil, msg, nil
	}
}

// Explore explores both workloads and reports, per workload and
// strategy, the schedules run and the first failure, minimized.
func Explore(ctx context.Context, e *Exercise, ctl report.Control, out *report.Writer) {
	n := ctl.Schedules
	if n <= 0 {
		n = DefaultSchedules
	}
	budget := ctl.Budget
	if budget <= 0 {
		budget = DefaultBudget
	}
	s := e.Scenario()
	for i, seed := range []uint64{1, 2} {
		v := &s.Variants[i]
		schedules := n / (2 * (i + 1)) // per strategy; the liveness workload gets half as many
		deadline := time.Now().Add(budget)
		for _, strategy := range []string{"random", "pct"} {
			rep := budgeted(time.Until(deadline), func() *report.Explore {
				res, err := explore.Explore(ctx, s, v, explore.Options{Strategy: strategy, Schedules: max(schedules, 1), Seed: seed,
					Time: max(time.Until(deadline)-time.Second, time.Second)})
				if err != nil {
					return &report.Explore{Stopped: "the explorer failed: " + err.Error()}
				}
				r := &report.Explore{Schedules: res.Schedules, Failure: res.First}
				if r.Failure != nil {
					r.Failure.Trace = nil // the replay shows it
				} else if res.Schedules < schedules {
					r.Stopped = fmt.Sprintf("the time budget of %v ran out after %d schedules", budget, res.Schedules)
				}
				return r
			})
			shim.End()
			rep.Workload, rep.Strategy = v.Name, strategy
			out.Write(report.Line{Kind: report.KindExplore, Explore: rep})
			if rep.Stuck {
				// A worker is still running in the goroutine given up on:
				// nothing more can be explored in this process.
				return
			}
			if rep.Failure != nil || rep.Stopped != "" {
				break
			}
		}
	}
}

// budgeted runs f, giving up after limit with a report that says where
// the submission's workers were.
func budgeted(limit time.Duration, f func() *report.Explore) *report.Explore {
	done := make(chan *report.Explore, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- &report.Explore{Stopped: fmt.Sprintf("the check panicked: %v", p)}
			}
		}()
		done <- f()
	}()
	t := time.NewTimer(max(limit, time.Second))
	defer t.Stop()
	select {
	case r := <-done:
		return r
	case <-t.C:
		why := "the explored schedules did not finish in time"
		if at := stuckAt(); at != "" {
			why += ": a worker ran without reaching a lock, channel or shared access, at " + at + " (a loop that never ends?)"
		}
		return &report.Explore{Stopped: why, Stuck: true}
	}
}

// stuckAt returns where in the submission a goroutine is running now, as
// file:line, or "".
func stuckAt() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	for _, g := range strings.Split(string(buf), "\n\n") {
		if !strings.Contains(g, "[running]") && !strings.Contains(g, "[runnable]") {
			continue
		}
		lines := strings.Split(g, "\n")
		for i := 1; i+1 < len(lines); i += 2 {
			if strings.HasPrefix(lines[i], "locklab.grade/submission.") {
				at := strings.TrimSpace(lines[i+1])
				at, _, _ = strings.Cut(at, " +0x")
				if j := strings.LastIndex(at, "/submission/"); j >= 0 {
					at = at[j+1:]
				}
				return at
			}
		}
	}
	return ""
}

// Replay replays one explored schedule and reports it with its trace.
func Replay(ctx context.Context, e *Exercise, token string, out *report.Writer) {
	s := e.Scenario()
	tok, err := explore.DecodeToken(token)
	if err != nil {
		out.Write(report.Line{Kind: report.KindReplay, Error: err.Error()})
		return
	}
	v, err := s.Variant(tok.Variant)
	if err != nil {
		out.Write(report.Line{Kind: report.KindReplay, Error: "the token is not from this exercise"})
		return
	}
	f, err := explore.Replay(ctx, s, v, token)
	shim.End()
	if err != nil {
		out.Write(report.Line{Kind: report.KindReplay, Error: err.Error()})
		return
	}
	out.Write(report.Line{Kind: report.KindReplay, Replay: f})
}

// leakSummary says in one line how many goroutines the submission left
// and, for the first, where it was started and where it is now, in the
// submission's own files.
func leakSummary(s string) string {
	n := strings.Count(s, "Goroutine ")
	var at []string // the first leaked goroutine's frames in the submission, innermost first
	for _, g := range strings.Split(s, "Goroutine ")[1:] {
		lines := strings.Split(g, "\n")
		for i := 0; i+1 < len(lines); i++ {
			fn := strings.TrimSpace(lines[i])
			if strings.HasPrefix(fn, "locklab.grade/submission.") || strings.HasPrefix(fn, "created by locklab.grade/submission.") {
				where, _, _ := strings.Cut(strings.TrimSpace(lines[i+1]), " +0x")
				if j := strings.LastIndex(where, "/submission/"); j >= 0 {
					at = append(at, where[j+len("/submission/"):])
				}
			}
		}
		if len(at) > 0 {
			break
		}
	}
	switch len(at) {
	case 0:
		return fmt.Sprintf("%d goroutine(s) still running", n)
	case 1:
		return fmt.Sprintf("%d goroutine(s) still running; the first is at %s", n, at[0])
	}
	return fmt.Sprintf("%d goroutine(s) still running; the first was started at %s and is at %s", n, at[len(at)-1], at[0])
}
