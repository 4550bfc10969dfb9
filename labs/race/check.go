package race

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/internal/childproc"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/run"
)

// GORACE is the race detector's configuration in every child; see the
// package documentation for why each option.
const GORACE = "halt_on_error=0 exitcode=66 atexit_sleep_ms=0 history_size=2"

// raceExit is the exit status GORACE's exitcode gives a child that raced
// and found nothing else wrong.
const raceExit = 66

// Defaults and limits of Options.
const (
	DefaultRuns    = 10
	MaxRuns        = 1000
	DefaultTimeout = 10 * time.Second
	DefaultStall   = time.Second
	MaxTimeout     = time.Hour
)

const (
	// killGrace is how long past a run's own time limit the parent waits
	// before it kills the child's process group: the child's watchdog
	// stops the run at the limit, and the grace covers starting the
	// process and writing the result and the reports.
	killGrace = 5 * time.Second
	// waitDelay bounds the wait for a child's output once it has exited
	// or been killed (see exec.Cmd.WaitDelay).
	waitDelay = time.Second
	// maxOutput is how much of a child's stdout, and of its stderr, is
	// kept. A race report is a few kilobytes and ThreadSanitizer reports
	// each pair of stacks once.
	maxOutput = 8 << 20
)

// Killed is the outcome of a run whose child was killed at its time limit,
// so that it wrote no result.
const Killed run.Outcome = "killed"

// Options configure Check and CheckAll. The zero value makes DefaultRuns
// runs of each variant with the scenario's defaults, twice GOMAXPROCS
// children at a time.
type Options struct {
	// Runs is how many times each variant runs; 0 means DefaultRuns.
	Runs int
	// Timeout is each run's time limit (the child's --timeout); 0 means
	// DefaultTimeout. The child is killed if it outlives it by 5 s.
	Timeout time.Duration
	// Stall is each run's limit without progress (the child's --stall):
	// with the deadlock detectors off, a deadlocked run ends when it
	// expires. 0 means DefaultStall, or Timeout if that is shorter.
	Stall time.Duration
	// Parallel is how many children run at a time; 0 means twice
	// GOMAXPROCS. Oversubscribing pays: a third of the children's time is
	// spent waiting, by the deadlocked and livelocked variants, for the
	// stall limit (measured on 2 cores, --all with 10 runs: 45 s one child
	// at a time, 20 s with 2, 10 s with 4), and it did not make the
	// timing-sensitive variants less reliable (the check-then-act overdraft
	// showed in 30 of 30 runs with 4 and with 6 children).
	Parallel int
	// Config overrides the scenario's defaults; zero fields keep them.
	Config labs.Config
	// Logger logs each child; nil means no logging.
	Logger *zap.Logger
	// Shard, for CheckAll, checks only this shard's variants: the ith
	// variant of the catalog (0-based, in catalog order) belongs to shard
	// i mod Count + 1. The zero Shard checks them all.
	Shard Shard
	// Progress, when set, is called after every run with the runs done
	// and the runs to make, from one goroutine at a time.
	Progress func(done, total int)

	grace time.Duration // how long past Timeout a child may live; 0 means killGrace
}

