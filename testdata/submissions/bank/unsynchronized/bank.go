// Package bank moves money without any lock: a data race.
package bank

import "github.com/locklab/locklab/exercises"

// Account is a bank account.
type Account = exercises.Account

// Transfer checks and moves without locking.
func Transfer(from, to *Account, amount int) bool {
	if from.Balance < amount {
		return false
	}
	from.Balance -= amount
	to.Balance += amount
	return true
}
