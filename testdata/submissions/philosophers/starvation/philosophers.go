// Package philosophers never waits: a philosopher who cannot get both
// forks at once skips the meal, so a busy neighbour starves it.
package philosophers

import "github.com/locklab/locklab/exercises"

// Fork is a fork on the table.
type Fork = exercises.Fork

// Eat tries both forks once and goes hungry if either is taken.
func Eat(left, right *Fork, eat func()) {
	if !left.Mu.TryLock() {
		return
	}
	defer left.Mu.Unlock()
	if !right.Mu.TryLock() {
		return
	}
	defer right.Mu.Unlock()
	eat()
}
