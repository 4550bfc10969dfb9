package native_test

import (
	"strings"
	"testing"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/native"
)

// eventText is an event as the tests compare it: worker, op, target,
// value and holds.
func eventText(e labs.Event) string {
	s := e.Worker + " " + e.Op
	if e.Target != "" {
		s += " " + e.Target
	}
	if e.Value != "" {
		s += "=" + e.Value
	}
	if len(e.Holds) > 0 {
		s += " [" + strings.Join(e.Holds, ",") + "]"
	}
	return s
}

func TestEvents(t *testing.T) {
	rt := native.New(detector.New(), 1, labs.YieldGosched, native.WithEvents(0))
	mu := rt.Mutex("m")
	count := 0
	rt.Go("w", func(w labs.Worker) {
		mu.Lock()
		n := count
		w.Read("count", n)
		w.Write("count", n+1)
		count = n + 1
		mu.Unlock()
		w.Progress()
	})
	if err := wait(t, rt); err != nil {
		t.Fatal(err)
	}
	var got []string
	evs := rt.Events()
	for i, e := range evs {
		got = append(got, eventText(e))
		if e.Step != i+1 {
			t.Errorf("event %d: Step = %d", i, e.Step)
		}
		if i > 0 && e.Time < evs[i-1].Time {
			t.Errorf("event %d at %v, before event %d at %v", i, e.Time, i-1, evs[i-1].Time)
		}
	}
	want := []string{"w start", "w request m", "w lock m [m]", "w read count=0 [m]", "w write count=1 [m]", "w unlock m", "w progress", "w exit"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Events =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The position is the caller's line here, not the runtime's.
	for _, e := range evs {
		if e.Op == "read" && !strings.HasSuffix(e.At.File, "events_test.go") {
			t.Errorf("read at %v; want events_test.go", e.At)
		}
	}
}

func TestNoEventsByDefault(t *testing.T) {
	rt := native.New(detector.New(), 1, labs.YieldGosched)
	rt.Go("w", func(w labs.Worker) { w.Read("x", 1) })
	if err := wait(t, rt); err != nil {
		t.Fatal(err)
	}
	if evs := rt.Events(); evs != nil {
		t.Errorf("Events = %v without WithEvents; want nil", evs)
	}
}

// BenchmarkEvents is the cost of recording: a locked read-modify-write
// (Lock, a labelled read and write, Unlock) with and without WithEvents.
func BenchmarkEvents(b *testing.B) {
	for _, events := range []bool{false, true} {
		b.Run(map[bool]string{false: "events=off", true: "events=on"}[events], func(b *testing.B) {
			var opts []native.Option
			if events {
				opts = append(opts, native.WithEvents(0))
			}
			rt := native.New(detector.New(), 1, labs.YieldGosched, opts...)
			mu := rt.Mutex("m")
			count := 0
			b.ReportAllocs()
			b.ResetTimer()
			rt.Go("w", func(w labs.Worker) {
				for range b.N {
					mu.Lock()
					n := count
					w.Read("count", n)
					w.Write("count", n+1)
					count = n + 1
					mu.Unlock()
				}
			})
			if err := rt.Wait(); err != nil {
				b.Fatal(err)
			}
		})
	}
}
