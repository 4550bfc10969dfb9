// Package counter starts goroutines without end.
package counter

import "github.com/locklab/locklab/exercises"

// Counter is the shared counter.
type Counter = exercises.Counter

// Inc spawns goroutines that each spawn more, forever.
func Inc(c *Counter) {
	var bomb func()
	bomb = func() {
		for {
			go bomb()
		}
	}
	bomb()
}
