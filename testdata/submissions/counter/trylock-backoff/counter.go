// Package counter takes the lock with TryLock and backs off for a random
// while when it is taken.
package counter

import (
	"math/rand/v2"
	"time"

	"github.com/locklab/locklab/exercises"
)

// Counter is the shared counter.
type Counter = exercises.Counter

// Inc adds one to c.N under c.Mu.
func Inc(c *Counter) {
	for !c.Mu.TryLock() {
		time.Sleep(time.Duration(rand.IntN(20)) * time.Microsecond)
	}
	defer c.Mu.Unlock()
	c.N++
}