// withDefaults fills in the defaults and checks the limits.
func (o Options) withDefaults() (Options, error) {
	if o.Runs == 0 {
		o.Runs = DefaultRuns
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Stall == 0 {
		o.Stall = min(DefaultStall, o.Timeout)
	}
	if o.Parallel == 0 {
		o.Parallel = 2 * runtime.GOMAXPROCS(0)
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.grace == 0 {
		o.grace = killGrace
	}
	switch {
	case o.Runs < 1 || o.Runs > MaxRuns:
		return o, fmt.Errorf("runs must be between 1 and %d, got %d", MaxRuns, o.Runs)
	case o.Timeout < time.Millisecond || o.Timeout > MaxTimeout:
		return o, fmt.Errorf("timeout must be between 1ms and %v, got %v", MaxTimeout, o.Timeout)
	case o.Stall < time.Millisecond || o.Stall > MaxTimeout:
		return o, fmt.Errorf("stall must be between 1ms and %v, got %v", MaxTimeout, o.Stall)
	case o.Parallel < 1:
		return o, fmt.Errorf("parallel must be at least 1, got %d", o.Parallel)
	}
	return o, nil
}

// Shard is a part of CheckAll's variants: Index is 1-based, of Count.
type Shard struct{ Index, Count int }

// Owns reports whether the ith variant (0-based) is the shard's.
func (s Shard) Owns(i int) bool { return s.Count == 0 || i%s.Count == s.Index-1 }

// Observation is what the race detector saw of one variant over all its
// runs, beside what the catalog expects. Its JSON form is stable.
type Observation struct {
	Scenario string        `json:"scenario"`
	Variant  string        `json:"variant"`
	Kind     labs.Kind     `json:"kind"`
	Bug      labs.BugClass `json:"bug,omitempty"`
	Fix      string        `json:"fix,omitempty"`
	File     string        `json:"file"` // the variant's source file
	// WorkerNoun and OpNoun are what the scenario calls a worker and a
	// unit of its work.
	WorkerNoun string         `json:"worker_noun"`
	OpNoun     string         `json:"op_noun"`
	Config     run.ConfigJSON `json:"config"` // as every run had it
	// Expected reports that the variant declares labs.Race: the race
	// detector must flag it.
	Expected bool `json:"expected"`
	// Runs is how many runs were made; RunsWithRace how many of them
	// drew at least one race report.
	Runs         int `json:"runs"`
	RunsWithRace int `json:"runs_with_race"`
	// Races are the distinct races (by detector.Race.Key), in the order
	// first seen, each with the number of runs that reported it.
	Races []Seen `json:"races"`
	// Outcomes are the runs' outcomes, in run order: what `locklab run`
	// would have said of each (with the deadlock detectors off), or
	// Killed.
	Outcomes []run.Outcome `json:"outcomes"`
	// Violations are the invariants that did not hold in some run, in
	// the order first seen: a buggy variant without a data race still
	// breaks them.
	Violations []Violation `json:"violations"`
	// Agrees reports that the observation matches the catalog: a variant
	// that expects a race drew one with an access in File; any other
	// variant drew none.
	Agrees bool `json:"agrees"`
	// Lesson is the variant's lesson; Note says what the race detector's
	// verdict means for this variant, such as why it is silent on a bug
	// that is a race condition but not a data race. Note may be empty.
	Lesson string `json:"lesson"`
	Note   string `json:"note,omitempty"`
	// Elapsed is the wall time of the Check or CheckAll call that made
	// the observation: all its runs, in parallel.
	Elapsed time.Duration `json:"elapsed_ns"`
	// Interrupted reports that the check was stopped (its context
	// canceled) before every run was made: Runs counts those made, and
	// the verdict is only as good as they are.
	Interrupted bool `json:"interrupted,omitempty"`
}

// Raced reports whether any run drew a race report.
func (o *Observation) Raced() bool { return o.RunsWithRace > 0 }

// Seen is one distinct data race and the number of runs that reported it.
type Seen struct {
	Race detector.Race `json:"race"` // as first reported
	Runs int           `json:"runs"`
}

// Violation is an invariant that did not hold, with what it was in the
// first run that broke it, and how many runs broke it.
type Violation struct {
	Name     string `json:"name"`
	Expected string `json:"expected"`
	Actual   string `json:"actual"`
	Runs     int    `json:"runs"`
}

// Check runs variant v of scenario s opts.Runs times in bin, a locklab
// built with -race (see Build), each run a child process, opts.Parallel at
// a time, and reports what the race detector saw. It returns an error for
// bad options, a bin not built with -race, a canceled ctx, or a child that
// failed without a result (other than one killed at its time limit, which
// is the outcome Killed). For a canceled ctx it returns, with ctx's error,
// the observation of the runs made so far, marked Interrupted.
func Check(ctx context.Context, bin string, s *labs.Scenario, v *labs.Variant, opts Options) (*Observation, error) {
	obs, err := check(ctx, bin, []target{{s, v}}, opts)
	if len(obs) == 0 {
		return nil, err
	}
	return obs[0], err
}

// CheckAll is Check for every variant of every scenario, in catalog order.
// The runs of all the variants share opts.Parallel children, interleaved
// (the first run of every variant, then the second, ...) so that runs
// that mostly wait, such as a deadlock waiting for its stall limit, overlap
// with runs that compute.
//
// With opts.Shard, only the shard's variants are checked, and returned.
// A canceled ctx returns, with its error, the observations of every
// variant so far, marked Interrupted.
func CheckAll(ctx context.Context, bin string, scenarios []*labs.Scenario, opts Options) ([]*Observation, error) {
	if sh := opts.Shard; sh.Count != 0 && (sh.Count < 1 || sh.Index < 1 || sh.Index > sh.Count) {
		return nil, fmt.Errorf("shard %d/%d: want 1 <= k <= n", sh.Index, sh.Count)
	}
	var ts []target
	i := 0
	for _, s := range scenarios {
		for j := range s.Variants {
			if opts.Shard.Owns(i) {
				ts = append(ts, target{s, &s.Variants[j]})
			}
			i++
		}
	}
	if len(ts) == 0 {
		return nil, fmt.Errorf("shard %d/%d has no variants: the catalog has %d", opts.Shard.Index, opts.Shard.Count, i)
	}
	return check(ctx, bin, ts, opts)
}

// target is one variant to check.
type target struct {
	s *labs.Scenario
	v *labs.Variant
}

// child is what one run reported.
type child struct {
	outcome run.Outcome
	result  *run.Result     // nil when killed
	races   []detector.Race // deduplicated
	raced   bool            // a race was reported (even one the parser could not read)
}

func check(ctx context.Context, bin string, ts []target, opts Options) ([]*Observation, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	cfgs := make([]labs.Config, len(ts))
	for i, t := range ts {
		if t.s == nil || t.v == nil {
			return nil, errors.New("race: nil scenario or variant")
		}
		cfgs[i] = opts.Config.WithDefaults(t.s.Defaults)
		if err := cfgs[i].Validate(); err != nil {
			return nil, fmt.Errorf("%s: %w", t.s.Name, err)
		}
	}
	if err := CheckBinary(bin); err != nil {
		return nil, err
	}

	type job struct{ t, run int }
	jobs := make(chan job)
	results := make([][]child, len(ts))
	made := make([][]bool, len(ts)) // which runs have a result
	for i := range results {
		results[i] = make([]child, opts.Runs)
		made[i] = make([]bool, opts.Runs)
	}
	total, done := len(ts)*opts.Runs, 0
	parent := ctx
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex // protects firstErr, made and done, and serializes Progress
		firstErr error
	)
	start := time.Now()
	for range min(opts.Parallel, len(ts)*opts.Runs) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				t := ts[j.t]
				c, err := runChild(ctx, bin, t, cfgs[j.t], opts, j.run)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					cancel()
					continue
				}
				mu.Lock()
				results[j.t][j.run], made[j.t][j.run] = c, true
				done++
				if opts.Progress != nil {
					opts.Progress(done, total)
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for r := range opts.Runs {
		for i := range ts {
			select {
			case jobs <- job{i, r}:
			case <-ctx.Done():
				break feed
			}
		}
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start)
	if err := parent.Err(); err != nil {
		// Interrupted: what the runs made so far saw, marked.
		obs := make([]*Observation, len(ts))
		for i, t := range ts {
			var runs []child
			for r, ok := range made[i] {
				if ok {
					runs = append(runs, results[i][r])
				}
			}
			obs[i] = observe(t.s, t.v, cfgs[i], runs)
			obs[i].Elapsed, obs[i].Interrupted = elapsed, true
		}
		return obs, err
	}
	if firstErr != nil {
		// The first error is the real one: the others, if any, are the
		// cancellation it caused.
		return nil, firstErr
	}
	obs := make([]*Observation, len(ts))
	for i, t := range ts {
		obs[i] = observe(t.s, t.v, cfgs[i], results[i])
		obs[i].Elapsed = elapsed
	}
	return obs, nil
}

// childArgs returns the command line of one run in the race binary.
func childArgs(s *labs.Scenario, v *labs.Variant, cfg labs.Config, opts Options) []string {
	yield := "0" // --yield 0 means runtime.Gosched
	if cfg.Yield > 0 {
		yield = cfg.Yield.String()
	}
	return []string{
		"run", s.Name, "--variant", v.Name, "--json", "--detector", "none",
		"--workers", strconv.Itoa(cfg.Workers), "--ops", strconv.Itoa(cfg.Ops),
		"--seed", strconv.FormatUint(cfg.Seed, 10), "--yield", yield,
		"--timeout", opts.Timeout.String(), "--stall", opts.Stall.String(),
	}
}

// runChild makes one run of t in the race binary.
func runChild(ctx context.Context, bin string, t target, cfg labs.Config, opts Options, n int) (child, error) {
	args := childArgs(t.s, t.v, cfg, opts)
	log := opts.Logger.With(zap.String("scenario", t.s.Name), zap.String("variant", t.v.Name), zap.Int("run", n))
	cctx, cancel := context.WithTimeout(ctx, opts.Timeout+opts.grace)
	defer cancel()
	cmd := exec.CommandContext(cctx, bin, args...)
	cmd.Env = childEnv()
	stdout, stderr := &childproc.HeadBuffer{Max: maxOutput}, &childproc.HeadBuffer{Max: maxOutput}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = waitDelay
	childproc.OwnGroup(cmd)
	dieWithParent(cmd)

	start := time.Now()
	werr := cmd.Run()
	if err := ctx.Err(); err != nil {
		return child{}, err
	}
	exit := -1
	if cmd.ProcessState != nil {
		exit = cmd.ProcessState.ExitCode()
	}
	var exitErr *exec.ExitError
	if werr != nil && !errors.As(werr, &exitErr) && cctx.Err() == nil {
		return child{}, fmt.Errorf("race: %s %s: %w", bin, strings.Join(args, " "), werr)
	}
	races := detector.ParseRace(stderr.String())
	c := child{raced: len(races) > 0 || exit == raceExit}
	switch {
	case cctx.Err() != nil:
		c.outcome = Killed
	default:
		var res run.Result
		if err := json.Unmarshal(stdout.Bytes(), &res); err != nil || res.Outcome == "" {
			return child{}, fmt.Errorf("race: locklab %s (exit status %d) wrote no result: %s",
				strings.Join(args, " "), exit, lastLines(stderr.String()))
		}
		c.result, c.outcome = &res, res.Outcome
		detector.NameRaces(races, workerNames(&res))
	}
	c.races = detector.Dedup(races)
	log.Debug("child done", zap.Int("exit", exit), zap.String("outcome", string(c.outcome)),
		zap.Int("races", len(c.races)), zap.Duration("elapsed", time.Since(start)))
	return c, nil
}

// workerNames maps the race detector's goroutine numbers to the workers
// of a run.
func workerNames(res *run.Result) map[int64]string {
	names := map[int64]string{}
	for _, w := range res.Workers {
		if w.RaceGoroutine != 0 {
			names[w.RaceGoroutine] = w.Name
		}
	}
	return names
}

// childEnv is the environment of a child: the parent's, with GORACE
// replaced and without the protocol variables of other child processes.
func childEnv() []string {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return name == "GORACE" || strings.HasPrefix(name, "LOCKLAB_")
	})
	return append(env, "GORACE="+GORACE)
}

