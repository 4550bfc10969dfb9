// Package grade grades a student's solution to a locklab exercise.
//
// An exercise (Catalog) is a stub package under exercises/NAME that the
// student completes, and a rubric of checks worth points. Grade copies only
// the exercise's allowed files of a submission into a scratch module beside
// the exercise's checks program (embedded in this package from
// grade/checks/NAME), builds it with -race, runs it in its own process group
// with a time limit, a memory cap and no stdin, and reads the checks'
// results from a pipe on fd 3, each line carrying a per-run random nonce
// (package grade/report). It always produces a complete Result: a check that
// never reported, because the program crashed, hung or exited early, is
// failed and says so.
//
// Before anything is built, the allowed files are parsed and checked for
// constructs that would let submission code run before the checks start or
// escape them (Forbidden). A flagged submission is compiled, to score the
// builds check, but never run: it loses the forbidden check and every
// runtime check.
//
// The Result can be written as JSON, as a Gradescope results.json, as a
// GitHub Classroom runner result, or as JUnit XML (Write).
package grade
