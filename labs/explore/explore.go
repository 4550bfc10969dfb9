package explore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.uber.org/zap"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/run"
)

// ErrBadToken is wrapped by the error Replay and DecodeToken return for a
// malformed token or one that does not match the scenario, variant or
// configuration it is replayed against.
var ErrBadToken = errors.New("bad replay token")

// Options configure an exploration. Zero fields take the defaults noted.
type Options struct {
	Strategy    string        // "random", "pct" or "dfs"; default "pct"
	Schedules   int           // how many schedules to run at most; default 1000
	Depth       int           // PCT's bug depth d; default 3
	Preemptions int           // DFS's preemption bound; default 2
	Seed        uint64        // seeds the strategy; default 1
	Time        time.Duration // optional wall-clock budget; 0 means none
	MaxSteps    int           // scheduling steps per schedule before a livelock is declared; default 10000
	Config      labs.Config   // zero fields: the scenario's defaults (Yield is ignored)
	Logger      *zap.Logger   // nil means no logging
	// Progress, when set, is called now and then with the schedules run
	// and the failures found so far.
	Progress func(done, failures int)
	// NoMinimize leaves the first failure as found instead of shrinking
	// it to the fewest context switches.
	NoMinimize bool
	// KeepRun shrinks only the schedule of the first failure, not the
	// run (fewer workers, fewer ops): for a failure shown at the size
	// that was asked for.
	KeepRun bool
	// KeepGoing runs every schedule of the budget, counting failures,
	// instead of stopping at the first.
	KeepGoing bool
	// Shard, when set, runs only this shard's part of the schedules (see
	// Shard); Merge combines the shards' Results.
	Shard Shard
}

// Event is one step of a schedule's trace: the lab's event stream
// (labs.Event), as the controlled scheduler records it.
type Event = labs.Event

// Failure is one failing schedule.
type Failure struct {
	Outcome  run.Outcome        `json:"outcome"` // deadlock, invariant, livelock, panic or stall
	Findings []detector.Finding `json:"findings"`
	Token    string             `json:"token"` // replays this exact schedule
	Trace    []Event            `json:"trace"`
	Switches int                `json:"switches"` // preemptions: switches away from a worker that could have gone on
	Schedule int                `json:"schedule"` // which schedule found it, 1-based
	// Config is the run the schedule is of: after shrinking, often fewer
	// workers and operations than the exploration's.
	Config run.ConfigJSON `json:"config"`
}

// Result is what an exploration found.
type Result struct {
	Scenario  string         `json:"scenario"`
	Variant   string         `json:"variant"`
	Strategy  string         `json:"strategy"`
	Seed      uint64         `json:"seed"`
	Config    run.ConfigJSON `json:"config"`
	Schedules int            `json:"schedules"` // schedules run
	Failures  int            `json:"failures"`  // failing schedules among them
	Elapsed   time.Duration  `json:"elapsed_ns"`
	Exhausted bool           `json:"exhausted"` // DFS explored every schedule within its bound
	// First is the first failure found, minimized unless
	// Options.NoMinimize; nil when every schedule passed.
	First *Failure `json:"first,omitempty"`
	// Interrupted reports that ctx ended the exploration before its
	// budget: "no failure" then means none so far.
	Interrupted bool `json:"interrupted,omitempty"`
	// Shard is set for a sharded exploration (Options.Shard).
	Shard *ShardInfo `json:"shard,omitempty"`
}

