// Package counter increments correctly but leaves a goroutine behind on
// every call.
package counter

import "github.com/locklab/locklab/exercises"

// Counter is the shared counter.
type Counter = exercises.Counter

// Inc increments under the lock, and starts a watcher that never ends.
func Inc(c *Counter) {
	c.Mu.Lock()
	c.N++
	c.Mu.Unlock()
	never := make(chan struct{})
	go func() { <-never }()
}
