// Package philosophers eats without picking up any fork.
package philosophers

import "github.com/locklab/locklab/exercises"

// Fork is a fork on the table.
type Fork = exercises.Fork

// Eat eats with no fork.
func Eat(left, right *Fork, eat func()) {
	eat()
}
