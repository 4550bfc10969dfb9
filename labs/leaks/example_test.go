package leaks_test

import (
	"context"
	"fmt"

	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/leaks"
	"github.com/locklab/locklab/labs/run"
)

// Run the fix in which every replica can give up on a done channel, and
// print its checks.
func Example() {
	v, err := leaks.Scenario.Variant("select-done")
	if err != nil {
		panic(err)
	}
	res, err := run.Run(context.Background(), leaks.Scenario, v, labs.Config{}, run.DefaultOptions())
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Outcome)
	for _, c := range res.Invariants {
		fmt.Printf("%s: %v\n", c.Name, c.OK)
	}
	// Output:
	// ok
	// the collector got every answer, right: true
	// no replica left blocked: true
}
