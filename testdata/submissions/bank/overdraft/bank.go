// Package bank checks the balance, lets go of the lock, then withdraws:
// check-then-act. No data race, but two withdrawals can both pass the
// check.
package bank

import "github.com/locklab/locklab/exercises"

// Account is a bank account.
type Account = exercises.Account

func balance(a *Account) int {
	a.Mu.Lock()
	defer a.Mu.Unlock()
	return a.Balance
}

func add(a *Account, amount int) {
	a.Mu.Lock()
	defer a.Mu.Unlock()
	a.Balance += amount
}

// Transfer checks, then acts, in separate critical sections.
func Transfer(from, to *Account, amount int) bool {
	if balance(from) < amount {
		return false
	}
	add(from, -amount)
	add(to, amount)
	return true
}
