package locks_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/locks"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const safety = 10 * time.Second

// mutexes returns one Mutex per configuration a user can have.
func mutexes() map[string]func() *locks.Mutex {
	return map[string]func() *locks.Mutex{
		"zero": func() *locks.Mutex { return new(locks.Mutex) },
		"waitfor": func() *locks.Mutex {
			return locks.NewMutex("m", locks.WithDetector(detector.New(detector.WithLockOrder(false))))
		},
		"full": func() *locks.Mutex { return locks.NewMutex("m", locks.WithDetector(detector.New())) },
		"checkoff": func() *locks.Mutex {
			return locks.NewMutex("m", locks.WithDetector(detector.New(detector.WithLockOrder(false), detector.WithWaitFor(false))))
		},
	}
}

// Under -race, any lapse in mutual exclusion is a reported data race on n.
func TestMutexExcludes(t *testing.T) {
	for name, mk := range mutexes() {
		t.Run(name, func(t *testing.T) {
			m := mk()
			const workers, each = 8, 2000
			n := 0
			var wg sync.WaitGroup
			for range workers {
				wg.Go(func() {
					for range each {
						m.Lock()
						n++
						m.Unlock()
					}
				})
			}
			wg.Wait()
			if n != workers*each {
				t.Fatalf("n = %d; want %d", n, workers*each)
			}
		})
	}
}

func TestTryLock(t *testing.T) {
	for name, mk := range mutexes() {
		t.Run(name, func(t *testing.T) {
			m := mk()
			if !m.TryLock() {
				t.Fatal("TryLock on a free Mutex = false")
			}
			done := make(chan bool)
			go func() { done <- m.TryLock() }()
			if <-done {
				t.Fatal("TryLock on a held Mutex = true")
			}
			m.Unlock()
			if !m.TryLock() {
				t.Fatal("TryLock after Unlock = false")
			}
			m.Unlock()
		})
	}
}

func TestLockContext(t *testing.T) {
	m := locks.NewMutex("m", locks.WithDetector(detector.New()))
	m.Lock()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	errc := make(chan error)
	go func() { errc <- m.LockContext(ctx) }()
	if err := <-errc; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("LockContext on a held Mutex = %v; want DeadlineExceeded", err)
	}
	m.Unlock()
	// The failed attempt left m unchanged: it is free.
	if !m.TryLock() {
		t.Fatal("Mutex not free after a canceled LockContext")
	}
	m.Unlock()
}

func TestAbortUnblocks(t *testing.T) {
	d := detector.New()
	m := locks.NewMutex("m", locks.WithDetector(d))
	m.Lock()
	got := make(chan any)
	go func() {
		defer func() { got <- recover() }()
		m.Lock()
	}()
	waitUntil(t, func() bool { return len(d.Waiting()) == 1 })
	d.Abort("test")
	select {
	case r := <-got:
		if err, ok := r.(error); !ok || !errors.Is(err, detector.ErrAborted) {
			t.Fatalf("blocked Lock panicked with %v; want ErrAborted", r)
		}
	case <-time.After(safety):
		t.Fatal("blocked Lock did not return after Abort")
	}
	m.Unlock()
}

func TestUnlockUnlockedPanics(t *testing.T) {
	for name, unlock := range map[string]func(){
		"Mutex":           new(locks.Mutex).Unlock,
		"RWMutex.Unlock":  new(locks.RWMutex).Unlock,
		"RWMutex.RUnlock": new(locks.RWMutex).RUnlock,
		"Semaphore":       locks.NewSemaphore("s", 1).Release,
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			unlock()
		})
	}
}

func TestRWMutex(t *testing.T) {
	rw := locks.NewRWMutex("rw", locks.WithDetector(detector.New()))
	rw.RLock()
	if !rw.TryRLock() {
		t.Fatal("a second reader was refused")
	}
	if rw.TryLock() {
		t.Fatal("a writer got in beside readers")
	}
	rw.RUnlock()
	rw.RUnlock()
	if !rw.TryLock() {
		t.Fatal("a writer was refused a free lock")
	}
	if rw.TryRLock() {
		t.Fatal("a reader got in beside a writer")
	}
	rw.Unlock()

	// A waiting writer holds back new readers, as in sync.RWMutex.
	rw.RLock()
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	wrote := make(chan error)
	go func() {
		err := rw.LockContext(ctx)
		if err == nil {
			rw.Unlock()
		}
		wrote <- err
	}()
	waitUntil(t, func() bool {
		if rw.TryRLock() {
			rw.RUnlock()
			return false
		}
		return true
	})
	rw.RUnlock()
	if err := <-wrote; err != nil {
		t.Fatalf("writer: %v", err)
	}
}

// Under -race, readers and writers that overlapped would race on n.
func TestRWMutexExcludes(t *testing.T) {
	var rw locks.RWMutex
	n := 0
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 500 {
				if i%2 == 0 {
					rw.Lock()
					n++
					rw.Unlock()
				} else {
					rw.RLock()
					_ = n
					rw.RUnlock()
				}
			}
		})
	}
	wg.Wait()
	if n != 4*500 {
		t.Fatalf("n = %d; want %d", n, 4*500)
	}
}

