package detector

import (
	"strings"
	"sync"
	"testing"
	"time"
)

func TestHoldTable(t *testing.T) {
	var tb holdTable
	var pcs [siteDepth]uintptr
	tb.add(3, &pcs)
	if got := tb.release(3); got != 3 {
		t.Fatalf("release(3) after add = %d", got)
	}
	if again, _ := tb.acquire(1, &pcs); again {
		t.Fatal("first hold reported as recursive")
	}
	if again, first := tb.acquire(1, &pcs); !again || first == nil {
		t.Fatal("second hold by the same goroutine not reported as recursive")
	}
	tb.acquire(2, &pcs)
	// A release by a goroutine that holds nothing drops a hold of the
	// oldest holder.
	if got := tb.release(9); got != 1 {
		t.Fatalf("foreign release dropped a hold of %d; want 1", got)
	}
	if got := tb.release(1); got != 1 || tb.holds(1) {
		t.Fatalf("release(1) = %d, holds(1) = %v; want 1, false", got, tb.holds(1))
	}
	if !tb.holds(2) {
		t.Fatal("goroutine 2 lost its hold")
	}
	// More holders than words spill into the map and back.
	for g := int64(10); g < 10+2*holdWords; g++ {
		tb.acquire(g, &pcs)
	}
	n := 0
	tb.each(func(int64, *Site) { n++ })
	if n != 1+2*holdWords {
		t.Fatalf("%d holders; want %d", n, 1+2*holdWords)
	}
	for g := int64(10); g < 10+2*holdWords; g++ {
		if tb.release(g) != g {
			t.Fatalf("release(%d) dropped another's hold", g)
		}
	}
	if tb.over.Load() != 0 || tb.release(2) != 2 || tb.release(2) != 0 {
		t.Fatal("table not empty after every release")
	}
}

func TestHoldTableConcurrent(t *testing.T) {
	var tb holdTable
	var wg sync.WaitGroup
	for g := int64(1); g <= 20; g++ {
		wg.Go(func() {
			var pcs [siteDepth]uintptr
			for range 200 {
				tb.acquire(g, &pcs)
				tb.acquire(g, &pcs)
				tb.release(g)
				tb.release(g)
			}
		})
	}
	wg.Wait()
	tb.each(func(g int64, _ *Site) { t.Errorf("goroutine %d still holds", g) })
}

const sampleStacks = `goroutine 7 [chan send, 2 minutes]:
example.com/app.(*Server).publish(0xc000010000, {0x1, 0x2})
	/home/u/app/server.go:42 +0x2c
example.com/app.worker(0xc000010000)
	/home/u/app/worker.go:17 +0x55
created by example.com/app.Start in goroutine 1
	/home/u/app/start.go:30 +0x66

goroutine 9 [select]:
github.com/locklab/locklab/locks.(*Mutex).lockSlow(0xc000012345, {0x0, 0x0}, 0x9, 0x1, 0x0)
	/work/locks/mutex.go:143 +0x30f
github.com/locklab/locklab/locks.(*Mutex).Lock(...)
	/work/locks/mutex.go:82
example.com/app.handle()
	/home/u/app/handle.go:8 +0x9e
created by testing.(*T).Run in goroutine 1
	/usr/local/go/src/testing/testing.go:2101 +0xb13

goroutine 1 [running]:
main.main()
	/home/u/app/main.go:5 +0x1
`

func TestParseStacks(t *testing.T) {
	gs := newStacks(sampleStacks)
	if len(gs.blocks) != 3 {
		t.Fatalf("%d goroutines; want 3", len(gs.blocks))
	}
	g := gs.get(7)
	if g.state != "chan send" || g.parent != 1 || g.start != "example.com/app.worker" {
		t.Errorf("goroutine 7: %+v", g)
	}
	if now, at := g.doing(); now != "chan send" || at == nil || at.String() != "app/server.go:42" {
		t.Errorf("goroutine 7 doing %q at %v; want chan send at app/server.go:42", now, at)
	}
	if want := "goroutine 7 (app.worker, created by app.Start at app/start.go:30)"; g.label() != want {
		t.Errorf("label %q; want %q", g.label(), want)
	}
	// Lock machinery and testing are plumbing: the top frame is the
	// caller of Lock, the creator left out.
	if g := gs.get(9); g.top.String() != "app/handle.go:8" || g.label() != "goroutine 9 (app.handle)" {
		t.Errorf("goroutine 9: top %v, label %q", g.top, g.label())
	}
	if gs.get(1).label() != "goroutine 1 (main.main)" {
		t.Errorf("goroutine 1: label %q", gs.get(1).label())
	}
	if !gs.descendantsAlive(1) || gs.descendantsAlive(7) {
		t.Error("descendantsAlive: want goroutine 1's children found, none of 7's")
	}
}

func TestAbortErrorText(t *testing.T) {
	f := &Finding{Kind: Deadlock, Message: "2 workers wait for each other in a cycle"}
	for _, tt := range []struct {
		err  *AbortError
		want string
	}{
		{&AbortError{Finding: f}, "detector: unwound from a deadlock: 2 workers wait for each other in a cycle"},
		{&AbortError{Reason: f.Message, Finding: f}, "detector: run aborted: deadlock: 2 workers"},
		{&AbortError{Reason: "stall", Finding: f}, "detector: run aborted (stall): deadlock: 2 workers"},
		{&AbortError{Reason: "timeout"}, "detector: run aborted: timeout"},
		{&AbortError{}, "detector: run aborted"},
	} {
		if got := tt.err.Error(); !strings.HasPrefix(got, tt.want) {
			t.Errorf("Error() = %q; want it to start with %q", got, tt.want)
		}
	}
}

// Goroutines keep their slot while they hold nothing (outside race
// builds); the slots of goroutines that exited are reclaimed when a claim
// finds its neighbourhood full, so a program that churns through many
// goroutines still records the lock order of new ones.
func TestSlotsReclaimed(t *testing.T) {
	d := New(WithOutput(nil))
	a, b := d.NewLock("a", KindMutex, 1), d.NewLock("b", KindMutex, 1)
	gid := int64(1 << 40)
	for range 3 * slotCount {
		gid++
		done := make(chan struct{})
		go func() { // a goroutine that takes a lock once and exits
			defer close(done)
			a.Acquired(gid, Exclusive, false)
			a.Released(gid, Exclusive)
		}()
		<-done
	}
	// gid values above are not real goroutine ids, so every one of them
	// counts as exited. A real goroutine, now: a then b, then b then a.
	time.Sleep(20 * time.Millisecond) // past reclaim's rate limit
	me := int64(1<<40) + 10*slotCount
	a.Acquired(me, Exclusive, false)
	b.Acquired(me, Exclusive, false)
	b.Released(me, Exclusive)
	a.Released(me, Exclusive)
	b.Acquired(me, Exclusive, false)
	a.Acquired(me, Exclusive, false)
	a.Released(me, Exclusive)
	b.Released(me, Exclusive)
	if fs := d.Findings(); len(fs) != 1 || fs[0].Kind != LockOrder {
		t.Fatalf("findings %v; want the inversion, recorded in a reclaimed slot", fs)
	}
	if stickySlots && d.slots.reclaimed.Load() == 0 {
		t.Error("no slot was ever reclaimed")
	}
}
