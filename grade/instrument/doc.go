// Package instrument checks a student's submission against the grader's
// allow-list and rewrites its source so that the explorer sees what it
// does.
//
// Check parses and type-checks the files. A submission may import only
// the packages an exercise allows (the standard library parts a solution
// needs, and the exercise's own types), may use only runtime.Gosched of
// package runtime, may not declare func init, use //go: or //line
// directives or build constraints, import "C", or use the identifier
// prefix the rewriting reserves (_ll), and its package-level variables may
// be initialized only by calls of allowed packages' functions (an
// errors.New sentinel is fine; calling the submission's own functions, or
// passing a function to a call, is not: that would run submission code
// before the checks start). Every violation is reported with its file and
// line; a violation is a gate: the submission is not built or run.
//
// Rewrite then produces the instrumented files, with every line where it
// was, so that positions in traces and race reports are the student's:
// shared reads and writes (package-level variables, fields and elements
// reached through pointers, slices and maps, variables captured by
// closures), channel operations, select, go statements, time.Sleep,
// time.After, time.AfterFunc and runtime.Gosched go through package
// grade/shim, and sync and sync/atomic are replaced by their mirrors. A
// generated file registers the package's variables, so that each run
// starts from their initial values, and the labels of its sites.
package instrument
