// Package philosophers seats at most two philosophers at a time, with a
// buffered channel as the waiter: fewer diners than forks cannot all hold
// one fork each.
package philosophers

import "github.com/locklab/locklab/exercises"

// Fork is a fork on the table.
type Fork = exercises.Fork

var seats = make(chan struct{}, 2)

// Eat takes a seat, then both forks.
func Eat(left, right *Fork, eat func()) {
	seats <- struct{}{}
	defer func() { <-seats }()
	left.Mu.Lock()
	defer left.Mu.Unlock()
	right.Mu.Lock()
	defer right.Mu.Unlock()
	eat()
}
