package bank

import (
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/locks"
)

var ordered = labs.Variant{
	Name:    "ordered",
	Kind:    labs.Fixed,
	Summary: "lock both accounts in order of account number",
	Lesson: "Every clerk locks the lower-numbered account first, whichever way the money goes. " +
		"A clerk waiting for account 3 may hold account 1, but a clerk holding 3 never waits for 1, " +
		"so the waits cannot go round in a circle: this breaks the circular-wait condition. " +
		"Both locks are held from the check to the deposit, so the check still holds when the money moves.",
	File: "labs/bank/ordered.go",
	Play: playOrdered,
}

func playOrdered(rt labs.Runtime, cfg labs.Config) labs.Instance {
	b := newBank(cfg).lockEach(rt)
	b.hire(rt, cfg, func(w labs.Worker, from, to *account, amount int) bool {
		unlock := locks.LockRanked( // lower account number first, whatever the direction
			locks.Ranked{Rank: from.id, L: from.mu},
			locks.Ranked{Rank: to.id, L: to.mu},
		)
		defer unlock()
		if from.balance < amount {
			return false // refused: insufficient funds
		}
		w.Yield() // other clerks may run here, but none can touch from or to
		from.withdraw(amount)
		to.deposit(amount)
		return true
	})
	return b
}
