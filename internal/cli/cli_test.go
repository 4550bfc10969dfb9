package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/locklab/locklab/grade/sandbox"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/catalog"
	"github.com/locklab/locklab/labs/run"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

func TestMain(m *testing.M) {
	sandbox.Init() // the grader's sandbox helper is this test binary, started again
	// run.GoDeadlock runs the variant in a child: this test binary.
	if handled, code := run.ServeChild(fixtureVariant); handled {
		os.Exit(code)
	}
	goleak.VerifyTestMain(m)
}

// fixtureVariant finds a variant of the fixture catalog or, for the
// child of a TestHelperMain process, which runs the real one, of the
// real catalog.
func fixtureVariant(scenario, variant string) (*labs.Scenario, *labs.Variant, error) {
	deps, _, _ := testDeps()
	s, err := deps.lookup(scenario)
	if err != nil {
		return catalog.LookupVariant(scenario, variant)
	}
	v, err := s.Variant(variant)
	return s, v, err
}

// testDeps returns dependencies on the fixture catalog and the native
// runner, writing to the returned buffers.
func testDeps() (*Deps, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return &Deps{
		Out:     &out,
		ErrOut:  &errOut,
		Catalog: fixtureCatalog,
		Run:     run.Run,
		// Hermetic: no CI system's sharding variables.
		Getenv: func(string) string { return "" },
	}, &out, &errOut
}

// locklab runs the command line and returns its exit status and output.
func locklab(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	deps, out, errOut := testDeps()
	code = execute(context.Background(), deps, args)
	return code, out.String(), errOut.String()
}

var (
	durationRE = regexp.MustCompile(`\b\d+(\.\d+)? ?(ns|µs|us|ms|s|m|h)\b`)
	stepsRE    = regexp.MustCompile(`\(\d+ steps\)`)
	jsonNanoRE = regexp.MustCompile(`"(elapsed_ns|detected_after_ns|goroutine)": \d+`)
	// raceGoroutineRE is a field that only a race-enabled build writes.
	raceGoroutineRE = regexp.MustCompile(`,\n\s*"race_goroutine": \d+`)
	// A native run's events and its lane summary depend on the timing:
	// the render tests check them on fixed events.
	jsonEventsRE   = regexp.MustCompile(`(?s)\n  "events": \[.*?\n  \],`)
	summaryLanesRE = regexp.MustCompile(`(?m)^((What each .* did last|How the update was lost): .*\n)(.+\n)+`)
)

