// Package rwlock is correct, but prefers readers: a reader walks in
// whenever no writer is writing, however long a writer has waited. As
// long as readers overlap, the writer starves.
package rwlock

import "github.com/locklab/locklab/exercises"

// RWLock is a reader/writer lock's state.
type RWLock = exercises.RWLock

// RLock waits only while a writer is writing.
func RLock(l *RWLock) {
	l.Mu.Lock()
	defer l.Mu.Unlock()
	for l.Writing {
		l.Changed.Wait()
	}
	l.Readers++
}

// RUnlock lets a writer in when the last reader leaves.
func RUnlock(l *RWLock) {
	l.Mu.Lock()
	defer l.Mu.Unlock()
	l.Readers--
	if l.Readers == 0 {
		l.Changed.Broadcast()
	}
}

// Lock waits until nobody is in.
func Lock(l *RWLock) {
	l.Mu.Lock()
	defer l.Mu.Unlock()
	for l.Writing || l.Readers > 0 {
		l.Changed.Wait()
	}
	l.Writing = true
}

// Unlock lets everyone look again.
func Unlock(l *RWLock) {
	l.Mu.Lock()
	defer l.Mu.Unlock()
	l.Writing = false
	l.Changed.Broadcast()
}
