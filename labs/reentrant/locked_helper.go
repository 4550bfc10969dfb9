package reentrant

import "github.com/locklab/locklab/labs"

var lockedHelper = labs.Variant{
	Name:    "locked-helper",
	Kind:    labs.Fixed,
	Summary: "exported methods lock and call ...Locked helpers; a method holding the lock calls only helpers",
	Lesson: "Every method that needs the lock comes in two: the exported one locks and calls an unexported helper whose name ends in Locked, " +
		"and the helper expects its caller to hold the lock. Reserve holds the lock and calls availableLocked, never Available, " +
		"so no goroutine ever locks what it already holds. " +
		"The name is the contract: a Lock inside a ...Locked function, or an exported method called with the lock held, is the bug, visible in review. " +
		"Go has no re-entrant mutex on purpose: code that locks should know whether its caller already does.",
	File: "labs/reentrant/locked_helper.go",
	Play: playLockedHelper,
}

// helperStore is lockingStore with the Locked-helper convention.
type helperStore struct {
	mu labs.Mutex // protects shelves
	*shelves
}

// Available returns how many units of item are left. It locks the store.
func (s *helperStore) Available(item int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.availableLocked(item)
}

// availableLocked is Available for a caller that holds s.mu.
func (s *helperStore) availableLocked(item int) int { return s.stock[item] }

// Reserve reserves n units of item if that many are left. It locks the
// store, and calls only helpers while it holds the lock.
func (s *helperStore) Reserve(w labs.Worker, item, n int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	w.Yield()
	if s.availableLocked(item) < n {
		return false
	}
	return s.reserveLocked(w, item, n)
}

func playLockedHelper(rt labs.Runtime, cfg labs.Config) labs.Instance {
	sh := newShop(cfg)
	s := &helperStore{mu: rt.Mutex("store"), shelves: sh.shelves}
	sh.open(rt, cfg, s.Reserve)
	return sh
}
