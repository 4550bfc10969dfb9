package bank

import "github.com/locklab/locklab/labs"

var fromThenTo = labs.Variant{
	Name:    "from-then-to",
	Kind:    labs.Buggy,
	Bug:     labs.CircularWait,
	Summary: "lock the source account, then the destination",
	Lesson: "A clerk moving money from A to B locks A and then waits for B, while another clerk moving money from B to A holds B and waits for A. " +
		"Neither can go on: an AB-BA deadlock. " +
		"All four Coffman conditions hold: a lock has one holder (mutual exclusion), each clerk holds one lock while it waits for the other (hold and wait), " +
		"nobody can take a lock away from its holder (no preemption), and the two waits form a cycle (circular wait). " +
		"The wait-for graph reports the cycle the moment it closes; the lock-order graph sees A taken before B and B before A.",
	Fix:    "ordered",
	Caught: []labs.Detector{labs.WaitFor, labs.LockOrder, labs.GoDeadlock},
	File:   "labs/bank/from_then_to.go",
	Play:   playFromThenTo,
}

func playFromThenTo(rt labs.Runtime, cfg labs.Config) labs.Instance {
	b := newBank(cfg).lockEach(rt)
	b.hire(rt, cfg, func(w labs.Worker, from, to *account, amount int) bool {
		from.mu.Lock()
		defer from.mu.Unlock()
		w.Yield()    // BUG: meanwhile another clerk may lock to, on its way to from,
		to.mu.Lock() // and each waits here for the lock the other holds
		defer to.mu.Unlock()
		if from.balance < amount {
			return false // refused: insufficient funds
		}
		from.withdraw(amount)
		to.deposit(amount)
		return true
	})
	return b
}
