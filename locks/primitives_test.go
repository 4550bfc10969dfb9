package locks_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/locks"
)

// The drop-ins for the rest of sync behave as sync's do.

func TestCondSignalBroadcast(t *testing.T) {
	d := quiet()
	mu := locks.NewMutex("mu", locks.WithDetector(d))
	c := locks.NewCond(mu)
	var woken atomic.Int32
	gen := 0
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			mu.Lock()
			defer mu.Unlock()
			mine := gen
			for gen == mine {
				c.Wait()
			}
			woken.Add(1)
		})
	}
	waitUntil(t, func() bool { return len(d.Waiting()) == 3 })
	mu.Lock()
	gen++
	c.Signal()
	mu.Unlock()
	waitUntil(t, func() bool { return woken.Load() == 1 })
	if len(d.Waiting()) != 2 {
		t.Errorf("after Signal %d waiting; want 2", len(d.Waiting()))
	}
	mu.Lock()
	c.Broadcast()
	mu.Unlock()
	wg.Wait()
	if woken.Load() != 3 {
		t.Errorf("woken %d; want 3", woken.Load())
	}
	noFindings(t, d)
}

// A Cond over read locks through RLocker: readers wait holding nothing,
// since Wait releases the read lock.
func TestCondRLocker(t *testing.T) {
	d := quiet()
	rw := locks.NewRWMutex("rw", locks.WithDetector(d))
	c := locks.NewCond(rw.RLocker())
	var ready atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.L.Lock()
		for !ready.Load() {
			c.Wait()
		}
		c.L.Unlock()
	}()
	waitUntil(t, func() bool { return len(d.Waiting()) == 1 })
	rw.Lock() // the waiter released its read lock
	ready.Store(true)
	rw.Unlock()
	c.Broadcast()
	<-done
	noFindings(t, d)
}

// A Cond with a plain sync.Mutex works too; it reports to the default.
func TestCondSyncLocker(t *testing.T) {
	var mu sync.Mutex
	c := locks.NewCond(&mu)
	done := make(chan struct{})
	ok := false
	go func() {
		defer close(done)
		mu.Lock()
		for !ok {
			c.Wait()
		}
		mu.Unlock()
	}()
	for {
		mu.Lock()
		if len(locks.DefaultDetector().Waiting()) > 0 {
			ok = true
			c.Signal()
			mu.Unlock()
			break
		}
		mu.Unlock()
		time.Sleep(time.Millisecond)
	}
	<-done
}

// An aborted Detector unwinds a Cond.Wait, which re-locks L first so the
// caller's deferred Unlock holds.
func TestCondAbort(t *testing.T) {
	d := detector.New(detector.WithOutput(nil))
	mu := locks.NewMutex("mu", locks.WithDetector(d))
	c := locks.NewCond(mu)
	got := make(chan error)
	go func() {
		got <- catch(func() {
			mu.Lock()
			defer mu.Unlock()
			c.Wait()
		})
	}()
	waitUntil(t, func() bool { return len(d.Waiting()) == 1 })
	d.Abort("test")
	asAbort(t, <-got)
	if !mu.TryLock() {
		t.Fatal("mu still held after the unwound Wait")
	}
	mu.Unlock()
}

func TestOnce(t *testing.T) {
	var once locks.Once
	var n atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { once.Do(func() { time.Sleep(time.Millisecond); n.Add(1) }) })
	}
	wg.Wait()
	if n.Load() != 1 {
		t.Fatalf("function ran %d times; want 1", n.Load())
	}
}

func TestWaitGroup(t *testing.T) {
	var wg locks.WaitGroup
	var n atomic.Int32
	for range 4 {
		wg.Go(func() { n.Add(1) })
	}
	wg.Add(2)
	go func() { n.Add(1); wg.Done() }()
	go func() { n.Add(1); wg.Done() }()
	wg.Wait()
	if n.Load() != 6 {
		t.Fatalf("n = %d after Wait; want 6", n.Load())
	}
	wg.Wait() // a zero counter returns at once
	defer func() {
		if recover() == nil {
			t.Error("a negative counter did not panic")
		}
	}()
	wg.Done()
}