// normalize replaces what changes from run to run: durations, step counts,
// the JSON times and goroutine ids (and drops the race detector's, which
// only a build with -race has), a native run's events and lane summary.
func normalize(s string) string {
	s = raceGoroutineRE.ReplaceAllString(s, "")
	s = jsonEventsRE.ReplaceAllString(s, "\n  \"events\": [...],")
	s = summaryLanesRE.ReplaceAllString(s, "$1  <lanes>\n")
	s = jsonNanoRE.ReplaceAllString(s, `"$1": 0`)
	s = stepsRE.ReplaceAllString(s, "(N steps)")
	return durationRE.ReplaceAllString(s, "D")
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestGolden(t *testing.T) {
	tests := []struct {
		name     string // golden file name inside testdata
		args     []string
		wantCode int
	}{
		{"list", []string{"list"}, 0},
		{"list-json", []string{"list", "--json"}, 0},
		{"explain", []string{"explain", "toy"}, 0},
		{"explain-variant", []string{"explain", "toy", "--variant", "abba"}, 0},
		{"explain-json", []string{"explain", "toy", "--variant", "ordered", "--json"}, 0},
		{"run-default-buggy", []string{"run", "toy"}, 1},
		{"run-buggy-ring", []string{"run", "toy", "--buggy", "--workers", "4"}, 1},
		// No JSON golden for a deadlock: the cycle starts at whichever
		// worker closed it. TestJSON checks its fields.
		{"run-fixed", []string{"run", "toy", "--variant", "ordered", "--ops", "20", "--seed", "3"}, 0},
		{"run-fixed-json", []string{"run", "toy", "--variant", "ordered", "--json"}, 0},
		{"run-invariant", []string{"run", "toy", "--variant", "lossy"}, 1},
		{"run-livelock", []string{"run", "toy", "--variant", "spin", "--stall", "50ms"}, 1},
		{"run-cooperative", []string{"run", "toy", "--variant", "owner", "--workers", "3"}, 0},
		{"run-detector-none", []string{"run", "toy", "--variant", "ordered", "--detector", "none"}, 0},
		{"help", []string{"--help"}, 0},
		{"help-run", []string{"run", "--help"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := locklab(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("locklab %s: exit %d; want %d\nstderr: %s", strings.Join(tt.args, " "), code, tt.wantCode, stderr)
			}
			if stderr != "" {
				t.Errorf("locklab %s: stderr = %q; want nothing", strings.Join(tt.args, " "), stderr)
			}
			if tt.args[0] == "run" && !slices.Contains(tt.args, "--help") {
				stdout = normalize(stdout)
			}
			golden(t, tt.name, stdout)
		})
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		args       []string
		wantStderr string // a substring of the one-line error
	}{
		{[]string{"run", "nosuch"}, `unknown scenario "nosuch"; valid: toy, queue`},
		{[]string{"run", "tyo"}, `(did you mean "toy"?)`},
		{[]string{"explain", "quu"}, `(did you mean "queue"?)`},
		{[]string{"run", "toy", "--variant", "abab"}, `unknown variant "abab"; valid: abba, ordered, lossy, spin, owner (did you mean "abba"?)`},
		{[]string{"explain", "toy", "--variant", "nope"}, `unknown variant "nope"`},
		{[]string{"run", "toy", "--buggy", "--variant", "ordered"}, "--buggy and --variant cannot be used together"},
		{[]string{"run", "toy", "--workers", "0"}, "workers must be between 2 and 1000, got 0"},
		{[]string{"run", "toy", "--workers", "-3"}, "workers must be between 2 and 1000, got -3"},
		{[]string{"run", "toy", "--workers", "1"}, "workers must be between 2 and 1000, got 1"},
		{[]string{"run", "toy", "--workers", "100000"}, "workers must be between 2 and 1000, got 100000"},
		{[]string{"run", "toy", "--workers", "many"}, `--workers: "many" is not a whole number`},
		{[]string{"run", "toy", "--ops", "0"}, "ops must be between 1 and 10000000, got 0"},
		{[]string{"run", "toy", "--ops", "-1"}, "ops must be between 1 and 10000000, got -1"},
		{[]string{"run", "toy", "--ops", "99999999999"}, "ops must be between 1 and 10000000"},
		{[]string{"run", "toy", "--ops", "99999999999999999999"}, "--ops: 99999999999999999999 is out of range (see locklab run --help for its bounds)"},
		{[]string{"run", "toy", "--seed", "0"}, "--seed must be at least 1"},
		{[]string{"run", "toy", "--seed", "-1"}, `--seed: "-1" is not a whole number of 0 or more`},
		{[]string{"run", "toy", "--yield", "2s"}, "yield must be between 0 and 1s, got 2s"},
		{[]string{"run", "toy", "--yield", "-1ms"}, "yield must be between 0 and 1s, got -1ms"},
		{[]string{"run", "toy", "--yield", "fast"}, `--yield: "fast" is not a duration: write a number and a unit, such as 500ms, 10s or 2m`},
		{[]string{"run", "toy", "--timeout", "0"}, "--timeout must be between 1ms and 1h, got 0s"},
		{[]string{"run", "toy", "--timeout", "-5s"}, "--timeout must be between 1ms and 1h, got -5s"},
		{[]string{"run", "toy", "--timeout", "2h"}, "--timeout must be between 1ms and 1h, got 2h0m0s"},
		{[]string{"run", "toy", "--timeout", "5x"}, `--timeout: "5x" is not a duration`},
		{[]string{"run", "toy", "--timeout", "10"}, `--timeout: "10" is not a duration`},
		{[]string{"run", "toy", "--stall", "0"}, "--stall must be between 1ms and 1h, got 0s"},
		{[]string{"run", "toy", "--detector", "wiatfor"}, `unknown detector "wiatfor"; valid: waitfor, lockorder, godeadlock, none (did you mean "waitfor"?)`},
		{[]string{"run", "toy", "--detector", "none,waitfor"}, "none cannot be combined"},
		{[]string{"run", "toy", "--detector", ""}, "empty detector name; valid: waitfor, lockorder, godeadlock, none"},
		{[]string{"run", "toy", "--detector", "waitfor,"}, "empty detector name"},
		{[]string{"run", "toy", "--detector", "godeadlock"}, "--detector godeadlock is not available"}, // no Deps.GoDeadlock
		{[]string{"run", "toy", "--detector", "godeadlock,waitfor"}, "godeadlock runs alone"},
		{[]string{"run"}, "locklab run needs a scenario: one of toy, queue"},
		{[]string{"run", "toy", "queue"}, "locklab run takes one scenario, got 2 arguments: toy queue"},
		{[]string{"explain"}, "locklab explain needs a scenario: one of toy, queue"},
		{[]string{"list", "toy"}, `locklab list takes no arguments, got "toy"`},
		{[]string{"rnu", "toy"}, `unknown command "rnu" for "locklab"; valid: completion, exercise, explain, explore, grade, help, list, merge, race, run, step (did you mean "run"?)`},
		{[]string{"frobnicate"}, `unknown command "frobnicate" for "locklab"`},
		{[]string{"run", "toy", "--bogus"}, "unknown flag: --bogus"},
		{[]string{"--bogus", "list"}, "unknown flag: --bogus"},
		{[]string{"list", "-x"}, "unknown shorthand flag: 'x' in -x"},
		{[]string{"run", "toy", "--workers"}, "flag needs an argument: --workers"},
		{[]string{"--log-level", "loud", "list"}, `--log-level: unknown level "loud"; valid: debug, info, warn, error`},
		{[]string{"--log-level", "fatal", "list"}, `unknown level "fatal"`},
		{[]string{"--log-format", "xml", "list"}, `--log-format: unknown format "xml"; valid: console, json`},
		{[]string{"completion", "tcsh"}, `unknown shell "tcsh"; valid: bash, fish, powershell, zsh`},
		{[]string{"run", "toy", "--json=maybe"}, `--json takes true or false (or nothing, for true), not "maybe"`},
		{[]string{"run", "toy", "--worker", "3"}, "unknown flag: --worker (did you mean --workers?); see locklab run --help"},
		{[]string{"run", "toy", "--frobnicate"}, "unknown flag: --frobnicate; see locklab run --help"},
		{[]string{"frobnicate"}, `unknown command "frobnicate" for "locklab"; valid: completion, exercise`},
		{[]string{"exercise", "nosuch"}, `unknown command "nosuch" for "locklab exercise"; valid: list`},
		{[]string{"exercise", "lsit"}, `unknown command "lsit" for "locklab exercise"; valid: list (did you mean "list"?)`},
		{[]string{"help", "nosuch"}, `unknown command "nosuch" for "locklab"; valid: completion, exercise`},
		{[]string{"help", "rnu"}, `(did you mean "run"?)`},
		{[]string{"help", "exercise", "nosuch"}, `unknown command "nosuch" for "locklab exercise"; valid: list`},
		{[]string{"--log-level", "debgu", "list"}, `(did you mean "debug"?)`},
		{[]string{"completion", "bsh"}, `unknown shell "bsh"; valid: bash, fish, powershell, zsh (did you mean "bash"?)`},
		{[]string{"completion", "bash", "extra"}, `locklab completion bash takes no arguments, got "extra"`},
	}
	for _, tt := range tests {
		name := strings.Join(tt.args, " ")
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := locklab(t, tt.args...)
			if code != exitError {
				t.Errorf("locklab %s: exit %d; want %d (stderr %q)", name, code, exitError, stderr)
			}
			if !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("locklab %s: stderr = %q; want it to contain %q", name, stderr, tt.wantStderr)
			}
			if !strings.HasPrefix(stderr, "locklab: ") || strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
				t.Errorf("locklab %s: stderr = %q; want one line starting with \"locklab: \"", name, stderr)
			}
			if stdout != "" {
				t.Errorf("locklab %s: stdout = %q; want nothing", name, stdout)
			}
		})
	}
}

