// Package counter locks and never unlocks: the second increment waits
// forever.
package counter

import "github.com/locklab/locklab/exercises"

// Counter is the shared counter.
type Counter = exercises.Counter

// Inc forgets to unlock.
func Inc(c *Counter) {
	c.Mu.Lock()
	c.N++
}
