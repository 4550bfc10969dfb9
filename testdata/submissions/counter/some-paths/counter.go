// Package counter takes the lock only on some calls.
package counter

import "github.com/locklab/locklab/exercises"

// Counter is the shared counter.
type Counter = exercises.Counter

// Inc locks only when the count is even.
func Inc(c *Counter) {
	if c.N%2 == 0 {
		c.Mu.Lock()
		defer c.Mu.Unlock()
	}
	c.N++
}
