package native_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/native"
)

// blockedOn waits until the named worker of rt is blocked as op says,
// and returns its wait.
func blockedOn(t *testing.T, rt *native.Runtime, name string, op native.WaitOp) *native.Wait {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, w := range rt.Workers() {
			if b := w.Blocked(); w.Name() == name && b != nil && b.Op == op {
				return b
			}
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("%s never blocked in a %s", name, op)
	return nil
}

// A Cond's Wait sleeps until signalled, with its lock released, and
// returns holding the lock again; Signal wakes the oldest waiter,
// Broadcast every one.
func TestCond(t *testing.T) {
	det := detector.New()
	rt := native.New(det, 1, labs.YieldGosched)
	mu := rt.Mutex("mu")
	c := rt.Cond("ready", mu)
	ready, woken := 0, []string(nil)
	for _, name := range []string{"first", "second", "third"} {
		rt.Go(name, func(labs.Worker) {
			mu.Lock()
			for ready == 0 {
				c.Wait()
			}
			ready--
			woken = append(woken, name)
			mu.Unlock()
		})
		blockedOn(t, rt, name, native.WaitCond)
	}
	b := blockedOn(t, rt, "first", native.WaitCond)
	if !slices.Equal(b.Targets, []string{"ready"}) || b.At.File != "labs/native/sync_test.go" {
		t.Errorf("first's wait = %+v; want the Cond ready, at this file", b)
	}
	if ws := det.Waiting(); len(ws) != 3 {
		t.Errorf("Detector.Waiting() = %v; want the 3 workers in Wait", ws)
	}
	mu.Lock()
	ready = 1
	c.Signal()
	mu.Unlock()
	for {
		mu.Lock()
		n := len(woken)
		mu.Unlock()
		if n == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	mu.Lock()
	ready = 2
	c.Broadcast()
	mu.Unlock()
	if err := wait(t, rt); err != nil {
		t.Fatalf("Wait() = %v", err)
	}
	if !slices.Equal(woken, []string{"first", "second", "third"}) && !slices.Equal(woken, []string{"first", "third", "second"}) {
		t.Errorf("woken in order %v; want first (the oldest waiter, signalled) first", woken)
	}
	for _, w := range rt.Workers() {
		if w.Blocked() != nil {
			t.Errorf("%s: Blocked() = %+v after it returned; want nil", w.Name(), w.Blocked())
		}
	}
}

// An aborted run unwinds a worker in Cond.Wait with its lock held again,
// so that its deferred Unlock does not panic.
func TestCondAbortRelocks(t *testing.T) {
	det := detector.New()
	rt := native.New(det, 1, labs.YieldGosched)
	mu := rt.Mutex("mu")
	c := rt.Cond("never", mu)
	rt.Go("sleeper", func(labs.Worker) {
		mu.Lock()
		defer mu.Unlock()
		c.Wait()
	})
	blockedOn(t, rt, "sleeper", native.WaitCond)
	det.Abort("test")
	if err := wait(t, rt); err != nil {
		t.Fatalf("Wait() = %v; want the sleeper to unwind cleanly", err)
	}
	if s := rt.Workers()[0].State(); s != native.Aborted {
		t.Errorf("sleeper: state %v; want aborted", s)
	}
	if !mu.TryLock() {
		t.Error("mu is still locked after the sleeper unwound")
	}
}

// WaitGroup.Wait returns once the counter is back to zero; while it
// waits, the worker says for which WaitGroup and at what count.
func TestWaitGroup(t *testing.T) {
	det := detector.New()
	rt := native.New(det, 1, labs.YieldGosched)
	wg := rt.WaitGroup("jobs")
	wg.Add(2)
	gate := rt.Chan("gate", 0)
	finished := false
	rt.Go("waiter", func(labs.Worker) {
		wg.Wait()
		finished = true
	})
	for i := range 2 {
		rt.Go([]string{"job 0", "job 1"}[i], func(labs.Worker) {
			gate.Recv()
			wg.Done()
		})
	}
	b := blockedOn(t, rt, "waiter", native.WaitWaitGroup)
	if b.Count != 2 || !slices.Equal(b.Targets, []string{"jobs"}) {
		t.Errorf("waiter's wait = %+v; want jobs at count 2", b)
	}
	r := blockedOn(t, rt, "job 0", native.WaitRecv)
	if !slices.Equal(r.Targets, []string{"gate"}) {
		t.Errorf("job 0's wait = %+v; want a receive from gate", r)
	}
	gate.Send(nil)
	gate.Send(nil)
	if err := wait(t, rt); err != nil {
		t.Fatalf("Wait() = %v", err)
	}
	if !finished {
		t.Error("the waiter did not return from Wait")
	}
	// A Wait at zero returns at once; a negative counter panics.
	wg.Wait()
	defer func() {
		if recover() == nil {
			t.Error("Done below zero did not panic")
		}
	}()
	wg.Done()
}

// An aborted run unwinds a worker in WaitGroup.Wait.
func TestWaitGroupAbort(t *testing.T) {
	det := detector.New()
	rt := native.New(det, 1, labs.YieldGosched)
	wg := rt.WaitGroup("owed")
	wg.Add(1)
	rt.Go("waiter", func(labs.Worker) { wg.Wait() })
	blockedOn(t, rt, "waiter", native.WaitWaitGroup)
	det.Abort("test")
	if err := wait(t, rt); err != nil {
		t.Fatalf("Wait() = %v", err)
	}
	if s := rt.Workers()[0].State(); s != native.Aborted {
		t.Errorf("waiter: state %v; want aborted", s)
	}
}

// Once runs its function once; a Do from inside that function is a
// double lock, reported and unwound.
func TestOnce(t *testing.T) {
	det := detector.New()
	rt := native.New(det, 1, labs.YieldGosched)
	once := rt.Once("setup")
	calls := 0
	for i := range 3 {
		rt.Go([]string{"a", "b", "c"}[i], func(labs.Worker) { once.Do(func() { calls++ }) })
	}
	if err := wait(t, rt); err != nil || calls != 1 {
		t.Fatalf("Wait() = %v, %d calls; want nil, 1", err, calls)
	}

	det = detector.New(detector.WithOutput(nil))
	rt = native.New(det, 1, labs.YieldGosched)
	again := rt.Once("again")
	rt.Go("reentrant", func(labs.Worker) { again.Do(func() { again.Do(func() {}) }) })
	if err := wait(t, rt); err != nil {
		t.Fatalf("Wait() = %v", err)
	}
	f, ok := det.Deadlock()
	if !ok || f.Kind != detector.DoubleLock {
		t.Errorf("Deadlock() = %v, %v; want a double lock on again", f, ok)
	}
}

// Select does what a select statement does: a ready case, else the
// default, else it blocks, saying on which channels.
func TestSelect(t *testing.T) {
	det := detector.New()
	rt := native.New(det, 1, labs.YieldGosched)
	a, b := rt.Chan("a", 1), rt.Chan("b", 0)
	if i, _, _ := rt.Select(labs.SelectCase{Dir: labs.SelectRecv, Chan: a}, labs.SelectCase{Dir: labs.SelectDefault}); i != 1 {
		t.Errorf("Select on an empty channel with a default = case %d; want the default, 1", i)
	}
	if i, _, _ := rt.Select(labs.SelectCase{Dir: labs.SelectSend, Chan: a, Send: 5}); i != 0 {
		t.Errorf("Select send on a channel with room = case %d; want 0", i)
	}
	if i, v, ok := rt.Select(labs.SelectCase{Dir: labs.SelectRecv, Chan: b}, labs.SelectCase{Dir: labs.SelectRecv, Chan: a}); i != 1 || v != 5 || !ok {
		t.Errorf("Select recv = %d, %v, %v; want 1, 5, true", i, v, ok)
	}
	got := make(chan any, 1)
	rt.Go("chooser", func(labs.Worker) {
		_, v, _ := rt.Select(labs.SelectCase{Dir: labs.SelectRecv, Chan: a}, labs.SelectCase{Dir: labs.SelectRecv, Chan: b}, labs.SelectCase{Dir: labs.SelectRecv})
		got <- v
	})
	w := blockedOn(t, rt, "chooser", native.WaitSelect)
	if !slices.Equal(w.Targets, []string{"a", "b"}) {
		t.Errorf("chooser's wait = %+v; want a select on a and b", w)
	}
	b.Send("hello")
	if err := wait(t, rt); err != nil {
		t.Fatal(err)
	}
	if v := <-got; v != "hello" {
		t.Errorf("chooser received %v; want hello", v)
	}
	b.Close()
	if i, v, ok := rt.Select(labs.SelectCase{Dir: labs.SelectRecv, Chan: b}); i != 0 || v != nil || ok {
		t.Errorf("Select on a closed channel = %d, %v, %v; want 0, nil, false", i, v, ok)
	}

	// A blocked select gives up when the run is aborted.
	rt.Go("stuck", func(labs.Worker) {
		rt.Select(labs.SelectCase{Dir: labs.SelectSend, Chan: rt.Chan("nobody", 0), Send: 1})
	})
	blockedOn(t, rt, "stuck", native.WaitSelect)
	det.Abort("test")
	if err := wait(t, rt); err != nil {
		t.Fatal(err)
	}
	if s := rt.Workers()[1].State(); s != native.Aborted {
		t.Errorf("stuck: state %v; want aborted", s)
	}
	var p *native.WorkerPanic
	if errors.As(rt.Wait(), &p) {
		t.Errorf("Wait() = %v; want no panic", p)
	}
}

// A worker blocked sending says so, and stops saying so once the send
// went through.
func TestChanBlocked(t *testing.T) {
	rt := native.New(detector.New(), 1, labs.YieldGosched)
	results := rt.Chan("results", 0)
	rt.Go("sender", func(labs.Worker) { results.Send(1) })
	w := blockedOn(t, rt, "sender", native.WaitSend)
	if !slices.Equal(w.Targets, []string{"results"}) || w.At.Line == 0 || w.Since.IsZero() {
		t.Errorf("sender's wait = %+v; want a send on results, with where and since when", w)
	}
	if v, ok := results.Recv(); v != 1 || !ok {
		t.Errorf("Recv() = %v, %v; want 1, true", v, ok)
	}
	if err := wait(t, rt); err != nil {
		t.Fatal(err)
	}
	if b := rt.Workers()[0].Blocked(); b != nil {
		t.Errorf("Blocked() = %+v after the send; want nil", b)
	}
}
