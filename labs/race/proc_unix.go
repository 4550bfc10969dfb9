//go:build unix

package race

import (
	"os/exec"
	"syscall"
)

// ownGroup starts the child in its own process group and makes
// cancellation kill the whole group, so that nothing the child started
// outlives it.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
