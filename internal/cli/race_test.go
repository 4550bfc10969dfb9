package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/locklab/locklab/labs/race"
)

// buildRace builds the race-enabled locklab once for the whole test
// binary, where the locklab command itself would (the user's cache
// directory), so that repeated test runs reuse it.
var buildRace = sync.OnceValues(func() (string, error) {
	return race.Build(context.Background(), race.BuildOptions{})
})

// raceLocklab runs `locklab ARGS` on the real catalog with the race binary
// built once, and returns its exit status and output. It skips t in -short
// mode and where the toolchain cannot build with -race.
func raceLocklab(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds locklab with -race and runs it: skipped in -short mode")
	}
	bin, err := buildRace()
	if errors.Is(err, race.ErrToolchain) {
		t.Skipf("race.Build: %v", err)
	}
	if err != nil {
		t.Fatalf("race.Build: %v", err)
	}
	t.Setenv(RaceBinaryEnv, bin)
	deps, out, errOut := testDeps()
	deps.Catalog = catalogAll // the race binary runs the real catalog
	code = execute(context.Background(), deps, args)
	return code, out.String(), errOut.String()
}

func TestRaceGolden(t *testing.T) {
	tests := []struct {
		name     string // golden file name inside testdata
		args     []string
		wantCode int
	}{
		{"race-clean", []string{"race", "counter", "--variant", "mutex", "--runs", "2"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := raceLocklab(t, tt.args...)
			if code != tt.wantCode || stderr != "" {
				t.Errorf("locklab %s: exit %d, stderr %q; want exit %d and nothing on stderr", strings.Join(tt.args, " "), code, stderr, tt.wantCode)
			}
			golden(t, tt.name, normalize(stdout))
		})
	}
}

func TestRaceHelp(t *testing.T) {
	code, stdout, stderr := locklab(t, "race", "--help")
	if code != exitOK || stderr != "" {
		t.Errorf("locklab race --help: exit %d, stderr %q; want 0 and nothing", code, stderr)
	}
	golden(t, "help-race", stdout)
}

