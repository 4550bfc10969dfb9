// Package counter panics.
package counter

import "github.com/locklab/locklab/exercises"

// Counter is the shared counter.
type Counter = exercises.Counter

// Inc panics.
func Inc(c *Counter) {
	panic("boom")
}
