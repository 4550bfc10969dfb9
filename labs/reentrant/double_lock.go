package reentrant

import "github.com/locklab/locklab/labs"

var doubleLock = labs.Variant{
	Name:    "double-lock",
	Kind:    labs.Buggy,
	Bug:     labs.DoubleLock,
	Summary: "Reserve holds the store's lock and calls Available, which locks it again",
	Lesson: "Reserve locks the store, then calls the public Available to check the stock, and Available locks the store too. " +
		"Go's sync.Mutex is not re-entrant: it does not know who holds it, so the second Lock waits for the Mutex to be unlocked, " +
		"and the only goroutine that could unlock it is the one waiting. " +
		"The shopper waits for itself forever, a deadlock with a cycle of one, on its very first order. " +
		"The wait-for graph reports it as a double lock the moment the second Lock blocks, with where the lock was taken first; " +
		"go-deadlock calls it recursive locking.",
	Fix:    "locked-helper",
	Caught: []labs.Detector{labs.WaitFor, labs.GoDeadlock},
	File:   "labs/reentrant/double_lock.go",
	Play:   playDoubleLock,
}

// lockingStore is the store with one lock around its shelves and public
// methods that each take it.
type lockingStore struct {
	mu labs.Mutex // protects shelves
	*shelves
}

// Available returns how many units of item are left. It locks the store.
func (s *lockingStore) Available(item int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stock[item]
}

func playDoubleLock(rt labs.Runtime, cfg labs.Config) labs.Instance {
	sh := newShop(cfg)
	s := &lockingStore{mu: rt.Mutex("store"), shelves: sh.shelves}
	reserve := func(w labs.Worker, item, n int) bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		w.Yield()
		if s.Available(item) < n { // BUG: Available locks s.mu, which Reserve holds
			return false
		}
		return s.reserveLocked(w, item, n)
	}
	sh.open(rt, cfg, reserve)
	return sh
}
