//go:build !unix

package childproc

import "os/exec"

// OwnGroup leaves cancellation as exec does it: the child alone is
// killed. Process groups are a Unix notion.
func OwnGroup(cmd *exec.Cmd) {}
