//go:build amd64 && !race

package detector

import (
	"sync/atomic"
	"unsafe"
)

// plainRelease says release stores may be plain (see below).
const plainRelease = true

// zeroWord clears a hold word with a plain store, for the same reason.
func zeroWord(w *atomic.Uint64) { *(*uint64)(unsafe.Pointer(w)) = 0 }

// release gives the slot back with a plain store. On amd64 every store is
// a release store (the processor keeps stores in program order), which is
// all the claim protocol needs: a claimer that sees the slot free by its
// compare-and-swap sees every write the last owner made to it. An atomic
// store would add a full fence, about 5 ns, to every Unlock that leaves a
// goroutine holding nothing. Race builds, and other architectures, use
// the atomic store (slot_release.go).
func (s *slot) release() { *(*int64)(unsafe.Pointer(&s.gid)) = 0 }
