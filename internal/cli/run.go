package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/locklab/locklab/internal/render"
	"github.com/locklab/locklab/internal/view"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/explore"
	"github.com/locklab/locklab/labs/run"
)

// Bounds on --timeout and --stall: a longer limit is a typo, not a plan,
// and a shorter one cannot be checked by the watchdog's 1 ms tick.
const (
	MinTimeout = time.Millisecond
	MaxTimeout = time.Hour
)

// RunOptions are the arguments and flags of `locklab run`.
type RunOptions struct {
	Deps     *Deps
	Scenario string
	Buggy    bool
	Variant  string

	// Config overrides: a field is used only if its flag was given, so
	// that an explicit zero is rejected rather than taken as "default".
	Workers, Ops int
	Seed         uint64
	Yield        time.Duration
	WorkersSet   bool
	OpsSet       bool
	SeedSet      bool
	YieldSet     bool
	Timeout      time.Duration
	Stall        time.Duration
	DetectorList string
	Detectors    detectorSet
	JSON         bool
	Pic          pictureFlags // --html, --trace, --graph
}

// NewCmdRun returns `locklab run`. runF, when not nil, is called with the
// parsed and checked options instead of runRun.
func NewCmdRun(deps *Deps, runF func(*RunOptions) error) *cobra.Command {
	opts := &RunOptions{Deps: deps}
	cmd := &cobra.Command{
		Use:   "run SCENARIO [--buggy | --variant V]",
		Short: "Run a variant under the detectors and report what happened",
		Long: `Run one variant of a scenario on real goroutines, under the wait-for graph
(actual deadlocks), the lock-order graph (potential deadlocks), the
scenario's invariants and a watchdog that stops a run which makes no
progress. Then report the outcome: the deadlock cycle with the source line
of every blocked Lock, broken invariants (expected against actual), lock
order inversions, each worker's progress, and the lesson.

--detector picks the deadlock detectors: waitfor and lockorder (the
default, together), either alone, none (the watchdog still stops a hang),
or godeadlock, which runs the variant with github.com/sasha-s/go-deadlock's
locks in a child process, as a second opinion.

A few variants (counter's cooperative and cooperative-await) share state
without locks because they assume one worker runs at a time, switching
only at yield points, as coroutines do: run runs them under the
controlled scheduler instead, one schedule chosen at random from --seed
(see locklab explore).

Without --variant, run runs the scenario's first buggy variant (the same
as --buggy): that is the one to see first. Counts and the seed default to
the scenario's (see the second line of the output); --yield 0 means no
pause at yield points, only a runtime.Gosched.

The report of a failed run ends with what the workers did just before it,
as lanes, one column per worker, time downward (a table where lanes do
not fit the terminal): the two workers of a lost update with the values
they read and wrote, or each worker's last moves before a deadlock.
--html FILE writes a self-contained page (lanes over time, the source
line of each event on hover, the wait-for and lock-order graphs, the
invariants), --trace FILE a Chrome trace for https://ui.perfetto.dev,
and --graph dot|mermaid writes the graphs instead of the report; --json
carries every recorded event (each worker's first and last 256).

A buggy variant's report ends with the next command that shows more:
locklab race for a data race, locklab explore for the interleaving (and
for a bug that native timing missed this time), and the fix.

Exit status: 0 nothing wrong found, 1 a problem found, 2 bad usage,
128+N when stopped by signal N (the go-deadlock child is killed), after
writing what the run saw so far, marked as interrupted.`,
		Example: `  locklab run philosophers --buggy
  locklab run philosophers --variant hierarchy
  locklab run bank --variant check-then-act --workers 8 --ops 500 --seed 3
  locklab run philosophers --variant polite --stall 500ms
  locklab run counter --variant cooperative-await
  locklab run bank --buggy --detector lockorder
  locklab run counter --buggy --json | jq .outcome
  locklab run philosophers --buggy --html ring.html --trace ring.json
  locklab run bank --buggy --graph dot | dot -Tsvg > bank.svg`,
		Args:              scenarioArg(deps),
		ValidArgsFunction: completeScenario(deps),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Scenario = args[0]
			f := cmd.Flags()
			opts.WorkersSet, opts.OpsSet = f.Changed("workers"), f.Changed("ops")
			opts.SeedSet, opts.YieldSet = f.Changed("seed"), f.Changed("yield")
			if err := opts.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runRun(cmd, opts)
		},
	}
	f := cmd.Flags()
	addVariantFlags(cmd, deps, &opts.Buggy, &opts.Variant, "run")
	f.IntVar(&opts.Workers, "workers", 0, fmt.Sprintf("number of workers, 2 to %d (default: the scenario's)", labs.MaxWorkers))
	f.IntVar(&opts.Ops, "ops", 0, fmt.Sprintf("units of work per worker, 1 to %d (default: the scenario's)", labs.MaxOps))
	f.Uint64Var(&opts.Seed, "seed", 0, "seed of the workers' random choices, at least 1 (default: the scenario's)")
	f.DurationVar(&opts.Yield, "yield", 0, fmt.Sprintf("pause at each yield point, up to %v (default: the scenario's)", labs.MaxYield))
	f.DurationVar(&opts.Timeout, "timeout", 10*time.Second, "stop the run after this long")
	f.DurationVar(&opts.Stall, "stall", 2*time.Second, "stop the run when no worker progresses for this long")
	f.StringVar(&opts.DetectorList, "detector", detectorWaitFor+","+detectorLockOrder,
		"comma-separated detectors: "+strings.Join(detectorNames(), ", "))
	f.BoolVar(&opts.JSON, "json", false, "write the result as JSON, with every event the workers' last moves")
	opts.Pic.add(cmd, false, true)
	_ = cmd.RegisterFlagCompletionFunc("detector", completeDetectors)
	return cmd
}

