// Package grade grades a student's solution to a locklab exercise.
//
// An exercise (Catalog) is a stub package under exercises/NAME that the
// student completes, and a rubric of checks worth points. Grade reads only
// the exercise's allowed files of a submission, checks them against an
// import allow-list and type-checks them (package grade/instrument; a
// violation or a type error is a gate that scores 0), rewrites them so
// that the controlled scheduler sees every shared access, lock and
// channel operation, and builds them with -race beside the exercise's
// checks program, in a scratch module made from the copy of locklab's
// source compiled into the binary. The build and both runs of the checks
// program (natively, and under the controlled scheduler) happen in a
// sandbox (package grade/sandbox). The program reports observations over
// a descriptor, every line carrying a nonce (package grade/report); Grade
// scores them. It always produces a complete Result, every check scored:
// a check whose evidence is missing, because the program crashed, hung or
// exited early, or because the evidence it builds on failed, says so.
//
// The Result can be written as JSON, as a Gradescope results.json, as a
// GitHub Classroom runner result, or as JUnit XML (Write).
package grade
