//go:build unix

package report

import "syscall"

// private returns a close-on-exec duplicate of fd, or fd itself if it
// cannot be duplicated.
func private(fd int) int {
	nfd, err := syscall.Dup(fd)
	if err != nil {
		return fd
	}
	syscall.CloseOnExec(nfd)
	return nfd
}
