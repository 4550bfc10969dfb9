// Package labtest runs lab variants in a child process, for tests.
//
// A variant with a deliberate data race must not run inside a test binary
// built with -race: the race detector would fail the test that ran it, and
// `go test -race ./...` must stay green. labtest uses the helper-process
// pattern instead. The test re-executes its own binary, which runs only
// TestHelperProcess; that runs the variant with package run and writes the
// *run.Result as JSON to a file the parent names. The parent reads the
// result, the exit status and the race reports the child printed.
//
// In the test package of a scenario:
//
//	func TestHelperProcess(t *testing.T) { labtest.HelperProcess(t, counter.Scenario) }
//
//	func TestRace(t *testing.T) {
//		if !labtest.RaceEnabled {
//			t.Skip("the race detector is off: run go test -race")
//		}
//		c := labtest.RunChild(t, "counter", "unsynchronized", labs.Config{})
//		if c.Races() == 0 {
//			t.Errorf("no data race reported")
//		}
//	}
package labtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/run"
)

// RaceEnabled reports whether the test binary was built with -race, and so
// whether a child run can report data races.
const RaceEnabled = raceEnabled

// The environment of a child run.
const (
	envVariant = "LOCKLAB_HELPER"        // scenario/variant to run
	envConfig  = "LOCKLAB_HELPER_CONFIG" // the labs.Config, as JSON
	envResult  = "LOCKLAB_HELPER_RESULT" // the file to write the *run.Result to

	// goRace makes the race detector report every race, exit with status
	// 66 if it found one outside a test, and not linger at exit.
	goRace = "halt_on_error=0 exitcode=66 atexit_sleep_ms=0"
)

// Limit bounds a child run; it is shortened to fit the test's deadline.
const Limit = 60 * time.Second

// ChildResult is what a child run produced.
type ChildResult struct {
	Result *run.Result // the run, as the child reported it
	// ExitCode is the child's exit status: 0 if all went well; 1 if its
	// test failed, which the testing package makes it do when the race
	// detector fires during the test, and goleak when a goroutine leaked;
	// 66 for a race found outside any test.
	ExitCode int
	Stdout   string // the child's test output
	Stderr   string // race reports, panics
}

// Races returns how many data races the race detector reported.
func (c *ChildResult) Races() int {
	return strings.Count(c.Stderr, "WARNING: DATA RACE")
}

// RunChild runs the named variant with cfg in a child process: the test
// binary itself, re-executed to run only TestHelperProcess, which must call
// HelperProcess. It fails t if the child cannot be started, exceeds its
// time limit or writes no result; a child that exits non-zero (its race
// detector fired, say) is not a failure, and the caller checks ExitCode.
func RunChild(t testing.TB, scenario, variant string, cfg labs.Config) *ChildResult {
	t.Helper()
	conf, err := json.Marshal(cfg)
	if err != nil {
		t.Fatalf("labtest: %v", err)
	}
	limit := Limit
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if dl, ok := d.Deadline(); ok {
			limit = min(limit, time.Until(dl)*9/10)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()

	out := filepath.Join(t.TempDir(), "result.json")
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1", "-test.timeout="+limit.String())
	cmd.Env = append(os.Environ(),
		envVariant+"="+scenario+"/"+variant,
		envConfig+"="+string(conf),
		envResult+"="+out,
		"GORACE="+goRace,
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = time.Second
	err = cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("labtest: %s/%s: %v", scenario, variant, err)
	}
	c := &ChildResult{ExitCode: cmd.ProcessState.ExitCode(), Stdout: stdout.String(), Stderr: stderr.String()}
	if ctx.Err() != nil {
		t.Fatalf("labtest: %s/%s: the child exceeded its time limit of %v\nstdout:\n%s\nstderr:\n%s",
			scenario, variant, limit, c.Stdout, c.Stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("labtest: %s/%s: the child (exit status %d) wrote no result: %v\nstdout:\n%s\nstderr:\n%s",
			scenario, variant, c.ExitCode, err, c.Stdout, c.Stderr)
	}
	c.Result = new(run.Result)
	if err := json.Unmarshal(data, c.Result); err != nil {
		t.Fatalf("labtest: %s/%s: bad result from the child: %v", scenario, variant, err)
	}
	return c
}

// HelperProcess is the child's side of RunChild. Call it from a test named
// TestHelperProcess with the scenarios the package's tests run; it does
// nothing unless the test binary was started by RunChild. It runs the
// variant with run.DefaultOptions and writes the result for the parent.
func HelperProcess(t *testing.T, scenarios ...*labs.Scenario) {
	name, ok := os.LookupEnv(envVariant)
	if !ok {
		return
	}
	if err := helper(name, scenarios); err != nil {
		t.Fatalf("labtest: helper process: %v", err)
	}
}

func helper(name string, scenarios []*labs.Scenario) error {
	sname, vname, ok := strings.Cut(name, "/")
	if !ok {
		return fmt.Errorf("%s=%q: want scenario/variant", envVariant, name)
	}
	var s *labs.Scenario
	var valid []string
	for _, sc := range scenarios {
		valid = append(valid, sc.Name)
		if sc.Name == sname {
			s = sc
		}
	}
	if s == nil {
		return &labs.UnknownError{What: "scenario", Name: sname, Valid: valid}
	}
	v, err := s.Variant(vname)
	if err != nil {
		return err
	}
	var cfg labs.Config
	if err := json.Unmarshal([]byte(os.Getenv(envConfig)), &cfg); err != nil {
		return fmt.Errorf("%s: %w", envConfig, err)
	}
	res, err := run.Run(context.Background(), s, v, cfg, run.DefaultOptions())
	if err != nil {
		return err
	}
	data, err := json.Marshal(res)
	if err != nil {
		return err
	}
	return os.WriteFile(os.Getenv(envResult), data, 0o644)
}
