// Package bank orders its locks by account ID and reports refusals with a
// sentinel error internally.
package bank

import (
	"errors"

	"github.com/locklab/locklab/exercises"
)

// Account is a bank account.
type Account = exercises.Account

var errInsufficient = errors.New("bank: insufficient funds")

func move(from, to *Account, amount int) error {
	if from.Balance < amount {
		return errInsufficient
	}
	from.Balance -= amount
	to.Balance += amount
	return nil
}

// Transfer locks the lower ID first, then the higher.
func Transfer(from, to *Account, amount int) bool {
	first, second := from, to
	if second.ID < first.ID {
		first, second = second, first
	}
	first.Mu.Lock()
	defer first.Mu.Unlock()
	second.Mu.Lock()
	defer second.Mu.Unlock()
	return !errors.Is(move(from, to, amount), errInsufficient)
}
