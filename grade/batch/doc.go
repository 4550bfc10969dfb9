// Package batch grades a whole class: every subdirectory of a directory
// is one submission, graded by grade.Grade in its own sandbox, several at
// a time, into a gradebook (one row per submission, one column per check)
// and one results file per submission.
//
// A batch resumes: each submission graded completely leaves a record
// (under the results directory's .locklab) with a fingerprint of what
// decided its grade (the exercise and its rubric, the grader's version and
// source, the time limit, the submission's graded files and the names
// beside them), and a later batch with the same fingerprint reuses it
// instead of grading again, unless Options.Force. A submission that was
// interrupted, or whose grading failed, is graded again.
//
// One submission cannot spoil another's row: grade.Grade already confines
// and times out everything the submission runs; on top of that each
// grading runs under a watchdog of its own (Options.Limit) and a recover,
// and a grading that fails (the grader's own error, a panic, the
// watchdog) becomes that row's error, with the reason, while the others
// go on. Only a missing toolchain (grade.ErrToolchain), which would fail
// every row the same way, stops the batch.
//
// A batch can be one shard of several (Options.Shard): the submissions,
// sorted by name, are dealt round-robin. Every row carries the batch's
// run identity, its shard and the size of the whole batch, so that Merge
// can put the shards' JSON-lines gradebooks back together, and refuse
// shards of different batches or an incomplete set.
package batch
