package readerswriters_test

import (
	"context"
	"fmt"

	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/readerswriters"
	"github.com/locklab/locklab/labs/run"
)

// Run the writer-preferring lock and print its checks: no torn read, no
// starved writer, every worker done.
func Example() {
	v, err := readerswriters.Scenario.Variant("writer-preference")
	if err != nil {
		panic(err)
	}
	res, err := run.Run(context.Background(), readerswriters.Scenario, v, labs.Config{}, run.DefaultOptions())
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Outcome)
	for _, c := range res.Invariants {
		fmt.Printf("%s: %v\n", c.Name, c.OK)
	}
	// Output:
	// ok
	// no reader saw a half-written document: true
	// no writer starved: true
	// every worker did all its work: true
}
