package explore

import "github.com/locklab/locklab/labs"

var _ labs.Observer = (*Runtime)(nil)

// Blocked reports whether worker id is blocked now: started, not
// returned, not the running worker, and its next operation cannot
// happen.
func (rt *Runtime) Blocked(id int) bool {
	if id < 0 || id >= len(rt.workers) {
		return false
	}
	w := rt.workers[id]
	return w != rt.cur && !w.exited && !rt.enabled(w)
}
