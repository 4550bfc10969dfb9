package counter_test

import (
	"context"
	"fmt"

	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/counter"
	"github.com/locklab/locklab/labs/run"
)

// Run the mutex variant and print its verdict: with the read and the write
// under one lock, no increment is lost.
func Example() {
	v, err := counter.Scenario.Variant("mutex")
	if err != nil {
		panic(err)
	}
	res, err := run.Run(context.Background(), counter.Scenario, v, labs.Config{Workers: 4, Ops: 1000}, run.DefaultOptions())
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Outcome)
	for _, c := range res.Invariants {
		fmt.Printf("%s: expected %s, got %s\n", c.Name, c.Expected, c.Actual)
	}
	for _, m := range res.Metrics {
		fmt.Printf("%s: %s\n", m.Name, m.Value)
	}
	// Output:
	// ok
	// final count is workers × ops: expected 4000, got 4000
	// lost updates: 0
}
