// Package philosophers takes the left fork, tries the right one, and puts
// the left one down and backs off for a random while when it is taken.
package philosophers

import (
	"math/rand/v2"
	"time"

	"github.com/locklab/locklab/exercises"
)

// Fork is a fork on the table.
type Fork = exercises.Fork

// Eat retries with random backoff until it holds both forks.
func Eat(left, right *Fork, eat func()) {
	for {
		left.Mu.Lock()
		if right.Mu.TryLock() {
			break
		}
		left.Mu.Unlock()
		time.Sleep(time.Duration(1+rand.IntN(100)) * time.Microsecond)
	}
	eat()
	right.Mu.Unlock()
	left.Mu.Unlock()
}