// check validates what can be checked without the catalog.
func (o *RunOptions) check() error {
	if o.Buggy && o.Variant != "" {
		return errBuggyAndVariant
	}
	if o.SeedSet && o.Seed == 0 {
		return errors.New("--seed must be at least 1 (0 stands for the scenario's default)")
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"--timeout", o.Timeout}, {"--stall", o.Stall}} {
		if d.v < MinTimeout || d.v > MaxTimeout {
			return fmt.Errorf("%s must be between 1ms and 1h, got %v", d.name, d.v)
		}
	}
	if err := o.Pic.check(o.JSON); err != nil {
		return err
	}
	var err error
	o.Detectors, err = parseDetectors(o.DetectorList)
	return err
}

// Interrupted is the outcome of a run stopped by a signal: its Result is
// what it had seen so far, with no verdict.
const Interrupted run.Outcome = "interrupted"

// writeInterruptedRun writes an interrupted run's partial result, marked,
// and returns err (the context's), so that the exit status is 128+N.
func writeInterruptedRun(d *Deps, o *RunOptions, res *run.Result, err error) error {
	res.Outcome = Interrupted
	var werr error
	if o.JSON {
		werr = render.ResultJSON(d.Out, res)
	} else {
		_, werr = fmt.Fprintf(d.Out, "INTERRUPTED after %v: %s/%s was stopped before it ended, so there is no verdict (%d findings so far).\n",
			res.Elapsed.Round(time.Millisecond), res.Scenario, res.Variant, len(res.Findings))
	}
	if werr != nil {
		return werr
	}
	return err
}

// runControlled runs one schedule of a variant that runs only under the
// controlled scheduler (labs.Variant.Controlled), chosen by a random walk
// seeded with the run's seed, within opts.Timeout.
func runControlled(ctx context.Context, s *labs.Scenario, v *labs.Variant, cfg labs.Config, opts run.Options) (*run.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	return explore.RunOnce(ctx, s, v, cfg, cfg.Seed)
}

// resolve returns the scenario, the variant and the configuration to run.
func (o *RunOptions) resolve() (*labs.Scenario, *labs.Variant, labs.Config, error) {
	s, err := o.Deps.lookup(o.Scenario)
	if err != nil {
		return nil, nil, labs.Config{}, err
	}
	v, err := pickVariant(s, o.Variant)
	if err != nil {
		return nil, nil, labs.Config{}, err
	}
	cfg := s.Defaults
	if o.WorkersSet {
		cfg.Workers = o.Workers
	}
	if o.OpsSet {
		cfg.Ops = o.Ops
	}
	if o.SeedSet {
		cfg.Seed = o.Seed
	}
	if o.YieldSet {
		cfg.Yield = o.Yield
		if o.Yield == 0 {
			cfg.Yield = labs.YieldGosched
		}
	}
	if err := cfg.Validate(); err != nil {
		return nil, nil, labs.Config{}, err
	}
	return s, v, cfg, nil
}

func runRun(cmd *cobra.Command, o *RunOptions) error {
	d := o.Deps
	s, v, cfg, err := o.resolve()
	if err != nil {
		return err
	}
	log := d.logger().Named("run")
	opts := run.Options{
		WaitFor:   o.Detectors.WaitFor,
		LockOrder: o.Detectors.LockOrder,
		Timeout:   o.Timeout,
		Stall:     o.Stall,
		Logger:    log,
		Events:    true,
	}
	runner := d.Run
	if v.Controlled {
		// One worker at a time: the native runners would make its
		// unlocked sharing a data race. The scheduler sees deadlocks
		// itself, so --detector picks nothing here.
		if o.Detectors.GoDeadlock {
			return fmt.Errorf("--detector godeadlock does not apply to %s/%s: it runs under the controlled scheduler, one worker at a time", s.Name, v.Name)
		}
		runner = runControlled
	} else if o.Detectors.GoDeadlock {
		if d.GoDeadlock == nil {
			return errors.New("--detector godeadlock is not available in this build")
		}
		runner = d.GoDeadlock
	}
	log.Debug("run",
		zap.String("scenario", s.Name), zap.String("variant", v.Name),
		zap.Int("workers", cfg.Workers), zap.Int("ops", cfg.Ops), zap.Uint64("seed", cfg.Seed),
		zap.Duration("yield", cfg.Yield), zap.String("detectors", o.DetectorList))
	st := d.status(fmt.Sprintf("running %s/%s", s.Name, v.Name))
	res, err := runner(cmd.Context(), s, v, cfg, opts)
	st.Stop()
	if err != nil {
		if res != nil && cmd.Context().Err() != nil {
			return writeInterruptedRun(d, o, res, err)
		}
		return err
	}
	switch {
	case o.Pic.replacesReport():
	case o.JSON:
		err = render.ResultJSON(d.Out, res)
	default:
		st := o.Pic.style(d)
		err = render.Result(d.Out, res, st)
		if err == nil {
			err = render.Next(d.Out, render.RunNext(res, v, v.Controlled), st)
		}
	}
	if err == nil && o.Pic.any() {
		err = o.Pic.write(d, view.FromRun(s, v, res))
	}
	if err != nil {
		return err
	}
	log.Info("done", zap.String("summary", res.Summary()))
	if res.Outcome.Problem() {
		return errProblem
	}
	return nil
}
