package detector_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/locks"
	"github.com/petermattis/goid"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// safety bounds every blocking call in these tests, so that a detector
// that misses a deadlock fails the test instead of hanging it.
const safety = 10 * time.Second

func forks(d *detector.Detector, n int) []*locks.Mutex {
	fs := make([]*locks.Mutex, n)
	for i := range fs {
		fs[i] = locks.NewMutex(fmt.Sprintf("fork %d", i), locks.WithDetector(d))
	}
	return fs
}

// dine makes n goroutines each take fork i, wait until all hold their
// first fork, then take fork i+1: the circular wait of the dining
// philosophers. It returns each goroutine's error from the second lock.
func dine(t *testing.T, d *detector.Detector, n int) []error {
	t.Helper()
	fs := forks(d, n)
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	var held, wg sync.WaitGroup
	held.Add(n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			d.Name(goidOf(), fmt.Sprintf("philosopher %d", i))
			left, right := fs[i], fs[(i+1)%n]
			left.Lock()
			held.Done()
			held.Wait()
			errs[i] = right.LockContext(ctx)
			if errs[i] == nil {
				right.Unlock()
			}
			left.Unlock()
		})
	}
	wg.Wait()
	return errs
}

func TestWaitForCycle(t *testing.T) {
	for _, n := range []int{2, 3, 5, 50} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			d := detector.New()
			errs := dine(t, d, n)
			aborted := 0
			for _, err := range errs {
				if errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("a lock wait ran into the %v safety limit: the deadlock was not detected", safety)
				}
				if errors.Is(err, detector.ErrAborted) {
					aborted++
				}
			}
			if aborted == 0 {
				t.Errorf("no blocked Lock returned ErrAborted")
			}
			f, ok := d.Deadlock()
			if !ok {
				t.Fatalf("Deadlock() = false; want the %d-cycle", n)
			}
			if f.Kind != detector.Deadlock || len(f.Steps) != n {
				t.Fatalf("finding = %s with %d steps; want deadlock with %d", f.Kind, len(f.Steps), n)
			}
			checkCycle(t, f)
		})
	}
}

// checkCycle asserts that a deadlock finding is a consistent cycle: each
// step's owner is the next step's worker, each worker holds the lock the
// previous one waits for, and each blocked Lock has a source position in
// this file.
func checkCycle(t *testing.T, f detector.Finding) {
	t.Helper()
	n := len(f.Steps)
	for i, s := range f.Steps {
		next, prev := f.Steps[(i+1)%n], f.Steps[(i+n-1)%n]
		if s.Owner != next.Worker {
			t.Errorf("step %d: owner %q; want the next worker %q", i, s.Owner, next.Worker)
		}
		if len(s.Holds) != 1 || s.Holds[0] != prev.Lock {
			t.Errorf("step %d: holds %v; want [%s], the lock step %d waits for", i, s.Holds, prev.Lock, (i+n-1)%n)
		}
		if s.At.File != "detector/detector_test.go" || s.At.Line == 0 {
			t.Errorf("step %d: at %v; want a line of detector/detector_test.go", i, s.At)
		}
		if !strings.HasPrefix(s.Worker, "philosopher ") {
			t.Errorf("step %d: worker %q; want a philosopher's name", i, s.Worker)
		}
	}
}

func TestDoubleLock(t *testing.T) {
	d := detector.New()
	m := locks.NewMutex("m", locks.WithDetector(d))
	m.Lock()
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	if err := m.LockContext(ctx); !errors.Is(err, detector.ErrAborted) {
		t.Fatalf("second Lock = %v; want ErrAborted", err)
	}
	m.Unlock()
	f, ok := d.Deadlock()
	if !ok || f.Kind != detector.DoubleLock {
		t.Fatalf("Deadlock() = %v, %v; want a double-lock finding", f, ok)
	}
	if len(f.Steps) != 1 || f.Steps[0].Lock != "m" || f.Steps[0].At.Line == 0 {
		t.Errorf("steps = %+v; want one step on m with a position", f.Steps)
	}
}

