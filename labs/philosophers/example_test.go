package philosophers_test

import (
	"context"
	"fmt"

	"github.com/locklab/locklab/labs/philosophers"
	"github.com/locklab/locklab/labs/run"
)

// The resource hierarchy always finishes: every philosopher eats every
// meal and the detectors find nothing.
func Example() {
	s := philosophers.Scenario
	v, _ := s.Variant("hierarchy")
	res, err := run.Run(context.Background(), s, v, s.Defaults, run.DefaultOptions())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("outcome:", res.Outcome)
	for _, c := range res.Invariants {
		fmt.Printf("%s: %s (ok: %v)\n", c.Name, c.Actual, c.OK)
	}
	// Output:
	// outcome: ok
	// every philosopher ate every meal: 3 3 3 3 3 (ok: true)
	// no fork in two hands at once: 0 clashes (ok: true)
}

// Left then right deadlocks: the wait-for graph reports who holds which
// fork and waits for which, and where. The run unwinds and returns. (The
// order of the cycle depends on who blocked last, so there is no fixed
// output.)
func Example_deadlock() {
	s := philosophers.Scenario
	res, _ := run.Run(context.Background(), s, s.FirstBuggy(), s.Defaults, run.DefaultOptions())
	fmt.Println("outcome:", res.Outcome)
	for _, f := range res.Findings {
		if f.Kind != "deadlock" {
			continue
		}
		for _, st := range f.Steps {
			fmt.Printf("%s holds %s, waits for %s (held by %s) at %s\n", st.Worker, st.Holds[0], st.Lock, st.Owner, st.At)
		}
	}
}
