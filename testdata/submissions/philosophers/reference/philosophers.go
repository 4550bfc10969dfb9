// Package philosophers is the reference solution: take the fork with
// the lower ID first (resource hierarchy), so no cycle of waits can form.
package philosophers

import "github.com/locklab/locklab/exercises"

// Fork is a fork on the table.
type Fork = exercises.Fork

// Eat takes the forks in ID order, eats, and puts them down.
func Eat(left, right *Fork, eat func()) {
	first, second := left, right
	if second.ID < first.ID {
		first, second = second, first
	}
	first.Mu.Lock()
	defer first.Mu.Unlock()
	second.Mu.Lock()
	defer second.Mu.Unlock()
	eat()
}
