package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/locklab/locklab/labs/explore"
	"github.com/locklab/locklab/labs/run"
)

// locklabReal runs the command line on the real catalog, with stdin, and
// returns its exit status and output, as execute would.
func locklabReal(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	deps, out, errOut := testDeps()
	deps.Catalog = catalogAll
	root := NewCmdRoot(deps)
	root.SetArgs(args)
	root.SetIn(strings.NewReader(stdin))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := root.ExecuteContextC(ctx)
	code = exitCode(err)
	if code != exitOK && code != exitProblem {
		errOut.WriteString("locklab: " + oneLine(err) + "\n")
	}
	return code, out.String(), errOut.String()
}

// deferLineRE matches the position of an unlock in a step table: a
// deferred Unlock is reported on the line of its defer statement or of
// the function's closing brace, depending on whether the build has -race.
var deferLineRE = regexp.MustCompile(`(?m)(unlock .*\.go:)\d+$`)

var replayRE = regexp.MustCompile(`locklab explore (\S+) --variant (\S+) --replay (\S+)`)

// replayArgs returns the arguments of the replay command in out.
func replayArgs(t *testing.T, out string) []string {
	t.Helper()
	m := replayRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no replay command in:\n%s", out)
	}
	return []string{"explore", m[1], "--variant", m[2], "--replay", m[3]}
}

func TestExploreFindsAndReplays(t *testing.T) {
	tests := []struct {
		args []string
		want string // in the output of the search and of the replay
	}{
		{[]string{"explore", "bank", "--variant", "from-then-to", "--workers", "2", "--ops", "2"}, "DEADLOCK"},
		{[]string{"explore", "philosophers", "--buggy", "--workers", "3", "--ops", "1", "--strategy", "random"}, "DEADLOCK"},
		{[]string{"explore", "counter", "--variant", "cooperative-await", "--workers", "2", "--ops", "2"}, "INVARIANT VIOLATED"},
		{[]string{"explore", "bank", "--variant", "from-then-to", "--workers", "2", "--ops", "1", "--seed", "1", "--strategy", "dfs"}, "DEADLOCK"},
	}
	for _, tt := range tests {
		name := strings.Join(tt.args, " ")
		t.Run(name, func(t *testing.T) {
			code, out, stderr := locklabReal(t, "", tt.args...)
			if code != exitProblem || !strings.Contains(out, tt.want) || !strings.Contains(out, "FAILED:") {
				t.Fatalf("locklab %s: exit %d; want %d and %q\nstdout:\n%s\nstderr: %s", name, code, exitProblem, tt.want, out, stderr)
			}
			if stderr != "" {
				t.Errorf("locklab %s: stderr = %q; want nothing (not a terminal: no progress line)", name, stderr)
			}
			args := replayArgs(t, out)
			var first string
			for i := range 3 {
				code, got, stderr := locklabReal(t, "", args...)
				if code != exitProblem || !strings.Contains(got, tt.want) {
					t.Fatalf("locklab %s: exit %d; want %d and %q\nstdout:\n%s\nstderr: %s", strings.Join(args, " "), code, exitProblem, tt.want, got, stderr)
				}
				if i == 0 {
					first = got
				} else if got != first {
					t.Errorf("replay %d differs from the first:\n--- got\n%s\n--- first\n%s", i+1, got, first)
				}
			}
			// The replay shows the same schedule as the search found.
			if table(out) != table(first) {
				t.Errorf("replayed schedule differs from the one found:\n--- found\n%s\n--- replayed\n%s", table(out), table(first))
			}
		})
	}
}

// table returns the step table of a report: from "Schedule:" to the
// blank line after it.
func table(out string) string {
	i := strings.Index(out, "Schedule:")
	if i < 0 {
		return ""
	}
	rest := out[i:]
	if j := strings.Index(rest, "\n\n"); j >= 0 {
		rest = rest[:j]
	}
	return rest[strings.Index(rest, "\n")+1:] // without the count line, which says "minimized" only for the search
}

func TestExploreClean(t *testing.T) {
	for _, args := range [][]string{
		{"explore", "bank", "--variant", "ordered", "--workers", "2", "--ops", "2", "--schedules", "300"},
		{"explore", "philosophers", "--variant", "hierarchy", "--workers", "3", "--ops", "1", "--schedules", "300", "--strategy", "random"},
		{"explore", "counter", "--variant", "cooperative", "--workers", "2", "--ops", "2", "--schedules", "300"},
	} {
		name := strings.Join(args, " ")
		t.Run(name, func(t *testing.T) {
			code, out, stderr := locklabReal(t, "", args...)
			if code != exitOK || !strings.Contains(out, "OK: no failure in ") {
				t.Errorf("locklab %s: exit %d; want 0 and no failure\nstdout:\n%s\nstderr: %s", name, code, out, stderr)
			}
		})
	}
}

