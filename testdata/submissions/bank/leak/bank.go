// Package bank is correct but sends a receipt to a goroutine nobody
// stops: one leaked goroutine per transfer.
package bank

import "github.com/locklab/locklab/exercises"

// Account is a bank account.
type Account = exercises.Account

// Transfer is the ordered solution plus a leaked receipt printer.
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
	receipts := make(chan int)
	go func() {
		for range receipts {
		}
	}()
	receipts <- amount // never closed
	return true
}
