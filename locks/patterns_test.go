package locks_test

// One small program per bug pattern of real Go projects, each asserting
// the finding (its kind, the goroutines and locks it names, the lines) or,
// for legal uses of sync, its absence. None can hang: every wait is
// abortable or bounded, and the deadlocks unwind.

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/locks"
)

type account struct {
	mu      *locks.Mutex
	balance int
}

var errFunds = errors.New("insufficient funds")

// withdraw forgets to unlock on its error path.
func (a *account) withdraw(n int) error {
	a.mu.Lock() // withdraw: lock
	if a.balance < n {
		return errFunds // BUG: returns holding a.mu
	}
	a.balance -= n
	a.mu.Unlock()
	return nil
}

// Missing Unlock on an error path, the same goroutine coming back: a
// double lock, reported with the place the lock was first taken, and
// unwound instead of hanging.
func TestPatternMissingUnlockDoubleLock(t *testing.T) {
	d := quiet()
	a := &account{mu: locks.NewMutex("account", locks.WithDetector(d))}
	if err := a.withdraw(10); !errors.Is(err, errFunds) {
		t.Fatalf("withdraw = %v; want %v", err, errFunds)
	}
	err := catch(func() { _ = a.withdraw(1) })
	ae := asAbort(t, err)
	if ae.Finding == nil || ae.Finding.Kind != detector.DoubleLock {
		t.Fatalf("panic carries %v; want the double-lock finding", ae.Finding)
	}
	f := waitFinding(t, d, detector.DoubleLock)
	if len(f.Steps) != 1 || f.Steps[0].Lock != "account" {
		t.Fatalf("steps %+v; want one step on account", f.Steps)
	}
	at(t, "first taken", f.Steps[0].Taken, line(t, "withdraw: lock"))
	at(t, "second Lock", &f.Steps[0].At, line(t, "withdraw: lock"))
	if !strings.Contains(f.Message, "already holds (taken at locks/patterns_test.go:") ||
		!strings.Contains(err.Error(), "double-lock") {
		t.Errorf("message %q, error %q; want the first place and the kind", f.Message, err)
	}
	a.mu.Unlock()
}

// Missing Unlock on an error path in a goroutine that then returns: the
// lock is held by an exited goroutine. Reported as soon as someone has
// waited for it a short while, with who took it and where; and by the
// audit at the end of a test when no one waits.
func TestPatternMissingUnlockExitedOwner(t *testing.T) {
	d := quiet()
	a := &account{mu: locks.NewMutex("account", locks.WithDetector(d))}
	done := make(chan error)
	go func() { done <- a.withdraw(10) }()
	<-done

	var audit []detector.Finding
	waitUntil(t, func() bool { audit = d.Audit(); return len(audit) > 0 }) // the goroutine may not have exited yet
	if len(audit) != 1 || audit[0].Kind != detector.ExitedOwner {
		t.Fatalf("audit = %v; want one exited-owner finding", audit)
	}
	at(t, "audit: taken", audit[0].Steps[0].Taken, line(t, "withdraw: lock"))

	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	got := make(chan error)
	go func() { got <- a.mu.LockContext(ctx) }() // exited: waiter
	f := waitFinding(t, d, detector.ExitedOwner)
	if len(f.Steps) != 2 || f.Steps[0].State != "exited" || f.Steps[1].State != "blocked" {
		t.Fatalf("steps %+v; want the exited owner, then the blocked waiter", f.Steps)
	}
	at(t, "taken", f.Steps[0].Taken, line(t, "withdraw: lock"))
	at(t, "waiter", &f.Steps[1].At, line(t, "exited: waiter"))
	if !strings.Contains(f.Message, "has exited") {
		t.Errorf("message %q; want it to say the owner has exited", f.Message)
	}
	a.mu.Unlock() // legal from any goroutine: the waiter gets the lock
	if err := <-got; err != nil {
		t.Fatalf("waiter: %v", err)
	}
	a.mu.Unlock()
}

type cache struct {
	mu *locks.RWMutex
	m  map[string]int
}

func (c *cache) get(k string) int {
	c.mu.RLock() // rlock: first
	defer c.mu.RUnlock()
	return c.lookup(k)
}

