// Package counter checks for overflow with a sentinel error, as idiomatic
// Go code does.
package counter

import (
	"errors"
	"math"

	"github.com/locklab/locklab/exercises"
)

// Counter is the shared counter.
type Counter = exercises.Counter

// errOverflow is what add reports when the counter is full.
var errOverflow = errors.New("counter: overflow")

func add(c *Counter, d int) error {
	if c.N > math.MaxInt-d {
		return errOverflow
	}
	c.N += d
	return nil
}

// Inc adds one to c.N under c.Mu.
func Inc(c *Counter) {
	c.Mu.Lock()
	defer c.Mu.Unlock()
	if err := add(c, 1); errors.Is(err, errOverflow) {
		panic(err)
	}
}
