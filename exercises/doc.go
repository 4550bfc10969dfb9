// Package exercises holds the types of locklab's classroom exercises: the
// shared state a student's code works on. Each exercise is a
// subdirectory (counter, bank, philosophers) with a stub the student
// edits and a README.md with the task, hints and points; `locklab grade
// NAME` grades it.
//
// The types live here, not in the stubs, so that a submission cannot
// change them: a stub refers to them through type aliases. Their locks
// are labs.Mutex values the grader creates, so the same student code runs
// on real goroutines (under the race detector) and under the controlled
// scheduler (package labs/explore), which switches between workers only
// at lock operations.
package exercises