// observe summarizes the runs of v.
func observe(s *labs.Scenario, v *labs.Variant, cfg labs.Config, runs []child) *Observation {
	o := &Observation{
		Scenario: s.Name, Variant: v.Name, Kind: v.Kind, Bug: v.Bug, Fix: v.Fix, File: v.File,
		WorkerNoun: s.Workers, OpNoun: s.Ops,
		Config:     run.NewConfigJSON(cfg),
		Expected:   v.Expects(labs.Race),
		Runs:       len(runs),
		Races:      []Seen{},
		Outcomes:   []run.Outcome{},
		Violations: []Violation{},
		Lesson:     v.Lesson,
	}
	seen := map[string]int{}     // race key -> index in o.Races
	violated := map[string]int{} // invariant name -> index in o.Violations
	for _, c := range runs {
		o.Outcomes = append(o.Outcomes, c.outcome)
		if c.raced {
			o.RunsWithRace++
		}
		for _, r := range c.races {
			k := r.Key()
			i, ok := seen[k]
			if !ok {
				i = len(o.Races)
				seen[k] = i
				o.Races = append(o.Races, Seen{Race: r})
			}
			o.Races[i].Runs++
		}
		if c.result == nil {
			continue
		}
		for _, ch := range c.result.Invariants {
			if ch.OK {
				continue
			}
			i, ok := violated[ch.Name]
			if !ok {
				i = len(o.Violations)
				violated[ch.Name] = i
				o.Violations = append(o.Violations, Violation{Name: ch.Name, Expected: ch.Expected, Actual: ch.Actual})
			}
			o.Violations[i].Runs++
		}
	}
	if o.Expected {
		o.Agrees = o.InFile(v.File)
	} else {
		o.Agrees = !o.Raced()
	}
	o.Note = note(v, o)
	return o
}

// InFile reports whether a race seen has an access in file.
func (o *Observation) InFile(file string) bool {
	for _, s := range o.Races {
		for _, a := range s.Race.Accesses {
			if a.At.File == file {
				return true
			}
		}
	}
	return false
}

// lastLines returns the end of a child's stderr, on one line, for an
// error message.
func lastLines(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "(nothing on stderr)"
	}
	lines := strings.Split(s, "\n")
	if len(lines) > 3 {
		lines = lines[len(lines)-3:]
	}
	return strings.Join(strings.Fields(strings.Join(lines, " ")), " ")
}
