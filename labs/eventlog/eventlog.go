package eventlog

import (
	"cmp"
	"slices"

	"github.com/locklab/locklab/labs"
)

// DefaultCap is how many events a Lane keeps when NewLane is given 0:
// enough to show the last few operations of every worker around a
// failure, few enough that a long run's log stays small.
const DefaultCap = 256

// Lane is one worker's events, the last Cap of them. Only the worker's
// own goroutine may call Add; Events and Merge may be called once that
// goroutine has stopped, or after something else ordered them after its
// last Add (a WaitGroup's Wait, a channel).
type Lane struct {
	buf     []labs.Event
	next    int  // where the next event goes
	full    bool // buf has wrapped
	dropped int  // events overwritten
}

// NewLane returns a Lane that keeps the last capacity events (DefaultCap
// when capacity is 0 or less).
func NewLane(capacity int) *Lane {
	if capacity <= 0 {
		capacity = DefaultCap
	}
	return &Lane{buf: make([]labs.Event, 0, capacity)}
}

// Add records e, forgetting the oldest event once the lane is full.
func (l *Lane) Add(e labs.Event) {
	if !l.full && len(l.buf) < cap(l.buf) {
		l.buf = append(l.buf, e)
		return
	}
	l.full = true
	l.buf[l.next] = e
	l.next = (l.next + 1) % len(l.buf)
	l.dropped++
}

// Events returns the lane's events, oldest first.
func (l *Lane) Events() []labs.Event {
	if !l.full {
		return slices.Clone(l.buf)
	}
	return append(slices.Clone(l.buf[l.next:]), l.buf[:l.next]...)
}

// Dropped returns how many events the lane forgot to stay within its
// capacity.
func (l *Lane) Dropped() int { return l.dropped }

// Merge returns the events of every lane in time order (lane order for
// equal times, each lane's own order kept), numbered from 1 in Step.
// When a lane has forgotten events, the merge starts at the latest first
// event of such a lane, so that no worker seems idle in a stretch whose
// events were only forgotten.
func Merge(lanes ...*Lane) []labs.Event {
	type ev struct {
		labs.Event
		lane, i int
	}
	var all []ev
	var from labs.Event
	for li, l := range lanes {
		if l == nil {
			continue
		}
		es := l.Events()
		if l.dropped > 0 && len(es) > 0 && es[0].Time > from.Time {
			from = es[0]
		}
		for i, e := range es {
			all = append(all, ev{e, li, i})
		}
	}
	slices.SortStableFunc(all, func(a, b ev) int {
		return cmp.Or(cmp.Compare(a.Time, b.Time), cmp.Compare(a.lane, b.lane), cmp.Compare(a.i, b.i))
	})
	out := make([]labs.Event, 0, len(all))
	for _, e := range all {
		if e.Time < from.Time {
			continue
		}
		e.Step = len(out) + 1
		out = append(out, e.Event)
	}
	return out
}
