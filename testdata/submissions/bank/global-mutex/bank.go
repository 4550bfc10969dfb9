// Package bank makes every transfer under one package-level lock.
package bank

import (
	"sync"

	"github.com/locklab/locklab/exercises"
)

// Account is a bank account.
type Account = exercises.Account

var bank sync.Mutex // guards every account's balance

// Transfer moves amount under the bank's one lock.
func Transfer(from, to *Account, amount int) bool {
	bank.Lock()
	defer bank.Unlock()
	if from.Balance < amount {
		return false
	}
	from.Balance -= amount
	to.Balance += amount
	return true
}