func TestSemaphore(t *testing.T) {
	// Detection off: a goroutine holding every seat and waiting for one
	// more is a deadlock the default Detector would unwind.
	defer locks.SetDefaultDetector(nil)()
	s := locks.NewSemaphore("seats", 2)
	s.Acquire()
	s.Acquire()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := s.AcquireContext(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("third Acquire of 2 seats = %v; want DeadlineExceeded", err)
	}
	s.Release()
	if err := s.AcquireContext(context.Background()); err != nil {
		t.Fatalf("Acquire after Release = %v", err)
	}
	s.Release()
	s.Release()

	defer func() {
		if recover() == nil {
			t.Error("NewSemaphore(0) did not panic")
		}
	}()
	locks.NewSemaphore("none", 0)
}

// A goroutine that holds every seat and waits for one more waits for
// itself: the wait-for graph reports it at once.
func TestSemaphoreSelfWait(t *testing.T) {
	d := detector.New()
	s := locks.NewSemaphore("seats", 2, locks.WithDetector(d))
	s.Acquire()
	s.Acquire()
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	if err := s.AcquireContext(ctx); !errors.Is(err, detector.ErrAborted) {
		t.Fatalf("third Acquire of 2 seats = %v; want ErrAborted", err)
	}
	if _, ok := d.Deadlock(); !ok {
		t.Fatal("self-wait on a semaphore not reported")
	}
	s.Release()
	s.Release()
}

// recorder is a Locker that logs what happens to it.
type recorder struct {
	name string
	log  *[]string
	held bool
}

func (r *recorder) Lock()   { *r.log = append(*r.log, "lock "+r.name); r.held = true }
func (r *recorder) Unlock() { *r.log = append(*r.log, "unlock "+r.name); r.held = false }
func (r *recorder) TryLock() bool {
	if r.held {
		*r.log = append(*r.log, "try "+r.name+" fails")
		return false
	}
	r.Lock()
	return true
}

func TestLockRanked(t *testing.T) {
	var log []string
	a, b, c := &recorder{"a", &log, false}, &recorder{"b", &log, false}, &recorder{"c", &log, false}
	unlock := locks.LockRanked(locks.Ranked{Rank: 3, L: c}, locks.Ranked{Rank: 1, L: a}, locks.Ranked{Rank: 2, L: b})
	unlock()
	want := "lock a,lock b,lock c,unlock c,unlock b,unlock a"
	if got := fmt.Sprint(log); got != fmt.Sprint(splitComma(want)) {
		t.Errorf("log = %v; want %v", got, want)
	}
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := range len(s) + 1 {
		if i == len(s) || s[i] == ',' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}

func TestTryAll(t *testing.T) {
	var log []string
	a, b := &recorder{"a", &log, false}, &recorder{"b", &log, false}
	b.held = true // someone else has b
	attempts := 0
	unlock := locks.TryAll(func(attempt int) {
		attempts = attempt
		b.held = false // ... and lets it go
	}, a, b)
	unlock()
	want := []string{"lock a", "try b fails", "unlock a", "lock a", "lock b", "unlock b", "unlock a"}
	if fmt.Sprint(log) != fmt.Sprint(want) {
		t.Errorf("log = %v; want %v", log, want)
	}
	if attempts != 1 {
		t.Errorf("backoff called for attempt %d; want 1", attempts)
	}
}

func TestRandomBackoff(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	pauses := 0
	backoff := locks.RandomBackoff(r, 3, func() { pauses++ })
	for attempt := 1; attempt <= 10; attempt++ {
		pauses = 0
		backoff(attempt)
		if limit := 1 << min(attempt, 3); pauses < 1 || pauses > limit {
			t.Errorf("attempt %d: %d pauses; want 1..%d", attempt, pauses, limit)
		}
	}
}

// A zero-value Mutex in code that knows nothing of the lab reports to the
// default Detector: this is how an engineer gets detection by swapping the
// type.
func TestDefaultDetector(t *testing.T) {
	d := detector.New()
	restore := locks.SetDefaultDetector(d)
	defer restore()
	var a, b locks.Mutex
	var held, wg sync.WaitGroup
	held.Add(2)
	for _, pair := range [][2]*locks.Mutex{{&a, &b}, {&b, &a}} {
		wg.Go(func() {
			defer func() { _ = recover() }() // the aborted Lock panics
			pair[0].Lock()
			defer pair[0].Unlock()
			held.Done()
			held.Wait()
			pair[1].Lock()
			pair[1].Unlock()
		})
	}
	wg.Wait()
	if _, ok := d.Deadlock(); !ok {
		t.Fatal("AB-BA deadlock on zero-value Mutexes not reported to the default Detector")
	}
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(safety)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(time.Millisecond)
	}
}
