// Package rwlock is the readers-writers exercise: write a reader/writer
// lock that never lets readers starve a writer. See README.md.
package rwlock

import "github.com/locklab/locklab/exercises"

// RWLock is a reader/writer lock's state: l.Readers, l.Writing and
// l.Waiting, guarded by l.Mu; l.Changed is a condition variable on l.Mu.
type RWLock = exercises.RWLock

// RLock locks l for reading: it waits while a writer holds l, and while a
// writer is waiting for it. Many readers may hold l at once.
//
// TODO: this version does not wait for anyone. Fix RLock, RUnlock, Lock
// and Unlock together.
func RLock(l *RWLock) {
	l.Readers++
}

// RUnlock undoes one RLock.
func RUnlock(l *RWLock) {
	l.Readers--
}

// Lock locks l for writing: it waits until no reader and no other writer
// holds l. From the moment it starts to wait, new readers must wait too.
func Lock(l *RWLock) {
	l.Writing = true
}

// Unlock undoes Lock.
func Unlock(l *RWLock) {
	l.Writing = false
}
