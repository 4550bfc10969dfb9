// Package exercises holds the types of locklab's classroom exercises: the
// shared state a student's code works on. Each exercise is a
// subdirectory (counter, bank, philosophers, buffer, rwlock) with a stub
// the student edits and a README.md with the task, hints and rubric;
// `locklab grade NAME` grades it.
//
// The types live here, not in the stubs, so that a submission cannot
// change them: a stub refers to them through type aliases. Their locks
// are ordinary sync.Mutex values and their condition variables ordinary
// sync.Cond values. A submission may use them, or any other primitive of
// sync, sync/atomic or channels: the grader rewrites the submission (and
// this package, in its private copy) so that the same code runs on real
// goroutines under the race detector and under locklab's controlled
// scheduler, which sees every lock operation, channel operation and
// shared read and write.
package exercises
