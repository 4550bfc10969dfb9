package catalog_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/catalog"
	"github.com/locklab/locklab/labs/explore"
	"github.com/locklab/locklab/labs/labtest"
	"github.com/locklab/locklab/labs/run"
)

// TestHelperProcess runs a variant for labtest.RunChild; it does nothing
// in a normal test run.
func TestHelperProcess(t *testing.T) { labtest.HelperProcess(t, catalog.All()...) }

// tries is how many native runs a buggy variant gets to show its bug. On
// real goroutines a buggy interleaving is likely, not certain: a loaded
// machine can delay one worker past the window. Each package's
// TestReliability measures the rate (at least 99 in 100 with defaults).
const tries = 3

// TestExpectations is the catalog's contract, checked for every variant
// with the scenario's defaults on the native runtime: a buggy variant is
// reported by every detector its Caught declares and by no other; a fixed
// or cooperative variant is reported by none (except what Warned
// explains) and keeps every invariant. A variant marked Controlled runs
// one random schedule under the controlled scheduler instead, as
// `locklab run` runs it. Data races are checked, the same way for the
// whole catalog, by labs/race's TestExpectations.
func TestExpectations(t *testing.T) {
	for _, s := range catalog.All() {
		for _, v := range s.Variants {
			t.Run(s.Name+"/"+v.Name, func(t *testing.T) {
				opts := run.DefaultOptions()
				if v.Bug == labs.Livelock {
					opts.Stall = 300 * time.Millisecond // a real livelock ends soon
				}
				meets(t, &v, func() *run.Result {
					if v.Controlled {
						res, err := explore.RunOnce(context.Background(), s, &v, labs.Config{}, 1)
						if err != nil {
							t.Fatalf("RunOnce: %v", err)
						}
						return res
					}
					if v.Expects(labs.Race) && labtest.RaceEnabled {
						// Racy code never runs in a race-enabled test
						// binary: its report would fail this test.
						return labtest.RunChild(t, s.Name, v.Name, labs.Config{}).Result
					}
					res, err := run.Run(context.Background(), s, &v, labs.Config{}, opts)
					if err != nil {
						t.Fatalf("Run: %v", err)
					}
					return res
				})
			})
		}
	}
}

// TestGoDeadlockExpectations runs every variant under
// github.com/sasha-s/go-deadlock, in a child process (its options are
// process-global and its locks cannot be aborted): the variants that
// declare labs.GoDeadlock must be reported, and the fixed ones not.
func TestGoDeadlockExpectations(t *testing.T) {
	if testing.Short() {
		t.Skip("go-deadlock runs take a second or more each: skipped in -short mode")
	}
	for _, s := range catalog.All() {
		for _, v := range s.Variants {
			if v.Expects(labs.Race) {
				continue // its data race would fail the race-enabled child
			}
			if v.Controlled {
				continue // runs only under the controlled scheduler
			}
			t.Run(s.Name+"/"+v.Name, func(t *testing.T) {
				t.Parallel() // each run is its own process
				opts := run.DefaultOptions()
				if v.Bug == labs.Livelock {
					opts.Stall = 300 * time.Millisecond
				}
				meets(t, &v, func() *run.Result {
					res, err := run.GoDeadlock(context.Background(), s, &v, labs.Config{}, opts)
					if err != nil {
						t.Fatalf("GoDeadlock: %v", err)
					}
					return res
				})
			})
		}
	}
}

// meets runs v until a run meets its declaration (labtest.Mismatches):
// once for a fixed variant, up to tries times for a buggy one, whose bug is
// likely but not certain on real goroutines.
func meets(t *testing.T, v *labs.Variant, runOnce func() *run.Result) {
	t.Helper()
	n := 1
	if v.Kind == labs.Buggy {
		n = tries
	}
	var miss []string
	for range n {
		if miss = labtest.Mismatches(v, runOnce()); len(miss) == 0 {
			return
		}
	}
	t.Errorf("in %d runs, none met the declaration; the last:\n%s", n, strings.Join(miss, "\n"))
}