// Legal uses of sync draw no finding.

// A lock handed from one goroutine to another: locked here, unlocked
// there, with a third waiting meanwhile.
func TestLegalHandOff(t *testing.T) {
	d := quiet()
	mu := locks.NewMutex("baton", locks.WithDetector(d))
	baton := make(chan struct{})
	done := make(chan struct{})
	mu.Lock()
	go func() { // the receiver unlocks what the sender locked
		<-baton
		time.Sleep(50 * time.Millisecond)
		mu.Unlock()
		close(done)
	}()
	waiter := make(chan struct{})
	go func() { mu.Lock(); mu.Unlock(); close(waiter) }()
	baton <- struct{}{}
	<-done
	<-waiter
	noFindings(t, d)
}

// A lock held across its taker's exit on purpose: the goroutine that
// locks starts the one that will unlock, then returns. Someone waiting
// meanwhile draws no exited-owner report: the owner's child is alive and
// may have the lock now. (A hand-off to an unrelated goroutine is seen as
// exited only if someone waits for it past the exit delay.)
func TestLegalHeldAcrossExit(t *testing.T) {
	d := quiet(detector.WithWaitTimeout(time.Second)) // exit checks after 100 ms
	mu := locks.NewMutex("job", locks.WithDetector(d))
	release := make(chan struct{})
	finished := make(chan struct{})
	started := make(chan struct{})
	go func() {
		mu.Lock()
		go func() {
			defer close(finished)
			<-release
			mu.Unlock()
		}()
		close(started)
	}()
	<-started
	waited := make(chan struct{})
	go func() { mu.Lock(); mu.Unlock(); close(waited) }()
	time.Sleep(300 * time.Millisecond) // past the exit delay, well before the wait timeout
	close(release)
	<-finished
	<-waited
	noFindings(t, d)
}

// TryLock in any order is no inversion: a try cannot wait.
func TestLegalTryLock(t *testing.T) {
	d := quiet()
	a := locks.NewMutex("a", locks.WithDetector(d))
	b := locks.NewMutex("b", locks.WithDetector(d))
	a.Lock()
	b.Lock()
	b.Unlock()
	a.Unlock()
	b.Lock()
	if a.TryLock() {
		a.Unlock()
	}
	b.Unlock()
	noFindings(t, d)
}

// A Cond with its lock, the bounded buffer done right: no finding, though
// consumers wait longer than the wait timeout.
func TestLegalCondWithItsLock(t *testing.T) {
	d := quiet(detector.WithWaitTimeout(200 * time.Millisecond))
	mu := locks.NewMutex("buffer", locks.WithDetector(d))
	notEmpty := locks.NewCond(mu)
	var items []int
	var wg sync.WaitGroup
	got := make(chan int, 10)
	for range 2 {
		wg.Go(func() {
			for {
				mu.Lock()
				for len(items) == 0 {
					notEmpty.Wait()
				}
				v := items[0]
				items = items[1:]
				mu.Unlock()
				if v < 0 {
					return
				}
				got <- v
			}
		})
	}
	time.Sleep(300 * time.Millisecond) // idle consumers, past the wait timeout
	for i := range 4 {
		mu.Lock()
		items = append(items, i)
		notEmpty.Signal()
		mu.Unlock()
	}
	mu.Lock()
	items = append(items, -1, -1)
	notEmpty.Broadcast()
	mu.Unlock()
	wg.Wait()
	if len(got) != 4 {
		t.Errorf("%d items consumed; want 4", len(got))
	}
	noFindings(t, d)
}

