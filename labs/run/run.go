package run

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/native"
)

// Outcome is the verdict of a run. The string values are part of the JSON
// form.
type Outcome string

// The outcomes, from the most to the least severe.
const (
	Deadlock  Outcome = "deadlock"   // the wait-for graph closed a cycle
	Panic     Outcome = "panic"      // a worker panicked
	Livelock  Outcome = "livelock"   // workers ran but none progressed
	Stall     Outcome = "stall"      // no progress, workers blocked
	Timeout   Outcome = "timeout"    // the run exceeded its time limit
	Violated  Outcome = "invariant"  // a scenario invariant did not hold
	LockOrder Outcome = "lock-order" // a potential deadlock: lock-order cycle
	OK        Outcome = "ok"         // nothing wrong found
)

// Problem reports whether the outcome is something wrong (exit status 1).
func (o Outcome) Problem() bool { return o != OK }

// Options configure a run. The zero value runs with the wait-for and
// lock-order graphs, a 10 s time limit and a 2 s stall limit.
type Options struct {
	WaitFor   bool          // the wait-for graph: actual deadlocks
	LockOrder bool          // the lock-order graph: potential deadlocks
	Timeout   time.Duration // the whole run's limit; 0 means 10 s
	Stall     time.Duration // the limit without progress; 0 means 2 s
	Logger    *zap.Logger   // nil means no logging
	// Events records what the workers do, the last
	// eventlog.DefaultCap events of each, into Result.Events. It adds no
	// synchronization, and about half a microsecond per event, most of it
	// taking the stack for the event's source line (BenchmarkEvents in
	// labs/native: a locked read-modify-write, five events, 2.7 µs
	// against 65 ns).
	Events bool
}

// DefaultOptions returns options with both graphs on.
func DefaultOptions() Options {
	return Options{WaitFor: true, LockOrder: true}
}

// Result is everything a run found, as plain data.
type Result struct {
	Scenario   string             `json:"scenario"`
	Variant    string             `json:"variant"`
	Kind       labs.Kind          `json:"kind"`
	Bug        labs.BugClass      `json:"bug,omitempty"`
	Fix        string             `json:"fix,omitempty"`
	Lesson     string             `json:"lesson"`
	WorkerNoun string             `json:"worker_noun"`
	OpNoun     string             `json:"op_noun"`
	Config     ConfigJSON         `json:"config"`
	Detectors  []string           `json:"detectors"`
	Outcome    Outcome            `json:"outcome"`
	Findings   []detector.Finding `json:"findings"`
	Invariants []labs.Check       `json:"invariants"`
	Metrics    []labs.Metric      `json:"metrics"`
	Workers    []WorkerResult     `json:"workers"`
	// Events are what the workers did, in order (the last ones, when the
	// run recorded them; see Options.Events).
	Events  []labs.Event  `json:"events,omitempty"`
	Elapsed time.Duration `json:"elapsed_ns"`
	// DetectedAfter is the time from the start of the run to the first
	// deadlock report, when there was one.
	DetectedAfter time.Duration `json:"detected_after_ns,omitempty"`
}

// ConfigJSON is a labs.Config in its JSON form.
type ConfigJSON struct {
	Workers int    `json:"workers"`
	Ops     int    `json:"ops"`
	Seed    uint64 `json:"seed"`
	Yield   string `json:"yield"`
}

// WorkerResult is one worker's end state.
type WorkerResult struct {
	Name     string `json:"name"`
	Progress int64  `json:"progress"`
	State    string `json:"state"`
	// Goroutine is the worker's goroutine id, as the Go runtime numbers
	// goroutines (0 if it never started).
	Goroutine int64 `json:"goroutine,omitempty"`
	// RaceGoroutine is the number the race detector gives the worker's
	// goroutine in its reports, which is not Goroutine; 0 when the
	// program was built without -race.
	RaceGoroutine int64 `json:"race_goroutine,omitempty"`
}

