//go:build !unix

package race

import "os/exec"

// ownGroup leaves cancellation as exec does it: the child is killed.
// Process groups are a Unix notion.
func ownGroup(cmd *exec.Cmd) {}