func TestExploreDFSExhausts(t *testing.T) {
	code, out, stderr := locklabReal(t, "", "explore", "bank", "--variant", "ordered", "--workers", "2", "--ops", "1",
		"--strategy", "dfs", "--schedules", "100000", "--json")
	if code != exitOK {
		t.Fatalf("exit %d; want 0\nstdout:\n%s\nstderr: %s", code, out, stderr)
	}
	var r explore.Result
	mustUnmarshal(t, []byte(out), &r)
	if !r.Exhausted || r.First != nil || r.Schedules < 2 {
		t.Errorf("dfs on bank/ordered 2×1: exhausted %v after %d schedules, first %+v; want exhausted, clean, more than one schedule", r.Exhausted, r.Schedules, r.First)
	}
}

func TestExploreJSON(t *testing.T) {
	code, out, _ := locklabReal(t, "", "explore", "bank", "--variant", "from-then-to", "--workers", "2", "--ops", "2", "--json")
	if code != exitProblem {
		t.Fatalf("exit %d; want %d\n%s", code, exitProblem, out)
	}
	wantKeys(t, []byte(out), "scenario", "variant", "strategy", "seed", "config", "schedules", "failures", "elapsed_ns", "exhausted", "first")
	var r explore.Result
	mustUnmarshal(t, []byte(out), &r)
	if r.Scenario != "bank" || r.Variant != "from-then-to" || r.Strategy != "pct" || r.Config.Workers != 2 || r.First == nil {
		t.Fatalf("result = %+v; want bank/from-then-to, pct, 2 workers, a failure", r)
	}
	f := r.First
	if f.Outcome != run.Deadlock || f.Token == "" || len(f.Trace) == 0 || f.Schedule < 1 {
		t.Errorf("first = %+v; want a deadlock with a token, a trace and its schedule", f)
	}

	// The replay in JSON: the same failure, with the scenario and variant.
	code, out2, _ := locklabReal(t, "", "explore", "bank", "--variant", "from-then-to", "--replay", f.Token, "--json")
	if code != exitProblem {
		t.Fatalf("replay: exit %d; want %d\n%s", code, exitProblem, out2)
	}
	wantKeys(t, []byte(out2), "scenario", "variant", "outcome", "findings", "token", "trace")
	var back struct {
		Scenario, Variant string
		explore.Failure
	}
	mustUnmarshal(t, []byte(out2), &back)
	a, _ := json.Marshal(f.Trace)
	b, _ := json.Marshal(back.Trace)
	if back.Scenario != "bank" || back.Outcome != run.Deadlock || !bytes.Equal(a, b) {
		t.Errorf("replay = %+v; want bank, deadlock and the trace of the search", back)
	}
}

