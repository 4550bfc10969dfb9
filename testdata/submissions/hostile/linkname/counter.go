// Package counter reaches into the runtime with //go:linkname.
package counter

import (
	_ "unsafe"

	"github.com/locklab/locklab/exercises"
)

//go:linkname nanotime runtime.nanotime
func nanotime() int64

// Counter is the shared counter.
type Counter = exercises.Counter

// Inc increments without a lock.
func Inc(c *Counter) { _ = nanotime(); c.N++ }
