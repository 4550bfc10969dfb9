// Package bank locks from, then to: two opposite transfers deadlock.
package bank

import "github.com/locklab/locklab/exercises"

// Account is a bank account.
type Account = exercises.Account

// Transfer locks the source first: AB-BA.
func Transfer(from, to *Account, amount int) bool {
	from.Mu.Lock()
	defer from.Mu.Unlock()
	to.Mu.Lock()
	defer to.Mu.Unlock()
	if from.Balance < amount {
		return false
	}
	from.Balance -= amount
	to.Balance += amount
	return true
}
