// Package bank waits, on a condition variable, until neither account is
// busy, marks both busy, and transfers without holding any lock but the
// marks: no two transfers ever share an account at once.
package bank

import (
	"sync"

	"github.com/locklab/locklab/exercises"
)

// Account is a bank account.
type Account = exercises.Account

var (
	mu   sync.Mutex
	free = sync.NewCond(&mu)
	busy = map[int]bool{} // account IDs in a transfer; guarded by mu
)

// Transfer claims both accounts, moves the money, and frees them.
func Transfer(from, to *Account, amount int) bool {
	mu.Lock()
	for busy[from.ID] || busy[to.ID] {
		free.Wait()
	}
	busy[from.ID], busy[to.ID] = true, true
	mu.Unlock()

	ok := from.Balance >= amount
	if ok {
		from.Balance -= amount
		to.Balance += amount
	}

	mu.Lock()
	delete(busy, from.ID)
	delete(busy, to.ID)
	free.Broadcast()
	mu.Unlock()
	return ok
}
