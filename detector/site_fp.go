//go:build amd64 || arm64

package detector

import "unsafe"

// getfp returns the frame pointer of its caller (it has no frame itself).
func getfp() unsafe.Pointer

// callers fills pcs with the return addresses of the frames above its
// caller, skipping skip of them, by following the frame-pointer chain as
// the runtime's execution tracer does: the return address sits one word
// above the frame pointer, and the frame pointer points at the caller's.
// It stops at the goroutine's first frame, whose saved frame pointer is 0.
// With skip 0 the first address is the return into callers' caller.
//
//go:noinline
func callers(skip int, pcs []uintptr) int {
	fp := getfp() // this function's frame
	n := 0
	for fp != nil && n < len(pcs) {
		pc := *(*uintptr)(unsafe.Add(fp, unsafe.Sizeof(uintptr(0))))
		fp = *(*unsafe.Pointer)(fp)
		if skip > 0 {
			skip--
			continue
		}
		pcs[n] = pc
		n++
	}
	clear(pcs[n:])
	return n
}

// siteHere returns its caller's site: the return address into the
// function that called siteHere's caller, and those above it. It is
// callers(1, ...) for a Site, the one capture on a lock's fast path.
//
//go:noinline
func siteHere() (pcs [siteDepth]uintptr) {
	const w = unsafe.Sizeof(uintptr(0))
	fp := getfp()               // siteHere's frame
	fp = *(*unsafe.Pointer)(fp) // its caller's: its return address comes first
	for i := range pcs {
		if fp == nil {
			return
		}
		pcs[i] = *(*uintptr)(unsafe.Add(fp, w))
		fp = *(*unsafe.Pointer)(fp)
	}
	return
}
