// Package lockchannel is publishers telling a subscriber about updates to
// a shared registry, and the deadlock of a lock held across a channel
// operation whose partner needs that lock.
//
// Every publisher makes --ops updates to the registry, which one lock
// guards, and sends an event about each to the subscriber over a
// channel. The subscriber receives each event and, taking the registry's
// lock, applies it. Every run checks that the subscriber applied every
// event, in each publisher's order.
//
// # Send while holding the lock (buggy)
//
//	// WRONG: the send waits for the subscriber, who waits for mu
//	mu.Lock()
//	e := update()
//	events <- e
//	mu.Unlock()
//
//	// the subscriber
//	for e := range events {
//		mu.Lock()
//		apply(e)
//		mu.Unlock()
//	}
//
// An unbuffered send waits until someone receives. While the subscriber
// handles one event, a publisher locks mu and sends the next: it waits
// for the subscriber to receive, holding mu; the subscriber waits for mu.
// That is a cycle of waits, but one of its edges is a channel, so a
// wait-for graph of locks cannot see it, and neither can go-deadlock's
// lock-order check. The study of real Go concurrency bugs in Docker,
// Kubernetes, etcd, gRPC, CockroachDB and BoltDB by Tu, Liu, Song and
// Zhang (ASPLOS 2019) counts blocking bugs like this one, where a lock
// and a channel wait on each other, among those that message passing
// brings. The lab's watchdog sees every worker stop and names each wait: the
// subscriber blocked on the registry, held by a publisher that waits to
// send on events, with nobody to receive.
//
// # Unlock, then send (fixed)
//
//	// RIGHT: block on the channel holding nothing
//	mu.Lock()
//	e := update()
//	mu.Unlock()
//	events <- e
//
// The rule: never block on a channel (or a WaitGroup, a Cond, I/O) while
// holding a lock that the goroutine you wait for may need.
//
// # A buffer with room for everything (fixed, with a condition)
//
// A buffered channel with room for every event there will be never blocks
// a send, so sending under the lock is safe. With less room it is the
// same deadlock once the buffer fills: a buffer fixes this only when its
// size is bounded by design.
//
// # The subscriber owns the registry (cooperative)
//
// Give the registry to the subscriber: publishers send their updates and
// the subscriber applies them. Without a lock, there is nothing to hold
// across a send.
package lockchannel
