// Package bank checks the balance under the locks, then lets go and takes
// them again to move the money: check-then-act.
package bank

import "github.com/locklab/locklab/exercises"

// Account is a bank account.
type Account = exercises.Account

func lockBoth(a, b *Account) {
	if b.ID < a.ID {
		a, b = b, a
	}
	a.Mu.Lock()
	b.Mu.Lock()
}

func unlockBoth(a, b *Account) {
	a.Mu.Unlock()
	b.Mu.Unlock()
}

// Transfer checks, then acts, in two critical sections.
func Transfer(from, to *Account, amount int) bool {
	lockBoth(from, to)
	ok := from.Balance >= amount
	unlockBoth(from, to)
	if !ok {
		return false
	}
	lockBoth(from, to)
	from.Balance -= amount
	to.Balance += amount
	unlockBoth(from, to)
	return true
}
