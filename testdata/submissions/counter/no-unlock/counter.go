// Package counter forgets to unlock on one path: every hundredth
// increment returns early, holding the lock.
package counter

import "github.com/locklab/locklab/exercises"

// Counter is the shared counter.
type Counter = exercises.Counter

// Inc adds one to c.N under c.Mu, but returns without unlocking when the
// new count is a multiple of 100.
func Inc(c *Counter) {
	c.Mu.Lock()
	c.N++
	if c.N%100 == 0 {
		return // forgot c.Mu.Unlock()
	}
	c.Mu.Unlock()
}
