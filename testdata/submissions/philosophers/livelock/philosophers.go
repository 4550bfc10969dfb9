// Package philosophers is polite without backoff: take the left fork; if
// the right one is taken, put the left down and try again at once.
package philosophers

import "github.com/locklab/locklab/exercises"

// Fork is a fork on the table.
type Fork = exercises.Fork

// Eat retries in lockstep with its neighbours: livelock.
func Eat(left, right *Fork, eat func()) {
	for {
		left.Mu.Lock()
		if right.Mu.TryLock() {
			break
		}
		left.Mu.Unlock()
	}
	eat()
	right.Mu.Unlock()
	left.Mu.Unlock()
}
