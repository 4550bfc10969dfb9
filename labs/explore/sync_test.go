package explore_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/explore"
	"github.com/locklab/locklab/labs/run"
)

// outcomes explores play with every strategy and returns the first
// failure's outcome and findings per strategy (run.OK and nil when every
// schedule was clean).
func outcomes(t *testing.T, play func(rt labs.Runtime, cfg labs.Config) labs.Instance) map[string]*explore.Failure {
	t.Helper()
	v := &labs.Variant{Name: "v", Kind: labs.Fixed, Play: play}
	got := map[string]*explore.Failure{}
	for _, strategy := range []string{"random", "pct", "dfs"} {
		res, err := explore.Explore(context.Background(), scenario, v, explore.Options{
			Strategy: strategy, Schedules: 300, MaxSteps: 500, NoMinimize: true})
		if err != nil {
			t.Fatalf("Explore(%s) error = %v", strategy, err)
		}
		got[strategy] = res.First
	}
	return got
}

// The controlled scheduler's Cond, WaitGroup, Once and Select, each
// shown by a small variant and what every schedule of it must end in.
func TestSyncSemantics(t *testing.T) {
	tests := []struct {
		name string
		play func(rt labs.Runtime, cfg labs.Config) labs.Instance
		want run.Outcome   // what some schedule ends in; OK: every schedule is clean
		kind detector.Kind // the first finding's kind, when not OK
	}{
		{
			name: "a Cond with a for loop hands every item over",
			play: func(rt labs.Runtime, _ labs.Config) labs.Instance {
				mu := rt.Mutex("mu")
				c := rt.Cond("changed", mu)
				items, got := 0, 0
				for i := range 2 {
					rt.Go(fmt.Sprint("taker ", i), func(labs.Worker) {
						mu.Lock()
						for items == 0 {
							c.Wait()
						}
						items--
						got++
						mu.Unlock()
					})
				}
				rt.Go("giver", func(w labs.Worker) {
					for range 2 {
						mu.Lock()
						items++
						c.Signal()
						mu.Unlock()
						w.Yield()
					}
				})
				return check(func() (string, bool) { return fmt.Sprint(got, items), got == 2 && items == 0 })
			},
			want: run.OK,
		},
		{
			name: "an if around Wait lets a taker steal the wakeup",
			play: func(rt labs.Runtime, _ labs.Config) labs.Instance {
				mu := rt.Mutex("mu")
				c := rt.Cond("changed", mu)
				items, low := 0, 0
				for i := range 2 {
					rt.Go(fmt.Sprint("taker ", i), func(labs.Worker) {
						mu.Lock()
						if items == 0 {
							c.Wait()
						}
						items--
						low = min(low, items)
						mu.Unlock()
					})
				}
				rt.Go("giver", func(w labs.Worker) {
					for range 2 {
						mu.Lock()
						items++
						c.Signal()
						mu.Unlock()
					}
				})
				return check(func() (string, bool) { return fmt.Sprint(low), low >= 0 })
			},
			want: run.Violated,
			kind: detector.Invariant,
		},
		{
			name: "a Signal with nobody waiting is lost, and the waiter sleeps forever",
			play: func(rt labs.Runtime, _ labs.Config) labs.Instance {
				mu := rt.Mutex("mu")
				c := rt.Cond("ready", mu)
				rt.Go("sleeper", func(labs.Worker) {
					mu.Lock()
					c.Wait() // no condition checked: a Signal before this is lost
					mu.Unlock()
				})
				rt.Go("signaller", func(labs.Worker) {
					mu.Lock()
					c.Signal()
					mu.Unlock()
				})
				return always()
			},
			want: run.Stall,
			kind: detector.Stall,
		},
		{
			name: "Broadcast wakes every waiter",
			play: func(rt labs.Runtime, _ labs.Config) labs.Instance {
				mu := rt.Mutex("mu")
				c := rt.Cond("open", mu)
				open, in := false, 0
				for i := range 3 {
					rt.Go(fmt.Sprint("guest ", i), func(labs.Worker) {
						mu.Lock()
						for !open {
							c.Wait()
						}
						in++
						mu.Unlock()
					})
				}
				rt.Go("host", func(labs.Worker) {
					mu.Lock()
					open = true
					c.Broadcast()
					mu.Unlock()
				})
				return check(func() (string, bool) { return fmt.Sprint(in), in == 3 })
			},
			want: run.OK,
		},
		{
			name: "WaitGroup.Wait returns after every Done",
			play: func(rt labs.Runtime, _ labs.Config) labs.Instance {
				wg := rt.WaitGroup("jobs")
				done := make([]bool, 2)
				seen := false
				wg.Add(2)
				for i := range 2 {
					rt.Go(fmt.Sprint("job ", i), func(labs.Worker) {
						done[i] = true
						wg.Done()
					})
				}
				rt.Go("waiter", func(labs.Worker) {
					wg.Wait()
					seen = done[0] && done[1]
				})
				return check(func() (string, bool) { return fmt.Sprint(seen), seen })
			},
			want: run.OK,
		},
		{
			name: "an Add inside the goroutine lets Wait return early",
			play: func(rt labs.Runtime, _ labs.Config) labs.Instance {
				wg := rt.WaitGroup("jobs")
				done, seen := 0, -1
				rt.Go("main", func(labs.Worker) {
					for i := range 2 {
						rt.Go(fmt.Sprint("job ", i), func(labs.Worker) {
							wg.Add(1)
							done++
							wg.Done()
						})
					}
					wg.Wait()
					seen = done
				})
				return check(func() (string, bool) { return fmt.Sprint(seen), seen == 2 })
			},
			want: run.Violated,
			kind: detector.Invariant,
		},
		{
			name: "a missing Done leaves Wait blocked",
			play: func(rt labs.Runtime, _ labs.Config) labs.Instance {
				wg := rt.WaitGroup("jobs")
				wg.Add(2)
				rt.Go("job", func(labs.Worker) { wg.Done() })
				rt.Go("waiter", func(labs.Worker) { wg.Wait() })
				return always()
			},
			want: run.Stall,
			kind: detector.Stall,
		},
		{
			name: "Once runs its function once, and the others wait for it",
			play: func(rt labs.Runtime, _ labs.Config) labs.Instance {
				once := rt.Once("setup")
				calls, ready := 0, 0
				for i := range 3 {
					rt.Go(fmt.Sprint("user ", i), func(w labs.Worker) {
						once.Do(func() {
							calls++
							w.Yield()
						})
						if calls == 1 {
							ready++
						}
					})
				}
				return check(func() (string, bool) { return fmt.Sprint(calls, ready), calls == 1 && ready == 3 })
			},
			want: run.OK,
		},
		{
			name: "a Do inside its own function is a double lock",
			play: func(rt labs.Runtime, _ labs.Config) labs.Instance {
				once := rt.Once("setup")
				rt.Go("reentrant", func(labs.Worker) { once.Do(func() { once.Do(func() {}) }) })
				return always()
			},
			want: run.Deadlock,
			kind: detector.DoubleLock,
		},
		{
			name: "a select with a default never blocks; without one it waits for a ready case",
			play: func(rt labs.Runtime, _ labs.Config) labs.Instance {
				a, b, idle := rt.Chan("a", 0), rt.Chan("b", 1), rt.Chan("idle", 0)
				var got []any
				rt.Go("poller", func(labs.Worker) {
					if i, _, _ := rt.Select(labs.SelectCase{Dir: labs.SelectRecv, Chan: idle}, labs.SelectCase{Dir: labs.SelectDefault}); i != 1 {
						got = append(got, "no default")
					}
					_, v, _ := rt.Select(labs.SelectCase{Dir: labs.SelectRecv, Chan: a}, labs.SelectCase{Dir: labs.SelectRecv, Chan: b})
					got = append(got, v)
					_, v, _ = rt.Select(labs.SelectCase{Dir: labs.SelectRecv, Chan: a}, labs.SelectCase{Dir: labs.SelectRecv, Chan: b})
					got = append(got, v)
				})
				rt.Go("sender", func(labs.Worker) {
					rt.Select(labs.SelectCase{Dir: labs.SelectSend, Chan: a, Send: 1})
					b.Send(2)
				})
				return check(func() (string, bool) {
					return fmt.Sprint(got), len(got) == 2 && slices.Contains(got, any(1)) && slices.Contains(got, any(2))
				})
			},
			want: run.OK,
		},
		{
			name: "a reader that read-locks again behind a waiting writer deadlocks with it",
			play: func(rt labs.Runtime, _ labs.Config) labs.Instance {
				rw := rt.RWMutex("doc")
				rt.Go("reader", func(w labs.Worker) {
					rw.RLock()
					w.Yield()
					rw.RLock() // blocks if the writer is queued by now
					rw.RUnlock()
					rw.RUnlock()
				})
				rt.Go("writer", func(labs.Worker) {
					rw.Lock()
					rw.Unlock()
				})
				return always()
			},
			want: run.Deadlock,
			kind: detector.Deadlock,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for strategy, f := range outcomes(t, tt.play) {
				got := run.OK
				if f != nil {
					got = f.Outcome
					if len(f.Findings) == 0 || f.Findings[0].Kind != tt.kind {
						t.Errorf("%s: findings %v; want one of kind %q", strategy, f.Findings, tt.kind)
					}
				}
				if got != tt.want {
					t.Errorf("%s: %s (%+v); want %s", strategy, got, f, tt.want)
				}
			}
		})
	}
}

