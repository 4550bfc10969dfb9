package native

import (
	"strings"
	"time"

	"github.com/locklab/locklab/detector"
	"github.com/petermattis/goid"
)

// WaitOp is the kind of a blocking operation that is not a lock wait:
// lock waits (Mutex, RWMutex, Semaphore, Once) are the Detector's, in
// detector.Detector.Waiting.
type WaitOp string

// The waits a worker's Blocked reports.
const (
	WaitSend      WaitOp = "send"      // a send on a full or unbuffered channel
	WaitRecv      WaitOp = "receive"   // a receive from an empty channel
	WaitSelect    WaitOp = "select"    // a select with no case ready and no default
	WaitCond      WaitOp = "cond"      // Cond.Wait
	WaitWaitGroup WaitOp = "waitgroup" // WaitGroup.Wait
)

// Wait is what a blocked worker waits for, other than a lock: a channel,
// the channels of a select, a Cond or a WaitGroup. Stall reports read it
// to say what each blocked worker waits on.
type Wait struct {
	Op      WaitOp
	Targets []string     // the channel, Cond or WaitGroup; a select's channels, in case order
	At      detector.Pos // where the worker blocked
	Since   time.Time
	Count   int // WaitGroup: the counter now, the Done calls still owed

	count func() int // WaitGroup: reads the counter
}

// Blocked returns what the worker is blocked on now, if it is blocked in
// a channel operation, a select, Cond.Wait or WaitGroup.Wait; nil
// otherwise (running, done, or waiting for a lock: see the Detector).
func (w *Worker) Blocked() *Wait {
	b := w.wait.Load()
	if b == nil || b.count == nil {
		return b
	}
	c := *b
	c.Count = b.count()
	return &c
}

// block records that the calling goroutine, if it is one of rt's
// workers, is about to block as wt says, and returns the worker to pass
// to unblock (nil for any other goroutine). Only slow paths call it: a
// channel operation that can proceed at once records nothing.
func (rt *Runtime) block(wt *Wait) *Worker {
	v, ok := rt.byGID.Load(goid.Get())
	if !ok {
		return nil
	}
	w := v.(*Worker)
	wt.At = detector.Caller()
	wt.Since = time.Now()
	w.wait.Store(wt)
	if w.lane != nil {
		w.record("blocked", strings.Join(wt.Targets, ", "), string(wt.Op))
	}
	return w
}

// unblock records that w (from block) no longer waits.
func unblock(w *Worker) {
	if w != nil {
		w.wait.Store(nil)
	}
}
