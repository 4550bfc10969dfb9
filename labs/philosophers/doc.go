// Package philosophers is the dining philosophers, Dijkstra's classic
// picture of deadlock.
//
// N philosophers sit at a round table with one fork between each pair of
// neighbors: N forks in all. A philosopher thinks, gets hungry, picks up
// the two forks beside them, eats, puts the forks down and thinks again. A
// fork is a lock: only one philosopher can hold it. Philosopher i's left
// fork is fork i and their right fork is fork i+1 (fork 0 for the last
// philosopher). Dinner starts when everyone has sat down, and each
// philosopher eats a fixed number of meals (--ops, default 3; --workers
// sets N, default 5).
//
// Every run reports the meals each philosopher ate, how often each gave up
// an attempt at the forks and tried again, and the longest time any of
// them waited for forks: a philosopher who waits far longer than the
// others is starving. It checks that every philosopher ate every meal and
// that no fork was ever in two hands at once.
//
// # The four Coffman conditions
//
// A deadlock happens only when all four of these hold at once (Coffman,
// Elphick and Shoshani, 1971):
//
//  1. Mutual exclusion: a fork is held by one philosopher at a time.
//  2. Hold and wait: a philosopher holds one fork while waiting for another.
//  3. No preemption: nobody takes a fork out of another's hand.
//  4. Circular wait: a cycle of philosophers, each waiting for a fork the
//     next one holds.
//
// Each fix below breaks one of them. None breaks mutual exclusion: two
// philosophers sharing a fork is the very bug the forks are there to stop.
//
// # Left then right (buggy: circular wait)
//
// Each philosopher picks up the left fork, then the right:
//
//	// WRONG
//	left.Lock()
//	right.Lock() // everyone holds a left fork; everyone waits here
//	eat()
//
// If every philosopher picks up their left fork at the same moment, each
// then waits for the right fork, which their neighbor holds as a left fork,
// all the way round the table. All four conditions hold and nobody eats
// again. locklab's wait-for graph reports the cycle the moment the last
// philosopher blocks: who holds which fork, who waits for which, and on
// which line. The lock-order graph reports it too, as orders: fork 0 before
// fork 1, fork 1 before fork 2, ..., fork N-1 before fork 0.
//
// # Resource hierarchy (fixed: breaks circular wait)
//
// Number the forks and always pick up the lower-numbered one first:
//
//	// RIGHT
//	first, second := min(left, right), max(left, right)
//	forks[first].Lock()
//	forks[second].Lock()
//
// Everyone still goes left then right except the last philosopher, who
// reaches for fork 0 before fork N-1. A philosopher only ever waits for a
// fork numbered higher than any they hold, so a chain of waits climbs and
// must end at someone who can eat: no cycle.
//
// # Waiter (fixed: breaks circular wait)
//
// A waiter seats at most N-1 philosophers at a time:
//
//	// RIGHT
//	seats := rt.Semaphore("waiter", n-1)
//	seats.Acquire()
//	left.Lock()
//	right.Lock()
//
// With N forks and at most N-1 diners, one of them always finds both forks
// free, so the waits never close into a cycle. The lock-order graph still
// sees the forks taken in a cycle of orders, but every one of those orders
// was taken inside the waiter, which admits fewer philosophers than the
// cycle needs; it reports the cycle as gated, and the run is clean.
//
// # Polite (buggy: livelock)
//
// A philosopher who cannot get the right fork puts the left one down,
// waits a moment and tries again:
//
//	// WRONG
//	for {
//		left.Lock()
//		pause()
//		if right.TryLock() {
//			break
//		}
//		pause()
//		left.Unlock() // everyone gives up at once...
//		pause()       // ...and comes back at once: no backoff
//	}
//
// Nobody holds a fork while waiting for another, which breaks hold and
// wait: no deadlock. But if everyone starts together and waits just as
// long, they pick up, give up and put down in step, forever. Everyone is
// busy and nobody eats: a livelock.
//
// On real goroutines the timing jitters, and the lockstep usually breaks
// by itself after some tens of milliseconds; the run finishes, with many
// retries and long waits to show for it. A livelock comes and goes with
// timing, which makes it hard to catch by running: locklab's watchdog
// reports one only when no philosopher eats for its whole stall limit. The
// controlled scheduler, which chooses who runs next, finds the schedule
// that repeats forever every time.
//
// # Randomized backoff (fixed: breaks hold and wait)
//
// Try both forks without waiting; if either is taken, put down what you
// hold and wait a random, growing while:
//
//	// RIGHT
//	pause := locks.RandomBackoff(w.Rand(), 6, w.Yield)
//	putDown := locks.TryAll(pause, left, right)
//
// As in the polite variant, nobody holds a fork while waiting, so there is
// no deadlock; the random waits break the symmetry that makes the polite
// philosophers livelock. This is how Ethernet shares a wire.
//
// # Host (cooperative: no locks)
//
// A host goroutine owns the forks; nobody else touches them. A philosopher
// sends a request over a channel and waits for a grant; the host hands out
// both forks at once, or keeps the request until both are free:
//
//	// RIGHT
//	requests.Send(request{who: i})
//	grants[i].Recv() // both forks, or none yet
//	eat()
//	requests.Send(request{who: i, done: true})
//
// A philosopher never holds one fork while waiting for the other, which
// breaks hold and wait, and the host never blocks handing out a grant, so
// no wait can be circular. The state has one owner, so there is nothing to
// lock: do not communicate by sharing memory; share memory by
// communicating.
package philosophers
