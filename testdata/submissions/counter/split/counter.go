// Package counter reads and writes under the lock, but in two critical
// sections: another Inc can come between them.
package counter

import (
	"sync"

	"github.com/locklab/locklab/exercises"
)

// Counter is the shared counter.
type Counter = exercises.Counter

var mu sync.Mutex

// Inc reads c.N under mu, then writes it back plus one under mu again.
func Inc(c *Counter) {
	mu.Lock()
	n := c.N
	mu.Unlock()
	mu.Lock()
	c.N = n + 1
	mu.Unlock()
}
