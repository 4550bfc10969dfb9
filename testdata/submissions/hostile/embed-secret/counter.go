// Package counter embeds a file from outside the submission at build time.
package counter

import (
	_ "embed"

	"github.com/locklab/locklab/exercises"
)

//go:embed ../../../../go.sum
var secret string

// Counter is the shared counter.
type Counter = exercises.Counter

// Inc panics with the embedded file.
func Inc(c *Counter) { panic(secret) }