func (c *cache) lookup(k string) int {
	c.mu.RLock() // rlock: again
	defer c.mu.RUnlock()
	return c.m[k]
}

// Recursive read locking is reported every time it happens, with a writer
// or without: both places, the first RLock and the second.
func TestPatternRecursiveRLock(t *testing.T) {
	d := quiet()
	c := &cache{mu: locks.NewRWMutex("cache", locks.WithDetector(d)), m: map[string]int{"a": 1}}
	for range 3 {
		if c.get("a") != 1 {
			t.Fatal("get(a) != 1")
		}
	}
	var fs []detector.Finding
	for _, f := range d.Findings() {
		if f.Kind == detector.RecursiveRLock {
			fs = append(fs, f)
		}
	}
	if len(fs) != 1 {
		t.Fatalf("%d recursive-rlock findings in three calls; want 1: %v", len(fs), d.Findings())
	}
	f := fs[0]
	if len(f.Steps) != 2 || f.Steps[0].Lock != "cache" {
		t.Fatalf("steps %+v; want two steps on cache", f.Steps)
	}
	at(t, "first RLock", &f.Steps[0].At, line(t, "rlock: first"))
	at(t, "second RLock", &f.Steps[1].At, line(t, "rlock: again"))
	if kinds := kinds(d); len(kinds) != 1 {
		t.Errorf("findings %v; want only the recursive read lock", kinds)
	}
}

// With a writer queued between the two RLocks it is an actual deadlock,
// found the moment it closes and unwound.
func TestPatternRecursiveRLockBehindWriter(t *testing.T) {
	d := quiet()
	rw := locks.NewRWMutex("cache", locks.WithDetector(d))
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	rw.RLock()
	writer := make(chan error, 1)
	go func() {
		err := rw.LockContext(ctx)
		if err == nil {
			rw.Unlock()
		}
		writer <- err
	}()
	waitUntil(t, func() bool { return len(d.Waiting()) == 1 })
	err := rw.RLockContext(ctx)
	if err == nil {
		rw.RUnlock()
	}
	rw.RUnlock()
	werr := <-writer
	// Both are unwound; the one that looks last may find the lock free
	// by then and take it.
	if err == nil && werr == nil {
		t.Fatal("neither the reader nor the writer was unwound")
	}
	for _, e := range []error{err, werr} {
		if e != nil {
			asAbort(t, e)
		}
	}
	f := waitFinding(t, d, detector.Deadlock)
	if len(f.Steps) != 2 {
		t.Fatalf("deadlock of %d steps; want the reader and the writer", len(f.Steps))
	}
}

// A reader parks in Cond.Wait while it still holds a read lock; a writer
// queues behind it; the goroutine that would signal needs the read lock,
// which the queued writer holds back. sync gives a silent hang.
func TestPatternRLockAcrossCondWait(t *testing.T) {
	d := detector.New(detector.WithOutput(nil)) // AbortRun: the test ends by aborting
	table := locks.NewRWMutex("table", locks.WithDetector(d))
	queue := locks.NewMutex("queue", locks.WithDetector(d))
	ready := locks.NewCond(queue)
	var ok bool
	var wg sync.WaitGroup
	wg.Go(func() {
		_ = catch(func() {
			table.RLock()
			defer table.RUnlock()
			queue.Lock()
			defer queue.Unlock()
			for !ok {
				ready.Wait() // cond: reader waits
			}
		})
	})
	waitUntil(t, func() bool { return len(d.Waiting()) == 1 })
	wg.Go(func() {
		_ = catch(func() {
			table.Lock() // cond: writer
			table.Unlock()
		})
	})
	wg.Go(func() {
		_ = catch(func() {
			for len(d.Waiting()) < 2 && !d.Aborted() {
				time.Sleep(time.Millisecond)
			}
			table.RLock() // held back by the queued writer
			defer table.RUnlock()
			queue.Lock()
			ok = true
			ready.Signal()
			queue.Unlock()
		})
	})
	f := waitFinding(t, d, detector.WaitUnderLock)
	d.Abort("test over")
	wg.Wait()
	if len(f.Steps) != 2 || len(f.Steps[0].Holds) != 1 || f.Steps[0].Holds[0] != "table" || f.Steps[1].Lock != "table" {
		t.Fatalf("steps %+v; want the reader holding table in Cond.Wait, then the writer waiting for table", f.Steps)
	}
	if !strings.Contains(f.Message, "Cond.Wait") {
		t.Errorf("message %q; want it to name Cond.Wait", f.Message)
	}
	at(t, "reader's Cond.Wait", &f.Steps[0].At, line(t, "cond: reader waits"))
	at(t, "writer", &f.Steps[1].At, line(t, "cond: writer"))
}

// A goroutine sends on a channel while holding a lock that the receiver
// needs first: a lock-plus-channel deadlock no lock graph sees. The wait
// timeout explains it: the waiter, the holder, where it took the lock and
// what it is doing now, a channel send on this line.
func TestPatternLockHeldAcrossSend(t *testing.T) {
	d := quiet(detector.WithWaitTimeout(200 * time.Millisecond))
	mu := locks.NewMutex("results", locks.WithDetector(d))
	results := make(chan int)
	sent, locked := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sent)
		mu.Lock() // send: lock
		close(locked)
		results <- 1 // send: blocked
		mu.Unlock()
	}()
	<-locked
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan error)
	go func() { got <- mu.LockContext(ctx) }() // send: waiter
	f := waitFinding(t, d, detector.WaitTimeout)
	cancel()
	if err := <-got; !errors.Is(err, context.Canceled) {
		t.Fatalf("waiter: %v; want canceled", err)
	}
	<-results
	<-sent
	if len(f.Steps) != 2 {
		t.Fatalf("steps %+v; want the waiter and the holder", f.Steps)
	}
	w, h := f.Steps[0], f.Steps[1]
	at(t, "waiter", &w.At, line(t, "send: waiter"))
	at(t, "holder took it", h.Taken, line(t, "send: lock"))
	if h.Now != "chan send" {
		t.Errorf("holder now %q; want chan send", h.Now)
	}
	at(t, "holder now", h.NowAt, line(t, "send: blocked"))
	if !strings.Contains(f.Message, "now chan send at locks/patterns_test.go:") {
		t.Errorf("message %q; want what the holder does now", f.Message)
	}
}

// Once.Do called from inside its own function deadlocks sync.Once; here
// it is reported and unwound.
func TestPatternOnceReentered(t *testing.T) {
	d := quiet()
	once := locks.NewOnce("config", locks.WithDetector(d))
	err := catch(func() {
		once.Do(func() {
			once.Do(func() {}) // once: again
		})
	})
	ae := asAbort(t, err)
	if ae.Finding == nil || ae.Finding.Kind != detector.DoubleLock {
		t.Fatalf("panic carries %v; want a double-lock finding", ae.Finding)
	}
	f := *ae.Finding
	if !strings.Contains(f.Message, "calls Do on config from inside its own function") {
		t.Errorf("message %q", f.Message)
	}
	at(t, "second Do", &f.Steps[0].At, line(t, "once: again"))
	// As with sync.Once, a function that panicked counts as done.
	ran := false
	once.Do(func() { ran = true })
	if ran {
		t.Error("Do ran the function again after the first one panicked")
	}
}

// A cycle through Once.Do: the function takes a lock, and a goroutine
// holding that lock calls Do while the function runs.
func TestPatternOnceCycle(t *testing.T) {
	d := quiet()
	mu := locks.NewMutex("registry", locks.WithDetector(d))
	once := locks.NewOnce("init", locks.WithDetector(d))
	inside := make(chan struct{})
	var wg sync.WaitGroup
	var errs [2]error
	mu.Lock()
	wg.Go(func() {
		errs[0] = catch(func() {
			once.Do(func() {
				close(inside)
				mu.Lock() // once: function locks
				mu.Unlock()
			})
		})
	})
	<-inside
	waitUntil(t, func() bool { return len(d.Waiting()) == 1 })
	errs[1] = catch(func() { once.Do(func() {}) }) // once: holder calls Do
	mu.Unlock()
	wg.Wait()
	if errs[0] == nil && errs[1] == nil { // the one that looks last may find its wait over
		t.Fatal("neither goroutine was unwound")
	}
	for _, e := range errs {
		if e != nil {
			asAbort(t, e)
		}
	}
	f := waitFinding(t, d, detector.Deadlock)
	if len(f.Steps) != 2 {
		t.Fatalf("steps %+v; want two", f.Steps)
	}
	locksSeen := f.Steps[0].Lock + "," + f.Steps[1].Lock
	if locksSeen != "init,registry" && locksSeen != "registry,init" {
		t.Errorf("cycle through %s; want init and registry", locksSeen)
	}
}

// The same order in a run that did not hang: the function took the lock,
// and later, Do (long done) is called with the lock held.
func TestPatternOnceLockOrder(t *testing.T) {
	d := quiet()
	mu := locks.NewMutex("registry", locks.WithDetector(d))
	once := locks.NewOnce("init", locks.WithDetector(d))
	once.Do(func() { mu.Lock(); mu.Unlock() })
	mu.Lock()
	once.Do(func() {})
	mu.Unlock()
	f := waitFinding(t, d, detector.LockOrder)
	if f.Message != "locks taken in inconsistent order: init -> registry -> init" &&
		f.Message != "locks taken in inconsistent order: registry -> init -> registry" {
		t.Errorf("message %q", f.Message)
	}
}

// WaitGroup.Wait while holding a lock a worker started with Go needs: an
// actual deadlock, since the Detector knows the worker owes a Done. Only
// the two goroutines unwind.
func TestPatternWaitGroupGoUnderLock(t *testing.T) {
	d := quiet()
	mu := locks.NewMutex("state", locks.WithDetector(d))
	wg := locks.NewWaitGroup("workers", locks.WithDetector(d))
	var werr error
	mu.Lock()
	wg.Go(func() {
		werr = catch(func() {
			mu.Lock() // wg: worker locks
			mu.Unlock()
		})
	})
	err := catch(func() {
		wg.Wait() // wg: wait under lock
	})
	mu.Unlock()
	waitUntil(t, func() bool { return len(d.Waiting()) == 0 })
	wg.Wait()
	// Both are unwound; the one that looks last may find its wait over
	// by then.
	if err == nil && werr == nil {
		t.Fatal("neither the waiter nor the worker was unwound")
	}
	for _, e := range []error{err, werr} {
		if e != nil {
			asAbort(t, e)
		}
	}
	f := waitFinding(t, d, detector.Deadlock)
	if len(f.Steps) != 2 {
		t.Fatalf("steps %+v; want the waiter and the worker", f.Steps)
	}
	var wgStep *detector.Step
	for i := range f.Steps {
		if f.Steps[i].Lock == "workers" {
			wgStep = &f.Steps[i]
		}
	}
	if wgStep == nil {
		t.Fatalf("steps %+v; want one waiting on workers", f.Steps)
	}
	at(t, "Wait", &wgStep.At, line(t, "wg: wait under lock"))
}

// With Add and Done the Detector does not know who owes the Done: the
// worker blocked on the lock the waiter holds is reported at once as a
// wait under a lock.
func TestPatternWaitGroupAddUnderLock(t *testing.T) {
	d := detector.New(detector.WithOutput(nil)) // AbortRun: the test ends by aborting
	mu := locks.NewMutex("state", locks.WithDetector(d))
	wg := locks.NewWaitGroup("workers", locks.WithDetector(d))
	var err error
	done, worked := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		mu.Lock()
		defer mu.Unlock()
		wg.Add(1)
		go func() {
			defer close(worked)
			defer wg.Done()
			_ = catch(func() {
				mu.Lock() // wg add: worker locks
				mu.Unlock()
			})
		}()
		err = catch(func() {
			wg.Wait() // wg add: wait
		})
	}()
	f := waitFinding(t, d, detector.WaitUnderLock)
	d.Abort("test over")
	<-done
	<-worked
	asAbort(t, err)
	if len(f.Steps) != 2 || f.Steps[0].Lock != "workers" || f.Steps[1].Lock != "state" {
		t.Fatalf("steps %+v; want the waiter in Wait on workers, then the worker waiting for state", f.Steps)
	}
	at(t, "waiter", &f.Steps[0].At, line(t, "wg add: wait"))
	at(t, "worker", &f.Steps[1].At, line(t, "wg add: worker locks"))
}

// The same order in a run that did not hang: a worker took the lock,
// then Wait was called with the lock held.
func TestPatternWaitGroupLockOrder(t *testing.T) {
	d := quiet()
	mu := locks.NewMutex("state", locks.WithDetector(d))
	wg := locks.NewWaitGroup("workers", locks.WithDetector(d))
	wg.Go(func() { mu.Lock(); mu.Unlock() })
	wg.Wait()
	mu.Lock()
	wg.Wait()
	mu.Unlock()
	f := waitFinding(t, d, detector.LockOrder)
	if !strings.Contains(f.Message, "state") || !strings.Contains(f.Message, "workers") {
		t.Errorf("message %q; want state and workers", f.Message)
	}
}

// A Wait that never ends is reported after the wait timeout, with the
// count still owed.
func TestPatternWaitGroupNeverDone(t *testing.T) {
	d := quiet(detector.WithWaitTimeout(100 * time.Millisecond))
	wg := locks.NewWaitGroup("workers", locks.WithDetector(d))
	wg.Add(2)
	wg.Done()
	done := make(chan struct{})
	go func() { defer close(done); wg.Wait() }()
	f := waitFinding(t, d, detector.WaitTimeout)
	wg.Done()
	<-done
	if !strings.Contains(f.Message, "still waits for 1 Done") {
		t.Errorf("message %q; want the count owed", f.Message)
	}
}

// AB-BA in a run that did not hang: a lock-order finding, both places.
func TestPatternABBANoHang(t *testing.T) {
	d := quiet()
	a := locks.NewMutex("account a", locks.WithDetector(d))
	b := locks.NewMutex("account b", locks.WithDetector(d))
	transfer := func(from, to *locks.Mutex) {
		from.Lock()
		to.Lock() // abba: second
		to.Unlock()
		from.Unlock()
	}
	done := make(chan struct{})
	go func() { defer close(done); transfer(a, b) }()
	<-done
	transfer(b, a)
	f := waitFinding(t, d, detector.LockOrder)
	if f.Message != "locks taken in inconsistent order: account a -> account b -> account a" || len(f.Steps) != 2 {
		t.Fatalf("finding %s; want the a/b inversion in two steps", f)
	}
	for i, s := range f.Steps {
		at(t, "edge", &s.At, line(t, "abba: second"))
		if s.Taken == nil {
			t.Errorf("step %d: no place for the lock held", i)
		}
	}
	if f.Steps[0].Worker == f.Steps[1].Worker {
		t.Errorf("both edges by %s; want two goroutines", f.Steps[0].Worker)
	}
}

// A read lock released by another goroutine is legal; the first goroutine
// must not keep a phantom read hold: a later consistent order is no cycle,
// and its later write lock no double lock.
func TestPatternCrossGoroutineRUnlock(t *testing.T) {
	d := quiet()
	rw := locks.NewRWMutex("rw", locks.WithDetector(d))
	mu := locks.NewMutex("mu", locks.WithDetector(d))
	rw.RLock()
	done := make(chan struct{})
	go func() { defer close(done); rw.RUnlock() }()
	<-done
	mu.Lock() // a stale read hold would make this rw -> mu
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	if err := rw.LockContext(ctx); err != nil { // mu -> rw; a stale hold would make this a double lock
		t.Fatalf("Lock after a cross-goroutine RUnlock: %v", err)
	}
	rw.Unlock()
	mu.Unlock()
	noFindings(t, d)
}

// The same for Mutex: unlocked by another goroutine, then a consistent
// order.
func TestPatternCrossGoroutineUnlock(t *testing.T) {
	d := quiet()
	m := locks.NewMutex("m", locks.WithDetector(d))
	n := locks.NewMutex("n", locks.WithDetector(d))
	m.Lock()
	done := make(chan struct{})
	go func() { defer close(done); m.Unlock() }()
	<-done
	n.Lock()
	m.Lock()
	m.Unlock()
	n.Unlock()
	noFindings(t, d)
}
