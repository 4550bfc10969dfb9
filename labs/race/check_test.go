package race

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/run"
)

// toy is a scenario for the tests that need no real child.
var toy = &labs.Scenario{
	Name: "toy", Defaults: labs.Config{Workers: 2, Ops: 4, Seed: 7, Yield: labs.YieldGosched},
	Variants: []labs.Variant{
		{Name: "racy", Kind: labs.Buggy, Bug: labs.DataRace, Caught: []labs.Detector{labs.Race}, File: "labs/toy/racy.go", Lesson: "racy"},
		{Name: "atomicity", Kind: labs.Buggy, Bug: labs.AtomicityViolation, Caught: []labs.Detector{labs.Invariant}, File: "labs/toy/atomicity.go", Lesson: "locked, not atomic"},
		{Name: "abba", Kind: labs.Buggy, Bug: labs.CircularWait, Caught: []labs.Detector{labs.WaitFor}, File: "labs/toy/abba.go"},
		{Name: "fixed", Kind: labs.Fixed, File: "labs/toy/fixed.go"},
	},
}

func variant(t *testing.T, name string) *labs.Variant {
	t.Helper()
	v, err := toy.Variant(name)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestChildArgs(t *testing.T) {
	opts := Options{Timeout: 3 * time.Second, Stall: 500 * time.Millisecond}
	tests := []struct {
		yield time.Duration
		want  string
	}{
		{labs.YieldGosched, "--yield 0"},
		{0, "--yield 0"},
		{500 * time.Microsecond, "--yield 500µs"},
	}
	for _, tt := range tests {
		cfg := labs.Config{Workers: 3, Ops: 9, Seed: 11, Yield: tt.yield}
		got := strings.Join(childArgs(toy, variant(t, "racy"), cfg, opts), " ")
		want := "run toy --variant racy --json --detector none --workers 3 --ops 9 --seed 11 " + tt.want + " --timeout 3s --stall 500ms"
		if got != want {
			t.Errorf("childArgs(yield %v) = %q; want %q", tt.yield, got, want)
		}
	}
}

func TestChildEnv(t *testing.T) {
	t.Setenv("GORACE", "halt_on_error=1")
	t.Setenv("LOCKLAB_CHILD", "godeadlock")
	env := childEnv()
	var gorace []string
	for _, kv := range env {
		if strings.HasPrefix(kv, "GORACE=") {
			gorace = append(gorace, kv)
		}
		if strings.HasPrefix(kv, "LOCKLAB_") {
			t.Errorf("childEnv() has %q; want no LOCKLAB_ variable", kv)
		}
	}
	if !slices.Equal(gorace, []string{"GORACE=" + GORACE}) {
		t.Errorf("childEnv() GORACE = %q; want only %q", gorace, "GORACE="+GORACE)
	}
}

func TestOptions(t *testing.T) {
	tests := []struct {
		opts Options
		want string // in the error; "" for none
	}{
		{Options{}, ""},
		{Options{Runs: 1, Timeout: time.Millisecond}, ""},
		{Options{Runs: -1}, "runs must be between 1 and 1000, got -1"},
		{Options{Runs: 1001}, "runs must be between 1 and 1000, got 1001"},
		{Options{Timeout: -time.Second}, "timeout must be between 1ms and 1h0m0s, got -1s"},
		{Options{Timeout: 2 * time.Hour}, "timeout must be between"},
		{Options{Stall: -1}, "stall must be between"},
		{Options{Parallel: -2}, "parallel must be at least 1, got -2"},
	}
	for _, tt := range tests {
		got, err := tt.opts.withDefaults()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%+v.withDefaults() = %v; want nil", tt.opts, err)
		case tt.want == "" && (got.Runs < 1 || got.Timeout <= 0 || got.Stall <= 0 || got.Stall > got.Timeout || got.Parallel < 1 || got.Logger == nil):
			t.Errorf("%+v.withDefaults() = %+v; want every field set and Stall <= Timeout", tt.opts, got)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%+v.withDefaults() = %v; want an error containing %q", tt.opts, err, tt.want)
		}
	}
}

// fake runs the test binary as a child in the given mode.
func fake(t *testing.T, mode string, opts Options) (child, error) {
	t.Helper()
	t.Setenv(fakeEnv, mode)
	opts, err := opts.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	opts.Logger = zaptest.NewLogger(t)
	return runChild(context.Background(), os.Args[0], target{toy, variant(t, "racy")}, toy.Defaults, opts, 0)
}

