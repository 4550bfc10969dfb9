//go:build !unix

package run

import "os/exec"

// killGroupOnCancel leaves cancellation as exec does it: the child is
// killed. Process groups are a Unix notion.
func killGroupOnCancel(cmd *exec.Cmd) {}
