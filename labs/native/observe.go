package native

import "github.com/locklab/locklab/labs"

var _ labs.Observer = (*Runtime)(nil)

// Blocked reports whether worker id is blocked now: on a channel, a
// select, a Cond or a WaitGroup (its Blocked), or waiting for an
// instrumented lock (the Detector's Waiting).
func (rt *Runtime) Blocked(id int) bool {
	rt.mu.Lock()
	if id < 0 || id >= len(rt.workers) {
		rt.mu.Unlock()
		return false
	}
	w := rt.workers[id]
	rt.mu.Unlock()
	if w.wait.Load() != nil {
		return true
	}
	g := w.gid.Load()
	if g == 0 {
		return false
	}
	_, ok := rt.det.Waiting()[g]
	return ok
}
