package readerswriters

import "github.com/locklab/locklab/labs"

var rwmutex = labs.Variant{
	Name:    "rwmutex",
	Kind:    labs.Fixed,
	Summary: "sync.RWMutex: a blocked Lock keeps new readers out; nobody read-locks twice",
	Lesson: "Go's sync.RWMutex is writer-preferring: once a writer is blocked in Lock, new RLock calls wait until it has had its turn, " +
		"so readers cannot starve writers. Each reader takes the read lock once and calls nothing that takes it again, " +
		"so a queued writer never stands between two read locks of the same reader. " +
		"Helpers that need the document take it as an argument, or follow the Locked-helper convention (see the reentrant scenario).",
	File: "labs/readerswriters/rwmutex.go",
	Play: playRWMutex,
}

func playRWMutex(rt labs.Runtime, cfg labs.Config) labs.Instance {
	lib := newLibrary(rt, cfg)
	read, write := guarded(lib, rt.RWMutex("document"))
	lib.start(rt, cfg, read, write)
	return lib
}
