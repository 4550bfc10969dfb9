package run

import (
	"os/exec"
	"syscall"
)

// dieWithParent asks the kernel to kill the go-deadlock child when its
// parent dies, even by SIGKILL, which no handler sees: its workers may be
// stuck in go-deadlock's locks forever. Call it after childproc.OwnGroup.
func dieWithParent(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
