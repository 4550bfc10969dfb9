package race_test

import (
	"context"
	"fmt"
	"log"

	"github.com/locklab/locklab/labs/catalog"
	"github.com/locklab/locklab/labs/race"
)

// Check a variant under the race detector, from inside a clone of the
// locklab module. (No Output: the goroutines and counts vary.)
func ExampleCheck() {
	ctx := context.Background()
	bin, err := race.Build(ctx, race.BuildOptions{}) // once; reuse bin for every check
	if err != nil {
		log.Fatal(err) // errors.Is(err, race.ErrToolchain): the message says what to install
	}
	s, v, err := catalog.LookupVariant("counter", "unsynchronized")
	if err != nil {
		log.Fatal(err)
	}
	o, err := race.Check(ctx, bin, s, v, race.Options{Runs: 5})
	if err != nil {
		log.Fatal(err)
	}
	for _, seen := range o.Races {
		fmt.Printf("%s (in %d of %d runs)\n", seen.Race.Finding().Message, seen.Runs, o.Runs)
	}
	fmt.Println("agrees with the catalog:", o.Agrees)
}
