package readerswriters

import "github.com/locklab/locklab/labs"

var readerPreference = labs.Variant{
	Name:    "reader-preference",
	Kind:    labs.Buggy,
	Bug:     labs.Starvation,
	Summary: "the first reader in locks the writers out, the last one out lets them in: readers who keep coming starve the writers",
	Lesson: "Readers share the document: the first reader in takes the room for all readers and the last one out gives it back; a writer takes the room alone. " +
		"That keeps the document consistent, and readers never wait for each other. " +
		"But a reader who arrives while other readers are inside walks straight in, even when a writer has been waiting all along, " +
		"so as long as readers overlap the room is never empty and the writer never gets it: starvation. " +
		"Nothing is deadlocked and every reader makes progress, which is why no deadlock detector and no stall watchdog can see it; " +
		"the run shows it in the writers' progress and their longest wait, and the starvation check fails " +
		"when more reads overtake a waiting writer than there are readers who could have been on their way in. " +
		"The lock-order graph warns about a cycle, readers count then room then readers count: the first reader takes the room " +
		"while holding the count's lock, and a reader leaving takes the count's lock while the readers still hold the room. " +
		"It cannot close, because a reader waits for the room only when no reader holds it; the lab shows the warning " +
		"rather than hiding it, because a lock-order graph cannot know that a room is held by a group.",
	Fix:    "writer-preference",
	Caught: []labs.Detector{labs.Invariant},
	Warned: []labs.Detector{labs.LockOrder},
	File:   "labs/readerswriters/reader_preference.go",
	Play:   playReaderPreference,
}

// readerPref is the classic first readers-writers solution (Courtois,
// Heymans and Parnas, 1971): readers have priority.
type readerPref struct {
	mu      labs.Mutex     // protects readers
	readers int            // readers inside
	room    labs.Semaphore // held by one writer, or by the readers together
}

func (l *readerPref) RLock() {
	l.mu.Lock()
	l.readers++
	if l.readers == 1 {
		l.room.Acquire() // the first reader in takes the room for every reader
	}
	l.mu.Unlock() // BUG: later readers walk in, however long a writer has waited
}

func (l *readerPref) RUnlock() {
	l.mu.Lock()
	l.readers--
	if l.readers == 0 {
		l.room.Release() // only the last reader out lets a writer in
	}
	l.mu.Unlock()
}

func (l *readerPref) Lock()   { l.room.Acquire() }
func (l *readerPref) Unlock() { l.room.Release() }

func playReaderPreference(rt labs.Runtime, cfg labs.Config) labs.Instance {
	lib := newLibrary(rt, cfg)
	l := &readerPref{mu: rt.Mutex("readers count"), room: rt.Semaphore("room", 1)}
	read, write := guarded(lib, l)
	lib.start(rt, cfg, read, write)
	return lib
}

// guarded returns the read and write functions of a variant whose lock is
// l: read under a read lock, write under the write lock.
func guarded(lib *library, l rwLocker) (readFunc, writeFunc) {
	read := func(w labs.Worker, i int) {
		l.RLock()
		lib.read(w, i)
		l.RUnlock()
	}
	write := func(w labs.Worker, i int) {
		lib.waitFor(i, func() { l.Lock() })
		lib.write(w)
		l.Unlock()
	}
	return read, write
}
