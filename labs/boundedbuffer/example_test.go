package boundedbuffer_test

import (
	"context"
	"fmt"

	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/boundedbuffer"
	"github.com/locklab/locklab/labs/run"
)

// Run the buffered channel, the bounded buffer Go has built in, and print
// its checks.
func Example() {
	v, err := boundedbuffer.Scenario.Variant("channel")
	if err != nil {
		panic(err)
	}
	res, err := run.Run(context.Background(), boundedbuffer.Scenario, v, labs.Config{}, run.DefaultOptions())
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Outcome)
	for _, c := range res.Invariants {
		fmt.Printf("%s: %v\n", c.Name, c.OK)
	}
	// Output:
	// ok
	// the buffer held 0 to capacity items: true
	// every item got exactly once: true
	// every worker did all its work: true
}
