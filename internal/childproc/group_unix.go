//go:build unix

package childproc

import (
	"os/exec"
	"syscall"
)

// OwnGroup starts cmd in its own process group and makes cancellation
// (exec.CommandContext's) kill the whole group, so that nothing the child
// started outlives it. Call it before cmd.Start.
func OwnGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
