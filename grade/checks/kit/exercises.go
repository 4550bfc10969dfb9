package kit

import (
	"fmt"

	"github.com/locklab/locklab/exercises"
	"github.com/locklab/locklab/grade/shim"
	"github.com/locklab/locklab/labs"
)

// instance reports a finished workload's invariants.
type instance func() []labs.Check

// Check implements labs.Instance.
func (f instance) Check() labs.Report { return labs.Report{Invariants: f()} }

func check(name string, expected, actual any, ok bool) labs.Check {
	return labs.Check{Name: name, Expected: fmt.Sprint(expected), Actual: fmt.Sprint(actual), OK: ok}
}

// everyWorkerDone is the liveness invariant: worker i did all its ops.
func everyWorkerDone(noun, work string, done []int, ops int) []labs.Check {
	var cs []labs.Check
	for i, n := range done {
		cs = append(cs, check(fmt.Sprintf("%s %d %s", noun, i, work), ops, n, n == ops))
	}
	return cs
}

// Counter is the counter exercise around inc: workers call inc on one
// shared Counter; no increment may be lost.
func Counter(inc func(*exercises.Counter)) *Exercise {
	play := func(liveness bool) func(rt labs.Runtime, cfg labs.Config) labs.Instance {
		return func(rt labs.Runtime, cfg labs.Config) labs.Instance {
			c := &exercises.Counter{}
			shim.Name(&c.Mu, "counter.Mu")
			done := make([]int, cfg.Workers)
			for i := range cfg.Workers {
				rt.Go(fmt.Sprintf("incrementer %d", i), func(w labs.Worker) {
					for range cfg.Ops {
						inc(c)
						done[i]++
						w.Progress()
					}
				})
			}
			return instance(func() []labs.Check {
				want := cfg.Workers * cfg.Ops
				cs := []labs.Check{check("no lost update: counter.N", want, c.N, c.N == want)}
				if liveness {
					cs = append(cs, everyWorkerDone("incrementer", "finished its increments", done, cfg.Ops)...)
				}
				return cs
			})
		}
	}
	return &Exercise{
		Name:     "counter",
		Explore:  labs.Config{Workers: 3, Ops: 3, Seed: 1},
		Native:   labs.Config{Workers: 4, Ops: 300, Yield: labs.YieldGosched},
		Safety:   play(false),
		Liveness: play(true),
	}
}

// Bank accounts and amounts.
const (
	bankAccounts  = 3
	bankBalance   = 10 // each account's opening balance, safety workload
	bankMaxAmount = 7
)

