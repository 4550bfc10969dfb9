//go:build !amd64 || race

package detector

import "sync/atomic"

// release gives the slot back. The owner's writes to the slot must be
// visible before the slot is seen free: an atomic store orders them.
func (s *slot) release() { s.gid.Store(0) }

// plainRelease says release stores may be plain: not here.
const plainRelease = false

// zeroWord clears a hold word.
func zeroWord(w *atomic.Uint64) { w.Store(0) }
