// Package counter increments without the lock: a data race.
package counter

import "github.com/locklab/locklab/exercises"

// Counter is the shared counter.
type Counter = exercises.Counter

// Inc adds one to c.N, unsynchronized.
func Inc(c *Counter) {
	c.N++
}