// A read-lock-again deadlock is reported as the cycle it is: the reader
// holds the lock and waits behind the writer; the writer holds nothing
// and waits for the reader.
func TestRecursiveReadCycle(t *testing.T) {
	play := func(rt labs.Runtime, _ labs.Config) labs.Instance {
		rw := rt.RWMutex("doc")
		rt.Go("reader", func(w labs.Worker) {
			rw.RLock()
			w.Yield()
			rw.RLock()
			rw.RUnlock()
			rw.RUnlock()
		})
		rt.Go("writer", func(labs.Worker) { rw.Lock(); rw.Unlock() })
		return always()
	}
	f := outcomes(t, play)["dfs"]
	if f == nil || len(f.Findings) == 0 {
		t.Fatal("dfs found no deadlock")
	}
	steps := map[string]detector.Step{}
	for _, st := range f.Findings[0].Steps {
		steps[st.Worker] = st
	}
	if r := steps["reader"]; r.Owner != "writer" || !slices.Equal(r.Holds, []string{"doc"}) {
		t.Errorf("reader's step %+v; want it holding doc, waiting behind writer", r)
	}
	if w := steps["writer"]; w.Owner != "reader" || len(w.Holds) != 0 {
		t.Errorf("writer's step %+v; want it holding nothing, waiting for reader", w)
	}
}

