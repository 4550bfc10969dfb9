package bank

import "github.com/locklab/locklab/labs"

var global = labs.Variant{
	Name:    "global",
	Kind:    labs.Fixed,
	Summary: "one lock for the whole bank",
	Lesson: "One lock fixes both bugs. A clerk waiting for the bank's lock holds no other lock, " +
		"so hold and wait, one of the four Coffman conditions, cannot happen and neither can a deadlock. " +
		"And the check and the transfer are one critical section, so no other clerk can spend the money in between. " +
		"It is correct and simple, and it makes every transfer wait for every other, even two that share no account.",
	File: "labs/bank/global.go",
	Play: playGlobal,
}

func playGlobal(rt labs.Runtime, cfg labs.Config) labs.Instance {
	b := newBank(cfg)
	mu := rt.Mutex("bank") // protects every account
	b.hire(rt, cfg, func(w labs.Worker, from, to *account, amount int) bool {
		mu.Lock()
		defer mu.Unlock()
		if from.balance < amount {
			return false // refused: insufficient funds
		}
		w.Yield() // other clerks may run here, but none can touch an account
		from.withdraw(amount)
		to.deposit(amount)
		return true
	})
	return b
}