// resolve fills in opts' defaults and checks them, and returns the
// configuration to run.
func (o Options) resolve(s *labs.Scenario) (Options, labs.Config, error) {
	if o.Strategy == "" {
		o.Strategy = "pct"
	}
	if o.Schedules == 0 {
		o.Schedules = 1000
	}
	if o.Depth == 0 {
		o.Depth = 3
	}
	if o.Preemptions == 0 {
		o.Preemptions = 2
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.MaxSteps == 0 {
		o.MaxSteps = 10000
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	switch {
	case o.Strategy != "random" && o.Strategy != "pct" && o.Strategy != "dfs":
		return o, labs.Config{}, fmt.Errorf("unknown strategy %q; valid: random, pct, dfs", o.Strategy)
	case o.Schedules < 0 || o.Depth < 0 || o.Preemptions < 0 || o.MaxSteps < 0 || o.Time < 0:
		return o, labs.Config{}, errors.New("schedules, depth, preemptions, max steps and time must not be negative")
	case o.MaxSteps > maxTokenSteps:
		return o, labs.Config{}, fmt.Errorf("max steps must be at most %d", maxTokenSteps)
	}
	if err := o.Shard.check(o.Strategy); err != nil {
		return o, labs.Config{}, err
	}
	cfg := o.Config.WithDefaults(s.Defaults)
	if err := cfg.Validate(); err != nil {
		return o, cfg, err
	}
	return o, cfg, nil
}

// Explore runs up to opts.Schedules schedules of variant v of scenario s
// and reports the first failure. It returns an error only for bad input;
// a canceled ctx or spent time budget ends the exploration early with the
// schedules run so far.
func Explore(ctx context.Context, s *labs.Scenario, v *labs.Variant, opts Options) (*Result, error) {
	opts, cfg, err := opts.resolve(s)
	if err != nil {
		return nil, err
	}
	log := opts.Logger.With(zap.String("scenario", s.Name), zap.String("variant", v.Name), zap.String("strategy", opts.Strategy))
	start := time.Now()
	res := &Result{Scenario: s.Name, Variant: v.Name, Strategy: opts.Strategy, Seed: opts.Seed, Config: configJSON(cfg)}
	if opts.Shard.sharded() {
		res.Shard = &ShardInfo{Index: opts.Shard.Index, Count: opts.Shard.Count, Run: runID(s, v, opts, cfg),
			Budget: opts.Schedules, Share: opts.Shard.share(opts.Schedules), Time: opts.Time, KeepGoing: opts.KeepGoing}
	}
	var search *dfs
	if opts.Strategy == "dfs" {
		search = newDFS(opts.Preemptions)
	}
	// PCT's estimates of the workers and of a schedule's length: a guess
	// for the first schedule, then what the first schedule saw. (Not
	// the most seen so far: then schedule i would depend on those before
	// it, and the shards of an exploration could not run it alone.)
	workers, est := cfg.Workers, 8*cfg.Workers*cfg.Ops
	var first []deviation
	var firstOutcome run.Outcome
	found := false
	for i := 1; i <= opts.Schedules; i++ {
		if ctx.Err() != nil {
			res.Interrupted = true
			break
		}
		if opts.Time > 0 && time.Since(start) > opts.Time {
			break
		}
		own := opts.Shard.owns(i)
		if !own && (i > 1 || opts.Strategy != "pct") {
			continue // another shard's; schedule 1 calibrates PCT in every shard
		}
		var st Strategy
		switch opts.Strategy {
		case "random":
			st = Random(mix(opts.Seed, i))
		case "pct":
			st = PCT(mix(opts.Seed, i), workers, opts.Depth, est)
		default:
			st = search
		}
		rt, err := play(ctx, v, cfg, opts.MaxSteps, false, func(_ *Runtime, el []int, step int) (int, error) {
			return st.Next(el, step), nil
		})
		if err != nil {
			if ctx.Err() != nil {
				res.Interrupted = true
				break
			}
			return nil, err
		}
		if i == 1 {
			workers, est = max(workers, len(rt.workers)), max(rt.step, 1)
		}
		if !own {
			continue
		}
		res.Schedules++
		if rt.outcome.Problem() {
			res.Failures++
			if !found {
				found, first, firstOutcome, res.First = true, rt.devs, rt.outcome, &Failure{Schedule: i}
				log.Debug("failure", zap.Int("schedule", i), zap.String("outcome", string(rt.outcome)))
			}
			if !opts.KeepGoing {
				break
			}
		}
		if search != nil && !search.backtrack() {
			res.Exhausted = true
			break
		}
		if opts.Progress != nil && res.Schedules%256 == 0 {
			opts.Progress(res.Schedules, res.Failures)
		}
	}
	if opts.Progress != nil {
		opts.Progress(res.Schedules, res.Failures)
	}
	if found {
		failCfg := cfg
		if !opts.NoMinimize {
			if !opts.KeepRun {
				if c, devs, ok := shrinkRun(ctx, v, cfg, opts.MaxSteps, firstOutcome, opts.Seed); ok {
					failCfg, first = c, devs
				}
			}
			first = minimize(ctx, v, failCfg, opts.MaxSteps, first, firstOutcome, minimizeSteps)
		}
		tok := &Token{Scenario: s.Name, Variant: v.Name, Config: tokenConfig(failCfg), MaxSteps: opts.MaxSteps, devs: first}
		f, err := replay(context.WithoutCancel(ctx), v, tok) // one bounded schedule
		if err != nil {
			return nil, fmt.Errorf("explore: the failing schedule did not replay: %w", err)
		}
		f.Schedule = res.First.Schedule
		res.First = f
	}
	res.Elapsed = time.Since(start)
	log.Debug("done", zap.Int("schedules", res.Schedules), zap.Int("failures", res.Failures), zap.Duration("elapsed", res.Elapsed))
	return res, nil
}

// mix derives schedule i's strategy seed from the exploration's seed
// (SplitMix64), so that every schedule is independent and reproducible.
func mix(seed uint64, i int) uint64 {
	z := seed + uint64(i)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func tokenConfig(cfg labs.Config) labs.Config {
	return labs.Config{Workers: cfg.Workers, Ops: cfg.Ops, Seed: cfg.Seed}
}

func configJSON(cfg labs.Config) run.ConfigJSON {
	return run.ConfigJSON{Workers: cfg.Workers, Ops: cfg.Ops, Seed: cfg.Seed, Yield: "scheduler"}
}

// chooser picks the next worker of a schedule from the eligible ones.
type chooser func(rt *Runtime, eligible []int, step int) (int, error)

// play runs one schedule of v to its end and ends every worker goroutine.
func play(ctx context.Context, v *labs.Variant, cfg labs.Config, maxSteps int, trace bool, next chooser) (*Runtime, error) {
	rt, err := newRuntime(v, cfg, maxSteps, trace)
	if err != nil {
		return nil, err
	}
	defer rt.abort()
	err = rt.runBaton(func(rt *Runtime, el []int, step int) (int, error) {
		if step&1023 == 1023 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
		return next(rt, el, step)
	})
	return rt, err
}

// guided returns a chooser that takes the given deviations from the
// default schedule. A strict chooser fails when a deviation names a
// worker that cannot run; a lenient one (for minimization) skips it.
func guided(devs []deviation, strict bool) chooser {
	return func(rt *Runtime, el []int, _ int) (int, error) {
		d := rt.defaultChoice(el)
		if len(el) < 2 {
			return d, nil
		}
		for len(devs) > 0 && devs[0].decision < rt.decisions {
			devs = devs[1:] // skipped by a lenient run
		}
		if len(devs) == 0 || devs[0].decision != rt.decisions {
			return d, nil
		}
		w := devs[0].worker
		devs = devs[1:]
		if slices.Contains(el, w) {
			return w, nil
		}
		if strict {
			return 0, fmt.Errorf("%w: at step %d the token runs worker %d, which cannot run (it does not fit this variant)", ErrBadToken, rt.step, w)
		}
		return d, nil
	}
}

// replay runs the token's schedule strictly, recording its trace.
func replay(ctx context.Context, v *labs.Variant, tok *Token) (*Failure, error) {
	rt, err := play(ctx, v, tok.Config, tok.MaxSteps, true, guided(tok.devs, true))
	if err != nil {
		return nil, err
	}
	if len(rt.devs) != len(tok.devs) {
		return nil, fmt.Errorf("%w: the schedule ended before the token's last decision (it does not fit this variant)", ErrBadToken)
	}
	tok = &Token{Scenario: tok.Scenario, Variant: tok.Variant, Config: tok.Config, MaxSteps: tok.MaxSteps, devs: rt.devs}
	return rt.failure(tok), nil
}

// failure describes the runtime's ended schedule.
func (rt *Runtime) failure(tok *Token) *Failure {
	fs := rt.finds
	if fs == nil {
		fs = []detector.Finding{}
	}
	return &Failure{Outcome: rt.outcome, Findings: fs, Token: tok.Encode(), Trace: rt.events, Switches: rt.switches, Config: configJSON(rt.cfg)}
}

// Replay re-runs the schedule recorded in token against variant v of
// scenario s. A token that is malformed or was made for another scenario,
// variant or configuration gives an error wrapping ErrBadToken. Replaying
// a token twice gives identical traces. Replay returns a Failure even
// when the schedule passes (Outcome run.OK).
func Replay(ctx context.Context, s *labs.Scenario, v *labs.Variant, token string) (*Failure, error) {
	tok, err := DecodeToken(token)
	if err != nil {
		return nil, err
	}
	if tok.Scenario != s.Name || tok.Variant != v.Name {
		return nil, fmt.Errorf("%w: the token is for %s --variant %s, not %s --variant %s", ErrBadToken, tok.Scenario, tok.Variant, s.Name, v.Name)
	}
	return replay(ctx, v, tok)
}

// RunOnce runs one schedule of v, chosen by a random walk seeded with
// seed, and reports it as a run.Result, as `locklab run` does for native
// runs. cfg's zero fields take the scenario's defaults.
func RunOnce(ctx context.Context, s *labs.Scenario, v *labs.Variant, cfg labs.Config, seed uint64) (*run.Result, error) {
	cfg = cfg.WithDefaults(s.Defaults)
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	start := time.Now()
	st := Random(seed)
	rt, err := play(ctx, v, cfg, 10000, true, func(_ *Runtime, el []int, step int) (int, error) {
		return st.Next(el, step), nil
	})
	if err != nil {
		return nil, err
	}
	res := &run.Result{
		Scenario: s.Name, Variant: v.Name, Kind: v.Kind, Bug: v.Bug, Fix: v.Fix, Lesson: v.Lesson,
		WorkerNoun: s.Workers, OpNoun: s.Ops, Config: configJSON(cfg),
		Detectors: []string{string(labs.Explorer), string(labs.Invariant)},
		Outcome:   rt.outcome, Findings: rt.finds, Elapsed: time.Since(start),
		Invariants: rt.report.Invariants, Metrics: rt.report.Metrics,
	}
	for _, w := range rt.workers {
		state := "done"
		switch {
		case w.panicked:
			state = "panicked"
		case w.aborted:
			state = "aborted"
		}
		res.Workers = append(res.Workers, run.WorkerResult{Name: w.name, Progress: w.progress, State: state})
	}
	return res, nil
}
