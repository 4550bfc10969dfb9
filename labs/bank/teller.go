package bank

import "github.com/locklab/locklab/labs"

var teller = labs.Variant{
	Name:    "teller",
	Kind:    labs.Cooperative,
	Summary: "one teller owns every account; clerks send it transfer requests over a channel",
	Lesson: "Only the teller ever reads or writes a balance, so there is nothing shared to lock " +
		"and no check that another clerk can invalidate. " +
		"Clerks send requests over a channel and wait for the reply; the teller handles them one at a time, in the order they arrive. " +
		"No deadlock can form: a clerk holds nothing while it waits for its reply, and the teller never waits for a clerk. " +
		"The price is that one worker does all the work.",
	File: "labs/bank/teller.go",
	Play: playTeller,
}

// Messages to the teller.
type (
	request struct { // move amount from from to to, and reply whether it did
		from, to *account
		amount   int
		reply    labs.Chan
	}
	offDuty struct{} // the sending clerk has made all its transfers
)

func playTeller(rt labs.Runtime, cfg labs.Config) labs.Instance {
	b := newBank(cfg)
	requests := rt.Chan("requests", cfg.Workers)
	for i := range cfg.Workers {
		rt.Go(clerk(i), func(w labs.Worker) {
			reply := rt.Chan(clerk(i)+" reply", 1)
			b.work(w, i, cfg.Ops, func(_ labs.Worker, from, to *account, amount int) bool {
				requests.Send(request{from: from, to: to, amount: amount, reply: reply})
				ok, _ := reply.Recv()
				return ok.(bool)
			})
			requests.Send(offDuty{})
		})
	}
	rt.Go("teller", func(w labs.Worker) {
		for working := cfg.Workers; working > 0; {
			msg, _ := requests.Recv()
			switch r := msg.(type) {
			case offDuty:
				working--
			case request:
				ok := r.from.balance >= r.amount // only the teller touches a balance...
				if ok {
					w.Yield() // ...so the teller may pause here and the check still holds
					r.from.withdraw(r.amount)
					r.to.deposit(r.amount)
				}
				r.reply.Send(ok) // false: refused, insufficient funds
				w.Progress()
			}
		}
	})
	return b
}