// The default Detector's unwinding panic is an error wrapping ErrAborted
// whose text describes the deadlock; a lab Detector's abort carries the
// deadlock too.
func TestAbortErrors(t *testing.T) {
	d := detector.New(detector.WithOutput(nil)) // AbortRun, as a lab run
	a := locks.NewMutex("a", locks.WithDetector(d))
	b := locks.NewMutex("b", locks.WithDetector(d))
	var held, wg sync.WaitGroup
	held.Add(2)
	errs := make([]error, 2)
	for i, pair := range [][2]*locks.Mutex{{a, b}, {b, a}} {
		wg.Go(func() {
			errs[i] = catch(func() {
				pair[0].Lock()
				defer pair[0].Unlock()
				held.Done()
				held.Wait()
				pair[1].Lock()
				pair[1].Unlock()
			})
		})
	}
	wg.Wait()
	if errs[0] == nil && errs[1] == nil {
		t.Fatal("no Lock gave up")
	}
	for _, err := range errs {
		if err == nil {
			continue // it found its lock free, after the other unwound
		}
		ae := asAbort(t, err)
		if ae.Finding == nil || ae.Finding.Kind != detector.Deadlock || !strings.Contains(err.Error(), "wait for each other") {
			t.Errorf("abort %q carries %v; want the deadlock", err, ae.Finding)
		}
	}
	// Every later wait on the aborted Detector gives up too, with the
	// same description.
	a.Lock()
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	errc := make(chan error)
	go func() { errc <- a.LockContext(ctx) }()
	if err := <-errc; !errors.Is(err, detector.ErrAborted) || !strings.Contains(err.Error(), "deadlock") {
		t.Errorf("Lock on an aborted detector = %v; want an abort describing the deadlock", err)
	}
	a.Unlock()
}

// Unnamed locks are named after the line that made them or first locked
// them, with a number for a second lock named after the same line.
func TestNames(t *testing.T) {
	d := quiet()
	restore := locks.SetDefaultDetector(d)
	defer restore()
	var zs [2]locks.Mutex
	for i := range zs {
		zs[i].Lock() // names: first lock
		zs[i].Unlock()
	}
	made := locks.NewMutex("") // names: made
	rw := locks.NewRWMutex("")
	n := line(t, "names: first lock")
	if want := "mutex at locks/primitives_test.go:" + itoa(n); zs[0].Name() != want || zs[1].Name() != want+" (2)" {
		t.Errorf("zero-value names %q, %q; want %q and %q", zs[0].Name(), zs[1].Name(), want, want+" (2)")
	}
	if want := "mutex at locks/primitives_test.go:" + itoa(line(t, "names: made")); made.Name() != want {
		t.Errorf("NewMutex(\"\").Name() = %q; want %q", made.Name(), want)
	}
	if !strings.HasPrefix(rw.Name(), "rwmutex at locks/primitives_test.go:") {
		t.Errorf("NewRWMutex(\"\").Name() = %q", rw.Name())
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// A package-level lock bound to one default Detector rebinds when the
// default changes: each gets its own findings.
var packageLevel, packageLevel2 locks.Mutex

func TestRebind(t *testing.T) {
	first := quiet()
	restore := locks.SetDefaultDetector(first)
	packageLevel.Lock()
	packageLevel2.Lock()
	packageLevel2.Unlock()
	packageLevel.Unlock()
	restore()

	second := quiet()
	restore = locks.SetDefaultDetector(second)
	defer restore()
	packageLevel2.Lock()
	packageLevel.Lock() // the inversion, but against an earlier detector's edge
	packageLevel.Unlock()
	packageLevel2.Unlock()
	if ks := kinds(first); len(ks) != 0 {
		t.Errorf("first detector found %v; want nothing", ks)
	}
	if ks := kinds(second); len(ks) != 0 {
		t.Errorf("second detector found %v; want nothing: the edge it would invert belongs to the first", ks)
	}

	off := locks.SetDefaultDetector(nil)
	packageLevel.Lock()
	packageLevel.Unlock()
	off()
}
