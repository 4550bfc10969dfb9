//go:build unix

package grade

import (
	"os/exec"
	"syscall"
)

// killGroup kills whatever is left of cmd's process group once it exited:
// nothing a checks program started may outlive the grading.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // ESRCH when nothing is left
	}
}
