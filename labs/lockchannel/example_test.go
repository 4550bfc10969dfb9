package lockchannel_test

import (
	"context"
	"fmt"

	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/lockchannel"
	"github.com/locklab/locklab/labs/run"
)

// Run the fix that unlocks before it sends, and print its checks.
func Example() {
	v, err := lockchannel.Scenario.Variant("send-after-unlock")
	if err != nil {
		panic(err)
	}
	res, err := run.Run(context.Background(), lockchannel.Scenario, v, labs.Config{}, run.DefaultOptions())
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Outcome)
	for _, c := range res.Invariants {
		fmt.Printf("%s: %v\n", c.Name, c.OK)
	}
	// Output:
	// ok
	// every event applied, in each publisher's order: true
	// the subscriber is up to date with every publisher: true
}
