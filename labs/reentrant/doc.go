// Package reentrant is a store whose methods call each other while they
// hold its lock, and shows the deadlock that Go's mutexes, which are not
// re-entrant, turn that into.
//
// Shoppers place orders with a shared store: each order reserves a few
// units of one of a handful of items, if that many are left. The store
// keeps the stock of every item and what has been reserved, behind one
// lock. Every run checks that no item was reserved beyond its stock and
// that stock and reservations still add up to what the store opened with.
//
// # A method that holds the lock calls one that takes it (buggy: double lock)
//
// The store has a public Available, which locks the store to read an
// item's stock. Reserve locks the store too, and then, to check the
// stock, calls Available:
//
//	// WRONG: Reserve holds s.mu when Available locks it again
//	func (s *store) Reserve(item, n int) bool {
//		s.mu.Lock()
//		defer s.mu.Unlock()
//		if s.Available(item) < n { // Available calls s.mu.Lock()
//			return false
//		}
//		...
//	}
//
// In Java, C# or Python's RLock, a lock is re-entrant: the thread that
// holds it may lock it again, and must unlock it as often. A sync.Mutex is
// not: it does not know who holds it, so the second Lock waits for the
// Mutex to be unlocked, and the only goroutine that could unlock it is the
// one waiting. It waits for itself forever: a deadlock with a cycle of
// one. The same goes for a sync.RWMutex, Lock or RLock (see the
// readers-writers scenario for RLock).
//
// The lab's wait-for graph reports it at once, as a double lock: the
// shopper, the lock, where it took the lock the first time and where it
// locks it again. go-deadlock reports it as "recursive locking".
//
// # The Locked-helper convention (fixed)
//
// Split every method that needs the lock in two: an exported method that
// takes the lock and calls an unexported helper, and the helper, whose
// name ends in Locked and which expects its caller to hold the lock.
// Methods that already hold the lock call only helpers:
//
//	// RIGHT: availableLocked must be called with s.mu held
//	func (s *store) Available(item int) int {
//		s.mu.Lock()
//		defer s.mu.Unlock()
//		return s.availableLocked(item)
//	}
//
//	func (s *store) Reserve(item, n int) bool {
//		s.mu.Lock()
//		defer s.mu.Unlock()
//		if s.availableLocked(item) < n {
//			return false
//		}
//		...
//	}
//
// The Go standard library uses this naming (net/http's Transport has
// removeIdleConnLocked, its persistConn closeLocked): the name is the
// contract, and a reviewer who sees a Lock inside a ...Locked
// function, or a call of an exported method with the lock held, sees the
// bug. Go deliberately has no re-entrant mutex: a function that locks
// should know whether its caller already does.
//
// # One storekeeper: no lock at all (cooperative)
//
// Give the stock to one storekeeper goroutine. Shoppers send it orders
// over a channel and wait for its answer. The storekeeper handles one
// order at a time and may call any of its helpers in any order: there is
// no lock to take twice.
//
//	// RIGHT: only the storekeeper touches the stock
//	for o := range orders {
//		o.reply <- s.reserve(o.item, o.n) // reserve calls available freely
//	}
package reentrant