func TestExploreBadInput(t *testing.T) {
	// A real token, for the mismatch cases.
	_, out, _ := locklabReal(t, "", "explore", "bank", "--variant", "from-then-to", "--workers", "2", "--ops", "2")
	token := replayArgs(t, out)[5]
	tests := []struct {
		args       []string
		wantStderr string
	}{
		{[]string{"explore", "bank", "--strategy", "bfs"}, `unknown strategy "bfs"; valid: pct, random, dfs`},
		{[]string{"explore", "bank", "--schedules", "0"}, "--schedules must be between 1 and 10000000, got 0"},
		{[]string{"explore", "bank", "--schedules", "-5"}, "--schedules must be between 1 and 10000000, got -5"},
		{[]string{"explore", "bank", "--depth", "0"}, "--depth must be between 1 and 20, got 0"},
		{[]string{"explore", "bank", "--preemptions", "-1"}, "--preemptions must be between 0 and 20, got -1"},
		{[]string{"explore", "bank", "--schedule-seed", "0"}, "--schedule-seed must be at least 1"},
		{[]string{"explore", "bank", "--seed", "0"}, "--seed must be at least 1 (0 stands for the scenario's default)"},
		{[]string{"explore", "bank", "--replay", token, "--seed", "2"}, "--seed does not apply to --replay"},
		{[]string{"explore", "bank", "--replay", token, "--shard", "1/2"}, "--shard does not apply to --replay"},
		{[]string{"explore", "bank", "--strategy", "pcx"}, `--strategy: unknown strategy "pcx"; valid: pct, random, dfs (did you mean "pct"?)`},
		{[]string{"explore", "bank", "--shard", "3/2"}, "--shard 3/2: the shard must be between 1 and 2"},
		{[]string{"explore", "bank", "--shard", "1/2", "--strategy", "dfs"}, "--strategy dfs cannot be sharded (shard 1/2 from --shard)"},
		{[]string{"explore", "bank", "--shard", "4/4", "--schedules", "3"}, "shard 4/4 (from --shard) has no schedule to run: --schedules 3 for 4 shards; use at most 3 shards"},
		{[]string{"explore", "bank", "--variant", "ordered", "--time", "1ns"}, "explored no schedule: the --time budget of 1ns ran out before the first one ended, so nothing was checked"},
		{[]string{"explore", "bank", "--time", "-1s"}, "--time must be between 0 (no limit) and 1h0m0s, got -1s"},
		{[]string{"explore", "bank", "--time", "soon"}, `--time: "soon" is not a duration`},
		{[]string{"explore", "bank", "--workers", "1"}, "workers must be between 2 and 1000, got 1"},
		{[]string{"explore", "bank", "--buggy", "--variant", "ordered"}, "--buggy and --variant cannot be used together"},
		{[]string{"explore", "bank", "--variant", "nope"}, `unknown variant "nope"`},
		{[]string{"explore", "bnak"}, `(did you mean "bank"?)`},
		{[]string{"explore"}, "locklab explore needs a scenario"},
		{[]string{"explore", "bank", "--replay", ""}, "--replay needs a token"},
		{[]string{"explore", "bank", "--replay", token, "--strategy", "dfs"}, "--strategy does not apply to --replay"},
		{[]string{"explore", "bank", "--replay", token, "--workers", "3"}, "--workers does not apply to --replay"},
		{[]string{"explore", "bank", "--variant", "from-then-to", "--replay", "garbage"}, "bad replay token"},
		{[]string{"explore", "bank", "--variant", "from-then-to", "--replay", "ll1-AAAA"}, "bad replay token"},
		{[]string{"explore", "bank", "--variant", "from-then-to", "--replay", token[:len(token)-2]}, "bad replay token"},
		{[]string{"explore", "bank", "--variant", "ordered", "--replay", token}, "bad replay token"},
		{[]string{"explore", "philosophers", "--replay", token}, "bad replay token"},
	}
	for _, tt := range tests {
		name := strings.Join(tt.args, " ")
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := locklabReal(t, "", tt.args...)
			if code != exitError {
				t.Errorf("locklab %s: exit %d; want %d (stderr %q)", name, code, exitError, stderr)
			}
			if !strings.Contains(stderr, tt.wantStderr) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("locklab %s: stderr = %q; want one line containing %q", name, stderr, tt.wantStderr)
			}
			if stdout != "" {
				t.Errorf("locklab %s: stdout = %q; want nothing", name, stdout)
			}
		})
	}
}

func TestExploreOptions(t *testing.T) {
	deps, _, _ := testDeps()
	var got *ExploreOptions
	cmd := NewCmdExplore(deps, func(o *ExploreOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"toy", "--strategy", "dfs", "--schedules", "50", "--preemptions", "3", "--schedule-seed", "9", "--time", "2s", "--ops", "4", "--seed", "5"})
	if err := cmd.Execute(); err != nil {
		t.Fatalf("Execute() = %v; want nil", err)
	}
	if got.Scenario != "toy" || got.Strategy != "dfs" || got.Schedules != 50 || got.Preemptions != 3 || got.Depth != 3 ||
		got.ScheduleSeed != 9 || got.Time != 2*time.Second || got.Ops != 4 || !got.set["ops"] || got.set["workers"] || got.Seed != 5 || !got.set["seed"] {
		t.Errorf("options = %+v; want toy, dfs, 50 schedules, 3 preemptions, depth 3, schedule seed 9, 2s, ops 4 set, workers not, seed 5", got)
	}
}

// --worker-seed, --seed's old name, still works, and says so on stderr.
func TestExploreWorkerSeed(t *testing.T) {
	code, stdout, stderr := locklabReal(t, "", "explore", "bank", "--variant", "ordered", "--workers", "2", "--ops", "1", "--schedules", "5", "--worker-seed", "3", "--json")
	var r explore.Result
	mustUnmarshal(t, []byte(stdout), &r)
	if code != exitOK || r.Config.Seed != 3 || stderr != "locklab: --worker-seed is now --seed, as in run and step (the strategy's seed is --schedule-seed)\n" {
		t.Errorf("explore --worker-seed 3 = %d, seed %d, stderr %q; want 0, the workers' seed 3 and a note", code, r.Config.Seed, stderr)
	}
}

