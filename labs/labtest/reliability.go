package labtest

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/run"
)

// EnvReliability names the environment variable that turns Reliability
// on: the number of runs per variant.
const EnvReliability = "LOCKLAB_RELIABILITY"

// Reliability measures the catalog's promise about s on this machine. It
// runs every variant of s in-process, with the scenario's defaults and
// run.DefaultOptions, as many times as EnvReliability says, and logs the
// outcomes and timings. It fails t if a buggy variant escapes a detector
// of its Caught list in more than 1-min of the runs (min = 0.99: at most
// one run in a hundred), or if a fixed or cooperative variant is reported
// by any detector not in its Warned list even once. Data races are not
// measured: variants that expect labs.Race are skipped under -race.
// Variants marked labs.Variant.Controlled are skipped: they do not run
// natively.
//
// It skips t when EnvReliability is unset, so that it can live beside the
// unit tests:
//
//	LOCKLAB_RELIABILITY=100 go test -run TestReliability -v ./labs/bank
func Reliability(t *testing.T, s *labs.Scenario, min float64) {
	n, err := strconv.Atoi(os.Getenv(EnvReliability))
	if err != nil || n <= 0 {
		t.Skipf("set %s=N to run every variant N times", EnvReliability)
	}
	for _, v := range s.Variants {
		t.Run(v.Name, func(t *testing.T) {
			if v.Expects(labs.Race) && RaceEnabled {
				t.Skip("races on purpose: run without -race")
			}
			if v.Controlled {
				t.Skip("runs only under the controlled scheduler, which is deterministic: nothing to measure")
			}
			outcomes := map[run.Outcome]int{}
			caught := map[labs.Detector]int{}
			clean := 0
			var total, worst time.Duration
			for range n {
				res, err := run.Run(context.Background(), s, &v, labs.Config{}, run.DefaultOptions())
				if err != nil {
					t.Fatalf("Run: %v", err)
				}
				outcomes[res.Outcome]++
				reported := Reported(res)
				for _, d := range reported {
					caught[d]++
				}
				if !slices.ContainsFunc(reported, func(d labs.Detector) bool { return !slices.Contains(v.Warned, d) }) {
					clean++
				}
				total += res.Elapsed
				worst = max(worst, res.Elapsed)
			}
			t.Logf("%s: outcomes %s; reported by %s; mean %v, worst %v", v.Name, tally(outcomes), tally(caught),
				(total / time.Duration(n)).Round(time.Microsecond), worst.Round(time.Microsecond))
			if v.Kind != labs.Buggy {
				if clean != n {
					t.Errorf("%s: reported in %d of %d runs; want none", v.Name, n-clean, n)
				}
				return
			}
			for _, d := range v.Caught {
				if d == labs.Race {
					continue
				}
				if rate := float64(caught[d]) / float64(n); rate < min {
					t.Errorf("%s: %s reported it in %d of %d runs; want at least %.0f%%", v.Name, d, caught[d], n, 100*min)
				}
			}
		})
	}
}

// tally formats counts as "a 3, b 1", in key order.
func tally[K ~string](m map[K]int) string {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
