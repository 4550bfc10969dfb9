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
