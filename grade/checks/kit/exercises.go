package kit

import (
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/locklab/locklab/exercises"
	"github.com/locklab/locklab/grade/shim"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/explore"
)

// instance reports a finished workload's invariants.
type instance func() []labs.Check

// Check implements labs.Instance.
func (f instance) Check() labs.Report { return labs.Report{Invariants: f()} }

func check(name string, expected, actual any, ok bool) labs.Check {
	return labs.Check{Name: name, Expected: fmt.Sprint(expected), Actual: fmt.Sprint(actual), OK: ok}
}

// FairnessPrefix begins the name of every invariant that bounds how
// long a worker may be kept waiting rather than what the results are:
// breaking one is unfair, not wrong, and costs the schedules check only.
const FairnessPrefix = "fair: "

// IsFairness reports whether an invariant (or a finding about one, whose
// message begins with its name) is a fairness bound.
func IsFairness(nameOrMessage string) bool { return strings.HasPrefix(nameOrMessage, FairnessPrefix) }

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

// bufferCap is the buffer exercise's capacity: one item, the smallest
// bounded buffer, where producers wait for room as often as consumers
// wait for items and both kinds meet on a condition variable.
const bufferCap = 1

// Buffer is the bounded buffer exercise around put and get: the first
// half of the workers produce cfg.Ops distinct items each, the others
// consume them, sharing them out evenly. Safety: every item is got
// exactly once, and the buffer never holds more than its capacity (seen
// natively as a put that returned with no room left, and under the
// controlled scheduler by looking at the buffer after every call).
// Liveness: every worker also puts or gets all its items.
func Buffer(put func(b *exercises.Buffer, item int), get func(b *exercises.Buffer) int) *Exercise {
	play := func(liveness bool) func(rt labs.Runtime, cfg labs.Config) labs.Instance {
		return func(rt labs.Runtime, cfg labs.Config) labs.Instance {
			b := &exercises.Buffer{Cap: bufferCap}
			b.NotFull.L, b.NotEmpty.L = &b.Mu, &b.Mu
			shim.Name(&b.Mu, "buffer.Mu")
			shim.Name(&b.NotFull, "buffer.NotFull")
			shim.Name(&b.NotEmpty, "buffer.NotEmpty")
			np := max(1, cfg.Workers/2)
			items := np * cfg.Ops
			quota := make([]int, cfg.Workers)
			for i := range quota {
				if i < np {
					quota[i] = cfg.Ops
					continue
				}
				nc, k := cfg.Workers-np, i-np
				quota[i] = items / nc
				if k < items%nc {
					quota[i]++
				}
			}
			// Observations, not synchronization: a put that has returned
			// put its item in, and a get that has been called may have
			// taken one, so returned puts minus called gets is at most
			// what the buffer holds, which is at most its capacity.
			var putsDone, getsCalled, overfull atomic.Int64
			// Under the controlled scheduler one worker runs at a time, so
			// the buffer itself can be looked at after every call.
			_, explored := rt.(*explore.Runtime)
			look := func() {
				if explored && len(b.Items) > bufferCap {
					overfull.Add(1)
				}
			}
			done := make([]int, cfg.Workers)
			got := make([][]int, cfg.Workers)
			for i := range cfg.Workers {
				name := fmt.Sprintf("consumer %d", i)
				if i < np {
					name = fmt.Sprintf("producer %d", i)
				}
				rt.Go(name, func(w labs.Worker) {
					for n := range quota[i] {
						if i < np {
							put(b, i*cfg.Ops+n)
							if putsDone.Add(1)-getsCalled.Load() > bufferCap {
								overfull.Add(1)
							}
						} else {
							getsCalled.Add(1)
							got[i] = append(got[i], get(b))
						}
						look()
						done[i]++
						w.Progress()
					}
				})
			}
			return instance(func() []labs.Check {
				times := make([]int, items)
				bad := 0
				for _, g := range got {
					for _, item := range g {
						if item < 0 || item >= items {
							bad++
							continue
						}
						times[item]++
					}
				}
				lost, twice := 0, 0
				for _, n := range times {
					if n == 0 {
						lost++
					}
					twice += max(n-1, 0)
				}
				cs := []labs.Check{
					check("every item got exactly once", "0 lost, 0 got twice, 0 made up",
						fmt.Sprintf("%d lost, %d got twice, %d made up", lost, twice, bad), lost == 0 && twice == 0 && bad == 0),
					check("never more than Cap items: puts that returned with no room left", 0, overfull.Load(), overfull.Load() == 0),
				}
				if liveness {
					for i := range cfg.Workers {
						what := "got its share of the items"
						if i < np {
							what = "put all its items"
						}
						cs = append(cs, check(fmt.Sprintf("worker %d %s", i, what), quota[i], done[i], done[i] == quota[i]))
					}
				}
				return cs
			})
		}
	}
	return &Exercise{
		Name:     "buffer",
		Explore:  labs.Config{Workers: 4, Ops: 2, Seed: 1},
		Native:   labs.Config{Workers: 8, Ops: 300, Yield: labs.YieldGosched},
		Safety:   play(false),
		Liveness: play(true),
	}
}