// Run runs variant v of scenario s with cfg (zero fields take the
// scenario's defaults). It returns an error only for bad input or a
// canceled ctx; every problem the run finds is in the Result.
// A variant marked labs.Variant.Controlled is bad input: it returns a
// *ControlledError.
func Run(ctx context.Context, s *labs.Scenario, v *labs.Variant, cfg labs.Config, opts Options) (*Result, error) {
	cfg, opts, log, err := prepare(s, v, cfg, opts)
	if err != nil {
		return nil, err
	}

	start := time.Now()
	var detectedAt atomic.Int64 // UnixNano of the first deadlock report
	det := detector.New(
		detector.WithWaitFor(opts.WaitFor),
		detector.WithLockOrder(opts.LockOrder),
		detector.WithLogger(log),
		detector.WithOnFinding(func(f detector.Finding) {
			if f.Kind == detector.Deadlock || f.Kind == detector.DoubleLock {
				detectedAt.CompareAndSwap(0, time.Now().UnixNano())
			}
		}),
	)
	var nopts []native.Option
	if opts.Events {
		nopts = append(nopts, native.WithEvents(0))
	}
	rt := native.New(det, cfg.Seed, cfg.Yield, nopts...)
	log.Debug("start", zap.Int("workers", cfg.Workers), zap.Int("ops", cfg.Ops))

	inst := v.Play(rt, cfg)
	wd := watch(ctx, rt, det, opts)
	werr := rt.Wait()
	wd.stop()
	elapsed := time.Since(start)

	res := newResult(s, v, cfg)
	res.Detectors = detectorNames(opts)
	res.Elapsed = elapsed
	res.Findings = det.Findings()
	res.Events = rt.Events()
	if cut := wd.abortedAt; !cut.IsZero() {
		if at := detectedAt.Load(); at != 0 && time.Unix(0, at).Before(cut) {
			cut = time.Unix(0, at) // the detector aborts as it reports
		}
		res.Events = eventsBefore(res.Events, cut.Sub(rt.Started()))
	}
	for _, w := range rt.Workers() {
		res.Workers = append(res.Workers, WorkerResult{Name: w.Name(), Progress: w.Count(), State: w.State().String(),
			Goroutine: w.Goroutine(), RaceGoroutine: w.RaceGoroutine()})
	}
	if at := detectedAt.Load(); at != 0 {
		res.DetectedAfter = time.Unix(0, at).Sub(start)
	}
	if !det.Aborted() {
		res.check(inst)
	}
	if werr != nil {
		res.Findings = append(res.Findings, detector.Finding{Kind: detector.Panic, Message: werr.Error()})
	}
	res.Outcome = outcome(res.Findings, wd.timedOut, werr)
	if err := ctx.Err(); err != nil && wd.canceled {
		return res, err
	}
	log.Debug("done", zap.String("outcome", string(res.Outcome)), zap.Duration("elapsed", elapsed))
	return res, nil
}

// eventsBefore returns the events that happened before t (from the start
// of the runtime): what the workers did, not how they unwound.
func eventsBefore(events []labs.Event, t time.Duration) []labs.Event {
	for i, e := range events {
		if e.Time > t {
			return events[:i]
		}
	}
	return events
}

// ControlledError is the error of Run for a variant that runs only under
// the controlled scheduler (labs.Variant.Controlled): on real goroutines
// its unlocked shared state would be a data race. explore.RunOnce runs it.
type ControlledError struct {
	Scenario, Variant string
}

func (e *ControlledError) Error() string {
	return fmt.Sprintf("%s/%s runs only under the controlled scheduler (one worker at a time), not on real goroutines; run it with explore.RunOnce",
		e.Scenario, e.Variant)
}

// prepare checks a run's input, fills in the scenario's defaults and the
// default limits, and returns the logger narrowed to the variant. Every
// entry point (Run, GoDeadlock and its child) starts with it.
func prepare(s *labs.Scenario, v *labs.Variant, cfg labs.Config, opts Options) (labs.Config, Options, *zap.Logger, error) {
	if v.Controlled {
		return cfg, opts, nil, &ControlledError{Scenario: s.Name, Variant: v.Name}
	}
	cfg = cfg.WithDefaults(s.Defaults)
	if err := cfg.Validate(); err != nil {
		return cfg, opts, nil, err
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return cfg, opts, nil, err
	}
	log := opts.Logger
	if log == nil {
		log = zap.NewNop()
	}
	return cfg, opts, log.With(zap.String("scenario", s.Name), zap.String("variant", v.Name)), nil
}