func TestJSON(t *testing.T) {
	tests := []struct {
		args     []string
		wantCode int
		check    func(t *testing.T, data []byte)
	}{
		{[]string{"run", "toy", "--json"}, exitProblem, func(t *testing.T, data []byte) {
			var r run.Result
			mustUnmarshal(t, data, &r)
			if r.Scenario != "toy" || r.Variant != "abba" || r.Kind != labs.Buggy || r.Outcome != run.Deadlock {
				t.Errorf("result = %s/%s %s %s; want toy/abba buggy deadlock", r.Scenario, r.Variant, r.Kind, r.Outcome)
			}
			i := slices.IndexFunc(r.Findings, func(f detector.Finding) bool { return f.Kind == detector.Deadlock })
			if i < 0 || len(r.Findings[i].Steps) != 2 || r.Findings[i].Steps[0].At.File != "internal/cli/fixture_test.go" {
				t.Errorf("findings = %+v; want a 2-step deadlock cycle in the fixture", r.Findings)
			}
			if r.Elapsed <= 0 || r.DetectedAfter <= 0 || r.DetectedAfter > r.Elapsed {
				t.Errorf("elapsed %v, detected after %v; want 0 < detected <= elapsed", r.Elapsed, r.DetectedAfter)
			}
		}},
		{[]string{"run", "toy", "--variant", "ordered", "--workers", "3", "--ops", "7", "--seed", "5", "--json"}, exitOK, func(t *testing.T, data []byte) {
			var r run.Result
			mustUnmarshal(t, data, &r)
			want := run.ConfigJSON{Workers: 3, Ops: 7, Seed: 5, Yield: "0s"}
			if r.Config != want || r.Outcome != run.OK || len(r.Workers) != 3 || r.Workers[2].Progress != 7 {
				t.Errorf("result = %+v; want config %+v, outcome ok, 3 workers with 7 ops", r, want)
			}
			if len(r.Invariants) != 1 || !r.Invariants[0].OK || r.Invariants[0].Actual != "21" {
				t.Errorf("invariants = %+v; want total 21 OK", r.Invariants)
			}
			wantKeys(t, data, "scenario", "variant", "kind", "lesson", "worker_noun", "op_noun", "config", "detectors", "outcome", "findings", "invariants", "metrics", "workers", "events", "elapsed_ns")
			if len(r.Events) == 0 || r.Events[0].Op != "start" || r.Events[len(r.Events)-1].Op != "exit" {
				t.Errorf("events = %d, from %v; want a start first and an exit last", len(r.Events), r.Events)
			}
		}},
		{[]string{"run", "toy", "--variant", "ordered", "--detector", "lockorder", "--json"}, exitOK, func(t *testing.T, data []byte) {
			var r run.Result
			mustUnmarshal(t, data, &r)
			if strings.Join(r.Detectors, ",") != "lockorder,invariant,watchdog" {
				t.Errorf("detectors = %v; want lockorder,invariant,watchdog", r.Detectors)
			}
		}},
		{[]string{"list", "--json"}, exitOK, func(t *testing.T, data []byte) {
			var ss []struct {
				Name     string
				Variants []struct{ Name, Kind, Run string }
			}
			mustUnmarshal(t, data, &ss)
			if len(ss) != 2 || ss[0].Name != "toy" || len(ss[0].Variants) != 5 || ss[0].Variants[0].Run != "locklab run toy --variant abba" {
				t.Errorf("list = %+v; want toy with 5 variants, then queue", ss)
			}
		}},
		{[]string{"explain", "toy", "--json"}, exitOK, func(t *testing.T, data []byte) {
			var s struct {
				Name, Doc string
				Variants  []struct{ Name, Lesson string }
			}
			mustUnmarshal(t, data, &s)
			if s.Name != "toy" || !strings.HasPrefix(s.Doc, "Package toy is a fixture") || len(s.Variants) != 5 || s.Variants[1].Lesson == "" {
				t.Errorf("explain = %+v; want toy, its doc and 5 lessons", s)
			}
		}},
	}
	for _, tt := range tests {
		name := strings.Join(tt.args, " ")
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := locklab(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("locklab %s: exit %d; want %d (stderr %q)", name, code, tt.wantCode, stderr)
			}
			tt.check(t, []byte(stdout))
		})
	}
}

