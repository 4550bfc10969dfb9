package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/locklab/locklab/internal/render"
	"github.com/locklab/locklab/internal/shard"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/race"
)

// RaceBinaryEnv names the environment variable that points `locklab race`
// at a race-enabled locklab binary to use instead of building one.
const RaceBinaryEnv = "LOCKLAB_RACE_BINARY"

// RaceOptions are the arguments and flags of `locklab race`.
type RaceOptions struct {
	Deps     *Deps
	Scenario string
	Buggy    bool
	Variant  string
	All      bool
	Runs     int
	Timeout  time.Duration
	Shard    string // --shard k/n, with --all
	JSON     bool

	shard shard.Spec
}

// NewCmdRace returns `locklab race`. runF, when not nil, is called with the
// parsed and checked options instead of raceRun.
func NewCmdRace(deps *Deps, runF func(*RaceOptions) error) *cobra.Command {
	opts := &RaceOptions{Deps: deps}
	cmd := &cobra.Command{
		Use:   "race {SCENARIO [--buggy | --variant V] | --all}",
		Short: "Run a variant under the Go race detector and show each data race",
		Long: `Run one variant of a scenario under the Go race detector, --runs times, and
reduce what it reports to what matters: each data race as its two
conflicting accesses (which goroutine reads or writes, on which line), and
in how many runs it showed up.

A data race is two accesses to the same memory, at least one a write, that
nothing orders: no lock, channel or atomic operation between them. A race
condition is wider: a result that depends on timing. The bank's
check-then-act has one without a data race (every access is locked, but the
check and the act are not locked together), so the race detector is silent
there by design; locklab race says so, and shows the invariants its runs
broke anyway.

Each run is a child process of a locklab built with -race (go build -race,
once per invocation, kept in the user's cache directory; set
` + RaceBinaryEnv + ` to use a race-enabled locklab binary instead), with the
deadlock detectors off and a time limit. This needs the Go toolchain, cgo
and a C compiler (gcc or clang).

With --all, every variant of the catalog is checked, and a matrix says for
each whether the race detector saw a race, and whether that agrees with the
catalog: the variants that declare a data race must show one, in their own
file, and every other variant none.

Without --variant, race checks the scenario's first buggy variant (the same
as --buggy).

--shard k/n, with --all, checks every n-th variant of the catalog from
the k-th, for a CI matrix; without it, a Kubernetes Indexed Job's
(JOB_COMPLETION_INDEX with LOCKLAB_SHARDS), Bazel's (TEST_SHARD_INDEX,
TEST_TOTAL_SHARDS) or GitLab's (CI_NODE_INDEX, CI_NODE_TOTAL) sharding
environment is honoured. Every shard's exit status gates its own part.

On a terminal, a status line says what race is waiting for: the build
(about a minute with an empty build cache, a second or two after) and
the runs.

Exit status: 0 no data race (with --all: every variant as the catalog
says), 1 a data race found (with --all: a disagreement), 2 bad usage or no
toolchain, 128+N when stopped by signal N: the children are killed, and
the observations of the runs made so far are written, marked as
interrupted.`,
		Example: `  locklab race counter --buggy
  locklab race counter --variant mutex
  locklab race bank --variant check-then-act
  locklab race counter --buggy --runs 50 --json | jq '.races[].race.accesses'
  locklab race --all
  locklab race --all --shard 1/3`,
		Args: func(cmd *cobra.Command, args []string) error {
			if opts.All {
				if len(args) > 0 {
					return fmt.Errorf("%s --all checks every scenario and takes none, got %q", cmd.CommandPath(), strings.Join(args, " "))
				}
				return nil
			}
			if len(args) == 0 {
				return fmt.Errorf("%s needs a scenario (one of %s) or --all", cmd.CommandPath(), strings.Join(scenarioNames(deps.Catalog()), ", "))
			}
			return scenarioArg(deps)(cmd, args)
		},
		ValidArgsFunction: completeScenario(deps),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				opts.Scenario = args[0]
			}
			if err := opts.check(); err != nil {
				return err
			}
			if opts.All {
				var err error
				if opts.shard, err = shard.Resolve(opts.Shard, deps.getenv); err != nil {
					return err
				}
			} else if opts.Shard != "" {
				return errors.New("--shard splits --all; one variant is checked whole")
			}
			if runF != nil {
				return runF(opts)
			}
			return raceRun(cmd, opts)
		},
	}
	f := cmd.Flags()
	addVariantFlags(cmd, deps, &opts.Buggy, &opts.Variant, "check")
	f.BoolVar(&opts.All, "all", false, "check every variant of every scenario against the catalog")
	f.IntVar(&opts.Runs, "runs", race.DefaultRuns, fmt.Sprintf("runs per variant, 1 to %d", race.MaxRuns))
	f.DurationVar(&opts.Timeout, "timeout", race.DefaultTimeout, "stop a run after this long")
	f.StringVar(&opts.Shard, "shard", "", "with --all: check shard k of n (k/n, from 1) of the variants")
	f.BoolVar(&opts.JSON, "json", false, "write the observations as JSON")
	return cmd
}

