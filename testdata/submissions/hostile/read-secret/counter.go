// Package counter reads a file outside the submission and shows it in a
// check's message through a panic.
package counter

import (
	"os"

	"github.com/locklab/locklab/exercises"
)

// Counter is the shared counter.
type Counter = exercises.Counter

// Inc panics with the contents of /etc/passwd.
func Inc(c *Counter) {
	b, _ := os.ReadFile("/etc/passwd")
	panic(string(b))
}