func mustUnmarshal(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("json.Unmarshal(%.200q) = %v; want nil", data, err)
	}
}

// wantKeys checks that the top-level JSON object has the keys in order.
func wantKeys(t *testing.T, data []byte, keys ...string) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("JSON does not start with an object: %v %v", tok, err)
	}
	var got []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	for i, k := range keys {
		if i >= len(got) || got[i] != k {
			t.Fatalf("JSON keys = %v; want them to start with %v", got, keys)
		}
	}
}

func TestCompletion(t *testing.T) {
	tests := []struct {
		args []string
		want []string // completions, in order, without descriptions
	}{
		{[]string{"__complete", "run", ""}, []string{"toy", "queue"}},
		{[]string{"__complete", "run", "q"}, []string{"queue"}},
		{[]string{"__complete", "explain", "t"}, []string{"toy"}},
		{[]string{"__complete", "run", "toy", ""}, nil},
		{[]string{"__complete", "run", "toy", "--variant", ""}, []string{"abba", "ordered", "lossy", "spin", "owner"}},
		{[]string{"__complete", "run", "toy", "--variant", "o"}, []string{"ordered", "owner"}},
		{[]string{"__complete", "run", "--variant", "l"}, nil}, // no scenario yet
		{[]string{"__complete", "explain", "queue", "--variant", "l"}, []string{"lossy", "loop"}},
		{[]string{"__complete", "run", "nosuch", "--variant", ""}, nil},
		{[]string{"__complete", "run", "toy", "--detector", ""}, []string{"waitfor", "lockorder", "godeadlock", "none"}},
		{[]string{"__complete", "run", "toy", "--detector", "lo"}, []string{"lockorder"}},
		{[]string{"__complete", "run", "toy", "--detector", "waitfor,"}, []string{"waitfor,lockorder"}},
		{[]string{"__complete", "--log-level", ""}, []string{"debug", "info", "warn", "error"}},
	}
	for _, tt := range tests {
		name := strings.Join(tt.args, " ")
		t.Run(name, func(t *testing.T) {
			code, stdout, _ := locklab(t, tt.args...)
			if code != exitOK {
				t.Fatalf("locklab %s: exit %d; want 0", name, code)
			}
			var got []string
			for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
				if strings.HasPrefix(line, ":") {
					continue // the directive
				}
				name, _, _ := strings.Cut(line, "\t")
				got = append(got, name)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("locklab %s = %q; want %q", name, got, tt.want)
			}
		})
	}
	// Descriptions help on a shell that shows them.
	_, stdout, _ := locklab(t, "__complete", "run", "toy", "--variant", "ab")
	if !strings.Contains(stdout, "abba\tbuggy: each worker locks its lock, then its neighbour's") {
		t.Errorf("variant completion = %q; want abba with its kind and summary", stdout)
	}
}

