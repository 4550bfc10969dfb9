package sync

import (
	gosync "sync"

	"github.com/locklab/locklab/grade/shim"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/locks"
)

// Locker is sync.Locker.
type Locker = gosync.Locker

// Mutex is sync.Mutex.
type Mutex struct {
	m locks.Mutex
}

func (m *Mutex) explored() labs.Mutex {
	o := shim.Explored(m, "sync.Mutex", func(rt labs.Runtime, name string) any { return rt.Mutex(name) })
	if o == nil {
		return nil
	}
	return o.(labs.Mutex)
}

// SetName names m for the native run's reports (the grader names the
// exercise's locks and the submission's package-level ones).
func (m *Mutex) SetName(name string) { m.m.SetName(name) }

// Lock locks m.
func (m *Mutex) Lock() {
	if e := m.explored(); e != nil {
		e.Lock()
		return
	}
	m.m.Lock()
	shim.AfterLock()
}

// TryLock tries to lock m and reports whether it did.
func (m *Mutex) TryLock() bool {
	if e := m.explored(); e != nil {
		return e.TryLock()
	}
	return m.m.TryLock()
}

// Unlock unlocks m.
func (m *Mutex) Unlock() {
	if e := m.explored(); e != nil {
		e.Unlock()
		return
	}
	m.m.Unlock()
	shim.AfterUnlock()
}

// RWMutex is sync.RWMutex.
type RWMutex struct {
	rw locks.RWMutex
}

func (rw *RWMutex) explored() labs.RWMutex {
	o := shim.Explored(rw, "sync.RWMutex", func(rt labs.Runtime, name string) any { return rt.RWMutex(name) })
	if o == nil {
		return nil
	}
	return o.(labs.RWMutex)
}

// SetName names rw for the native run's reports.
func (rw *RWMutex) SetName(name string) { rw.rw.SetName(name) }

// Lock locks rw for writing.
func (rw *RWMutex) Lock() {
	if e := rw.explored(); e != nil {
		e.Lock()
		return
	}
	rw.rw.Lock()
	shim.AfterLock()
}

// TryLock tries to lock rw for writing and reports whether it did.
func (rw *RWMutex) TryLock() bool {
	if e := rw.explored(); e != nil {
		return e.TryLock()
	}
	return rw.rw.TryLock()
}

// Unlock unlocks rw for writing.
func (rw *RWMutex) Unlock() {
	if e := rw.explored(); e != nil {
		e.Unlock()
		return
	}
	rw.rw.Unlock()
	shim.AfterUnlock()
}

// RLock locks rw for reading.
func (rw *RWMutex) RLock() {
	if e := rw.explored(); e != nil {
		e.RLock()
		return
	}
	rw.rw.RLock()
	shim.AfterLock()
}

// TryRLock tries to lock rw for reading and reports whether it did.
// Under the controlled scheduler it succeeds when nobody holds rw for
// writing.
func (rw *RWMutex) TryRLock() bool {
	if e := rw.explored(); e != nil {
		if t, ok := e.(interface{ TryRLock() bool }); ok {
			return t.TryRLock()
		}
		e.RLock()
		return true
	}
	return rw.rw.TryRLock()
}

// RUnlock undoes one RLock.
func (rw *RWMutex) RUnlock() {
	if e := rw.explored(); e != nil {
		e.RUnlock()
		return
	}
	rw.rw.RUnlock()
	shim.AfterUnlock()
}

// RLocker returns a Locker whose Lock and Unlock call RLock and RUnlock.
func (rw *RWMutex) RLocker() Locker { return rlocker{rw} }

type rlocker struct{ rw *RWMutex }

func (r rlocker) Lock()   { r.rw.RLock() }
func (r rlocker) Unlock() { r.rw.RUnlock() }