// withDefaults fills in the default limits and checks them.
func (o Options) withDefaults() (Options, error) {
	if o.Timeout == 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Stall == 0 {
		o.Stall = 2 * time.Second
	}
	if o.Timeout < 0 || o.Stall < 0 {
		return o, fmt.Errorf("timeout and stall must be positive")
	}
	return o, nil
}

// newResult returns a Result describing the run but not what it found.
func newResult(s *labs.Scenario, v *labs.Variant, cfg labs.Config) *Result {
	return &Result{
		Scenario:   s.Name,
		Variant:    v.Name,
		Kind:       v.Kind,
		Bug:        v.Bug,
		Fix:        v.Fix,
		Lesson:     v.Lesson,
		WorkerNoun: s.Workers,
		OpNoun:     s.Ops,
		Config:     NewConfigJSON(cfg),
	}
}

// check runs the scenario's checks on a finished run and adds a finding
// for each invariant that did not hold.
func (r *Result) check(inst labs.Instance) {
	rep := inst.Check()
	r.Invariants, r.Metrics = rep.Invariants, rep.Metrics
	for _, c := range rep.Invariants {
		if !c.OK {
			r.Findings = append(r.Findings, detector.Finding{
				Kind:    detector.Invariant,
				Message: fmt.Sprintf("%s: expected %s, got %s", c.Name, c.Expected, c.Actual),
			})
		}
	}
}

// NewConfigJSON returns cfg in its JSON form.
func NewConfigJSON(cfg labs.Config) ConfigJSON {
	return ConfigJSON{Workers: cfg.Workers, Ops: cfg.Ops, Seed: cfg.Seed, Yield: yieldString(cfg.Yield)}
}

// yieldString is Config.Yield for people: a duration, or "gosched".
func yieldString(d time.Duration) string {
	if d == labs.YieldGosched {
		return "gosched"
	}
	return d.String()
}

func detectorNames(o Options) []string {
	var ds []string
	if o.WaitFor {
		ds = append(ds, string(labs.WaitFor))
	}
	if o.LockOrder {
		ds = append(ds, string(labs.LockOrder))
	}
	ds = append(ds, string(labs.Invariant), string(labs.Watchdog))
	return ds
}

func outcome(fs []detector.Finding, timedOut bool, werr error) Outcome {
	has := func(k detector.Kind) bool {
		return slices.ContainsFunc(fs, func(f detector.Finding) bool { return f.Kind == k && f.Gated == "" })
	}
	switch {
	case has(detector.Deadlock), has(detector.DoubleLock):
		return Deadlock
	case werr != nil:
		return Panic
	case has(detector.Livelock):
		return Livelock
	case (has(detector.Stall) || has(detector.ExitedOwner)) && timedOut:
		return Timeout
	case has(detector.Stall), has(detector.ExitedOwner):
		return Stall
	case has(detector.Invariant):
		return Violated
	case has(detector.LockOrder), has(detector.RecursiveRLock), has(detector.WaitUnderLock):
		// Potential deadlocks: the run did not hang, but another could.
		return LockOrder
	}
	return OK
}

// watchdog stops a run that exceeds its time limit, makes no progress
// within the stall limit, or whose context is canceled.
type watchdog struct {
	quit     chan struct{}
	done     chan struct{}
	timedOut bool
	canceled bool
	// abortedAt is when the run was aborted (by the detector or by the
	// watchdog), if it was: what the workers did after it is unwinding.
	abortedAt time.Time
}

func (w *watchdog) stop() {
	close(w.quit)
	<-w.done
}