// TestRace checks each kind of verdict, and its exit status, on the real
// catalog.
func TestRace(t *testing.T) {
	tests := []struct {
		args     []string
		wantCode int
		want     []string // in stdout, in order
	}{
		{[]string{"race", "counter", "--buggy", "--runs", "2"}, exitProblem, []string{
			"counter / unsynchronized (buggy: data race)",
			"2 runs under the race detector",
			"DATA RACE in counter.playUnsynchronized.func1 (seen in ",
			"labs/counter/unsynchronized.go:2",
			"Nothing orders the two accesses",
			"Runs: 2 of 2 with a data race",
			"Fix: locklab race counter --variant mutex",
		}},
		{[]string{"race", "counter", "--variant", "atomic", "--runs", "1"}, exitOK, []string{"OK: no data race in 1 run."}},
		// Whether a run deadlocks is a matter of timing; the verdict is not.
		{[]string{"race", "philosophers", "--runs", "1", "--timeout", "5s"}, exitOK, []string{
			"philosophers / left-then-right (buggy: circular wait)",
			"NO DATA RACE in 1 run: this variant's bug is not a data race.",
			"as it should be: a deadlock is not a",
			"Fix: locklab race philosophers --variant hierarchy",
		}},
		{[]string{"race", "bank", "--variant", "check-then-act", "--runs", "2"}, exitOK, []string{
			"NO DATA RACE in 2 runs. And yet the runs went wrong",
			"FAIL  no overdraft",
			"The race detector is silent here by design",
			"A race condition is",
			"Runs: 2, none with a data race",
		}},
	}
	for _, tt := range tests {
		name := strings.Join(tt.args, " ")
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := raceLocklab(t, tt.args...)
			if code != tt.wantCode || stderr != "" {
				t.Errorf("locklab %s: exit %d, stderr %q; want exit %d and nothing on stderr", name, code, stderr, tt.wantCode)
			}
			rest := stdout
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("locklab %s: stdout lacks %q after what came before:\n%s", name, w, stdout)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

func TestRaceJSON(t *testing.T) {
	code, stdout, _ := raceLocklab(t, "race", "counter", "--buggy", "--runs", "2", "--json")
	if code != exitProblem {
		t.Errorf("locklab race counter --buggy --json: exit %d; want %d", code, exitProblem)
	}
	var o race.Observation
	mustUnmarshal(t, []byte(stdout), &o)
	if o.Scenario != "counter" || o.Variant != "unsynchronized" || !o.Expected || !o.Agrees || o.Runs != 2 || o.RunsWithRace != 2 {
		t.Errorf("observation = %+v; want counter/unsynchronized, expected, agreeing, 2 of 2 runs raced", o)
	}
	if len(o.Races) == 0 || o.Races[0].Race.Accesses[0].At.File != "labs/counter/unsynchronized.go" {
		t.Errorf("races = %+v; want the first in labs/counter/unsynchronized.go", o.Races)
	}
	wantKeys(t, []byte(stdout), "scenario", "variant", "kind", "bug", "fix", "file", "worker_noun", "op_noun", "config",
		"expected", "runs", "runs_with_race", "races", "outcomes", "violations", "agrees", "lesson")
}

// TestRaceAll checks the whole catalog, one run per variant: every
// variant agrees with the catalog.
func TestRaceAll(t *testing.T) {
	code, stdout, stderr := raceLocklab(t, "race", "--all", "--runs", "1", "--json")
	if code != exitOK {
		t.Errorf("locklab race --all: exit %d; want 0 (every variant agrees)\nstderr: %s", code, stderr)
	}
	var obs []race.Observation
	mustUnmarshal(t, []byte(stdout), &obs)
	n := 0
	for _, s := range catalogAll() {
		n += len(s.Variants)
	}
	if len(obs) != n {
		t.Fatalf("locklab race --all: %d observations; want one per variant, %d", len(obs), n)
	}
	for _, o := range obs {
		if !o.Agrees || len(o.Outcomes) != 1 {
			t.Errorf("%s/%s: agrees %v, outcomes %v; want agreement after 1 run\nnote: %s", o.Scenario, o.Variant, o.Agrees, o.Outcomes, o.Note)
		}
		if o.Expected != o.Raced() {
			t.Errorf("%s/%s: expected race %v, raced %v; want the same", o.Scenario, o.Variant, o.Expected, o.Raced())
		}
	}
}

func TestRaceBadInput(t *testing.T) {
	tests := []struct {
		args       []string
		env        string // RaceBinaryEnv
		wantStderr string // a substring of the one-line error
	}{
		{[]string{"race"}, "", "locklab race needs a scenario (one of toy, queue) or --all"},
		{[]string{"race", "nosuch"}, "", `unknown scenario "nosuch"; valid: toy, queue`},
		{[]string{"race", "tyo"}, "", `(did you mean "toy"?)`},
		{[]string{"race", "toy", "queue"}, "", "locklab race takes one scenario, got 2 arguments: toy queue"},
		{[]string{"race", "toy", "--variant", "abab"}, "", `unknown variant "abab"; valid: abba, ordered, lossy, spin, owner (did you mean "abba"?)`},
		{[]string{"race", "toy", "--buggy", "--variant", "abba"}, "", "--buggy and --variant cannot be used together"},
		{[]string{"race", "--all", "toy"}, "", `locklab race --all checks every scenario and takes none, got "toy"`},
		{[]string{"race", "toy", "--all"}, "", `locklab race --all checks every scenario and takes none, got "toy"`},
		{[]string{"race", "--all", "--buggy"}, "", "--all checks every variant: it cannot be used with --buggy or --variant"},
		{[]string{"race", "--all", "--variant", "abba"}, "", "--all checks every variant"},
		{[]string{"race", "toy", "--runs", "0"}, "", "--runs must be between 1 and 1000, got 0"},
		{[]string{"race", "toy", "--runs", "-3"}, "", "--runs must be between 1 and 1000, got -3"},
		{[]string{"race", "toy", "--runs", "1001"}, "", "--runs must be between 1 and 1000, got 1001"},
		{[]string{"race", "--all", "--runs", "99999999999"}, "", "--runs must be between 1 and 1000"},
		{[]string{"race", "toy", "--runs", "many"}, "", `--runs: "many" is not a whole number`},
		{[]string{"race", "toy", "--timeout", "0"}, "", "--timeout must be between 1ms and 1h, got 0s"},
		{[]string{"race", "toy", "--timeout", "2h"}, "", "--timeout must be between 1ms and 1h, got 2h0m0s"},
		{[]string{"race", "toy", "--timeout", "soon"}, "", `--timeout: "soon" is not a duration`},
		{[]string{"race", "toy", "--workers", "3"}, "", "unknown flag: --workers"},
		{[]string{"race", "toy", "--shard", "1/2"}, "", "--shard splits --all; one variant is checked whole"},
		{[]string{"race", "--all", "--shard", "2/1"}, "", "--shard 2/1: the shard must be between 1 and 1"},
		{[]string{"race", "toy"}, "/nonexistent/locklab-race", RaceBinaryEnv + ": race: /nonexistent/locklab-race is not a Go program"},
		{[]string{"race", "--all"}, os.Args[0] + ".nothing", RaceBinaryEnv + ": race:"},
	}
	for _, tt := range tests {
		name := strings.Join(tt.args, " ")
		t.Run(name, func(t *testing.T) {
			t.Setenv(RaceBinaryEnv, tt.env)
			code, stdout, stderr := locklab(t, tt.args...)
			if code != exitError {
				t.Errorf("locklab %s: exit %d; want %d (stderr %q)", name, code, exitError, stderr)
			}
			if !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("locklab %s: stderr = %q; want it to contain %q", name, stderr, tt.wantStderr)
			}
			if !strings.HasPrefix(stderr, "locklab: ") || strings.Count(stderr, "\n") != 1 {
				t.Errorf("locklab %s: stderr = %q; want one line starting with \"locklab: \"", name, stderr)
			}
			if stdout != "" {
				t.Errorf("locklab %s: stdout = %q; want nothing", name, stdout)
			}
		})
	}
}

// TestRaceToolchain runs locklab race as a process, as a user would, on
// machines that cannot build with -race: each gets one line that says
// what to install, and exit status 2.
func TestRaceToolchain(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command on PATH")
	}
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"no go", []string{"PATH=" + t.TempDir()}, "locklab: the race detector is not available: it needs the Go toolchain, and there is no go command on PATH; install Go 1.26 or later"},
		{"cgo off", []string{"CGO_ENABLED=0"}, "locklab: the race detector is not available: it needs cgo, and CGO_ENABLED=0 turns it off; set CGO_ENABLED=1"},
		{"no C compiler", []string{"CC=nonexistent"}, `locklab: the race detector is not available: it needs cgo and a C compiler, and "nonexistent" is not on PATH; install gcc or clang`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperMain$", "--", "race", "counter", "--buggy")
			cmd.Env = append(os.Environ(), "LOCKLAB_HELPER_MAIN=1", RaceBinaryEnv+"=")
			cmd.Env = append(cmd.Env, tt.env...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			cmd.WaitDelay = time.Second
			err := cmd.Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != exitError {
				t.Fatalf("locklab race with %s: %v; want exit status %d\nstderr: %s", tt.env, err, exitError, stderr.String())
			}
			if got := stderr.String(); !strings.HasPrefix(got, tt.want) || strings.Count(got, "\n") != 1 {
				t.Errorf("locklab race with %s: stderr = %q; want one line starting with %q", tt.env, got, tt.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("locklab race with %s: stdout = %q; want nothing", tt.env, stdout.String())
			}
		})
	}
}

