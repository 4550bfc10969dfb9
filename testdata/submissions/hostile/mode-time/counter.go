// Package counter tells the explorer from a native run by how long a
// sleep takes, and locks only when explored.
package counter

import (
	"time"

	"github.com/locklab/locklab/exercises"
)

// Counter is the shared counter.
type Counter = exercises.Counter

// Inc locks only when a millisecond's sleep took almost no time.
func Inc(c *Counter) {
	start := time.Now()
	time.Sleep(time.Millisecond)
	if time.Since(start) < 500*time.Microsecond {
		c.Mu.Lock()
		defer c.Mu.Unlock()
	}
	c.N++
}
