//go:build linux || darwin

package cli

import (
	"os"
	"syscall"
	"unsafe"
)

// ttyWidth asks the terminal f is for its width (TIOCGWINSZ); 0 when f
// is not a terminal.
func ttyWidth(f *os.File) int {
	var ws struct{ Row, Col, X, Y uint16 }
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), uintptr(syscall.TIOCGWINSZ), uintptr(unsafe.Pointer(&ws))); errno != 0 {
		return 0
	}
	return int(ws.Col)
}
