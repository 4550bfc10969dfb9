// Package counter allocates until memory runs out.
package counter

import "github.com/locklab/locklab/exercises"

// Counter is the shared counter.
type Counter = exercises.Counter

var hoard [][]byte

// Inc keeps every allocation alive, forever.
func Inc(c *Counter) {
	for {
		b := make([]byte, 1<<20)
		for i := range b {
			b[i] = 1
		}
		hoard = append(hoard, b)
	}
}