// TestRaceOptions checks what the race command parses, through runF.
func TestRaceOptions(t *testing.T) {
	tests := []struct {
		args []string
		want func(o *RaceOptions) bool
	}{
		{[]string{"toy"}, func(o *RaceOptions) bool {
			return o.Scenario == "toy" && !o.Buggy && o.Variant == "" && !o.All && o.Runs == race.DefaultRuns && o.Timeout == race.DefaultTimeout && !o.JSON
		}},
		{[]string{"toy", "--buggy", "--runs", "3", "--timeout", "2s", "--json"}, func(o *RaceOptions) bool {
			return o.Buggy && o.Runs == 3 && o.Timeout == 2*time.Second && o.JSON
		}},
		{[]string{"--variant", "ordered", "toy"}, func(o *RaceOptions) bool { return o.Variant == "ordered" && o.Scenario == "toy" }},
		{[]string{"--all", "--runs", "1000"}, func(o *RaceOptions) bool { return o.All && o.Scenario == "" && o.Runs == 1000 }},
	}
	for _, tt := range tests {
		name := strings.Join(tt.args, " ")
		t.Run(name, func(t *testing.T) {
			deps, _, _ := testDeps()
			var got *RaceOptions
			cmd := NewCmdRace(deps, func(o *RaceOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			if err := cmd.Execute(); err != nil {
				t.Fatalf("race %s: %v; want nil", name, err)
			}
			if got == nil || !tt.want(got) {
				t.Errorf("race %s: options = %+v; not as expected", name, got)
			}
		})
	}
}

func TestRaceResolve(t *testing.T) {
	deps, _, _ := testDeps()
	tests := []struct {
		opts RaceOptions
		want string // scenario/variant
	}{
		{RaceOptions{Scenario: "toy"}, "toy/abba"},
		{RaceOptions{Scenario: "toy", Buggy: true}, "toy/abba"},
		{RaceOptions{Scenario: "queue", Variant: "loop"}, "queue/loop"},
	}
	for _, tt := range tests {
		tt.opts.Deps = deps
		s, v, err := tt.opts.resolve()
		if err != nil || s.Name+"/"+v.Name != tt.want {
			t.Errorf("resolve(%+v) = %v, %v, %v; want %s", tt.opts, s, v, err, tt.want)
		}
	}
}

// TestRaceAllShards: the shards of race --all check every variant of the
// catalog exactly once between them.
func TestRaceAllShards(t *testing.T) {
	total := 0
	for _, s := range catalogAll() {
		total += len(s.Variants)
	}
	seen := map[string]int{}
	for k := 1; k <= 3; k++ {
		code, stdout, stderr := raceLocklab(t, "race", "--all", "--runs", "1", "--shard", fmt.Sprintf("%d/3", k), "--json")
		if code != exitOK && code != exitProblem {
			t.Fatalf("shard %d/3: exit %d (%s)", k, code, stderr)
		}
		var obs []race.Observation
		mustUnmarshal(t, []byte(stdout), &obs)
		for _, o := range obs {
			seen[o.Scenario+"/"+o.Variant]++
		}
	}
	if len(seen) != total {
		t.Errorf("the shards checked %d variants; the catalog has %d", len(seen), total)
	}
	for v, n := range seen {
		if n != 1 {
			t.Errorf("%s checked %d times", v, n)
		}
	}
}