func TestRunChild(t *testing.T) {
	c, err := fake(t, "race", Options{})
	if err != nil {
		t.Fatalf("runChild(race) = %v; want nil", err)
	}
	if c.outcome != run.OK || !c.raced || len(c.races) != 1 || c.result == nil {
		t.Fatalf("runChild(race) = %+v; want outcome ok and one race", c)
	}
	if k := c.races[0].Key(); k != "labs/toy/racy.go:24 labs/toy/racy.go:26" {
		t.Errorf("race key = %q; want the two lines of racy.go", k)
	}
	if want := "--variant racy --json --detector none"; !strings.Contains(c.result.Lesson, want) {
		t.Errorf("child command line = %q; want it to contain %q", c.result.Lesson, want)
	}

	c, err = fake(t, "unreadable", Options{})
	if err != nil || !c.raced || len(c.races) != 0 {
		t.Errorf("runChild(unreadable) = %+v, %v; want raced (exit status %d) with no race parsed", c, err, raceExit)
	}
	c, err = fake(t, "invariant", Options{})
	if err != nil || c.raced || c.outcome != run.Violated {
		t.Errorf("runChild(invariant) = %+v, %v; want outcome invariant, no race", c, err)
	}
}

func TestRunChildFails(t *testing.T) {
	tests := []struct {
		mode string
		want string // in the error
	}{
		{"usage", `(exit status 2) wrote no result: locklab: unknown scenario "toy"`},
		{"silent", "(exit status 0) wrote no result: (nothing on stderr)"},
	}
	for _, tt := range tests {
		_, err := fake(t, tt.mode, Options{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("runChild(%s) = %v; want an error containing %q", tt.mode, err, tt.want)
		}
	}
}

// TestRunChildKilled checks that a child that outlives its time limit is
// killed with what it started, and that its race report still counts.
func TestRunChildKilled(t *testing.T) {
	start := time.Now()
	c, err := fake(t, "hang", Options{Timeout: 100 * time.Millisecond, grace: 400 * time.Millisecond})
	if err != nil {
		t.Fatalf("runChild(hang) = %v; want nil", err)
	}
	if c.outcome != Killed || !c.raced || len(c.races) != 1 || c.result != nil {
		t.Errorf("runChild(hang) = %+v; want outcome killed with one race and no result", c)
	}
	// The grandchild holds stdout open for a minute: only killing the
	// process group (or WaitDelay) ends the wait.
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("runChild(hang) took %v; want it to return soon after the limit", d)
	}
}

func TestCheckCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	t.Setenv(fakeEnv, "race")
	opts, _ := Options{}.withDefaults()
	_, err := runChild(ctx, os.Args[0], target{toy, variant(t, "racy")}, toy.Defaults, opts, 0)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("runChild(canceled) = %v; want context.Canceled", err)
	}
}

func TestCheckBadInput(t *testing.T) {
	notGo := filepath.Join(t.TempDir(), "locklab")
	if err := os.WriteFile(notGo, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		bin  string
		opts Options
		want string
	}{
		{"runs", notGo, Options{Runs: MaxRuns + 1}, "runs must be between"},
		{"config", notGo, Options{Config: labs.Config{Workers: 1}}, "toy: workers must be between 2 and 1000, got 1"},
		{"not a Go program", notGo, Options{}, "is not a Go program"},
		{"missing", filepath.Join(t.TempDir(), "nothing"), Options{}, "is not a Go program"},
	}
	for _, tt := range tests {
		_, err := Check(context.Background(), tt.bin, toy, variant(t, "racy"), tt.opts)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Check(%s) = %v; want an error containing %q", tt.name, err, tt.want)
		}
	}
	if _, err := Check(context.Background(), notGo, nil, nil, Options{}); err == nil {
		t.Errorf("Check(nil scenario) = nil; want an error")
	}
}

// at builds a race between two positions.
func at(op1 string, line1 int, op2 string, line2 int, file string) detector.Race {
	return detector.Race{Accesses: [2]detector.Access{
		{Op: op1, Goroutine: 13, At: detector.Pos{File: file, Line: line1}},
		{Op: op2, Goroutine: 14, At: detector.Pos{File: file, Line: line2}},
	}}
}

