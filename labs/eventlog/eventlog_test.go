package eventlog_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/eventlog"
)

func ev(worker, op string, t time.Duration) labs.Event {
	return labs.Event{Worker: worker, Op: op, Time: t}
}

func ops(es []labs.Event) string {
	s := ""
	for _, e := range es {
		s += fmt.Sprintf("%d:%s/%s ", e.Step, e.Worker, e.Op)
	}
	return s
}

func TestMerge(t *testing.T) {
	tests := []struct {
		name  string
		cap   int
		lanes [][]labs.Event
		want  string
	}{
		{"time order", 8, [][]labs.Event{
			{ev("a", "read", 1), ev("a", "write", 4)},
			{ev("b", "read", 2), ev("b", "write", 3)},
		}, "1:a/read 2:b/read 3:b/write 4:a/write "},
		{"ties keep lane order", 8, [][]labs.Event{
			{ev("a", "lock", 5), ev("a", "unlock", 5)},
			{ev("b", "lock", 5)},
		}, "1:a/lock 2:a/unlock 3:b/lock "},
		{"a full lane keeps its first and last events, with a gap between", 4, [][]labs.Event{
			{ev("a", "1", 1), ev("a", "2", 2), ev("a", "3", 6), ev("a", "4", 7), ev("a", "5", 9)},
			{ev("b", "x", 3), ev("b", "y", 8)},
		}, "1:a/1 2:a/2 3:b/x 4:a/gap 5:a/4 6:b/y 7:a/5 "},
		{"empty", 4, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var lanes []*eventlog.Lane
			for _, es := range tt.lanes {
				l := eventlog.NewLane(tt.cap)
				for _, e := range es {
					l.Add(e)
				}
				lanes = append(lanes, l)
			}
			if got := ops(eventlog.Merge(lanes...)); got != tt.want {
				t.Errorf("Merge = %q; want %q", got, tt.want)
			}
		})
	}
}

func TestLaneDropped(t *testing.T) {
	l := eventlog.NewLane(4)
	for i := range 7 {
		l.Add(ev("a", fmt.Sprint(i), time.Duration(i)))
	}
	evs := l.Events()
	if got, want := ops(evs), "0:a/0 0:a/1 0:a/gap 0:a/5 0:a/6 "; got != want || l.Dropped() != 3 || evs[2].Value != "3 events not kept" {
		t.Errorf("Events = %q (gap %q), Dropped = %d; want %q, 3", got, evs[2].Value, l.Dropped(), want)
	}
}

// A worker records into its own lane; the lanes are merged once the
// workers are done.
func ExampleMerge() {
	a, b := eventlog.NewLane(0), eventlog.NewLane(0)
	a.Add(labs.Event{Worker: "worker 0", Op: "read", Target: "count", Value: "0", Time: 10})
	b.Add(labs.Event{Worker: "worker 1", Op: "read", Target: "count", Value: "0", Time: 20})
	a.Add(labs.Event{Worker: "worker 0", Op: "write", Target: "count", Value: "1", Time: 30})
	b.Add(labs.Event{Worker: "worker 1", Op: "write", Target: "count", Value: "1", Time: 40})
	for _, e := range eventlog.Merge(a, b) {
		fmt.Println(e.Step, e.Worker, e.Op, e.Target, e.Value)
	}
	// Output:
	// 1 worker 0 read count 0
	// 2 worker 1 read count 0
	// 3 worker 0 write count 1
	// 4 worker 1 write count 1
}
