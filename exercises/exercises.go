package exercises

import "sync"

// Counter is the counter exercise's shared counter: N counts the
// increments, and Mu is a lock that may guard it.
type Counter struct {
	Mu sync.Mutex
	N  int
}

// Account is the bank exercise's account. ID is unique and fixed;
// Balance is guarded by Mu.
type Account struct {
	ID      int
	Mu      sync.Mutex
	Balance int
}

// Fork is the philosophers exercise's fork. ID is unique and fixed (fork
// i lies between philosophers i-1 and i); holding Mu means holding the
// fork.
type Fork struct {
	ID int
	Mu sync.Mutex
}

// Buffer is the buffer exercise's bounded buffer of ints. Items holds
// what is in the buffer, oldest first, and must never hold more than Cap
// items; Mu guards Items. NotFull and NotEmpty are condition variables
// whose L is &Mu, ready for Put to wait for room and Get to wait for an
// item. Cap never changes.
type Buffer struct {
	Cap      int
	Mu       sync.Mutex
	NotFull  sync.Cond
	NotEmpty sync.Cond
	Items    []int
}

// RWLock is the rwlock exercise's reader/writer lock: its state, which
// the student's RLock, RUnlock, Lock and Unlock keep. Mu guards the other
// fields; Changed is a condition variable whose L is &Mu. Readers counts
// the readers holding the lock, Writing says whether a writer holds it,
// and Waiting counts the writers waiting for it; the zero value is an
// unlocked lock.
type RWLock struct {
	Mu      sync.Mutex
	Changed sync.Cond
	Readers int
	Writing bool
	Waiting int
}
