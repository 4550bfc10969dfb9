package readerswriters

import "github.com/locklab/locklab/labs"

var recursiveRLock = labs.Variant{
	Name:    "recursive-rlock",
	Kind:    labs.Buggy,
	Bug:     labs.RecursiveRLock,
	Summary: "a reader holding the read lock calls a helper that read-locks again, while a writer queues in between",
	Lesson: "A reader holds the read lock and calls version, a helper that read-locks the same RWMutex again. " +
		"Two read locks at once are fine, until a writer calls Lock between them: Go's RWMutex makes a waiting writer " +
		"keep new readers out, so that readers cannot starve it, and the reader's second RLock is a new reader. " +
		"The writer waits for the reader to unlock, the reader waits for the writer to go first: a deadlock, " +
		"the RWR deadlock. sync.RWMutex's documentation says so: \"this prohibits recursive read-locking\". " +
		"The wait-for graph reports the cycle; the detector flags every recursive RLock even in runs where no writer came between, " +
		"and go-deadlock calls it recursive locking.",
	Fix:    "rwmutex",
	Caught: []labs.Detector{labs.WaitFor, labs.GoDeadlock},
	File:   "labs/readerswriters/recursive_rlock.go",
	Play:   playRecursiveRLock,
}

func playRecursiveRLock(rt labs.Runtime, cfg labs.Config) labs.Instance {
	lib := newLibrary(rt, cfg)
	rw := rt.RWMutex("document")
	// version returns the document's version. It read-locks rw, so that
	// callers who do not hold it may call it too.
	version := func() int {
		rw.RLock()
		defer rw.RUnlock()
		return lib.doc[0]
	}
	read := func(w labs.Worker, i int) {
		rw.RLock()
		defer rw.RUnlock()
		lib.read(w, i) // a writer may call Lock meanwhile, and wait for us
		_ = version()  // BUG: a second RLock while holding one; behind a waiting writer it waits forever
	}
	write := func(w labs.Worker, i int) {
		lib.waitFor(i, func() { rw.Lock() })
		lib.write(w)
		rw.Unlock()
	}
	lib.start(rt, cfg, read, write)
	return lib
}
