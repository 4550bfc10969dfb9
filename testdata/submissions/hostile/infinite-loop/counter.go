// Package counter never returns from Inc.
package counter

import "github.com/locklab/locklab/exercises"

// Counter is the shared counter.
type Counter = exercises.Counter

// Inc spins forever without touching a lock.
func Inc(c *Counter) {
	for {
	}
}
