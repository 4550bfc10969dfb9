// Package bank is the bank exercise: write a Transfer that never
// deadlocks, never loses money and never overdraws. See README.md.
package bank

import "github.com/locklab/locklab/exercises"

// Account is a bank account: a.ID is unique, a.Balance is guarded by the
// lock a.Mu.
type Account = exercises.Account

// Transfer moves amount from one account to another and reports true, or
// refuses, changing nothing, and reports false when from.Balance is less
// than amount. Many tellers call it at once, on any pair of distinct
// accounts, in either direction.
//
// TODO: this version is a data race and can overdraw. Fix it.
func Transfer(from, to *Account, amount int) bool {
	if from.Balance < amount {
		return false
	}
	from.Balance -= amount
	to.Balance += amount
	return true
}
