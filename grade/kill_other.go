//go:build !unix

package grade

import "os/exec"

// killGroup does nothing where there are no process groups.
func killGroup(*exec.Cmd) {}
