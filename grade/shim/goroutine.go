package shim

import (
	"fmt"
	"runtime"
	"time"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
)

// Go starts f in a new goroutine, as a go statement does (the
// instrumented build evaluates the statement's function and arguments
// first). Under the controlled scheduler the goroutine is a worker of the
// schedule, named after where it was started.
func Go(f func(), site int) {
	if e := st().exp; e != nil {
		name := "goroutine"
		if pos := detector.Caller(); !pos.IsZero() {
			name = fmt.Sprintf("goroutine from %s", pos)
		}
		e.Go(name, func(labs.Worker) { f() })
		return
	}
	go f()
}

// Gosched yields the processor, as runtime.Gosched; under the controlled
// scheduler it is a scheduling point.
func Gosched() {
	if yieldPoint() {
		return
	}
	runtime.Gosched()
}

// Sleep pauses for d, as time.Sleep. Under the controlled scheduler it
// is a scheduling point instead, which covers every order a real pause
// allows (another worker may run any number of steps, or none) without
// waiting.
//
// A longer pause is more scheduling points (one per microsecond, at most
// 64), so that two workers backing off for random lengths fall out of
// step, as they do on a real machine.
func Sleep(d time.Duration) {
	if yieldPoint() {
		for n := min(d/time.Microsecond, 64); n > 1; n-- {
			yieldPoint()
		}
		return
	}
	time.Sleep(d)
}

// After returns a channel that receives the time after d, as time.After.
// Under the controlled scheduler the timer is a worker of the schedule
// that sends once, when no other worker can run: time passes when every
// worker waits. A worker woken by a timer has waited in vain, as a failed
// try has: it counts as a spin.
func After(d time.Duration) <-chan time.Time {
	if e := st().exp; e != nil && e.Current() != nil {
		ch := make(chan time.Time, 1)
		st().timers[addr(ch)] = true
		c := C(ch, -1)
		goTimer(e, "timer", func() { c.Send(time.Now()) })
		return ch
	}
	return time.After(d)
}

// AfterFunc calls f in its own goroutine after d, as time.AfterFunc.
// Under the controlled scheduler f runs as a worker of the schedule, when
// the scheduler decides; the Timer returned then never fires by itself,
// and stopping it does not stop f.
func AfterFunc(d time.Duration, f func()) *time.Timer {
	if e := st().exp; e != nil && e.Current() != nil {
		goTimer(e, "timer func", f)
		return time.AfterFunc(time.Duration(1<<62), func() {})
	}
	return time.AfterFunc(d, f)
}

// goTimer starts a timer's worker: one that runs only when no other can,
// where the scheduler knows such workers.
func goTimer(e Explorer, name string, f func()) {
	if t, ok := e.(interface {
		GoTimer(name string, body func(labs.Worker))
	}); ok {
		t.GoTimer(name, func(labs.Worker) { f() })
		return
	}
	e.Go(name, func(labs.Worker) { f() })
}

// NewTimer is time.NewTimer. Under the controlled scheduler the Timer's
// channel is fed by a timer worker of the schedule, as After's is, and
// Stop and Reset act on the real timer only (which never fires).
func NewTimer(d time.Duration) *time.Timer {
	if e := st().exp; e != nil && e.Current() != nil {
		t := time.NewTimer(time.Duration(1 << 62))
		t.C = After(d)
		return t
	}
	return time.NewTimer(d)
}

// NewTicker is time.NewTicker. Under the controlled scheduler its channel
// is fed by a timer worker that sends again whenever nothing else can run.
func NewTicker(d time.Duration) *time.Ticker {
	if e := st().exp; e != nil && e.Current() != nil {
		t := time.NewTicker(time.Duration(1 << 62))
		ch := make(chan time.Time, 1)
		st().timers[addr(ch)] = true
		c := C(ch, -1)
		goTimer(e, "ticker", func() {
			for {
				c.Send(time.Now())
			}
		})
		t.C = ch
		return t
	}
	return time.NewTicker(d)
}

// Tick is time.Tick.
func Tick(d time.Duration) <-chan time.Time {
	if d <= 0 {
		return nil
	}
	return NewTicker(d).C
}
