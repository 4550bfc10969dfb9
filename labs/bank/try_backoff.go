package bank

import (
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/locks"
)

var tryBackoff = labs.Variant{
	Name:    "try-backoff",
	Kind:    labs.Fixed,
	Summary: "try to lock both accounts; if either is taken, release both and back off",
	Lesson: "A clerk never waits while holding a lock: it tries both accounts, and if either is taken it lets go of the one it got and tries again later. " +
		"That breaks the hold-and-wait condition, so no deadlock can form. " +
		"The random, growing backoff keeps two clerks from retrying in lockstep forever, which would be a livelock.",
	File: "labs/bank/try_backoff.go",
	Play: playTryBackoff,
}

func playTryBackoff(rt labs.Runtime, cfg labs.Config) labs.Instance {
	b := newBank(cfg).lockEach(rt)
	b.hire(rt, cfg, func(w labs.Worker, from, to *account, amount int) bool {
		backoff := locks.RandomBackoff(w.Rand(), 4, w.Yield) // wait 1 to 2^attempt yields, at most 16
		unlock := locks.TryAll(backoff, from.mu, to.mu)      // both locks, or none and try again
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
