// Package waitgroup is coordinators that split a job into tasks, run each
// in a goroutine and wait for all of them with a sync.WaitGroup, and the
// two ways that goes wrong.
//
// Each coordinator starts --ops tasks. Each task works a while and
// reports its part of the job, or an error (every fourth task fails), to
// the coordinator's tally, under a lock. When its wait returns, the
// coordinator reads the tally. Every run checks that each coordinator saw
// every task's report.
//
// A WaitGroup counts: Add(n) adds n, Done subtracts one, Wait blocks
// until the count is zero. Everything depends on when the count goes up
// and whether every task brings it down.
//
// # Add inside the goroutine (buggy: Wait returns early)
//
//	// WRONG: Wait may run before any Add
//	for _, task := range tasks {
//		go func() {
//			wg.Add(1)
//			defer wg.Done()
//			task()
//		}()
//	}
//	wg.Wait()
//
// A go statement does not run the goroutine at once. The coordinator
// usually reaches Wait before the tasks have counted themselves, finds
// zero and returns; it reads an incomplete result. The sync
// documentation: "calls with a positive delta that occur when the counter
// is zero must happen before a Wait". go vet's waitgroup check catches
// the plain sync.WaitGroup form of this.
//
// # Done skipped on an error path (buggy: Wait never returns)
//
//	// WRONG: a failed task never counts itself out
//	wg.Add(1)
//	go func() {
//		if err := task(); err != nil {
//			return
//		}
//		wg.Done()
//	}()
//
// The count never gets back to zero and the coordinator waits for ever.
// No lock is involved, so the wait-for graph has nothing to say; the
// watchdog names the coordinator in Wait, with Done calls owed and
// nobody left to make them.
//
// # Add before go, defer Done (fixed)
//
//	// RIGHT
//	wg.Add(1)
//	go func() {
//		defer wg.Done()
//		task()
//	}()
//
// Go 1.25's wg.Go(task) is exactly this.
//
// # An errgroup-style group (cooperative)
//
// golang.org/x/sync/errgroup's Group.Go(func() error) and Wait() error
// hide the counting: Go counts the task, the function's return reports
// it, and Wait returns the first error. The lab's version sends each
// task's result on a channel from a deferred call, and Wait receives one
// per task: no Add, no Done, nothing to misplace.
package waitgroup
