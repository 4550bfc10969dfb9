package detector_test

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/locks"
	"github.com/petermattis/goid"
)

// BenchmarkReport measures the quality bar "deadlock report within 1 ms of
// the cycle closing, any cycle length" (DESIGN.md) on the dining
// philosophers with n = 5 and n = 50.
//
// Each op sets up a fresh table: philosopher i holds fork i, and
// philosophers 0 .. n-2 block on fork i+1. The benchmark goroutine is
// philosopher n-1; it takes the time right before it calls Lock(fork 0),
// the acquire that closes the cycle, and the Detector's WithOnFinding
// callback takes it again when the deadlock is reported. That interval,
// averaged, is the ns/report metric. ns/op is the whole round trip (set up
// the table, deadlock, report, abort, unwind every goroutine).
//
// go-deadlock has no entry here: it compares pairs of locks, so it sees
// these cycles only through its DeadlockTimeout (30 s by default).
//
// The lab names its workers (Detector.Name); goroutines with no name are
// named after their stacks, which a report reads once: the names=stack
// rows measure that, what an engineer's unnamed goroutines cost.
func BenchmarkReport(b *testing.B) {
	for _, named := range []bool{true, false} {
		for _, n := range []int{5, 50} {
			names := "worker"
			if !named {
				names = "stack"
			}
			b.Run(fmt.Sprintf("philosophers=%d/names=%s", n, names), func(b *testing.B) {
				var total time.Duration
				ops := 0
				for b.Loop() {
					total += reportOnce(b, n, named)
					ops++
				}
				b.ReportMetric(float64(total.Nanoseconds())/float64(ops), "ns/report")
			})
		}
	}
}

// reportOnce deadlocks n philosophers and returns the time from the
// cycle-closing Lock call to the deadlock report. Every goroutine it
// starts has returned when it returns.
func reportOnce(b *testing.B, n int, named bool) time.Duration {
	b.Helper()
	base := time.Now()        // monotonic clock origin for both readings
	var reported atomic.Int64 // time.Since(base) at the deadlock report
	var found atomic.Pointer[detector.Finding]
	d := detector.New(detector.WithOutput(nil), detector.WithOnFinding(func(f detector.Finding) {
		if f.Kind == detector.Deadlock {
			reported.CompareAndSwap(0, int64(time.Since(base)))
			found.CompareAndSwap(nil, &f)
		}
	}))
	// Nothing may hang: if the cycle went unreported, abort the run so
	// every blocked Lock gives control back, and fail below.
	guard := time.AfterFunc(10*time.Second, func() { d.Abort("benchmark: no deadlock report within 10s") })
	defer guard.Stop()

	forks := make([]*locks.Mutex, n)
	for i := range forks {
		forks[i] = locks.NewMutex(fmt.Sprintf("fork %d", i), locks.WithDetector(d))
	}

	var (
		holding sync.WaitGroup // philosophers 0 .. n-2 hold their left fork
		done    sync.WaitGroup // they have returned
		start   = make(chan struct{})
	)
	holding.Add(n - 1)
	done.Add(n - 1)
	for i := range n - 1 {
		go func() {
			defer done.Done()
			if named {
				d.Name(goid.Get(), fmt.Sprintf("philosopher %d", i))
			}
			forks[i].Lock()
			defer forks[i].Unlock()
			holding.Done()
			<-start
			lockOrAbort(forks[i+1])
		}()
	}
	holding.Wait()
	if named {
		d.Name(goid.Get(), fmt.Sprintf("philosopher %d", n-1))
	}
	forks[n-1].Lock()
	close(start)

	// Wait until philosophers 0 .. n-2 are in the wait-for graph, so that
	// the next Lock is the one that closes the cycle.
	for deadline := time.Now().Add(10 * time.Second); len(d.Waiting()) < n-1; {
		if time.Now().After(deadline) {
			d.Abort("benchmark: philosophers did not block")
			break
		}
		time.Sleep(10 * time.Microsecond)
	}

	closing := time.Since(base)
	lockOrAbort(forks[0])
	forks[n-1].Unlock()
	done.Wait()

	if !d.Aborted() {
		b.Fatal("the deadlock did not abort the Detector")
	}
	f := found.Load()
	if f == nil {
		b.Fatalf("no deadlock reported; detector: %q", d.Reason())
	}
	if len(f.Steps) != n {
		b.Fatalf("deadlock has %d steps; want %d: %s", len(f.Steps), n, f.Message)
	}
	return time.Duration(reported.Load()) - closing
}

// lockOrAbort locks and unlocks m, or returns when m's Detector is
// aborted first: a blocked Lock then panics with detector.ErrAborted,
// which is recovered here. Once the run is aborted either may happen,
// because an unwinding neighbour's deferred Unlock can free m before the
// abort is seen. Any other panic is re-raised.
func lockOrAbort(m *locks.Mutex) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); !ok || !errors.Is(e, detector.ErrAborted) {
				panic(r)
			}
		}
	}()
	m.Lock()
	m.Unlock()
}
