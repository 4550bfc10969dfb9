package philosophers

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/run"
)

// TestReliability measures how often each variant comes out as it does with
// the scenario's defaults. It is off by default; run it with
//
//	LOCKLAB_RUNS=100 go test -run Reliability -v ./labs/philosophers
//
// LOCKLAB_VARIANT, LOCKLAB_WORKERS and LOCKLAB_YIELD (a duration) narrow it.
func TestReliability(t *testing.T) {
	runs, _ := strconv.Atoi(os.Getenv("LOCKLAB_RUNS"))
	if runs <= 0 {
		t.Skip("set LOCKLAB_RUNS to measure")
	}
	workers, _ := strconv.Atoi(os.Getenv("LOCKLAB_WORKERS"))
	yield, _ := time.ParseDuration(os.Getenv("LOCKLAB_YIELD"))
	for _, v := range Scenario.Variants {
		if name := os.Getenv("LOCKLAB_VARIANT"); name != "" && name != v.Name {
			continue
		}
		counts := map[run.Outcome]int{}
		for range runs {
			res, err := run.Run(context.Background(), Scenario, &v, labs.Config{Workers: workers, Yield: yield}, run.DefaultOptions())
			if err != nil {
				t.Fatalf("Run(%s) = %v", v.Name, err)
			}
			counts[res.Outcome]++
		}
		t.Logf("%s: %v", v.Name, counts)
	}
}
