// Package boundedbuffer is producers and consumers sharing a bounded
// buffer, the classic home of the condition variable, and of its two
// classic bugs: a stolen wakeup and a lost one.
//
// Producers put items into a buffer with room for one item (the smallest
// bounded buffer, where the bugs show soonest); consumers take them out. A producer that finds the buffer full must wait for room, a
// consumer that finds it empty must wait for an item. The first half of
// the workers produce --ops items each; the others consume them, sharing
// the items out evenly. Every run checks that the buffer never held
// fewer than zero items or more than it has room for, that every item was
// got exactly once, and that every worker did its work.
//
// A sync.Cond is how goroutines wait for a condition on shared state: hold
// the lock, check the condition, and if it does not hold call Wait, which
// unlocks, sleeps until another goroutine calls Signal (wake one waiter)
// or Broadcast (wake all), and locks again before returning.
//
// # An if around Wait (buggy: stolen wakeup)
//
//	// WRONG: a woken Wait does not mean the buffer has an item
//	mu.Lock()
//	if count == 0 {
//		notEmpty.Wait()
//	}
//	item := take()
//	mu.Unlock()
//
// Two consumers wait for an item; a producer puts one and broadcasts.
// Both wake, one after the other gets the lock back: the first takes the
// item, the second returns from Wait, does not look again, and takes from
// an empty buffer. With Signal the same happens whenever a consumer that
// was not waiting at all gets the lock before the one woken: it barges
// in and takes the item the sleeper was woken for.
// Every access is locked, so the race detector has nothing to say; nothing
// deadlocks; only the buffer's invariants break. The sync.Cond
// documentation says it plainly: the caller typically cannot assume that
// the condition is true when Wait returns; it should Wait in a loop.
//
// # Signal on a Cond that producers and consumers share (buggy: lost wakeup)
//
//	// WRONG: Signal wakes one waiter, maybe one that cannot use it
//	for count == capacity {
//		changed.Wait()
//	}
//	put(item)
//	changed.Signal()
//
// The for loops are right this time, but producers and consumers wait on
// the same condition variable. A put's Signal may wake another producer,
// which finds the buffer still full and goes back to sleep: the wakeup a
// consumer needed is spent on the wrong worker. Once every worker is
// asleep on the condition, nobody is left to call Signal, and the program
// stops for good. No lock is held in a cycle, so the wait-for graph has
// nothing to report; the watchdog sees the stall and names each worker
// in Wait, and nobody who could Signal.
//
// # A for loop and two conditions (fixed)
//
//	// RIGHT
//	mu.Lock()
//	for count == 0 {
//		notEmpty.Wait()
//	}
//	item := take()
//	notFull.Signal()
//	mu.Unlock()
//
// The loop makes a stolen wakeup harmless: the worker just waits again.
// Separate conditions make every Signal reach a worker that can use it:
// producers wait only on not-full, consumers only on not-empty. Keeping
// one condition and calling Broadcast instead of Signal also works: every
// waiter wakes and its loop decides, at the price of waking workers that
// only go back to sleep.
//
// # A buffered channel (cooperative)
//
//	// RIGHT: a channel with capacity 1 is a bounded buffer of 1
//	buffer := make(chan int, 1)
//	buffer <- item  // blocks while full
//	item = <-buffer // blocks while empty
//
// The waiting, the waking and the counting are the runtime's. There is no
// condition to re-check and no wakeup to lose.
package boundedbuffer
