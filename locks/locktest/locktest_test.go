package locktest_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/locks"
	"github.com/locklab/locklab/locks/locktest"
)

// The package's own tests run under Wrap, the goleak composition.
func TestMain(m *testing.M) { goleak.VerifyTestMain(locktest.Wrap(m)) }

// fakeT is a testing.TB that records what Check does with it, so that a
// failing check can be tested without failing this test.
type fakeT struct {
	testing.TB // nil: only the methods below are used
	mu         sync.Mutex
	errs       []string
	fatal      bool
	cleanups   []func()
}

func (f *fakeT) Helper()      {}
func (f *fakeT) Name() string { return "TestFake" }
func (f *fakeT) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}
func (f *fakeT) Fatal(args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fatal = true
	f.errs = append(f.errs, fmt.Sprint(args...))
}
func (f *fakeT) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }

// finish ends the fake test: its cleanups, last first.
func (f *fakeT) finish() string {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
	return strings.Join(f.errs, "\n")
}

// Package-level locks, as real code has them: they must rebind to each
// test's Detector.
var a, b locks.Mutex

func TestCheckFailsOnLockOrder(t *testing.T) {
	ft := &fakeT{}
	locktest.Check(ft, locktest.Settle(0))
	a.Lock()
	b.Lock()
	b.Unlock()
	a.Unlock()
	b.Lock()
	a.Lock()
	a.Unlock()
	b.Unlock()
	got := ft.finish()
	if !strings.Contains(got, "lock-order: locks taken in inconsistent order") {
		t.Errorf("Check reported %q; want the inversion", got)
	}
}

// Each Check gets a fresh Detector, for package-level locks too: an order
// seen in one test is not held against the next.
func TestCheckIsolatesTests(t *testing.T) {
	first := &fakeT{}
	locktest.Check(first, locktest.Settle(0))
	a.Lock()
	b.Lock()
	b.Unlock()
	a.Unlock()
	if got := first.finish(); got != "" {
		t.Fatalf("first test: %s", got)
	}
	second := &fakeT{}
	locktest.Check(second, locktest.Settle(0))
	b.Lock()
	a.Lock()
	a.Unlock()
	b.Unlock()
	if got := second.finish(); got != "" {
		t.Errorf("second test reported %q; want nothing: the other order was another test's", got)
	}
}

func TestCheckFailsOnLockHeldAtEnd(t *testing.T) {
	ft := &fakeT{}
	locktest.Check(ft, locktest.Settle(0))
	var mu locks.Mutex
	mu.Lock() // never unlocked by the test
	got := ft.finish()
	mu.Unlock()
	if !strings.Contains(got, "exited-owner") || !strings.Contains(got, "whose test has returned") ||
		!strings.Contains(got, "locktest_test.go:") {
		t.Errorf("Check reported %q; want the lock held at the end, with where it was taken", got)
	}
}

func TestCheckFailsOnBlockedGoroutine(t *testing.T) {
	ft := &fakeT{}
	locktest.Check(ft, locktest.Settle(20*time.Millisecond))
	var mu locks.Mutex
	mu.Lock()
	done := make(chan struct{})
	go func() { defer close(done); mu.Lock(); mu.Unlock() }()
	for len(locks.DefaultDetector().Waiting()) == 0 {
		time.Sleep(time.Millisecond)
	}
	got := ft.finish()
	mu.Unlock()
	<-done
	if !strings.Contains(got, "blocked: ") || !strings.Contains(got, "is still blocked") {
		t.Errorf("Check reported %q; want the goroutine still blocked", got)
	}
}

// The end check waits for goroutines the test started to let go.
func TestCheckSettles(t *testing.T) {
	ft := &fakeT{}
	locktest.Check(ft)
	var mu locks.Mutex
	done := make(chan struct{})
	locked := make(chan struct{})
	go func() {
		defer close(done)
		mu.Lock()
		close(locked)
		time.Sleep(30 * time.Millisecond)
		mu.Unlock()
	}()
	<-locked
	go func() { mu.Lock(); mu.Unlock() }()
	if got := ft.finish(); got != "" {
		t.Errorf("Check reported %q; want nothing once the goroutines let go", got)
	}
	<-done
}

func TestCheckIgnore(t *testing.T) {
	ft := &fakeT{}
	locktest.Check(ft, locktest.Settle(0), locktest.Ignore(func(f detector.Finding) bool { return f.Kind == detector.LockOrder }))
	var x, y locks.Mutex
	x.Lock()
	y.Lock()
	y.Unlock()
	x.Unlock()
	y.Lock()
	x.Lock()
	x.Unlock()
	y.Unlock()
	if got := ft.finish(); got != "" {
		t.Errorf("Check reported %q; want the ignored finding left out", got)
	}
}

func TestCheckRefusesParallelUse(t *testing.T) {
	first, second := &fakeT{}, &fakeT{}
	locktest.Check(first)
	locktest.Check(second)
	first.finish()
	if !second.fatal || !strings.Contains(strings.Join(second.errs, ""), "parallel") {
		t.Errorf("a second Check in force: fatal %v, %q; want it refused", second.fatal, second.errs)
	}
}

// A real test using Check the way the package documentation says.
func TestCheckClean(t *testing.T) {
	d := locktest.Check(t)
	var wg locks.WaitGroup
	var mu locks.Mutex
	n := 0
	for range 4 {
		wg.Go(func() {
			mu.Lock()
			n++
			mu.Unlock()
		})
	}
	wg.Wait()
	if n != 4 || d == nil {
		t.Fatalf("n = %d, detector %v", n, d)
	}
}

type fakeM struct{ run func() int }

func (m fakeM) Run() int { return m.run() }

func TestWrapFailsTheRun(t *testing.T) {
	code := locktest.Wrap(fakeM{func() int {
		var x, y locks.Mutex
		x.Lock()
		y.Lock()
		y.Unlock()
		x.Unlock()
		y.Lock()
		x.Lock()
		x.Unlock()
		y.Unlock()
		return 0
	}}, locktest.Settle(0)).Run()
	if code != 1 {
		t.Errorf("Wrap(passing tests with an inversion).Run() = %d; want 1", code)
	}
	if code := locktest.Wrap(fakeM{func() int { return 3 }}).Run(); code != 3 {
		t.Errorf("Wrap(clean tests exiting 3).Run() = %d; want 3", code)
	}
}
