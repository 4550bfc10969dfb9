// Package bank is the reference solution: lock both accounts in ID
// order (no circular wait), check and move under both locks.
package bank

import "github.com/locklab/locklab/exercises"

// Account is a bank account.
type Account = exercises.Account

// Transfer moves amount from one account to the other, or refuses.
func Transfer(from, to *Account, amount int) bool {
	first, second := from, to
	if second.ID < first.ID {
		first, second = second, first
	}
	first.Mu.Lock()
	defer first.Mu.Unlock()
	second.Mu.Lock()
	defer second.Mu.Unlock()
	if from.Balance < amount {
		return false
	}
	from.Balance -= amount
	to.Balance += amount
	return true
}
