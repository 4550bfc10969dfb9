//go:build ignore

// The checks program of the grader's own test exercise "tiny": the
// submission's Count(workers, n) starts workers goroutines that each add n
// to a total, and returns the total.
package main

import (
	"fmt"
	"runtime"
	"time"

	"github.com/locklab/locklab/grade/report"

	tiny "locklab.grade/submission"
)

func main() {
	r := report.Start()
	tiny.Count(4, 1000) // races, if any, go to stderr
	r.Result("race-free", true, "ran 4 workers", "")
	got := tiny.Count(1, 5)
	r.Result("schedules", got == 5, fmt.Sprintf("Count(1, 5) = %d; want 5", got), "go test")
	r.Result("progress", true, "", "")
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > 1 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	n := runtime.NumGoroutine()
	r.Result("no-leaks", n == 1, fmt.Sprintf("%d goroutines left; want 1", n), "")
	r.Done()
}
