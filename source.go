// Package locklab carries locklab's own source, so that the grader
// builds a submission's checks from a pristine copy compiled into the
// binary, never from a directory a graded process could have written.
// The packages are documented where they live: labs, locks, detector,
// grade and cmd/locklab.
package locklab

import "embed"

// Source is the module's go.mod and go.sum and the packages a checks
// program is built from (test files and testdata included; the grader
// copies only what a build needs).
//
//go:embed go.mod go.sum detector labs locks exercises grade/shim grade/checks grade/report internal/childproc
var Source embed.FS