func TestObserve(t *testing.T) {
	rw := at("read", 24, "write", 26, "labs/toy/racy.go")
	wr := at("write", 26, "read", 24, "labs/toy/racy.go") // the same race, roles swapped
	ww := at("write", 26, "write", 26, "labs/toy/racy.go")
	elsewhere := at("read", 3, "write", 4, "labs/toy/other.go")
	overdraft := func(actual string) *run.Result {
		return &run.Result{Outcome: run.Violated, Invariants: []labs.Check{
			{Name: "money is conserved", OK: true},
			{Name: "no overdraft", Expected: "no balance below 0", Actual: actual},
		}}
	}
	ok := &run.Result{Outcome: run.OK, Invariants: []labs.Check{{Name: "money is conserved", OK: true}}}
	tests := []struct {
		name         string
		variant      string
		runs         []child
		wantRaced    int
		wantSeen     []int // Seen.Runs of each distinct race
		wantAgrees   bool
		wantNote     []string // in Note; nil for an empty Note
		wantViolated []Violation
	}{
		{
			name: "racy, in every run", variant: "racy",
			runs: []child{
				{outcome: run.OK, result: ok, raced: true, races: []detector.Race{rw, ww}},
				{outcome: run.OK, result: ok, raced: true, races: []detector.Race{wr}},
				{outcome: Killed, raced: true, races: []detector.Race{ww}},
			},
			wantRaced: 3, wantSeen: []int{2, 2}, wantAgrees: true,
		},
		{
			name: "racy, never", variant: "racy",
			runs:      []child{{outcome: run.OK, result: ok}, {outcome: run.OK, result: ok}},
			wantRaced: 0, wantAgrees: false, wantNote: []string{"none of the 2 runs", "--runs"},
		},
		{
			name: "racy, elsewhere only", variant: "racy",
			runs:      []child{{outcome: run.OK, result: ok, raced: true, races: []detector.Race{elsewhere}}},
			wantRaced: 1, wantSeen: []int{1}, wantAgrees: false, wantNote: []string{"none in labs/toy/racy.go"},
		},
		{
			name: "fixed, clean", variant: "fixed",
			runs:       []child{{outcome: run.OK, result: ok}},
			wantAgrees: true,
		},
		{
			name: "fixed, unreadable race", variant: "fixed",
			runs:      []child{{outcome: run.OK, result: ok, raced: true}},
			wantRaced: 1, wantAgrees: false, wantNote: []string{"yet the race detector reported one"},
		},
		{
			name: "atomicity violation", variant: "atomicity",
			runs: []child{
				{outcome: run.Violated, result: overdraft("account 1 went down to -40")},
				{outcome: run.OK, result: ok},
				{outcome: run.Violated, result: overdraft("account 0 went down to -10")},
			},
			wantAgrees: true,
			wantNote:   []string{"silent here by design", "A data race is", "A race condition is", "atomicity violation"},
			wantViolated: []Violation{
				{Name: "no overdraft", Expected: "no balance below 0", Actual: "account 1 went down to -40", Runs: 2},
			},
		},
		{
			name: "deadlock", variant: "abba",
			runs:       []child{{outcome: run.Stall, result: &run.Result{Outcome: run.Stall}}},
			wantAgrees: true, wantNote: []string{"a deadlock is not a data race"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := variant(t, tt.variant)
			o := observe(toy, v, toy.Defaults, tt.runs)
			if o.Runs != len(tt.runs) || o.RunsWithRace != tt.wantRaced || o.Agrees != tt.wantAgrees {
				t.Errorf("observe: runs %d, with race %d, agrees %v; want %d, %d, %v",
					o.Runs, o.RunsWithRace, o.Agrees, len(tt.runs), tt.wantRaced, tt.wantAgrees)
			}
			var seen []int
			for _, s := range o.Races {
				seen = append(seen, s.Runs)
			}
			if !slices.Equal(seen, tt.wantSeen) {
				t.Errorf("observe: races seen in %v runs; want %v", seen, tt.wantSeen)
			}
			if len(o.Outcomes) != len(tt.runs) || o.Expected != v.Expects(labs.Race) || o.File != v.File || o.Lesson != v.Lesson {
				t.Errorf("observe = %+v; want one outcome per run and the variant's declaration", o)
			}
			if !slices.Equal(o.Violations, tt.wantViolated) && !(len(o.Violations) == 0 && len(tt.wantViolated) == 0) {
				t.Errorf("observe: violations %+v; want %+v", o.Violations, tt.wantViolated)
			}
			if tt.wantNote == nil && o.Note != "" {
				t.Errorf("observe: note %q; want none", o.Note)
			}
			for _, w := range tt.wantNote {
				if !strings.Contains(o.Note, w) {
					t.Errorf("observe: note %q; want it to contain %q", o.Note, w)
				}
			}
			if o.Races == nil || o.Outcomes == nil || o.Violations == nil {
				t.Errorf("observe: nil list in %+v; want [] in JSON", o)
			}
		})
	}
}

// TestNoteEveryBugClass checks that every buggy variant the race detector
// is rightly silent on gets a note that says so.
func TestNoteEveryBugClass(t *testing.T) {
	for _, bug := range []labs.BugClass{labs.LostUpdate, labs.CircularWait, labs.AtomicityViolation, labs.Livelock, labs.Starvation, "other"} {
		v := &labs.Variant{Name: "v", Kind: labs.Buggy, Bug: bug}
		o := &Observation{Runs: 1, Agrees: true}
		if n := note(v, o); !strings.Contains(n, "silent") || !strings.Contains(n, "data race") {
			t.Errorf("note(%s) = %q; want it to say the race detector is silent, and why", bug, n)
		}
	}
}