// check validates what can be checked without the catalog.
func (o *RaceOptions) check() error {
	switch {
	case o.All && (o.Buggy || o.Variant != ""):
		return errors.New("--all checks every variant: it cannot be used with --buggy or --variant")
	case o.Buggy && o.Variant != "":
		return errBuggyAndVariant
	case o.Runs < 1 || o.Runs > race.MaxRuns:
		return fmt.Errorf("--runs must be between 1 and %d, got %d", race.MaxRuns, o.Runs)
	case o.Timeout < MinTimeout || o.Timeout > MaxTimeout:
		return fmt.Errorf("--timeout must be between 1ms and 1h, got %v", o.Timeout)
	}
	return nil
}

// resolve returns the scenario and the variant to check.
func (o *RaceOptions) resolve() (*labs.Scenario, *labs.Variant, error) {
	s, err := o.Deps.lookup(o.Scenario)
	if err != nil {
		return nil, nil, err
	}
	v, err := pickVariant(s, o.Variant)
	if err != nil {
		return nil, nil, err
	}
	return s, v, nil
}

func raceRun(cmd *cobra.Command, o *RaceOptions) error {
	d := o.Deps
	log := d.logger().Named("race")
	var (
		s *labs.Scenario
		v *labs.Variant
	)
	if !o.All {
		var err error
		if s, v, err = o.resolve(); err != nil {
			return err // before building anything: bad input is cheap
		}
	}
	st := d.status("building locklab with -race (about a minute with an empty build cache, a second or two after)")
	bin, err := raceBinary(cmd, log)
	if err != nil {
		st.Stop()
		return err
	}
	var (
		mu         sync.Mutex // protects done, total
		done, runs int
	)
	st.Set(func() string {
		mu.Lock()
		defer mu.Unlock()
		return fmt.Sprintf("race: %d/%d runs %s", done, runs, bar(done, runs, 20))
	})
	opts := race.Options{Runs: o.Runs, Timeout: o.Timeout, Logger: log, Progress: func(n, total int) {
		mu.Lock()
		done, runs = n, total
		mu.Unlock()
	}}
	if o.All {
		if sh := o.shard; sh.Sharded() {
			opts.Shard = race.Shard{Index: sh.Index, Count: sh.Count}
			log.Info("checking one shard of the catalog", zap.String("shard", sh.String()), zap.String("from", sh.Source))
		}
		obs, err := race.CheckAll(cmd.Context(), bin, d.Catalog(), opts)
		st.Stop()
		if obs == nil {
			return err
		}
		if werr := writeRaceAll(d, o, obs, err != nil); werr != nil {
			return werr
		}
		if err != nil {
			return err // interrupted: 128+N, after the runs made so far
		}
		for _, ob := range obs {
			if !ob.Agrees {
				return errProblem
			}
		}
		return nil
	}
	ob, err := race.Check(cmd.Context(), bin, s, v, opts)
	st.Stop()
	if ob == nil {
		return err
	}
	if o.JSON {
		err = render.RaceJSON(d.Out, ob)
	} else if ob.Interrupted {
		_, err = fmt.Fprintf(d.Out, "INTERRUPTED after %d of %d runs of %s/%s: %d of them raced; the rest were not made.\n", ob.Runs, o.Runs, ob.Scenario, ob.Variant, ob.RunsWithRace)
	} else {
		err = render.Race(d.Out, ob, d.style())
		if err == nil {
			err = render.Next(d.Out, render.RaceNext(ob), d.style())
		}
	}
	if err != nil {
		return err
	}
	if ob.Interrupted {
		return cmd.Context().Err()
	}
	log.Info("done", zap.String("scenario", s.Name), zap.String("variant", v.Name),
		zap.Int("runs", ob.Runs), zap.Int("raced", ob.RunsWithRace))
	if ob.Raced() {
		return errProblem
	}
	return nil
}

// writeRaceAll writes the matrix of --all; interrupted, it says how far
// the runs got.
func writeRaceAll(d *Deps, o *RaceOptions, obs []*race.Observation, interrupted bool) error {
	if o.JSON {
		return render.RaceAllJSON(d.Out, obs) // each observation says "interrupted": true
	}
	if err := render.RaceAll(d.Out, obs, d.style()); err != nil {
		return err
	}
	if interrupted {
		made := 0
		for _, ob := range obs {
			made += ob.Runs
		}
		_, err := fmt.Fprintf(d.Out, "\nINTERRUPTED: %d of the %d runs were made; the verdicts above count only those.\n", made, len(obs)*o.Runs)
		return err
	}
	if o.shard.Sharded() {
		_, err := fmt.Fprintf(d.Out, "\nShard %s (from %s): %d variants of the catalog.\n", o.shard, o.shard.Source, len(obs))
		return err
	}
	return nil
}

// raceBinary returns the race-enabled locklab: the one RaceBinaryEnv
// names, or one built now.
func raceBinary(cmd *cobra.Command, log *zap.Logger) (string, error) {
	if bin := os.Getenv(RaceBinaryEnv); bin != "" {
		if err := race.CheckBinary(bin); err != nil {
			return "", fmt.Errorf("%s: %w", RaceBinaryEnv, err)
		}
		return bin, nil
	}
	log.Info("building locklab with -race")
	return race.Build(cmd.Context(), race.BuildOptions{Logger: log})
}
