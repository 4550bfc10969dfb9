package race

import (
	"context"
	"slices"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/catalog"
	"github.com/locklab/locklab/labs/run"
)

// expectRuns is how many times TestExpectations runs each variant. The
// race detector sees a race whenever both accesses happen without
// anything ordering them, which in the racy variants is every run; the
// check-then-act overdraft, a matter of timing, shows in at least 99 runs
// in 100.
const expectRuns = 2

// TestExpectations is the catalog's race contract, both ways, in the race
// binary: every variant that declares labs.Race is reported, with an
// access in its own file; every other variant is clean. The bank's
// check-then-act, a race condition without a data race, is clean too,
// and yet its runs break the "no overdraft" invariant, and its note says
// why the race detector is silent.
func TestExpectations(t *testing.T) {
	bin := raceBinary(t)
	all := catalog.All()
	obs, err := CheckAll(context.Background(), bin, all, Options{Runs: expectRuns, Logger: zaptest.NewLogger(t)})
	if err != nil {
		t.Fatalf("CheckAll: %v", err)
	}
	i := 0
	for _, s := range all {
		for _, v := range s.Variants {
			o := obs[i]
			i++
			t.Run(s.Name+"/"+v.Name, func(t *testing.T) {
				if o.Scenario != s.Name || o.Variant != v.Name || o.Runs != expectRuns || len(o.Outcomes) != expectRuns {
					t.Fatalf("observation of %s/%s with %d runs, %d outcomes; want %s/%s with %d",
						o.Scenario, o.Variant, o.Runs, len(o.Outcomes), s.Name, v.Name, expectRuns)
				}
				if slices.Contains(o.Outcomes, Killed) {
					t.Errorf("outcomes %v; want no child killed at its time limit", o.Outcomes)
				}
				if !o.Agrees {
					t.Errorf("Agrees = false; want true: expected race %v, %d of %d runs raced, races %+v\nnote: %s",
						o.Expected, o.RunsWithRace, o.Runs, o.Races, o.Note)
				}
				if !v.Expects(labs.Race) {
					if o.RunsWithRace != 0 || len(o.Races) != 0 {
						t.Errorf("%d runs raced (%+v); want none", o.RunsWithRace, o.Races)
					}
					return
				}
				if o.RunsWithRace != expectRuns || !o.InFile(v.File) {
					t.Errorf("%d of %d runs raced, races %+v; want every run, in %s", o.RunsWithRace, o.Runs, o.Races, v.File)
				}
				// Every access is named after its worker: this checks
				// native's prediction of the race detector's goroutine
				// numbers (run.WorkerResult.RaceGoroutine) against real
				// reports.
				for _, seen := range o.Races {
					for _, a := range seen.Race.Accesses {
						if a.Op == "" || a.Goroutine == 0 || a.At.IsZero() || !strings.HasPrefix(a.Worker, s.Workers+" ") {
							t.Errorf("access %+v; want its op, goroutine, position and the name of its %s", a, s.Workers)
						}
					}
				}
			})
		}
	}
}

// TestAtomicityViolation checks the lab's central contrast on the bank's
// check-then-act: no data race, and money still lost.
func TestAtomicityViolation(t *testing.T) {
	bin := raceBinary(t)
	s, v, err := catalog.LookupVariant("bank", "check-then-act")
	if err != nil {
		t.Fatal(err)
	}
	o, err := Check(context.Background(), bin, s, v, Options{Runs: expectRuns, Logger: zaptest.NewLogger(t)})
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if o.Raced() || !o.Agrees {
		t.Errorf("check-then-act: %d runs raced, agrees %v; want no race, agreeing with the catalog", o.RunsWithRace, o.Agrees)
	}
	i := slices.IndexFunc(o.Violations, func(v Violation) bool { return v.Name == "no overdraft" })
	if i < 0 || o.Violations[i].Runs == 0 || !slices.Contains(o.Outcomes, run.Violated) {
		t.Errorf("check-then-act: violations %+v, outcomes %v; want \"no overdraft\" broken", o.Violations, o.Outcomes)
	}
	for _, want := range []string{"silent here by design", "A data race is", "A race condition is", "atomicity violation"} {
		if !strings.Contains(o.Note, want) {
			t.Errorf("check-then-act: note %q; want it to contain %q", o.Note, want)
		}
	}
}