func TestCompletionScripts(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish", "powershell"} {
		code, stdout, stderr := locklab(t, "completion", sh)
		if code != exitOK || !strings.Contains(stdout, "locklab") || stderr != "" {
			t.Errorf("locklab completion %s: exit %d, %d bytes, stderr %q; want exit 0 and a script", sh, code, len(stdout), stderr)
		}
	}
	code, stdout, _ := locklab(t, "completion", "--help")
	if code != exitOK || !strings.Contains(stdout, "source <(locklab completion bash)") {
		t.Errorf("locklab completion --help: exit %d; want the examples in:\n%s", code, stdout)
	}
}

// TestRunOptions checks what the run command parses, through runF.
func TestRunOptions(t *testing.T) {
	tests := []struct {
		args []string
		want func(o *RunOptions) bool
	}{
		{[]string{"toy"}, func(o *RunOptions) bool {
			return o.Scenario == "toy" && !o.Buggy && o.Variant == "" && !o.WorkersSet && o.Detectors == detectorSet{WaitFor: true, LockOrder: true} && !o.JSON
		}},
		{[]string{"toy", "--workers", "7", "--ops", "3", "--seed", "11", "--yield", "1ms", "--json"}, func(o *RunOptions) bool {
			return o.WorkersSet && o.Workers == 7 && o.OpsSet && o.Ops == 3 && o.SeedSet && o.Seed == 11 && o.YieldSet && o.JSON
		}},
		{[]string{"toy", "--detector", "none"}, func(o *RunOptions) bool { return o.Detectors == detectorSet{} }},
		{[]string{"toy", "--detector", "waitfor,lockorder,lockorder"}, func(o *RunOptions) bool {
			return o.Detectors == detectorSet{WaitFor: true, LockOrder: true}
		}},
		{[]string{"toy", "--detector", "godeadlock"}, func(o *RunOptions) bool { return o.Detectors == detectorSet{GoDeadlock: true} }},
		{[]string{"--variant", "ordered", "toy", "--timeout", "3s", "--stall", "250ms"}, func(o *RunOptions) bool {
			return o.Variant == "ordered" && o.Timeout.String() == "3s" && o.Stall.String() == "250ms"
		}},
	}
	for _, tt := range tests {
		name := strings.Join(tt.args, " ")
		t.Run(name, func(t *testing.T) {
			deps, _, _ := testDeps()
			var got *RunOptions
			cmd := NewCmdRun(deps, func(o *RunOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			if err := cmd.Execute(); err != nil {
				t.Fatalf("run %s: %v; want nil", name, err)
			}
			if got == nil || !tt.want(got) {
				t.Errorf("run %s: options = %+v; not as expected", name, got)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	deps, _, _ := testDeps()
	o := &RunOptions{Deps: deps, Scenario: "queue"}
	s, v, cfg, err := o.resolve()
	if err != nil {
		t.Fatalf("resolve() = %v; want nil", err)
	}
	if s.Name != "queue" || v.Name != "lossy" || cfg != s.Defaults {
		t.Errorf("resolve() = %s/%s %+v; want queue/lossy (the first buggy) with the defaults", s.Name, v.Name, cfg)
	}

	// --yield 0 asks for no pause at all, not for the default pause.
	o = &RunOptions{Deps: deps, Scenario: "queue", YieldSet: true}
	if _, _, cfg, err = o.resolve(); err != nil || cfg.Yield != labs.YieldGosched {
		t.Errorf("resolve() with --yield 0: Yield = %v, %v; want YieldGosched", cfg.Yield, err)
	}
}

func TestLogging(t *testing.T) {
	code, stdout, stderr := locklab(t, "--log-level", "debug", "run", "toy", "--variant", "ordered")
	if code != exitOK || !strings.Contains(stdout, "OK:") {
		t.Fatalf("exit %d; want 0 and a result", code)
	}
	if !strings.Contains(stderr, "locklab.run") || !strings.Contains(stderr, "DEBUG") {
		t.Errorf("debug log = %q; want debug lines from locklab.run", stderr)
	}

	code, _, stderr = locklab(t, "--log-level", "info", "--log-format", "json", "run", "toy", "--variant", "ordered")
	if code != exitOK {
		t.Fatalf("exit %d; want 0", code)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	for _, line := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Errorf("log line %q is not JSON: %v", line, err)
		} else if m["logger"] != "locklab.run" {
			t.Errorf("log line %q: logger = %v; want locklab.run", line, m["logger"])
		}
	}
	if len(lines) == 0 || lines[0] == "" {
		t.Errorf("no info log line; want the run summary")
	}

	// At the default level nothing is logged.
	_, _, stderr = locklab(t, "run", "toy", "--variant", "ordered")
	if stderr != "" {
		t.Errorf("default log level wrote %q; want nothing", stderr)
	}
}

// TestRunnerErrors checks exit statuses for runs that end in an error
// rather than a result.
func TestRunnerErrors(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantCode   int
		wantStderr string
	}{
		{"interrupted", context.Canceled, exitInterrupted, "locklab: interrupted\n"},
		{"failed", os.ErrPermission, exitError, "locklab: permission denied\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			deps, out, errOut := testDeps()
			deps.Run = func(context.Context, *labs.Scenario, *labs.Variant, labs.Config, run.Options) (*run.Result, error) {
				return nil, tt.err
			}
			code := execute(context.Background(), deps, []string{"run", "toy"})
			if code != tt.wantCode || errOut.String() != tt.wantStderr || out.Len() != 0 {
				t.Errorf("exit %d, stderr %q, stdout %q; want %d, %q, nothing", code, errOut, out, tt.wantCode, tt.wantStderr)
			}
		})
	}
}

// TestGoDeadlock runs --detector godeadlock end to end: run.GoDeadlock
// starts this test binary as its child (see TestMain).
func TestGoDeadlock(t *testing.T) {
	tests := []struct {
		args     []string
		wantCode int
		wantOut  string
	}{
		{[]string{"run", "toy", "--detector", "godeadlock", "--stall", "400ms"}, exitProblem, "(go-deadlock"},
		{[]string{"run", "toy", "--variant", "ordered", "--detector", "godeadlock"}, exitOK, "checked by godeadlock, invariant, watchdog"},
	}
	for _, tt := range tests {
		name := strings.Join(tt.args, " ")
		t.Run(name, func(t *testing.T) {
			deps, out, errOut := testDeps()
			deps.GoDeadlock = run.GoDeadlock
			code := execute(context.Background(), deps, tt.args)
			if code != tt.wantCode || !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("locklab %s: exit %d; want %d and %q in\n%s\nstderr: %s", name, code, tt.wantCode, tt.wantOut, out, errOut)
			}
		})
	}
}

func TestOneLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"unknown command \"rnu\" for \"locklab\"\n\nDid you mean this?\n\trun\n", `unknown command "rnu" for "locklab" (did you mean "run"?)`},
		{"a\nb", "a b"},
		{"plain", "plain"},
	}
	for _, tt := range tests {
		if got := oneLine(errorString(tt.in)); got != tt.want {
			t.Errorf("oneLine(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }
