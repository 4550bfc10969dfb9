package native_test

import (
	"errors"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/native"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// wait returns rt.Wait's error, failing t if the workers do not all return
// within a generous limit.
func wait(t *testing.T, rt *native.Runtime) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- rt.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		rt.Detector().Abort("test timeout")
		t.Fatal("workers did not return")
		return nil
	}
}

func TestWorkers(t *testing.T) {
	rt := native.New(detector.New(), 7, labs.YieldGosched)
	firsts := make([]uint64, 2)
	for i := range 2 {
		rt.Go([]string{"ann", "bob"}[i], func(w labs.Worker) {
			if w.ID() != i {
				t.Errorf("worker %d: ID() = %d", i, w.ID())
			}
			firsts[i] = w.Rand().Uint64()
			w.Yield()
			w.Progress()
			w.Progress()
		})
	}
	if err := wait(t, rt); err != nil {
		t.Fatalf("Wait() = %v; want nil", err)
	}
	for i, w := range rt.Workers() {
		if w.Count() != 2 || w.Steps() != 1 || w.State() != native.Done {
			t.Errorf("worker %s: count %d, steps %d, state %v; want 2, 1, done", w.Name(), w.Count(), w.Steps(), w.State())
		}
		if w.Goroutine() == 0 {
			t.Errorf("worker %d: no goroutine id", i)
		}
	}
	if firsts[0] == firsts[1] {
		t.Error("two workers drew the same first random number: sources not per worker")
	}
	// The same seed gives the same draws: runs are reproducible.
	again := native.New(detector.New(), 7, labs.YieldGosched)
	var first uint64
	again.Go("ann", func(w labs.Worker) { first = w.Rand().Uint64() })
	_ = wait(t, again)
	if first != firsts[0] {
		t.Errorf("seed 7, worker 0: first draw %d, then %d; want the same", firsts[0], first)
	}
}

// A worker's panic is reported by Wait, not raised in the test, and it
// aborts the run so the other workers unwind.
func TestWorkerPanic(t *testing.T) {
	rt := native.New(detector.New(), 1, labs.YieldGosched)
	rt.Go("spinner", func(w labs.Worker) {
		for {
			w.Yield() // unwinds once the panic below aborts the run
		}
	})
	rt.Go("crasher", func(labs.Worker) { panic("boom") })
	err := wait(t, rt)
	var p *native.WorkerPanic
	if !errors.As(err, &p) || p.Worker != "crasher" || p.Value != "boom" || p.Stack == "" {
		t.Fatalf("Wait() = %v; want the crasher's panic with a stack", err)
	}
	states := map[string]native.State{}
	for _, w := range rt.Workers() {
		states[w.Name()] = w.State()
	}
	if states["spinner"] != native.Aborted || states["crasher"] != native.Panicked {
		t.Errorf("states = %v; want spinner aborted, crasher panicked", states)
	}
}

// Blocked channel operations and held-up lock waits give control back on
// abort.
func TestAbortUnblocks(t *testing.T) {
	det := detector.New()
	rt := native.New(det, 1, time.Millisecond)
	empty, full := rt.Chan("empty", 0), rt.Chan("full", 1)
	full.Send(0)
	mu := rt.Mutex("held")
	sem := rt.Semaphore("seat", 1)
	sem.Acquire()
	mu.Lock()
	rt.Go("receiver", func(labs.Worker) { empty.Recv() })
	rt.Go("sender", func(labs.Worker) { full.Send(1) })
	rt.Go("locker", func(labs.Worker) { mu.Lock() })
	rt.Go("sitter", func(labs.Worker) { sem.Acquire() })
	for len(det.Waiting()) < 2 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(10 * time.Millisecond) // let the channel workers block too
	det.Abort("test")
	if err := wait(t, rt); err != nil {
		t.Fatalf("Wait() = %v; want nil", err)
	}
	for _, w := range rt.Workers() {
		if w.State() != native.Aborted {
			t.Errorf("%s: state %v; want aborted", w.Name(), w.State())
		}
	}
	mu.Unlock()
	sem.Release()
}

// WithLocks replaces the runtime's locks, as the go-deadlock backend does.
func TestWithLocks(t *testing.T) {
	made := 0
	rt := native.New(detector.New(), 1, 0, native.WithLocks(
		func(name string) labs.Mutex { made++; return new(plain) },
		func(name string) labs.RWMutex { made++; return nil },
	))
	rt.Mutex("a")
	rt.RWMutex("b")
	if made != 2 {
		t.Errorf("%d locks made by the given functions; want 2", made)
	}
}

type plain struct{}

func (*plain) Lock()         {}
func (*plain) Unlock()       {}
func (*plain) TryLock() bool { return true }
