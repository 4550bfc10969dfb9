package race

import (
	"os/exec"
	"syscall"
)

// dieWithParent asks the kernel to kill cmd when this process dies, even
// by SIGKILL, which no handler sees. Call it after childproc.OwnGroup.
func dieWithParent(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