// TestProgressLine checks the progress line a terminal gets: rewritten in
// place, at most every progressEvery, and erased at the end.
func TestProgressLine(t *testing.T) {
	var buf bytes.Buffer
	now := time.Unix(0, 0)
	p := newProgressLine(&buf, func() time.Time { return now })
	now = now.Add(time.Second)
	p.update(1000, 0)
	now = now.Add(10 * time.Millisecond)
	p.update(1010, 0) // too soon: not written
	now = now.Add(time.Second)
	p.update(3000, 1)
	p.clear()
	want := "\r\x1b[Kexploring: 1000 schedules, 0 failures, 1000 schedules/s" +
		"\r\x1b[Kexploring: 3000 schedules, 1 failures, 1493 schedules/s" +
		"\r\x1b[K"
	if got := buf.String(); got != want {
		t.Errorf("progress = %q; want %q", got, want)
	}
	var nilLine *progressLine
	nilLine.clear() // must not panic
}

func TestRunControlled(t *testing.T) {
	tests := []struct {
		args     []string
		wantCode int
		want     string
	}{
		{[]string{"run", "counter", "--variant", "cooperative-await"}, exitProblem, "INVARIANT VIOLATED"},
		{[]string{"run", "counter", "--variant", "cooperative-await", "--workers", "2", "--ops", "50", "--seed", "3"}, exitProblem, "INVARIANT VIOLATED"},
		{[]string{"run", "counter", "--variant", "cooperative"}, exitOK, "OK:"},
		{[]string{"run", "counter", "--variant", "cooperative", "--detector", "none", "--json"}, exitOK, `"outcome": "ok"`},
	}
	for _, tt := range tests {
		name := strings.Join(tt.args, " ")
		t.Run(name, func(t *testing.T) {
			code, out, stderr := locklabReal(t, "", tt.args...)
			if code != tt.wantCode || !strings.Contains(out, tt.want) {
				t.Errorf("locklab %s: exit %d; want %d and %q\nstdout:\n%s\nstderr: %s", name, code, tt.wantCode, tt.want, out, stderr)
			}
		})
	}
	code, _, stderr := locklabReal(t, "", "run", "counter", "--variant", "cooperative", "--detector", "godeadlock")
	if code != exitError || !strings.Contains(stderr, "runs under the controlled scheduler") {
		t.Errorf("run cooperative --detector godeadlock: exit %d, stderr %q; want 2 and why", code, stderr)
	}
}

// TestExploreGolden pins the text of explore, replay and step on the real
// catalog: the schedules are deterministic, so only durations change.
func TestExploreGolden(t *testing.T) {
	const token = "TOKEN" // stands for the token the first case prints
	tests := []struct {
		name     string // golden file name inside testdata
		args     []string
		stdin    string
		wantCode int
	}{
		{"explore-found", []string{"explore", "bank", "--variant", "from-then-to", "--workers", "2", "--ops", "2"}, "", exitProblem},
		{"explore-replay", []string{"explore", "bank", "--variant", "from-then-to", "--replay", token}, "", exitProblem},
		{"explore-clean", []string{"explore", "counter", "--variant", "cooperative", "--workers", "2", "--ops", "2", "--strategy", "dfs", "--schedules", "100000"}, "", exitOK},
		{"explore-lost-update", []string{"explore", "counter", "--variant", "cooperative-await", "--workers", "2", "--ops", "1", "--strategy", "random"}, "", exitProblem},
		{"step-bank", []string{"step", "bank", "--variant", "from-then-to"}, cross, exitProblem},
		{"help-explore", []string{"explore", "--help"}, "", exitOK},
		{"help-step", []string{"step", "--help"}, "", exitOK},
	}
	var found string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			for i, a := range args {
				if a == token {
					if found == "" {
						t.Skip("no token: the first case failed")
					}
					args = append(append([]string(nil), args[:i]...), found)
					args = append(args, tt.args[i+1:]...)
				}
			}
			code, stdout, stderr := locklabReal(t, tt.stdin, args...)
			if code != tt.wantCode {
				t.Errorf("locklab %s: exit %d; want %d\nstderr: %s", strings.Join(args, " "), code, tt.wantCode, stderr)
			}
			if tt.name == "explore-found" {
				found = replayArgs(t, stdout)[5]
			}
			golden(t, tt.name, deferLineRE.ReplaceAllString(normalize(stdout), "${1}N"))
		})
	}
}
