// Package philosophers picks up both forks while holding an arbitrator's
// lock, so no philosopher holds one fork while waiting for the other
// against a neighbour doing the same.
package philosophers

import (
	"sync"

	"github.com/locklab/locklab/exercises"
)

// Fork is a fork on the table.
type Fork = exercises.Fork

var waiter sync.Mutex // held while picking up forks

// Eat asks the waiter for both forks at once.
func Eat(left, right *Fork, eat func()) {
	waiter.Lock()
	left.Mu.Lock()
	right.Mu.Lock()
	waiter.Unlock()
	eat()
	right.Mu.Unlock()
	left.Mu.Unlock()
}