// A stall says what each blocked worker waits on and why the wait cannot
// end, as the native watchdog does.
func TestStallSaysWhatEachWorkerWaitsFor(t *testing.T) {
	play := func(rt labs.Runtime, _ labs.Config) labs.Instance {
		results := rt.Chan("results", 0)
		mu := rt.Mutex("mu")
		c := rt.Cond("not-empty", mu)
		wg := rt.WaitGroup("jobs")
		wg.Add(1)
		rt.Go("sender", func(labs.Worker) { results.Send(1) })
		rt.Go("sleeper", func(labs.Worker) {
			mu.Lock()
			c.Wait()
			mu.Unlock()
		})
		rt.Go("waiter", func(labs.Worker) { wg.Wait() })
		rt.Go("chooser", func(labs.Worker) {
			rt.Select(labs.SelectCase{Dir: labs.SelectRecv, Chan: rt.Chan("a", 0)}, labs.SelectCase{Dir: labs.SelectRecv, Chan: rt.Chan("b", 0)})
		})
		return always()
	}
	f := outcomes(t, play)["random"]
	if f == nil || f.Outcome != run.Stall {
		t.Fatalf("failure %+v; want a stall", f)
	}
	want := map[string][3]string{
		"sender":  {"waits to send on", "results", "nobody receives"},
		"sleeper": {"in Wait on", "not-empty", "nobody will Signal"},
		"waiter":  {"in Wait on", "jobs", "1 Done calls owed, nobody will make them"},
		"chooser": {"waits in select on", "a, b", "no case can proceed"},
	}
	for _, st := range f.Findings[0].Steps {
		w := want[st.Worker]
		if got := [3]string{st.Op, st.Lock, st.Now}; st.State != "blocked" || got != w {
			t.Errorf("%s: %s %q; want blocked %q", st.Worker, st.State, got, w)
		}
	}
}
