package detector

import (
	"sync"
	"weak"
)

// registry lists a Detector's locks without keeping them alive, so that
// an audit at the end of a test can ask every lock who holds it. A lock is
// added once, when it is registered (made, or first used); dead entries
// are dropped when the list would grow.
type registry struct {
	mu    sync.Mutex
	locks []weak.Pointer[Lock]
}

func (r *registry) add(l *Lock) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.locks) == cap(r.locks) && len(r.locks) > 0 {
		live := r.locks[:0]
		for _, w := range r.locks {
			if w.Value() != nil {
				live = append(live, w)
			}
		}
		clear(r.locks[len(live):])
		r.locks = live
	}
	r.locks = append(r.locks, weak.Make(l))
}

// all returns the locks still alive, in registration order.
func (r *registry) all() []*Lock {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*Lock, 0, len(r.locks))
	for _, w := range r.locks {
		if l := w.Value(); l != nil {
			out = append(out, l)
		}
	}
	return out
}
