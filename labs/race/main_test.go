package race

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/run"
)

// fakeEnv makes the test binary act as a race binary's child run (see
// fakeChild) instead of running the tests. Its name must not start with
// LOCKLAB_: childEnv drops those.
const fakeEnv = "RACETEST_FAKE_CHILD"

// cacheDir is where the tests build the race binary; TestMain removes it.
var cacheDir string

func TestMain(m *testing.M) {
	if mode, ok := os.LookupEnv(fakeEnv); ok {
		os.Exit(fakeChild(mode))
	}
	dir, err := os.MkdirTemp("", "locklab-race-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	cacheDir = dir
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		os.RemoveAll(dir)
		os.Exit(code)
	}))
}

// buildOnce builds cmd/locklab with -race once for the whole test binary.
var buildOnce = sync.OnceValues(func() (string, error) {
	return Build(context.Background(), BuildOptions{CacheDir: cacheDir})
})

// raceBinary returns the race-enabled locklab, built on first use. It
// skips t in -short mode, and where the toolchain cannot build with -race.
func raceBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds locklab with -race and runs it: skipped in -short mode")
	}
	bin, err := buildOnce()
	if errors.Is(err, ErrToolchain) {
		t.Skipf("Build: %v", err)
	}
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return bin
}

// A report as Go's race runtime prints it, cut to what the parser needs.
const fakeReport = `==================
WARNING: DATA RACE
Write at 0x00c000128cf8 by goroutine 13:
  github.com/locklab/locklab/labs/toy.play.func1()
      /src/locklab/labs/toy/racy.go:26 +0x71

Previous read at 0x00c000128cf8 by goroutine 14:
  github.com/locklab/locklab/labs/toy.play.func1()
      /src/locklab/labs/toy/racy.go:24 +0x4a

Goroutine 13 (running) created at:
  github.com/locklab/locklab/labs/toy.play()
      /src/locklab/labs/toy/racy.go:22 +0x15a
==================
`

// fakeChild plays a child run in the given mode and returns its exit
// status. The result's Lesson carries the command line it was given.
func fakeChild(mode string) int {
	result := func(outcome run.Outcome, checks ...labs.Check) {
		res := run.Result{Scenario: "toy", Variant: "racy", Outcome: outcome, Invariants: checks,
			Lesson: strings.Join(os.Args[1:], " ")}
		data, _ := json.MarshalIndent(res, "", "  ")
		os.Stdout.Write(data)
	}
	switch mode {
	case "race": // a race, nothing else wrong
		result(run.OK, labs.Check{Name: "total", Expected: "8", Actual: "8", OK: true})
		fmt.Fprint(os.Stderr, fakeReport+"Found 1 data race(s)\n")
		return raceExit
	case "invariant": // no race, a broken invariant
		result(run.Violated, labs.Check{Name: "no overdraft", Expected: "no balance below 0", Actual: "account 1 went down to -" + os.Getenv("RACETEST_DEPTH")})
		return 1
	case "unreadable": // a race the parser cannot read: only the exit status tells
		result(run.OK)
		return raceExit
	case "usage":
		fmt.Fprintln(os.Stderr, `locklab: unknown scenario "toy"; valid: counter, bank, philosophers`)
		return 2
	case "silent":
		return 0
	case "hang": // a race, then a hang, with a grandchild holding the output open
		sleeper := exec.Command(os.Args[0])
		sleeper.Env = append(os.Environ(), fakeEnv+"=sleep")
		sleeper.Stdout, sleeper.Stderr = os.Stdout, os.Stderr
		if err := sleeper.Start(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 3
		}
		fmt.Fprint(os.Stderr, fakeReport)
		time.Sleep(time.Minute)
		return 0
	case "sleep":
		time.Sleep(time.Minute)
		return 0
	}
	fmt.Fprintf(os.Stderr, "unknown fake mode %q\n", mode)
	return 3
}
