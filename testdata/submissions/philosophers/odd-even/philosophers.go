// Package philosophers breaks the circular wait by parity: philosophers
// at even forks pick up left first, the others right first.
package philosophers

import "github.com/locklab/locklab/exercises"

// Fork is a fork on the table.
type Fork = exercises.Fork

// Eat picks up the forks in an order that depends on the left fork's ID.
func Eat(left, right *Fork, eat func()) {
	first, second := left, right
	if left.ID%2 == 1 {
		first, second = right, left
	}
	first.Mu.Lock()
	second.Mu.Lock()
	eat()
	second.Mu.Unlock()
	first.Mu.Unlock()
}
