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

// The environment of the reliability loop.
const (
	// EnvReliability turns Reliability on: the number of runs per
	// variant.
	EnvReliability = "LOCKLAB_RELIABILITY"
	// EnvReliabilityVariant, if set, narrows Reliability to the variants
	// it names (comma-separated).
	EnvReliabilityVariant = "LOCKLAB_RELIABILITY_VARIANT"
)

// Reliability measures the catalog's promise about s on this machine. It
// runs every variant of s in-process, with the scenario's defaults and
// run.DefaultOptions, as many times as EnvReliability says, and logs the
// outcomes and timings. It fails t if a buggy variant escapes a detector
// of its Caught list in more than 1-min of the runs (min = 0.99: at most
// one run in a hundred), or if a fixed or cooperative variant is reported
// by any detector not in its Warned list even once.
//
// Only the detectors a native run has are measured: go-deadlock runs in
// a child process (TestGoDeadlockExpectations checks it), the race
// detector only in a race-enabled child (labs/race checks it; variants
// that expect a race are skipped under -race), and the explorer under
// the controlled scheduler (labs/explore's tests check it). A buggy
// variant caught only by the explorer is run and its rate logged, but
// it promises nothing natively. Variants marked
// labs.Variant.Controlled do not run natively and are skipped.
//
// It skips t when EnvReliability is unset, so that it can live beside the
// unit tests. One variable runs it for every scenario; -p 1 keeps the
// packages from running at once, which would change the timing measured:
//
//	LOCKLAB_RELIABILITY=100 go test -p 1 -timeout 2h -run TestReliability -v ./labs/...
func Reliability(t *testing.T, s *labs.Scenario, min float64) {
	n, err := strconv.Atoi(os.Getenv(EnvReliability))
	if err != nil || n <= 0 {
		t.Skipf("set %s=N to run every variant N times", EnvReliability)
	}
	var only []string
	if v := os.Getenv(EnvReliabilityVariant); v != "" {
		only = strings.Split(v, ",")
	}
	for _, v := range s.Variants {
		t.Run(v.Name, func(t *testing.T) {
			switch {
			case only != nil && !slices.Contains(only, v.Name):
				t.Skipf("not in %s", EnvReliabilityVariant)
			case v.Expects(labs.Race) && RaceEnabled:
				t.Skip("races on purpose: run without -race")
			case v.Controlled:
				t.Skip("runs only under the controlled scheduler, which is deterministic: nothing to measure")
			}
			outcomes := map[run.Outcome]int{}
			caught := map[labs.Detector]int{}
			ran := map[labs.Detector]bool{}
			clean := 0
			var total, worst time.Duration
			for range n {
				res, err := run.Run(context.Background(), s, &v, labs.Config{}, run.DefaultOptions())
				if err != nil {
					t.Fatalf("Run: %v", err)
				}
				for _, d := range res.Detectors {
					ran[labs.Detector(d)] = true
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
			t.Logf("%s/%s: outcomes %s; reported by %s; mean %v, worst %v", s.Name, v.Name, tally(outcomes), tally(caught),
				(total / time.Duration(n)).Round(time.Microsecond), worst.Round(time.Microsecond))
			if v.Kind != labs.Buggy {
				if clean != n {
					t.Errorf("%s: reported in %d of %d runs; want none", v.Name, n-clean, n)
				}
				return
			}
			measured := false
			for _, d := range v.Caught {
				if !ran[d] {
					continue // go-deadlock, the race detector, the explorer: see above
				}
				measured = true
				rate := float64(caught[d]) / float64(n)
				t.Logf("%s/%s: %s caught it in %d of %d runs", s.Name, v.Name, d, caught[d], n)
				if rate < min {
					t.Errorf("%s: %s reported it in %d of %d runs; want at least %.0f%%", v.Name, d, caught[d], n, 100*min)
				}
			}
			if !measured {
				t.Logf("%s/%s: caught only by %v, which native runs do not have: it promises nothing here (shown in %d of %d runs)",
					s.Name, v.Name, v.Caught, n-outcomes[run.OK], n)
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
