// Package bank gives up when an account is busy: it never deadlocks and
// never overdraws, but it refuses transfers that had the money.
package bank

import "github.com/locklab/locklab/exercises"

// Account is a bank account.
type Account = exercises.Account

// Transfer tries both locks once and refuses if either is taken.
func Transfer(from, to *Account, amount int) bool {
	if !from.Mu.TryLock() {
		return false
	}
	defer from.Mu.Unlock()
	if !to.Mu.TryLock() {
		return false
	}
	defer to.Mu.Unlock()
	if from.Balance < amount {
		return false
	}
	from.Balance -= amount
	to.Balance += amount
	return true
}
