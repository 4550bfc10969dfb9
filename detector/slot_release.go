//go:build !amd64 || race

package detector

// release gives the slot back. The owner's writes to the slot must be
// visible before the slot is seen free: an atomic store orders them.
func (s *slot) release() { s.gid.Store(0) }
