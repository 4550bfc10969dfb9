package detector

import (
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
)

// siteDepth is how many return addresses a Site keeps: enough to climb
// from the lock method's worker, through the method called directly or
// through an interface (sync.Locker, LockRanked, Cond.Wait, RLocker), to
// the caller.
const siteDepth = 4

// Site is where a lock was taken or waited for: a few return addresses,
// resolved to a source position only when a report needs one. Taking a
// Site walks frame pointers (on amd64 and arm64), a few nanoseconds,
// which is why every acquisition can afford one; runtime.Callers costs
// about 100 ns.
//
// A Site is written by the goroutine that holds the lock and read by
// reports from other goroutines. Outside race builds the words are copied
// plainly: a report that races with a new acquisition may show the wrong
// line, never a torn word. Race builds use atomic operations, so the race
// detector sees no race in the detector itself.
type Site struct {
	pc [siteDepth]uintptr
}

// capture records the caller's call stack, skipping skip frames above the
// function that calls capture.
//
//go:noinline
func (s *Site) capture(skip int) {
	var pcs [siteDepth]uintptr
	callers(skip+1, pcs[:])
	s.store(&pcs)
}

func (s *Site) store(pcs *[siteDepth]uintptr) {
	if raceBuild {
		for i := range pcs {
			atomic.StoreUintptr(&s.pc[i], pcs[i])
		}
		return
	}
	s.pc = *pcs
}

func (s *Site) load() [siteDepth]uintptr {
	if raceBuild {
		var pcs [siteDepth]uintptr
		for i := range pcs {
			pcs[i] = atomic.LoadUintptr(&s.pc[i])
		}
		return pcs
	}
	return s.pc
}

func (s *Site) clear() { s.store(&[siteDepth]uintptr{}) }

// Pos returns the innermost frame of the site outside the lab's lock
// machinery, or the zero Pos.
func (s *Site) Pos() Pos {
	pcs := s.load()
	return pcsPos(pcs[:])
}

// IsZero reports whether nothing was recorded.
func (s *Site) IsZero() bool { return s.load()[0] == 0 }

// posCache remembers the position of each stack seen in a report: the
// goroutines of one deadlock usually block on the same lines.
var posCache sync.Map // [maxPCs]uintptr -> Pos

const maxPCs = 12

func pcsPos(pcs []uintptr) Pos {
	n := 0
	for n < len(pcs) && pcs[n] != 0 {
		n++
	}
	if n == 0 {
		return Pos{}
	}
	var key [maxPCs]uintptr
	copy(key[:], pcs[:n])
	if p, ok := posCache.Load(key); ok {
		return p.(Pos)
	}
	p := resolve(pcs[:n])
	posCache.Store(key, p)
	return p
}

func resolve(pcs []uintptr) Pos {
	frames := runtime.CallersFrames(pcs)
	for {
		fr, more := frames.Next()
		switch {
		case fr.Function == "":
		case strings.HasPrefix(fr.Function, "runtime."):
			return Pos{}
		case !internalFrame(fr.Function):
			return Pos{File: trimPath(fr.File), Line: fr.Line, Func: shortFunc(fr.Function)}
		}
		if !more {
			return Pos{}
		}
	}
}

// Here returns the position of the innermost caller outside the lab's lock
// machinery, like Caller, at the cost of a frame-pointer walk plus the
// lookup of the frames it found.
func Here() Pos {
	var s Site
	s.capture(1)
	return s.Pos()
}
