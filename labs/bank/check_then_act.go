package bank

import (
	"fmt"

	"github.com/locklab/locklab/labs"
)

var checkThenAct = labs.Variant{
	Name:    "check-then-act",
	Kind:    labs.Buggy,
	Bug:     labs.AtomicityViolation,
	Summary: "check the balance under the lock, release it, then debit and credit under the lock again",
	Lesson: "Two clerks check the same account under its lock and both see enough money; " +
		"each releases the lock, then each withdraws, and the balance goes below zero. " +
		"The race detector is silent, and rightly so: every read and write of a balance happens under the account's lock, " +
		"so there is no data race. The race is in the atomicity, not in memory: " +
		"the check and the act must be one critical section, because the check is only true while the lock is held.",
	Fix:    "global",
	Caught: []labs.Detector{labs.Invariant},
	File:   "labs/bank/check_then_act.go",
	Play:   playCheckThenAct,
}

func playCheckThenAct(rt labs.Runtime, cfg labs.Config) labs.Instance {
	b := newBank(cfg).lockEach(rt)
	b.hire(rt, cfg, func(w labs.Worker, from, to *account, amount int) bool {
		from.mu.Lock()
		w.Read(fmt.Sprintf("account %d balance", from.id), from.balance)
		enough := from.balance >= amount // check...
		from.mu.Unlock()
		if !enough {
			return false // refused: insufficient funds
		}
		w.Yield() // BUG: another clerk may spend the same money here

		from.mu.Lock()
		w.Write(fmt.Sprintf("account %d balance", from.id), from.balance-amount)
		from.withdraw(amount) // ...then act on a check that may no longer hold
		from.mu.Unlock()

		to.mu.Lock()
		to.deposit(amount)
		to.mu.Unlock()
		return true
	})
	return b
}
