package waitgroup_test

import (
	"context"
	"fmt"

	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/run"
	"github.com/locklab/locklab/labs/waitgroup"
)

// Run the fix, Add before go and defer Done, and print its check.
func Example() {
	v, err := waitgroup.Scenario.Variant("add-before-go")
	if err != nil {
		panic(err)
	}
	res, err := run.Run(context.Background(), waitgroup.Scenario, v, labs.Config{}, run.DefaultOptions())
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Outcome, res.Invariants[0].Actual)
	// Output:
	// ok sum 11, 1 failed; sum 11, 1 failed
}