// A reader that read-locks again while a writer waits deadlocks, exactly as
// with sync.RWMutex: the writer waits for the reader, the second RLock
// waits behind the writer.
func TestRecursiveRLockBehindWriter(t *testing.T) {
	d := detector.New()
	rw := locks.NewRWMutex("rw", locks.WithDetector(d))
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
	if !errors.Is(err, detector.ErrAborted) && !errors.Is(werr, detector.ErrAborted) {
		t.Fatalf("reader %v, writer %v; want one of them ErrAborted", err, werr)
	}
	f, ok := d.Deadlock()
	if !ok || len(f.Steps) != 2 {
		t.Fatalf("Deadlock() = %v, %v; want a 2-cycle through rw", f, ok)
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

// inTurn runs each function in its own goroutine, one after the other, so
// nothing ever blocks: a run that got lucky.
func inTurn(d *detector.Detector, fns ...func()) {
	for i, fn := range fns {
		done := make(chan struct{})
		go func() {
			defer close(done)
			d.Name(goidOf(), fmt.Sprintf("worker %d", i))
			fn()
		}()
		<-done
	}
}

func lockPair(a, b *locks.Mutex) func() {
	return func() { a.Lock(); b.Lock(); b.Unlock(); a.Unlock() }
}

func TestLockOrder(t *testing.T) {
	tests := []struct {
		name  string
		n     int                              // forks in the ring
		gate  func(*detector.Detector) gate    // held around each pair, or nil
		want  int                              // cycle length reported; 0 for none
		gated bool                             // reported as gated
		body  func(fs []*locks.Mutex) []func() // what each worker does
	}{
		{name: "inversion", n: 2, want: 2, body: ring},
		{name: "five-cycle", n: 5, want: 5, body: ring},
		{name: "fifty-cycle", n: 50, want: 50, body: ring},
		{name: "hierarchy", n: 5, body: hierarchy},
		{name: "global-lock", n: 5, want: 5, gated: true, body: ring, gate: mutexGate},
		{name: "waiter-n-1", n: 5, want: 5, gated: true, body: ring, gate: semGate(4)},
		{name: "waiter-n", n: 5, want: 5, gated: false, body: ring, gate: semGate(5)},
		{name: "trylock-adds-no-edge", n: 2, body: tryRing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := detector.New()
			fs := forks(d, tt.n)
			fns := tt.body(fs)
			if tt.gate != nil {
				g := tt.gate(d)
				for i, fn := range fns {
					fns[i] = func() { g.in(); fn(); g.out() }
				}
			}
			inTurn(d, fns...)
			var got []detector.Finding
			for _, f := range d.Findings() {
				if f.Kind == detector.Deadlock {
					t.Fatalf("unexpected actual deadlock: %v", f)
				}
				if f.Kind == detector.LockOrder {
					got = append(got, f)
				}
			}
			if tt.want == 0 {
				if len(got) != 0 {
					t.Fatalf("findings = %v; want none", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("got %d lock-order findings; want 1: %v", len(got), got)
			}
			f := got[0]
			if len(f.Steps) != tt.want {
				t.Errorf("cycle of %d; want %d", len(f.Steps), tt.want)
			}
			if (f.Gated != "") != tt.gated {
				t.Errorf("gated = %q; want gated %v", f.Gated, tt.gated)
			}
			for i, s := range f.Steps {
				next := f.Steps[(i+1)%len(f.Steps)]
				if len(s.Holds) != 1 || s.Lock != next.Holds[0] {
					t.Errorf("step %d: %v then %s; want a chain into step %d's %v", i, s.Holds, s.Lock, i+1, next.Holds)
				}
				if s.At.File != "detector/detector_test.go" || s.At.Line == 0 {
					t.Errorf("step %d at %v; want a line of this file", i, s.At)
				}
			}
		})
	}
}

// ring: worker i takes fork i then fork i+1.
func ring(fs []*locks.Mutex) []func() {
	var fns []func()
	for i := range fs {
		fns = append(fns, lockPair(fs[i], fs[(i+1)%len(fs)]))
	}
	return fns
}

// hierarchy: the lower-numbered fork first.
func hierarchy(fs []*locks.Mutex) []func() {
	var fns []func()
	for i := range fs {
		a, b := i, (i+1)%len(fs)
		fns = append(fns, lockPair(fs[min(a, b)], fs[max(a, b)]))
	}
	return fns
}

// tryRing: like ring, but the second fork is only tried.
func tryRing(fs []*locks.Mutex) []func() {
	var fns []func()
	for i := range fs {
		a, b := fs[i], fs[(i+1)%len(fs)]
		fns = append(fns, func() {
			a.Lock()
			if b.TryLock() {
				b.Unlock()
			}
			a.Unlock()
		})
	}
	return fns
}

type gate struct{ in, out func() }

func mutexGate(d *detector.Detector) gate {
	m := locks.NewMutex("table", locks.WithDetector(d))
	return gate{m.Lock, m.Unlock}
}

func semGate(n int) func(*detector.Detector) gate {
	return func(d *detector.Detector) gate {
		s := locks.NewSemaphore("waiter", n, locks.WithDetector(d))
		return gate{s.Acquire, s.Release}
	}
}

func TestLockOrderMessage(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want string
	}{
		{2, "locks taken in inconsistent order: fork 0 -> fork 1 -> fork 0"},
		{50, "locks taken in inconsistent order: fork 0 -> fork 1 -> fork 2 -> fork 3 -> ... -> fork 46 -> fork 47 -> fork 48 -> fork 49 -> fork 0 (50 locks)"},
	} {
		d := detector.New()
		inTurn(d, ring(forks(d, tt.n))...)
		fs := d.Findings()
		if len(fs) != 1 || fs[0].Message != tt.want || len(fs[0].Steps) != tt.n {
			t.Errorf("%d forks: findings %v; want one with message %q and %d steps", tt.n, fs, tt.want, tt.n)
		}
	}
}

func TestLockOrderReportedOnce(t *testing.T) {
	d := detector.New()
	fs := forks(d, 2)
	for range 3 {
		inTurn(d, ring(fs)...)
	}
	if n := len(d.Findings()); n != 1 {
		t.Fatalf("%d findings after three identical runs; want 1", n)
	}
}

func TestOptions(t *testing.T) {
	var seen []detector.Kind
	d := detector.New(
		detector.WithWaitFor(false),
		detector.WithOnFinding(func(f detector.Finding) { seen = append(seen, f.Kind) }),
	)
	inTurn(d, ring(forks(d, 2))...)
	if len(seen) != 1 || seen[0] != detector.LockOrder {
		t.Fatalf("OnFinding saw %v; want [lock-order]", seen)
	}

	d = detector.New(detector.WithLockOrder(false))
	inTurn(d, ring(forks(d, 2))...)
	if fs := d.Findings(); len(fs) != 0 {
		t.Fatalf("lock order off: findings %v; want none", fs)
	}
}

func TestAbort(t *testing.T) {
	d := detector.New()
	if d.Aborted() {
		t.Fatal("new detector is aborted")
	}
	d.Abort("first")
	d.Abort("second")
	if !d.Aborted() || d.Reason() != "first" {
		t.Fatalf("Aborted() = %v, Reason() = %q; want true, first", d.Aborted(), d.Reason())
	}
}

func TestFindingJSON(t *testing.T) {
	f := detector.Finding{
		Kind:    detector.Deadlock,
		Message: "2 workers wait for each other in a cycle",
		Steps: []detector.Step{
			{Worker: "teller 0", Holds: []string{"account 1"}, Lock: "account 2", Owner: "teller 1", At: detector.Pos{File: "labs/bank/naive.go", Line: 31}},
		},
	}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"kind":"deadlock","message":"2 workers wait for each other in a cycle","steps":[{"worker":"teller 0","holds":["account 1"],"lock":"account 2","owner":"teller 1","at":{"file":"labs/bank/naive.go","line":31}}]}`
	if string(b) != want {
		t.Errorf("json = %s\nwant %s", b, want)
	}
	if got := f.Workers(); len(got) != 1 || got[0] != "teller 0" {
		t.Errorf("Workers() = %v; want [teller 0]", got)
	}
}

func goidOf() int64 { return goid.Get() }

func TestHere(t *testing.T) {
	p := detector.Here()
	_, _, want, _ := runtime.Caller(0)
	if p.File != "detector/detector_test.go" || p.Line != want-1 {
		t.Fatalf("Here() = %v; want detector/detector_test.go:%d", p, want-1)
	}
}

// A lab run's Detector aborts the whole run on a deadlock, and every
// blocked Lock gives up with an error that wraps ErrAborted and carries
// the deadlock.
func TestAbortRunCarriesTheDeadlock(t *testing.T) {
	d := detector.New(detector.WithOutput(nil))
	for _, err := range dine(t, d, 3) {
		if err == nil {
			continue
		}
		var ae *detector.AbortError
		if !errors.As(err, &ae) || !errors.Is(err, detector.ErrAborted) || ae.Finding == nil || ae.Finding.Kind != detector.Deadlock {
			t.Errorf("error %v; want an *AbortError carrying the deadlock", err)
		}
	}
	if !d.Aborted() {
		t.Error("the Detector was not aborted")
	}
}

// UnwindCycle unwinds the goroutines of the cycle and nothing else: the
// Detector is not aborted, and other locks keep working and blocking.
func TestUnwindCycle(t *testing.T) {
	d := detector.New(detector.WithOutput(nil), detector.WithOnDeadlock(detector.UnwindCycle))
	unwound := 0
	for _, err := range dine(t, d, 3) {
		if errors.Is(err, detector.ErrAborted) {
			unwound++
		}
	}
	if unwound == 0 || d.Aborted() {
		t.Fatalf("%d unwound, aborted %v; want some unwound and the Detector alive", unwound, d.Aborted())
	}
	m := locks.NewMutex("after", locks.WithDetector(d))
	m.Lock()
	got := make(chan error)
	go func() {
		err := m.LockContext(context.Background())
		if err == nil {
			m.Unlock()
		}
		got <- err
	}()
	waitUntil(t, func() bool { return len(d.Waiting()) == 1 })
	m.Unlock()
	if err := <-got; err != nil {
		t.Fatalf("a lock after the deadlock: %v", err)
	}
}

// Findings go to stderr unless a callback takes them; WithOutput sends
// them elsewhere, in full, once each.
func TestOutput(t *testing.T) {
	var buf bytes.Buffer
	d := detector.New(detector.WithOutput(&buf))
	inTurn(d, ring(forks(d, 2))...)
	x, y := locks.NewMutex("x", locks.WithDetector(d)), locks.NewMutex("y", locks.WithDetector(d))
	inTurn(d, ring([]*locks.Mutex{x, y})...)
	inTurn(d, ring([]*locks.Mutex{x, y})...)
	out := buf.String()
	if strings.Count(out, "locklab: lock-order: ") != 2 || !strings.Contains(out, "detector/detector_test.go:") {
		t.Errorf("output %q; want each of the two inversions once, with lines", out)
	}
	d.Report(detector.Finding{Kind: detector.Stall, Message: "made elsewhere"})
	if strings.Contains(buf.String(), "made elsewhere") {
		t.Error("Report wrote a finding made outside the Detector")
	}
}
