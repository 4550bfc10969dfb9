// Package race runs lab variants under the Go race detector and reduces
// what ThreadSanitizer says to what a student needs to see: each data race
// as its two conflicting accesses, and in how many runs it showed up.
//
// Racy code must never run inside a race-enabled process that is checking
// something else (its report would fail the check), and the lab's own
// binary is usually built without -race. So the race detector runs in a
// child process: [Build] builds cmd/locklab with -race once per
// invocation, and [Check] runs a variant in that binary as many times as
// asked, each run a child process with a time limit:
//
//	<bin> run SCENARIO --variant V --json --detector none --timeout T --stall S
//
// The child's --json Result goes to its stdout; ThreadSanitizer's reports
// go to its stderr, where detector.ParseRace reads them. The deadlock
// detectors are off in the child (--detector none) because their
// bookkeeping takes a lock on every Lock and Unlock: the happens-before
// edges of that lock could hide a race between two workers that use
// different locks. A deadlocked run is stopped by the watchdog instead.
//
// The child's GORACE options are chosen on purpose:
//
//	halt_on_error=0    report every race and let the run finish, so the
//	                   Result (outcome, invariants) is still written
//	exitcode=66        a run that found nothing else wrong but raced exits
//	                   66 rather than 0 (a run that found a problem exits 1
//	                   either way: the reports, not the status, count)
//	atexit_sleep_ms=0  do not sleep 1 s at exit: runs are many and short
//	history_size=2     remember 128K accesses per goroutine, so that the
//	                   previous access's stack can be restored
//
// Each access is named after its worker: the child's Result lists, for
// every worker, the number the race detector gives its goroutine
// (run.WorkerResult.RaceGoroutine, which labs/native predicts; it is not
// the Go goroutine id), and detector.NameRaces maps one to the other. The
// package's tests check the prediction against real reports.
//
// A race is identified by its two source positions, in either order
// (detector.Race.Key): the same pair seen in several runs is one race, seen
// in that many runs. An [Observation] says whether the variant raced, and
// whether that agrees with the catalog: a variant that declares labs.Race
// must show a race with an access in its own file, and every other variant
// none. A buggy variant without a data race (an atomicity violation such as
// the bank's check-then-act) is clean under the race detector by design;
// its Observation still shows the invariants its runs broke, and its Note
// says why the detector is silent.
//
// Build needs the Go toolchain with cgo and a C compiler; when one is
// missing it returns an error wrapping [ErrToolchain] that says in one line
// what to install.
package race
