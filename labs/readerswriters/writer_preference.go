package readerswriters

import "github.com/locklab/locklab/labs"

var writerPreference = labs.Variant{
	Name:    "writer-preference",
	Kind:    labs.Fixed,
	Summary: "a waiting writer keeps new readers out: a hand-made lock with a mutex and a condition variable",
	Lesson: "The lock counts the readers inside and the writers waiting, under one mutex, and everyone waits on one condition variable. " +
		"A writer announces itself before it waits; from then on new readers wait too, so the readers inside drain out " +
		"and the writer gets the document: readers can no longer starve it. " +
		"Every wait is in a for loop that re-checks its condition, and every change that could let someone in is broadcast, " +
		"because readers and writers wait for different things on the same condition variable. " +
		"The price: a steady stream of writers would starve the readers instead; fair locks take turns (see the keeper).",
	File: "labs/readerswriters/writer_preference.go",
	Play: playWriterPreference,
}

// writerPref is a writer-preferring reader/writer lock.
type writerPref struct {
	mu      labs.Mutex // protects the counts and writing
	changed labs.Cond  // on mu: readers left, or a writer finished
	readers int        // readers inside
	waiting int        // writers waiting to write
	writing bool       // a writer is inside
}

func (l *writerPref) RLock() {
	l.mu.Lock()
	for l.writing || l.waiting > 0 { // a waiting writer goes first
		l.changed.Wait()
	}
	l.readers++
	l.mu.Unlock()
}

func (l *writerPref) RUnlock() {
	l.mu.Lock()
	l.readers--
	if l.readers == 0 {
		l.changed.Broadcast() // a writer may be waiting for the last reader
	}
	l.mu.Unlock()
}

func (l *writerPref) Lock() {
	l.mu.Lock()
	l.waiting++ // from now on, new readers wait
	for l.writing || l.readers > 0 {
		l.changed.Wait()
	}
	l.waiting--
	l.writing = true
	l.mu.Unlock()
}

func (l *writerPref) Unlock() {
	l.mu.Lock()
	l.writing = false
	l.changed.Broadcast() // readers and writers wait on the same condition
	l.mu.Unlock()
}

func playWriterPreference(rt labs.Runtime, cfg labs.Config) labs.Instance {
	lib := newLibrary(rt, cfg)
	mu := rt.Mutex("lock state")
	l := &writerPref{mu: mu, changed: rt.Cond("changed", mu)}
	read, write := guarded(lib, l)
	lib.start(rt, cfg, read, write)
	return lib
}