// rwFields is the size of the rwlock exercise's document: a writer sets
// every field, one at a time, so a reader let in during a write sees two
// versions.
const rwFields = 3

// RWLock is the readers-writers exercise around rlock, runlock, lock and
// unlock: the first quarter of the workers (at least one) write a shared
// document cfg.Ops times, the others read it cfg.Ops times. Safety: no
// reader is in while a writer is, no two writers are in at once, no read
// sees a half-written document, and no waiting writer is overtaken by
// more reads than there are other readers (a read that was asked for
// while a writer was already blocked waiting, and got in beside another
// reader before that writer did: the runtime says which workers are
// blocked). Liveness: every worker also does all its
// reads or writes.
func RWLock(rlock, runlock, lock, unlock func(l *exercises.RWLock)) *Exercise {
	play := func(liveness bool) func(rt labs.Runtime, cfg labs.Config) labs.Instance {
		return func(rt labs.Runtime, cfg labs.Config) labs.Instance {
			l := &exercises.RWLock{}
			l.Changed.L = &l.Mu
			shim.Name(&l.Mu, "rwlock.Mu")
			shim.Name(&l.Changed, "rwlock.Changed")
			obs, _ := rt.(labs.Observer)
			nw := max(1, cfg.Workers/4)
			limit := max(cfg.Workers-nw-1, 1)
			// doc is plain memory, guarded only by the submission's lock:
			// reading or writing it without the lock is a data race.
			var doc [rwFields]int
			// Observations, not synchronization.
			var readersIn, writersIn, clashes atomic.Int64
			writerIDs := make([]atomic.Int64, nw)
			overtaking := make([]atomic.Int64, nw)
			// waits[i] counts writer i's calls to lock and their returns:
			// odd while it waits, so a reader can tell one wait from the next.
			waits := make([]atomic.Int64, nw)
			overtaken := make([]int64, nw)
			torn := make([]int, cfg.Workers)
			done := make([]int, cfg.Workers)
			for i := range writerIDs {
				writerIDs[i].Store(-1)
			}
			for i := range cfg.Workers {
				if i < nw {
					rt.Go(fmt.Sprintf("writer %d", i), func(w labs.Worker) {
						writerIDs[i].Store(int64(w.ID()))
						for range cfg.Ops {
							overtaking[i].Store(0)
							waits[i].Add(1) // odd: waiting
							lock(l)
							waits[i].Add(1)
							overtaken[i] = max(overtaken[i], overtaking[i].Load())
							if writersIn.Add(1) > 1 || readersIn.Load() > 0 {
								clashes.Add(1)
							}
							v := doc[0] + 1
							for f := range doc {
								doc[f] = v
								w.Yield()
							}
							writersIn.Add(-1)
							unlock(l)
							done[i]++
							w.Progress()
							w.Yield() // a writer thinks between writes
						}
					})
					continue
				}
				rt.Go(fmt.Sprintf("reader %d", i), func(w labs.Worker) {
					asked := make([]int64, nw)
					for range cfg.Ops {
						// Which writers were already kept waiting when this
						// reader asked: only they can be overtaken by it.
						for j := range asked {
							asked[j] = -1
							if g := waits[j].Load(); g%2 == 1 && obs != nil {
								if id := writerIDs[j].Load(); id >= 0 && obs.Blocked(int(id)) {
									asked[j] = g
								}
							}
						}
						rlock(l)
						if readersIn.Add(1) > 1 {
							for j, g := range asked {
								if g >= 0 && waits[j].Load() == g {
									overtaking[j].Add(1)
								}
							}
						}
						if writersIn.Load() > 0 {
							clashes.Add(1)
						}
						v := doc[0]
						w.Yield()
						for f := 1; f < rwFields; f++ {
							if doc[f] != v {
								torn[i]++
							}
						}
						readersIn.Add(-1)
						runlock(l)
						done[i]++
						w.Progress()
					}
				})
			}
			return instance(func() []labs.Check {
				tornAll, most := 0, int64(0)
				for _, n := range torn {
					tornAll += n
				}
				for _, n := range overtaken {
					most = max(most, n)
				}
				cs := []labs.Check{
					check("readers and writers never in at once, nor two writers", 0, clashes.Load(), clashes.Load() == 0),
					check("no read saw a half-written document", 0, tornAll, tornAll == 0),
					check(fmt.Sprintf(FairnessPrefix+"no waiting writer starved: at most %d reads overtake it", limit), fmt.Sprintf("<= %d", limit), most, most <= int64(limit)),
				}
				if liveness {
					for i := range cfg.Workers {
						what := "did all its reads"
						if i < nw {
							what = "did all its writes"
						}
						cs = append(cs, check(fmt.Sprintf("worker %d %s", i, what), cfg.Ops, done[i], done[i] == cfg.Ops))
					}
				}
				return cs
			})
		}
	}
	return &Exercise{
		Name:     "rwlock",
		Explore:  labs.Config{Workers: 3, Ops: 2, Seed: 1},
		Native:   labs.Config{Workers: 4, Ops: 200, Yield: labs.YieldGosched},
		Safety:   play(false),
		Liveness: play(true),
	}
}
