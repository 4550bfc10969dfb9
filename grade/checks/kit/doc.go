// Package kit is the harness behind the grader's checks programs: one
// small `package main` per exercise (grade/checks/NAME/checks_main.go,
// built only in the grader's scratch module, beside the instrumented
// submission) hands the submission's functions to Counter, Bank,
// Philosophers, Buffer or RWLock and calls Main.
//
// Main reads what to do from the grader (package grade/report) and
// reports observations, never verdicts; the grader, in a process the
// submission cannot reach, scores them. The grader runs the program once
// per mode, each time in its own sandbox:
//
//   - native: the safety workload (whose invariants say the work was done
//     right: no lost update, money conserved, no overdraft, no two
//     neighbours eating at once) and the liveness workload (every worker
//     must do all its work: every increment, every affordable transfer,
//     every meal) each run Runs times with the detectors off, as the race
//     detector should see the code, and Runs times under the wait-for and
//     lock-order graphs; then the goroutines the submission left behind
//     are looked for (goleak).
//   - explore: the safety workload for Schedules schedules and the
//     liveness workload for Schedules/2, each half a random walk and half
//     PCT, under the controlled scheduler, which switches between
//     workers at every lock and channel operation and every shared read
//     and write of the instrumented submission.
//   - replay: one explored schedule, with its trace.
//
// Each run starts from the submission's initial package state (package
// grade/shim resets it), and the guard stops a goroutine bomb or a
// runaway heap early.
package kit
