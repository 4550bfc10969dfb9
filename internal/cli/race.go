package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/locklab/locklab/internal/render"
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
	JSON     bool
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

Exit status: 0 no data race (with --all: every variant as the catalog
says), 1 a data race found (with --all: a disagreement), 2 bad usage or no
toolchain.`,
		Example: `  locklab race counter --buggy
  locklab race counter --variant mutex
  locklab race bank --variant check-then-act
  locklab race counter --buggy --runs 50 --json | jq '.races[].race.accesses'
  locklab race --all`,
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
	bin, err := raceBinary(cmd, log)
	if err != nil {
		return err
	}
	opts := race.Options{Runs: o.Runs, Timeout: o.Timeout, Logger: log}
	if o.All {
		obs, err := race.CheckAll(cmd.Context(), bin, d.Catalog(), opts)
		if err != nil {
			return err
		}
		if o.JSON {
			err = render.RaceAllJSON(d.Out, obs)
		} else {
			err = render.RaceAll(d.Out, obs, d.style())
		}
		if err != nil {
			return err
		}
		for _, ob := range obs {
			if !ob.Agrees {
				return errProblem
			}
		}
		return nil
	}
	ob, err := race.Check(cmd.Context(), bin, s, v, opts)
	if err != nil {
		return err
	}
	if o.JSON {
		err = render.RaceJSON(d.Out, ob)
	} else {
		err = render.Race(d.Out, ob, d.style())
	}
	if err != nil {
		return err
	}
	log.Info("done", zap.String("scenario", s.Name), zap.String("variant", v.Name),
		zap.Int("runs", ob.Runs), zap.Int("raced", ob.RunsWithRace))
	if ob.Raced() {
		return errProblem
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
