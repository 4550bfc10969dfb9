// Package philosophers seats at most two at a time; the seats are made
// once, by whichever philosopher comes first.
package philosophers

import (
	"sync"

	"github.com/locklab/locklab/exercises"
)

// Fork is a fork on the table.
type Fork = exercises.Fork

var (
	setup sync.Once
	seats chan struct{}
)

// Eat takes a seat, then both forks.
func Eat(left, right *Fork, eat func()) {
	setup.Do(func() { seats = make(chan struct{}, 2) })
	seats <- struct{}{}
	left.Mu.Lock()
	right.Mu.Lock()
	eat()
	right.Mu.Unlock()
	left.Mu.Unlock()
	<-seats
}
