// Package rwlock forgets to wake anyone when a writer leaves: readers
// who waited for it sleep for ever.
package rwlock

import "github.com/locklab/locklab/exercises"

// RWLock is a reader/writer lock's state.
type RWLock = exercises.RWLock

// RLock waits while a writer holds the lock or waits for it.
func RLock(l *RWLock) {
	l.Mu.Lock()
	defer l.Mu.Unlock()
	for l.Writing || l.Waiting > 0 {
		l.Changed.Wait()
	}
	l.Readers++
}

// RUnlock lets a waiting writer in when the last reader leaves.
func RUnlock(l *RWLock) {
	l.Mu.Lock()
	defer l.Mu.Unlock()
	l.Readers--
	if l.Readers == 0 {
		l.Changed.Broadcast()
	}
}

// Lock announces the writer, then waits for the readers and any writer.
func Lock(l *RWLock) {
	l.Mu.Lock()
	defer l.Mu.Unlock()
	l.Waiting++
	for l.Writing || l.Readers > 0 {
		l.Changed.Wait()
	}
	l.Waiting--
	l.Writing = true
}

// Unlock lets the next one in, or would, if it woke them.
func Unlock(l *RWLock) {
	l.Mu.Lock()
	defer l.Mu.Unlock()
	l.Writing = false
}
