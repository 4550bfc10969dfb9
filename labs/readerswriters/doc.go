// Package readerswriters is readers and writers sharing a document: the
// readers-writers problem, and the two ways a reader/writer lock goes
// wrong.
//
// Many readers may read the document at once, but a writer must be alone
// with it: a reader who reads while a writer is halfway through sees
// half a document. A reader/writer lock (sync.RWMutex) gives exactly
// that: RLock for readers, who share, and Lock for writers, who exclude
// everyone.
//
// The first quarter of the workers (at least one) are writers: each
// writes a new version of the document --ops times, a field at a time,
// thinking a moment between writes. The others are readers: each reads
// the document --ops times. Every run checks that no reader saw a
// half-written document, that every worker did its work, and that no
// writer starved. A read that begins while a writer is blocked waiting
// for the lock, and another reader is already reading, overtakes the
// writer; a fair lock lets at most the readers already on their way in
// do that (one per other reader), while a lock that prefers readers lets
// them overtake for as long as they keep overlapping. The run reports
// each worker's progress, the most reads that overtook one waiting
// writer, and the writers' longest wait for the lock.
//
// # Reader preference (buggy: starvation)
//
// The first solution to the problem (Courtois, Heymans and Parnas, 1971)
// lets the first reader in lock the room for all readers, and the last
// one out unlock it:
//
//	// WRONG: a reader walks in whenever another reader is inside
//	func (l *lock) RLock() {
//		l.mu.Lock()
//		l.readers++
//		if l.readers == 1 {
//			l.room.Acquire() // first in: lock the writers out
//		}
//		l.mu.Unlock()
//	}
//
// Nothing deadlocks and nobody reads half a document. But a reader who
// arrives while another is reading walks straight in, however long a
// writer has been waiting. As long as readers overlap, the room is never
// empty, and the writer waits for ever: starvation. No deadlock detector
// can see it, because nothing is blocked in a cycle, and no stall
// watchdog either, because the readers make progress. It shows in
// per-worker progress (the writers fall behind), in the writers' longest
// wait, and in the scenario's check: reads keep overtaking a waiting
// writer. (The lock-order graph also warns about this lock, wrongly: see
// the variant's lesson.)
//
// # A recursive read lock behind a waiting writer (buggy: deadlock)
//
// With sync.RWMutex itself, a reader that read-locks twice can deadlock:
//
//	// WRONG: version read-locks rw again while read holds it
//	func read() {
//		rw.RLock()
//		defer rw.RUnlock()
//		use(doc)
//		_ = version() // rw.RLock(); defer rw.RUnlock(); return doc.version
//	}
//
// Two read locks at once are allowed, and most runs get away with it.
// But Go's RWMutex is writer-preferring: "If any goroutine calls Lock
// while the lock is already held by one or more readers, concurrent
// calls to RLock will block until the writer has acquired (and released)
// the lock, to ensure that the lock eventually becomes available to the
// writer. Note that this prohibits recursive read-locking." (the sync
// package documentation). A writer that calls Lock
// between the reader's two RLocks waits for the reader; the reader's
// second RLock waits for the writer. That is the RWR deadlock. The lab's
// wait-for graph reports the cycle when it closes, and flags every
// recursive RLock even in runs where no writer came between.
//
// # Writer preference (fixed)
//
// Turn the preference around: a writer announces itself before it waits,
// and from then on new readers wait too. The readers inside drain out and
// the writer gets the document.
//
//	// RIGHT: a waiting writer keeps new readers out
//	func (l *lock) RLock() {
//		l.mu.Lock()
//		for l.writing || l.waiting > 0 {
//			l.changed.Wait()
//		}
//		l.readers++
//		l.mu.Unlock()
//	}
//
//	func (l *lock) Lock() {
//		l.mu.Lock()
//		l.waiting++
//		for l.writing || l.readers > 0 {
//			l.changed.Wait()
//		}
//		l.waiting--
//		l.writing = true
//		l.mu.Unlock()
//	}
//
// Readers and writers wait for different things on one condition
// variable, so every change is broadcast, and every wait re-checks its
// condition in a for loop (the bounded-buffer scenario shows what
// happens otherwise). A steady stream of writers would now starve the
// readers; here the writers think between writes, as most do.
//
// # sync.RWMutex, read-locked once (fixed)
//
// sync.RWMutex is already writer-preferring. Use it, and never read-lock
// it twice in one goroutine: a helper that needs the document takes it
// as an argument from a caller that holds the lock, or follows the
// Locked-helper convention of the reentrant scenario.
//
// # One keeper (cooperative)
//
// A keeper goroutine owns the document and serves read and write
// requests from one channel in the order they arrive. A writer waits only
// for the requests ahead of it, so nobody starves, and a write is one
// request, so nobody reads half of one. Reads no longer run in parallel:
// that is what a reader/writer lock buys.
package readerswriters