func watch(ctx context.Context, rt *native.Runtime, det *detector.Detector, opts Options) *watchdog {
	w := &watchdog{quit: make(chan struct{}), done: make(chan struct{})}
	tick := min(opts.Stall/20, 50*time.Millisecond)
	tick = max(tick, time.Millisecond)
	go func() {
		defer close(w.done)
		t := time.NewTicker(tick)
		defer t.Stop()
		deadline := time.NewTimer(opts.Timeout)
		defer deadline.Stop()
		lastProgress, lastSteps := rt.Progress()
		lastChange, lastStep := time.Now(), time.Now()
		for {
			select {
			case <-w.quit:
				return
			case <-det.Done():
				w.abortedAt = time.Now() // by the detector: the run has its report's time
				return
			case <-ctx.Done():
				w.canceled = true
				det.Abort("canceled")
				w.abortedAt = time.Now()
				return
			case <-deadline.C:
				w.timedOut = true
				det.Report(stallFinding(rt, det, fmt.Sprintf("the run exceeded its time limit of %v", opts.Timeout), false))
				det.Abort("timeout")
				w.abortedAt = time.Now()
				return
			case now := <-t.C:
				p, s := rt.Progress()
				if s != lastSteps {
					lastSteps, lastStep = s, now
				}
				if p != lastProgress {
					lastProgress, lastChange = p, now
					continue
				}
				if now.Sub(lastChange) < opts.Stall {
					continue
				}
				// Livelock only if the workers were still stepping in the
				// second half of the stall window; a few yields just before
				// everyone blocked are not activity.
				busy := now.Sub(lastStep) < opts.Stall/2
				msg := fmt.Sprintf("no worker made progress for %v", opts.Stall)
				if busy {
					msg = fmt.Sprintf("no worker made progress for %v, yet they kept running: livelock", opts.Stall)
				}
				det.Report(stallFinding(rt, det, msg, busy))
				det.Abort("stall")
				w.abortedAt = time.Now()
				return
			}
		}
	}()
	return w
}

func stallFinding(rt *native.Runtime, det *detector.Detector, msg string, busy bool) detector.Finding {
	kind := detector.Stall
	if busy {
		kind = detector.Livelock
	}
	waiting := det.Waiting()
	f := detector.Finding{Kind: kind, Message: msg}
	for _, w := range rt.Workers() {
		st := detector.Step{Worker: w.Name(), State: "running"}
		if b := w.Blocked(); b != nil {
			st.State, st.At = "blocked", b.At
			st.Op, st.Lock, st.Now = describeWait(b)
		} else if ws, ok := waiting[w.Goroutine()]; ok {
			st.State, st.Lock, st.Owner, st.At = "blocked", ws.Lock, ws.Owner, ws.At
		} else if s := w.State(); s != native.Running {
			st.State = s.String()
		}
		f.Steps = append(f.Steps, st)
	}
	return f
}

// describeWait says what a worker blocked other than on a lock waits for,
// as a stall report's step: op and target ("waits to send on",
// "results"), and why nothing ends the wait ("nobody receives"). Read
// together: "worker 2 waits to send on results; nobody receives".
func describeWait(b *native.Wait) (op, target, why string) {
	target = strings.Join(b.Targets, ", ")
	switch b.Op {
	case native.WaitSend:
		return "waits to send on", target, "nobody receives"
	case native.WaitRecv:
		return "waits to receive from", target, "nobody sends, and nobody closes it"
	case native.WaitSelect:
		if target == "" {
			return "waits in a select with no channel", "", "it never proceeds"
		}
		return "waits in select on", target, "no case can proceed"
	case native.WaitCond:
		return "in Wait on", target, "nobody will Signal"
	case native.WaitWaitGroup:
		return "in Wait on", target, fmt.Sprintf("%d Done calls owed, nobody will make them", b.Count)
	}
	return "waits on", target, ""
}

// Summary is a one-line description of a result, for logs and tests.
func (r *Result) Summary() string {
	var kinds []string
	for _, f := range r.Findings {
		kinds = append(kinds, string(f.Kind))
	}
	return fmt.Sprintf("%s/%s: %s [%s] in %v", r.Scenario, r.Variant, r.Outcome, strings.Join(kinds, ","), r.Elapsed.Round(time.Microsecond))
}
