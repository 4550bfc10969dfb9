package native

import (
	"time"

	"github.com/locklab/locklab/labs"
)

var _ labs.Observer = (*Runtime)(nil)

// blockedAfter is how long a worker must have waited before Blocked says
// it is blocked. A wait that has only just begun may end at once (a lock
// handed over, a value about to arrive); one that has lasted this long
// is a worker truly held up. It keeps a judge of fairness from counting
// a writer that has only just asked for a lock as one kept waiting.
const blockedAfter = 500 * time.Microsecond

// Blocked reports whether worker id has been blocked for at least half
// a millisecond: on a channel, a select, a Cond or a WaitGroup (its
// Blocked), or waiting for an instrumented lock (the Detector's
// Waiting).
func (rt *Runtime) Blocked(id int) bool {
	rt.mu.Lock()
	if id < 0 || id >= len(rt.workers) {
		rt.mu.Unlock()
		return false
	}
	w := rt.workers[id]
	rt.mu.Unlock()
	if b := w.wait.Load(); b != nil {
		return time.Since(b.Since) >= blockedAfter
	}
	g := w.gid.Load()
	if g == 0 {
		return false
	}
	ws, ok := rt.det.Waiting()[g]
	return ok && time.Since(ws.Since) >= blockedAfter
}
