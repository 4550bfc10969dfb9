package cli

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/locklab/locklab/internal/render"
	"github.com/locklab/locklab/internal/shard"
	"github.com/locklab/locklab/internal/view"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/explore"
)

// Bounds on the explore flags: beyond them a value is a typo, not a plan.
const (
	MaxSchedules   = 10_000_000
	MaxDepth       = 20
	MaxPreemptions = 20
	MaxExploreTime = time.Hour
)

// The --strategy choices.
var strategies = []string{"pct", "random", "dfs"}

// ExploreOptions are the arguments and flags of `locklab explore`.
type ExploreOptions struct {
	Deps     *Deps
	Scenario string
	Buggy    bool
	Variant  string

	Strategy     string
	Schedules    int
	Depth        int
	Preemptions  int
	ScheduleSeed uint64 // the strategy's
	Time         time.Duration
	Workers, Ops int
	Seed         uint64 // the workers', as in run and step
	Replay       string
	Shard        string // --shard k/n
	JSON         bool
	Pic          pictureFlags // --view, --html, --trace, --graph

	// set records which flags were given, by name.
	set   map[string]bool
	shard shard.Spec
}

// NewCmdExplore returns `locklab explore`. runF, when not nil, is called
// with the parsed and checked options instead of exploreRun.
func NewCmdExplore(deps *Deps, runF func(*ExploreOptions) error) *cobra.Command {
	opts := &ExploreOptions{Deps: deps}
	cmd := &cobra.Command{
		Use:   "explore SCENARIO [--buggy | --variant V] [--strategy pct|random|dfs] [--schedules N] [--replay TOKEN]",
		Short: "Search the interleavings of a variant for a failing schedule, and replay it",
		Long: `Run a variant under the controlled scheduler: every worker is a goroutine,
but only one runs at a time, and control changes hands only at lock,
semaphore and channel operations and at yield points. Which worker runs
next is the strategy's choice, so a schedule is a sequence of choices, and
any schedule can be replayed exactly.

explore runs up to --schedules schedules and stops at the first failure: a
deadlock (every live worker blocked), a broken invariant, a livelock (no
progress within the step budget), a panic, or a worker still blocked at
the end. It shrinks the failing run (fewer workers, then fewer ops, unless
--workers or --ops was given) and then its schedule, to the fewest
context switches that still fail the same way, prints it step by step (step, worker,
operation, lock or channel, what the worker holds after the step), and
prints the command that replays it: --replay TOKEN prints the same trace,
byte for byte, every time.

The schedule is shown as lanes, one column per worker, when they fit the
terminal (--view lanes|table chooses); --html FILE, --trace FILE and
--graph dot|mermaid draw it as in locklab run, for a browser, Perfetto
or a slide.

Strategies: pct (probabilistic concurrency testing, Burckhardt et al.
2010: random priorities with --depth - 1 priority changes; a bug that needs
d ordering constraints is found with probability at least 1/(n·k^(d-1)) per
schedule), random (a random walk), dfs (every schedule with at most
--preemptions preemptions, depth first; explore says when it is done).

Counts and the workers' own random choices default to the scenario's
(--workers, --ops, --seed, which mean what they mean in locklab run and
locklab step; fewer workers and ops make shorter traces, and a search
over every schedule, dfs, feasible). --schedule-seed seeds the
strategy's choices. While exploring, a progress line is written to
stderr when it is a terminal.

--shard k/n runs schedules k, k+n, k+2n, ... of the budget, for a CI
matrix or a cluster (random and pct: each schedule depends only on the
options and its number); without it, the environment of a Kubernetes
Indexed Job (JOB_COMPLETION_INDEX, with LOCKLAB_SHARDS), Bazel
(TEST_SHARD_INDEX, TEST_TOTAL_SHARDS) or GitLab (CI_NODE_INDEX,
CI_NODE_TOTAL) is honoured. locklab merge combines the shards' --json
results into exactly the unsharded exploration's.

Exit status: 0 no failure found, 1 a failure found (or replayed), 2 bad
usage, including a malformed token or one made for another variant, or
no schedule run (a --time budget that ran out first), 128+N when stopped
by signal N, after writing how far it got, marked as interrupted.`,
		Example: `  locklab explore bank --variant from-then-to
  locklab explore bank --variant from-then-to --replay TOKEN
  locklab explore philosophers --variant hierarchy --schedules 10000
  locklab explore counter --variant cooperative-await --workers 2 --ops 2 --seed 7
  locklab explore bank --variant ordered --strategy dfs --workers 2 --ops 2
  locklab explore philosophers --buggy --json | jq .first.trace
  locklab explore counter --variant cooperative-await --view table
  locklab explore philosophers --buggy --html ring.html --trace ring.json
  locklab explore bank --buggy --graph mermaid
  locklab explore philosophers --variant hierarchy --schedules 100000 --shard 2/4 --json > part-2.json`,
		Args:              scenarioArg(deps),
		ValidArgsFunction: completeScenario(deps),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Scenario = args[0]
			opts.set = map[string]bool{}
			for _, name := range append(searchFlags, "replay") {
				opts.set[name] = cmd.Flags().Changed(name)
			}
			if opts.set["worker-seed"] {
				fmt.Fprintln(deps.ErrOut, "locklab: --worker-seed is now --seed, as in run and step (the strategy's seed is --schedule-seed)")
				opts.set["seed"] = true
			}
			if err := opts.check(); err != nil {
				return err
			}
			if !opts.set["replay"] {
				var err error
				if opts.shard, err = shard.Resolve(opts.Shard, deps.getenv); err != nil {
					return err
				}
				if opts.shard.Sharded() && opts.Strategy == "dfs" {
					return fmt.Errorf("--strategy dfs cannot be sharded (shard %s from %s): each of its schedules depends on the one before; shard pct or random", opts.shard, opts.shard.Source)
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return exploreRun(cmd, opts)
		},
	}
	f := cmd.Flags()
	addVariantFlags(cmd, deps, &opts.Buggy, &opts.Variant, "explore")
	f.StringVar(&opts.Strategy, "strategy", "pct", "how the next worker is chosen: "+strings.Join(strategies, ", "))
	f.IntVar(&opts.Schedules, "schedules", 1000, fmt.Sprintf("schedules to run at most, 1 to %d", MaxSchedules))
	f.IntVar(&opts.Depth, "depth", 3, fmt.Sprintf("pct's bug depth d, 1 to %d", MaxDepth))
	f.IntVar(&opts.Preemptions, "preemptions", 2, fmt.Sprintf("dfs's preemption bound, 0 to %d", MaxPreemptions))
	f.Uint64Var(&opts.ScheduleSeed, "schedule-seed", 1, "seed of the strategy's random choices, at least 1")
	f.DurationVar(&opts.Time, "time", 0, fmt.Sprintf("stop after this long, up to %v (default: no limit)", MaxExploreTime))
	f.IntVar(&opts.Workers, "workers", 0, fmt.Sprintf("number of workers, 2 to %d (default: the scenario's)", labs.MaxWorkers))
	f.IntVar(&opts.Ops, "ops", 0, fmt.Sprintf("units of work per worker, 1 to %d (default: the scenario's)", labs.MaxOps))
	f.Uint64Var(&opts.Seed, "seed", 0, "seed of the workers' own random choices, such as which accounts a transfer uses, as in run and step; at least 1 (default: the scenario's)")
	// --worker-seed was --seed's name before --seed meant the same in
	// run, explore and step; it still works, with a note on stderr (not
	// on stdout, which --json keeps for JSON, as cobra's deprecation
	// notes would).
	f.Uint64Var(&opts.Seed, "worker-seed", 0, "the same as --seed")
	_ = f.MarkHidden("worker-seed")
	f.StringVar(&opts.Shard, "shard", "", "run shard k of n (k/n, from 1) of the schedules; locklab merge combines the shards")
	f.StringVar(&opts.Replay, "replay", "", "replay the schedule of this token (printed by a failing explore or by locklab step)")
	f.BoolVar(&opts.JSON, "json", false, "write the result as JSON")
	opts.Pic.add(cmd, true, true)
	_ = cmd.RegisterFlagCompletionFunc("strategy", cobra.FixedCompletions(strategies, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// searchFlags shape a search; a replay has none of them.
var searchFlags = []string{"strategy", "schedules", "depth", "preemptions", "schedule-seed", "time", "workers", "ops", "seed", "worker-seed", "shard"}

// check validates what can be checked without the catalog.
func (o *ExploreOptions) check() error {
	if o.Buggy && o.Variant != "" {
		return errBuggyAndVariant
	}
	if err := o.Pic.check(o.JSON); err != nil {
		return err
	}
	if o.set["replay"] {
		for _, name := range searchFlags {
			if o.set[name] {
				if name == "worker-seed" {
					name = "seed"
				}
				return fmt.Errorf("--%s does not apply to --replay: a token records its schedule and configuration", name)
			}
		}
		if strings.TrimSpace(o.Replay) == "" {
			return errors.New("--replay needs a token")
		}
		return nil
	}
	switch {
	case !slices.Contains(strategies, o.Strategy):
		return fmt.Errorf("--strategy: %w", &labs.UnknownError{What: "strategy", Name: o.Strategy, Valid: strategies})
	case o.Schedules < 1 || o.Schedules > MaxSchedules:
		return fmt.Errorf("--schedules must be between 1 and %d, got %d", MaxSchedules, o.Schedules)
	case o.Depth < 1 || o.Depth > MaxDepth:
		return fmt.Errorf("--depth must be between 1 and %d, got %d", MaxDepth, o.Depth)
	case o.Preemptions < 0 || o.Preemptions > MaxPreemptions:
		return fmt.Errorf("--preemptions must be between 0 and %d, got %d", MaxPreemptions, o.Preemptions)
	case o.ScheduleSeed == 0:
		return errors.New("--schedule-seed must be at least 1")
	case o.set["seed"] && o.Seed == 0:
		return errors.New("--seed must be at least 1 (0 stands for the scenario's default)")
	case o.Time < 0 || o.Time > MaxExploreTime:
		return fmt.Errorf("--time must be between 0 (no limit) and %v, got %v", MaxExploreTime, o.Time)
	}
	return nil
}

// resolve returns the scenario, the variant and the configuration.
func (o *ExploreOptions) resolve() (*labs.Scenario, *labs.Variant, labs.Config, error) {
	ro := &RunOptions{Deps: o.Deps, Scenario: o.Scenario, Buggy: o.Buggy, Variant: o.Variant,
		Workers: o.Workers, Ops: o.Ops, Seed: o.Seed,
		WorkersSet: o.set["workers"], OpsSet: o.set["ops"], SeedSet: o.set["seed"]}
	return ro.resolve()
}

func exploreRun(cmd *cobra.Command, o *ExploreOptions) error {
	d := o.Deps
	s, v, cfg, err := o.resolve()
	if err != nil {
		return err
	}
	log := d.logger().Named("explore").With(zap.String("scenario", s.Name), zap.String("variant", v.Name))
	if o.Replay != "" {
		return replayRun(cmd, o, s, v, log)
	}
	opts := explore.Options{
		Strategy:    o.Strategy,
		Schedules:   o.Schedules,
		Depth:       o.Depth,
		Preemptions: o.Preemptions,
		Seed:        o.ScheduleSeed,
		Time:        o.Time,
		Config:      cfg,
		Logger:      log,
		// Sizes asked for are kept: only the schedule is shrunk.
		KeepRun: o.set["workers"] || o.set["ops"],
	}
	if sh := o.shard; sh.Sharded() {
		opts.Shard = explore.Shard{Index: sh.Index, Count: sh.Count}
		if sh.Size(o.Schedules) == 0 {
			return fmt.Errorf("shard %s (from %s) has no schedule to run: --schedules %d for %d shards; use at most %d shards", sh, sh.Source, o.Schedules, sh.Count, o.Schedules)
		}
		log.Info("exploring one shard of the schedules", zap.String("shard", sh.String()), zap.String("from", sh.Source),
			zap.Int("schedules", sh.Size(o.Schedules)), zap.Int("of", o.Schedules))
	}
	var bar *progressLine
	if d.Interactive {
		bar = newProgressLine(d.ErrOut, time.Now)
		opts.Progress = bar.update
	}
	log.Debug("explore", zap.String("strategy", o.Strategy), zap.Int("schedules", o.Schedules),
		zap.Uint64("schedule_seed", o.ScheduleSeed), zap.Int("workers", cfg.Workers), zap.Int("ops", cfg.Ops), zap.Uint64("seed", cfg.Seed))
	res, err := explore.Explore(cmd.Context(), s, v, opts)
	bar.clear()
	if err != nil {
		return err
	}
	if res.Shard != nil {
		res.Shard.Source = o.shard.Source
	}
	interrupted := cmd.Context().Err() != nil && res.First == nil
	if !interrupted && res.Schedules == 0 {
		// Nothing was checked: that is no pass.
		return fmt.Errorf("explored no schedule: the --time budget of %v ran out before the first one ended, so nothing was checked; give more --time", o.Time)
	}
	switch {
	case o.Pic.replacesReport():
	case o.JSON:
		// Interrupted, the result says so ("interrupted": true).
		res.Interrupted = res.Interrupted || interrupted
		err = render.ExploreJSON(d.Out, res)
	case interrupted:
		// "No failure in the schedules run so far" is not a clean bill.
		_, err = fmt.Fprintf(d.Out, "INTERRUPTED: %s/%s explored in %d of its %d schedules (strategy %s, schedule seed %d) before it was stopped: no failure so far, which is not a clean bill.\n",
			s.Name, v.Name, res.Schedules, o.shard.Size(o.Schedules), o.Strategy, o.ScheduleSeed)
	default:
		err = render.Explore(d.Out, s, v, res, o.Pic.style(d))
		if err == nil && res.Shard != nil {
			_, err = fmt.Fprintf(d.Out, "\nShard %s (from %s): %d of the %d schedules. locklab merge combines the shards' --json results.\n",
				o.shard, o.shard.Source, res.Schedules, o.Schedules)
		}
	}
	if err == nil && o.Pic.any() && !interrupted {
		err = o.Pic.write(d, view.FromExploration(s, v, res))
	}
	if err != nil {
		return err
	}
	log.Info("done", zap.Int("schedules", res.Schedules), zap.Int("failures", res.Failures), zap.Duration("elapsed", res.Elapsed))
	switch {
	case interrupted:
		return cmd.Context().Err()
	case res.First != nil:
		return errProblem
	}
	return nil
}

// replayRun replays --replay's token and prints its schedule.
func replayRun(cmd *cobra.Command, o *ExploreOptions, s *labs.Scenario, v *labs.Variant, log *zap.Logger) error {
	d := o.Deps
	f, err := explore.Replay(cmd.Context(), s, v, strings.TrimSpace(o.Replay))
	if err != nil {
		return err
	}
	switch {
	case o.Pic.replacesReport():
	case o.JSON:
		err = render.ReplayJSON(d.Out, s.Name, v.Name, f)
	default:
		err = render.Replay(d.Out, s, v, f, o.Pic.style(d))
	}
	if err == nil && o.Pic.any() {
		err = o.Pic.write(d, view.FromFailure(s, v, f))
	}
	if err != nil {
		return err
	}
	log.Info("replayed", zap.String("outcome", string(f.Outcome)), zap.Int("steps", len(f.Trace)))
	if f.Outcome.Problem() {
		return errProblem
	}
	return nil
}

// progressLine is the progress report of a long exploration, rewritten in
// place on a terminal: schedules done, failures, rate. A nil
// *progressLine writes nothing.
type progressLine struct {
	w       io.Writer
	now     func() time.Time
	start   time.Time
	last    time.Time
	written bool
}

// progressEvery is how often the line is rewritten at most.
const progressEvery = 100 * time.Millisecond

func newProgressLine(w io.Writer, now func() time.Time) *progressLine {
	t := now()
	return &progressLine{w: w, now: now, start: t}
}

// update rewrites the line, at most every progressEvery.
func (p *progressLine) update(done, failures int) {
	t := p.now()
	if p.written && t.Sub(p.last) < progressEvery {
		return
	}
	p.last, p.written = t, true
	rate := ""
	if el := t.Sub(p.start).Seconds(); el > 0 {
		rate = fmt.Sprintf(", %.0f schedules/s", float64(done)/el)
	}
	fmt.Fprintf(p.w, "\r\x1b[Kexploring: %d schedules, %d failures%s", done, failures, rate)
}

// clear erases the line, if one was written.
func (p *progressLine) clear() {
	if p == nil || !p.written {
		return
	}
	fmt.Fprint(p.w, "\r\x1b[K")
}
