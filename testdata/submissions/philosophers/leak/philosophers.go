// Package philosophers is correct but starts a waiter goroutine per meal
// that never leaves.
package philosophers

import (
	"time"

	"github.com/locklab/locklab/exercises"
)

// Fork is a fork on the table.
type Fork = exercises.Fork

// Eat takes the forks in ID order, and leaves a timer goroutine behind.
func Eat(left, right *Fork, eat func()) {
	first, second := left, right
	if second.ID < first.ID {
		first, second = second, first
	}
	first.Mu.Lock()
	defer first.Mu.Unlock()
	second.Mu.Lock()
	defer second.Mu.Unlock()
	done := make(chan bool)
	go func() {
		select {
		case <-done:
		case <-time.After(time.Hour):
		}
	}()
	eat()
}
