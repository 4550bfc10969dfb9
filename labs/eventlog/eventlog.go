package eventlog

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/locklab/locklab/labs"
)

// DefaultCap is how many events a Lane keeps when NewLane is given 0:
// enough to show how the workers first met and how they ended, few
// enough that a long run's log stays small.
const DefaultCap = 512

// Gap is the Op of the event a Lane puts where it forgot events: its
// Value says how many. A reader of the events must not pair what comes
// before a gap with what comes after it (a read with a write).
const Gap = "gap"

// Lane is one worker's events: the first Cap/2 and the last Cap/2 of
// them, with a Gap event between when it forgot some. Only the worker's
// own goroutine may call Add; Events and Merge may be called once that
// goroutine has stopped, or after something else ordered them after its
// last Add (a WaitGroup's Wait, a channel).
type Lane struct {
	head    []labs.Event
	tail    []labs.Event // a ring once full
	next    int          // where the next tail event goes, once full
	dropped int          // events forgotten
}

// NewLane returns a Lane that keeps the first and last capacity/2 events
// (DefaultCap in all when capacity is 0 or less; at least one of each).
func NewLane(capacity int) *Lane {
	if capacity <= 0 {
		capacity = DefaultCap
	}
	half := max(capacity/2, 1)
	return &Lane{head: make([]labs.Event, 0, half), tail: make([]labs.Event, 0, half)}
}

// Add records e, forgetting the oldest event after the head once the
// lane is full.
func (l *Lane) Add(e labs.Event) {
	switch {
	case len(l.head) < cap(l.head):
		l.head = append(l.head, e)
	case len(l.tail) < cap(l.tail):
		l.tail = append(l.tail, e)
	default:
		l.tail[l.next] = e
		l.next = (l.next + 1) % len(l.tail)
		l.dropped++
	}
}

// Events returns the lane's events, oldest first, with a Gap event where
// it forgot some.
func (l *Lane) Events() []labs.Event {
	out := slices.Clone(l.head)
	tail := append(slices.Clone(l.tail[l.next:]), l.tail[:l.next]...)
	if l.dropped > 0 && len(tail) > 0 {
		out = append(out, labs.Event{
			Worker: tail[0].Worker, Op: Gap, Value: fmt.Sprintf("%d events not kept", l.dropped), Time: tail[0].Time,
		})
	}
	return append(out, tail...)
}

// Dropped returns how many events the lane forgot to stay within its
// capacity.
func (l *Lane) Dropped() int { return l.dropped }

// Merge returns the events of every lane in time order (lane order for
// equal times, each lane's own order kept), numbered from 1 in Step.
func Merge(lanes ...*Lane) []labs.Event {
	type ev struct {
		labs.Event
		lane, i int
	}
	var all []ev
	for li, l := range lanes {
		if l == nil {
			continue
		}
		for i, e := range l.Events() {
			all = append(all, ev{e, li, i})
		}
	}
	slices.SortStableFunc(all, func(a, b ev) int {
		return cmp.Or(cmp.Compare(a.Time, b.Time), cmp.Compare(a.lane, b.lane), cmp.Compare(a.i, b.i))
	})
	out := make([]labs.Event, len(all))
	for i, e := range all {
		e.Step = i + 1
		out[i] = e.Event
	}
	return out
}
