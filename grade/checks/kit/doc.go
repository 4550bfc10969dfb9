// Package kit is the harness behind the grader's checks programs: one
// small `package main` per exercise (grade/checks/NAME/checks_main.go,
// built only in the grader's scratch module) hands the submission's
// function to Counter, Bank or Philosophers and calls Main.
//
// Main runs the checks the program reports (the grader itself reports
// builds and forbidden):
//
//   - race-free: the workload runs natively (real goroutines, the lab's
//     locks, no detectors) NativeRuns times in a child process of the
//     program, which is built with -race; any "WARNING: DATA RACE" on the
//     child's stderr, or a child that does not finish, fails it.
//   - schedules: the workload runs under the controlled scheduler
//     (labs/explore) for Schedules schedules, half a random walk and half
//     PCT; a deadlock, stall, livelock, panic or broken safety invariant
//     (lost update, money created or lost, an overdraft, neighbours eating
//     at once) fails it, with the replay token.
//   - progress: Schedules/2 schedules (random walk, then PCT) in which every
//     worker must finish all its work (every increment, every transfer
//     accepted when balances are ample, every meal eaten); a livelock,
//     deadlock or a worker left behind fails it.
//   - no-leaks: after the native runs, the child looks for goroutines the
//     submission left behind (goleak).
//
// The controlled scheduler switches between workers only at lock
// operations, so an unsynchronized access is the race detector's to find,
// and a bug between critical sections (check-then-act, lock order) the
// explorer's.
//
// No submission code runs in the program's own process: it re-executes
// itself twice, concurrently, as a "native" child (race-free, no-leaks)
// and an "explore" child (schedules, progress), each with a nonce on its
// stdin that its result lines must carry, each in its own process group,
// killed at its time limit (15 s and 22 s) or when its resident memory
// passes 1.5 GiB (polled in /proc). Inside the explore child each check
// has a 10 s budget, so a submission that hangs one check still gets the
// other's verdict; inside both children a guard stops a goroutine bomb or
// runaway heap early. A check whose child died is failed with a sentence
// saying how (time limit, memory, exit status).
//
// `checks replay TOKEN` re-runs one explored schedule and prints its trace.
package kit