// Bank is the bank exercise around transfer: tellers move random amounts
// between random pairs of distinct accounts. Safety: money is neither
// created nor lost, no balance goes negative, and every account's balance
// is what the transfers reported true add up to. Liveness: with ample
// balances every transfer must be accepted.
func Bank(transfer func(from, to *exercises.Account, amount int) bool) *Exercise {
	play := func(liveness bool) func(rt labs.Runtime, cfg labs.Config) labs.Instance {
		return func(rt labs.Runtime, cfg labs.Config) labs.Instance {
			open := bankBalance
			if liveness {
				open = cfg.Workers * cfg.Ops * bankMaxAmount
			}
			accts := make([]*exercises.Account, bankAccounts)
			for i := range accts {
				accts[i] = &exercises.Account{ID: i, Balance: open}
				shim.Name(&accts[i].Mu, fmt.Sprintf("account %d", i))
			}
			// delta[t][a] is what teller t's accepted transfers did to account a.
			delta := make([][]int, cfg.Workers)
			accepted := make([]int, cfg.Workers)
			for t := range cfg.Workers {
				delta[t] = make([]int, bankAccounts)
				rt.Go(fmt.Sprintf("teller %d", t), func(w labs.Worker) {
					for range cfg.Ops {
						f := w.Rand().IntN(bankAccounts)
						to := (f + 1 + w.Rand().IntN(bankAccounts-1)) % bankAccounts
						amount := 1 + w.Rand().IntN(bankMaxAmount)
						if transfer(accts[f], accts[to], amount) {
							delta[t][f] -= amount
							delta[t][to] += amount
							accepted[t]++
						}
						w.Progress()
					}
				})
			}
			return instance(func() []labs.Check {
				total, want := 0, open*bankAccounts
				var cs []labs.Check
				for a, acct := range accts {
					total += acct.Balance
					ledger := open
					for t := range delta {
						ledger += delta[t][a]
					}
					cs = append(cs,
						check(fmt.Sprintf("account %d never overdrawn: balance >= 0", a), ">= 0", acct.Balance, acct.Balance >= 0),
						check(fmt.Sprintf("account %d's balance matches the transfers reported done", a), ledger, acct.Balance, ledger == acct.Balance))
				}
				cs = append([]labs.Check{check("money conserved: total of balances", want, total, total == want)}, cs...)
				if liveness {
					cs = append(cs, everyWorkerDone("teller", "had every transfer accepted (every one was affordable)", accepted, cfg.Ops)...)
				}
				return cs
			})
		}
	}
	return &Exercise{
		Name:     "bank",
		Explore:  labs.Config{Workers: 3, Ops: 2, Seed: 1},
		Native:   labs.Config{Workers: 4, Ops: 200, Yield: labs.YieldGosched},
		Safety:   play(false),
		Liveness: play(true),
	}
}

// Philosophers is the dining philosophers exercise around eat:
// philosopher i sits between fork i (left) and fork i+1 (right). Safety:
// no two neighbours eat at once, and nobody eats twice in one call.
// Liveness: every call eats exactly once.
func Philosophers(eat func(left, right *exercises.Fork, eat func())) *Exercise {
	play := func(liveness bool) func(rt labs.Runtime, cfg labs.Config) labs.Instance {
		return func(rt labs.Runtime, cfg labs.Config) labs.Instance {
			n := cfg.Workers
			forks := make([]*exercises.Fork, n)
			for i := range forks {
				forks[i] = &exercises.Fork{ID: i}
				shim.Name(&forks[i].Mu, fmt.Sprintf("fork %d", i))
			}
			// user[f] is the philosopher eating with fork f, plus one. It
			// is plain memory, guarded only by the forks: eating without
			// them is a data race.
			user := make([]int, n)
			meals := make([]int, n)
			clashes := make([]int, n)
			twice := make([]int, n)
			for i := range n {
				left, right := forks[i], forks[(i+1)%n]
				rt.Go(fmt.Sprintf("philosopher %d", i), func(w labs.Worker) {
					for range cfg.Ops {
						ate := 0
						eat(left, right, func() {
							ate++
							if user[left.ID] != 0 || user[right.ID] != 0 {
								clashes[i]++
							}
							user[left.ID], user[right.ID] = i+1, i+1
							w.Yield() // chew
							user[left.ID], user[right.ID] = 0, 0
						})
						if ate > 1 {
							twice[i]++
						}
						if ate == 1 {
							meals[i]++
						}
						w.Progress()
					}
				})
			}
			return instance(func() []labs.Check {
				var cs []labs.Check
				if liveness {
					cs = everyWorkerDone("philosopher", "ate once per call of Eat", meals, cfg.Ops)
				}
				for i := range n {
					cs = append(cs,
						check(fmt.Sprintf("philosopher %d never ate while a neighbour held a fork", i), 0, clashes[i], clashes[i] == 0),
						check(fmt.Sprintf("philosopher %d never ate twice in one call", i), 0, twice[i], twice[i] == 0))
				}
				return cs
			})
		}
	}
	return &Exercise{
		Name:     "philosophers",
		Explore:  labs.Config{Workers: 3, Ops: 2, Seed: 1},
		Native:   labs.Config{Workers: 5, Ops: 200, Yield: labs.YieldGosched},
		Safety:   play(false),
		Liveness: play(true),
	}
}
