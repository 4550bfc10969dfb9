package bank_test

import (
	"context"
	"fmt"

	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/bank"
	"github.com/locklab/locklab/labs/run"
)

// Run the teller variant, in which one teller owns every account, and
// print its verdict. Which transfers are refused, and how low a balance
// gets, depends on the order in which requests arrive; that the invariants
// hold does not.
func Example() {
	v, err := bank.Scenario.Variant("teller")
	if err != nil {
		panic(err)
	}
	res, err := run.Run(context.Background(), bank.Scenario, v, labs.Config{Workers: 4, Ops: 50}, run.DefaultOptions())
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Outcome)
	for _, c := range res.Invariants {
		fmt.Printf("%s: %v\n", c.Name, c.OK)
	}
	// Output:
	// ok
	// money is conserved: true
	// no overdraft: true
}
