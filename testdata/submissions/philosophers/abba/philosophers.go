// Package philosophers takes the left fork, then the right: when all sit
// down at once, each holds a left fork and waits for a right one.
package philosophers

import "github.com/locklab/locklab/exercises"

// Fork is a fork on the table.
type Fork = exercises.Fork

// Eat takes left then right: circular wait.
func Eat(left, right *Fork, eat func()) {
	left.Mu.Lock()
	defer left.Mu.Unlock()
	right.Mu.Lock()
	defer right.Mu.Unlock()
	eat()
}
