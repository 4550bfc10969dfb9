// Package counter is the reference solution: the lock guards the
// read-modify-write.
package counter

import "github.com/locklab/locklab/exercises"

// Counter is the shared counter.
type Counter = exercises.Counter

// Inc adds one to c.N under c.Mu.
func Inc(c *Counter) {
	c.Mu.Lock()
	defer c.Mu.Unlock()
	c.N++
}
