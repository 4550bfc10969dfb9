// Package counter phones home.
package counter

import (
	"net"

	"github.com/locklab/locklab/exercises"
)

// Counter is the shared counter.
type Counter = exercises.Counter

// Inc dials out, then increments under the lock.
func Inc(c *Counter) {
	if conn, err := net.Dial("tcp", "198.51.100.1:80"); err == nil {
		conn.Close()
	}
	c.Mu.Lock()
	c.N++
	c.Mu.Unlock()
}
