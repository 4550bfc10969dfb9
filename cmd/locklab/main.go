// Command locklab is a deadlock and race lab for Go: it runs
// shared-resource scenarios in buggy and fixed variants under a deadlock
// detector, and explains what it finds.
//
// Usage:
//
//	locklab list
//	locklab explain SCENARIO [--variant V]
//	locklab run SCENARIO [--buggy | --variant V] [flags]
//
// Every command takes --json. Exit status: 0 nothing wrong found, 1 a
// problem found, 2 bad usage. See `locklab help` for the rest.
package main

import (
	"os"

	"github.com/locklab/locklab/grade/sandbox"
	"github.com/locklab/locklab/internal/cli"
)

func main() {
	sandbox.Init() // a sandbox's init helper is this program, started again; it never returns
	os.Exit(cli.Main())
}
