//go:build !amd64 && !arm64

package detector

import "runtime"

// callers fills pcs with the return addresses of the frames above its
// caller, skipping skip of them. Without frame pointers to follow this is
// runtime.Callers, about 100 ns.
func callers(skip int, pcs []uintptr) int {
	n := runtime.Callers(skip+2, pcs)
	clear(pcs[n:])
	return n
}

// siteHere returns the site of its caller's caller (see the frame-pointer
// version).
func siteHere() (pcs [siteDepth]uintptr) {
	runtime.Callers(3, pcs[:])
	return
}
