// Package explore runs lab variants under a controlled scheduler. Every
// worker is a goroutine, but only one runs at a time, and control changes
// hands only at scheduling points: lock, semaphore and channel
// operations, Yield, and worker exit. Which enabled worker runs next is
// the choice of a Strategy (a seeded random walk, PCT, or a bounded
// depth-first search), so a schedule is entirely determined by its
// sequence of choices.
//
// The scheduler, not the workers, owns the state of every lock, semaphore
// and channel: a blocked worker is simply not enabled. When no worker is
// enabled and some are not done, that is a deadlock, reported at once
// with the cycle (waiter, lock, owner, ...) as the wait-for graph reports
// it, or as a stall when no cycle explains it (a channel deadlock). A
// schedule that spends its step budget with no Progress is a livelock; a
// finished schedule is checked with the scenario's invariants.
//
// Explore runs many schedules and returns the first failure, minimized
// to the fewest context switches that still fail the same way, with a
// replay token; Replay re-runs a token's schedule and gives a
// byte-identical trace. A Session lets a person play the scheduler one
// step at a time.
package explore
