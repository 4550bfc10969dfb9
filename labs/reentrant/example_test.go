package reentrant_test

import (
	"context"
	"fmt"

	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/reentrant"
	"github.com/locklab/locklab/labs/run"
)

// Run the buggy store, whose Reserve calls Available with the lock held,
// and print what the wait-for graph found.
func Example() {
	v, err := reentrant.Scenario.Variant("double-lock")
	if err != nil {
		panic(err)
	}
	res, err := run.Run(context.Background(), reentrant.Scenario, v, labs.Config{}, run.DefaultOptions())
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Outcome)
	fmt.Println(res.Findings[0].Kind, res.Findings[0].Steps[0].Lock)
	// Output:
	// deadlock
	// double-lock store
}
