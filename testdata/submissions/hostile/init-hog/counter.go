// Package counter exhausts memory during package initialization, before
// any check starts.
package counter

import "github.com/locklab/locklab/exercises"

// Counter is the shared counter.
type Counter = exercises.Counter

var hoard = make([]byte, 1<<36)

// Inc increments under the lock.
func Inc(c *Counter) {
	c.Mu.Lock()
	c.N += 1 + len(hoard)*0
	c.Mu.Unlock()
}
