// Package counter does each increment in a goroutine of its own, under
// the lock, and waits for it with a WaitGroup.
package counter

import (
	"sync"

	"github.com/locklab/locklab/exercises"
)

// Counter is the shared counter.
type Counter = exercises.Counter

// Inc adds one to c.N in a helper goroutine and waits until it has.
func Inc(c *Counter) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.Mu.Lock()
		c.N++
		c.Mu.Unlock()
	}()
	wg.Wait()
}
