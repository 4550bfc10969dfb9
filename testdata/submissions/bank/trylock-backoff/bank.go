// Package bank takes both locks with TryLock, and on failure lets go of
// everything and backs off for a random while.
package bank

import (
	"math/rand/v2"
	"time"

	"github.com/locklab/locklab/exercises"
)

// Account is a bank account.
type Account = exercises.Account

// Transfer retries until it holds both locks.
func Transfer(from, to *Account, amount int) bool {
	for {
		from.Mu.Lock()
		if to.Mu.TryLock() {
			break
		}
		from.Mu.Unlock()
		time.Sleep(time.Duration(1+rand.IntN(50)) * time.Microsecond)
	}
	defer from.Mu.Unlock()
	defer to.Mu.Unlock()
	if from.Balance < amount {
		return false
	}
	from.Balance -= amount
	to.Balance += amount
	return true
}
