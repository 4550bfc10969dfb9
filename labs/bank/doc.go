// Package bank moves money between accounts, and shows the two ways that
// goes wrong with locks: a deadlock, and an overdraft that the race
// detector cannot see.
//
// The bank has one account per clerk, each opening with 100. Every clerk
// makes a series of transfers of random amounts between two random,
// different accounts. A transfer that the source account cannot cover is
// refused. Two invariants must hold at the end of every run: no money was
// made or lost (the total is what the bank opened with), and no balance
// ever went below zero.
//
// # Two locks, taken in argument order
//
// Give every account its own lock, so that transfers between different
// accounts run in parallel. A transfer needs both accounts, so the obvious
// code locks the source, then the destination:
//
//	// WRONG: transfer(a, b) and transfer(b, a) can deadlock
//	from.mu.Lock()
//	to.mu.Lock()
//
// A clerk moving money from A to B holds A and waits for B; another,
// moving money from B to A, holds B and waits for A. Both wait forever.
//
// A deadlock needs all four Coffman conditions at once:
//
//   - mutual exclusion: a lock has one holder at a time;
//   - hold and wait: a clerk holds one lock while it waits for another;
//   - no preemption: nobody can take a lock away from its holder;
//   - circular wait: the waits form a cycle: A's holder waits for B, whose
//     holder waits for A.
//
// Break any one and the deadlock cannot happen; each fix below says which
// one it breaks. The lab's wait-for graph reports the cycle the moment it
// closes (which clerk holds which account and waits for which, and on
// which line), and its lock-order graph reports the inconsistent order: A
// then B in one clerk, B then A in another.
//
// # Check, then act: a race without a data race
//
// Locking every access is not enough. This code locks the account to check
// the balance, unlocks it, and locks it again to withdraw:
//
//	// WRONG: the check may be stale by the time the money moves
//	from.mu.Lock()
//	enough := from.balance >= amount
//	from.mu.Unlock()
//	if enough {
//		from.mu.Lock()
//		from.balance -= amount
//		from.mu.Unlock()
//	}
//
// Two clerks check an account holding 100, for 60 each; both see enough,
// both withdraw, and the balance is -20. Every read and write of a balance
// happens under its lock, so there is no data race, and Go's race detector
// is silent: it reports unsynchronized memory accesses, not wrong ones.
// This is a race condition of another kind, an atomicity violation: the
// check and the act must be one critical section, because the check is
// only true while the lock is held. The lab's invariant catches it.
//
//	// RIGHT: check and act under one hold of the lock
//	from.mu.Lock()
//	if from.balance >= amount {
//		from.balance -= amount
//	}
//	from.mu.Unlock()
//
// # One lock for the bank: break hold and wait
//
// A single lock around every transfer fixes both bugs. A clerk waiting for
// the bank's lock holds no other lock, so hold and wait cannot happen; and
// the check and the transfer are one critical section. It is the simplest
// fix and the slowest, because transfers between unrelated accounts wait
// for each other.
//
//	// RIGHT: one lock, held from the check to the deposit
//	bank.Lock()
//	defer bank.Unlock()
//
// # Locks in a fixed order: break the circular wait
//
// Keep a lock per account, but lock the two accounts in one global order,
// the lower account number first, whichever way the money goes:
//
//	// RIGHT: every clerk locks in the same order
//	unlock := locks.LockRanked(
//		locks.Ranked{Rank: from.id, L: from.mu},
//		locks.Ranked{Rank: to.id, L: to.mu},
//	)
//	defer unlock()
//
// A clerk may hold account 1 and wait for account 3, but nobody holding 3
// ever waits for 1, so the waits cannot form a cycle.
//
// # Try, and back off: break hold and wait
//
// Never wait while holding a lock: try both, and if either is taken,
// release what you got, wait a random while and start over.
//
//	// RIGHT: all or nothing, with randomized backoff
//	unlock := locks.TryAll(locks.RandomBackoff(r, 4, pause), from.mu, to.mu)
//	defer unlock()
//
// Without the random backoff, two clerks can fail, release and retry in
// lockstep forever: a livelock.
//
// # One owner: no locks at all
//
// The cooperative alternative gives every account to a single teller. The
// clerks send it transfer requests over a channel and wait for its reply;
// the teller handles one request at a time. Only the teller ever touches a
// balance, so there is no lock to deadlock on and no check that another
// clerk can invalidate. A clerk holds nothing while it waits for a reply,
// and the teller never waits for a clerk.
//
//	// RIGHT: only the teller touches balances
//	for r := range requests {
//		ok := r.from.balance >= r.amount
//		if ok {
//			r.from.balance -= r.amount
//			r.to.balance += r.amount
//		}
//		r.reply <- ok
//	}
package bank
