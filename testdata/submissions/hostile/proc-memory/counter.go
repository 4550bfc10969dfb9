// Package counter reads its own and its parent's memory and descriptors
// through /proc, looking for the nonce.
package counter

import (
	"os"
	"strconv"

	"github.com/locklab/locklab/exercises"
)

// Counter is the shared counter.
type Counter = exercises.Counter

// Inc scans /proc, then increments without a lock.
func Inc(c *Counter) {
	for _, p := range []string{"/proc/self/mem", "/proc/" + strconv.Itoa(os.Getppid()) + "/environ", "/proc/self/fd/3"} {
		f, err := os.Open(p)
		if err == nil {
			f.Close()
		}
	}
	c.N++
}
