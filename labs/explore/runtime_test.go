package explore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/explore"
	"github.com/locklab/locklab/labs/run"
)

// scenario wraps test variants in a scenario of their own.
var scenario = &labs.Scenario{Name: "test", Defaults: labs.Config{Workers: 2, Ops: 1, Seed: 1}}

// check is an Instance whose invariant is a function of the final state.
type check func() (string, bool)

func (c check) Check() labs.Report {
	actual, ok := c()
	return labs.Report{Invariants: []labs.Check{{Name: "test", Expected: "ok", Actual: actual, OK: ok}}}
}

func always() labs.Instance { return check(func() (string, bool) { return "ok", true }) }

// Runtime semantics, each shown by a small variant and what every
// schedule of it must (or may) end in.
func TestRuntimeSemantics(t *testing.T) {
	tests := []struct {
		name string
		play func(rt labs.Runtime, cfg labs.Config) labs.Instance
		want []run.Outcome // the outcomes the schedules may end in
		kind detector.Kind // the first finding's kind, when not OK
	}{
		{
			name: "unbuffered channel hands over values in order",
			play: func(rt labs.Runtime, _ labs.Config) labs.Instance {
				ch := rt.Chan("pipe", 0)
				var got []int
				rt.Go("sender", func(labs.Worker) {
					for i := range 3 {
						ch.Send(i)
					}
					ch.Close()
				})
				rt.Go("receiver", func(labs.Worker) {
					for {
						v, ok := ch.Recv()
						if !ok {
							return
						}
						got = append(got, v.(int))
					}
				})
				return check(func() (string, bool) { return fmt.Sprint(got), slices.Equal(got, []int{0, 1, 2}) })
			},
			want: []run.Outcome{run.OK},
		},
		{
			name: "buffered channel and a semaphore admit up to their capacity",
			play: func(rt labs.Runtime, _ labs.Config) labs.Instance {
				ch := rt.Chan("box", 2)
				sem := rt.Semaphore("seats", 2)
				in, most := 0, 0
				for i := range 3 {
					rt.Go(fmt.Sprint("w", i), func(w labs.Worker) {
						sem.Acquire()
						in++
						most = max(most, in)
						w.Yield()
						in--
						sem.Release()
						ch.Send(i)
					})
				}
				rt.Go("drain", func(labs.Worker) {
					for range 3 {
						ch.Recv()
					}
				})
				return check(func() (string, bool) { return fmt.Sprint(most), most <= 2 })
			},
			want: []run.Outcome{run.OK},
		},
		{
			name: "a reader/writer lock excludes writers from readers",
			play: func(rt labs.Runtime, _ labs.Config) labs.Instance {
				mu := rt.RWMutex("rw")
				readers, writers, bad := 0, 0, false
				for i := range 2 {
					rt.Go(fmt.Sprint("reader ", i), func(w labs.Worker) {
						mu.RLock()
						readers++
						bad = bad || writers > 0
						w.Yield()
						readers--
						mu.RUnlock()
					})
				}
				rt.Go("writer", func(w labs.Worker) {
					mu.Lock()
					writers++
					bad = bad || readers > 0
					w.Yield()
					writers--
					mu.Unlock()
				})
				return check(func() (string, bool) { return fmt.Sprint(bad), !bad })
			},
			want: []run.Outcome{run.OK},
		},
		{
			name: "a channel nobody sends on is a stall, not a cycle",
			play: func(rt labs.Runtime, _ labs.Config) labs.Instance {
				ch := rt.Chan("silence", 0)
				rt.Go("listener", func(labs.Worker) { ch.Recv() })
				rt.Go("quitter", func(labs.Worker) {})
				return always()
			},
			want: []run.Outcome{run.Stall},
			kind: detector.Stall,
		},
		{
			name: "locking a held mutex again is a double lock",
			play: func(rt labs.Runtime, _ labs.Config) labs.Instance {
				mu := rt.Mutex("m")
				rt.Go("twice", func(labs.Worker) { mu.Lock(); mu.Lock() })
				return always()
			},
			want: []run.Outcome{run.Deadlock},
			kind: detector.DoubleLock,
		},
		{
			name: "a worker panic is reported and the others unwind",
			play: func(rt labs.Runtime, _ labs.Config) labs.Instance {
				mu := rt.Mutex("m")
				rt.Go("holder", func(w labs.Worker) {
					mu.Lock()
					defer mu.Unlock()
					for {
						w.Yield()
					}
				})
				rt.Go("crasher", func(labs.Worker) { panic("boom") })
				return always()
			},
			want: []run.Outcome{run.Panic},
			kind: "panic",
		},
		{
			name: "unlocking an unlocked mutex panics in the worker",
			play: func(rt labs.Runtime, _ labs.Config) labs.Instance {
				mu := rt.Mutex("m")
				rt.Go("clumsy", func(labs.Worker) { mu.Unlock() })
				return always()
			},
			want: []run.Outcome{run.Panic},
			kind: "panic",
		},
		{
			name: "spinning without progress is a livelock",
			play: func(rt labs.Runtime, _ labs.Config) labs.Instance {
				rt.Go("spinner", func(w labs.Worker) {
					for {
						w.Yield()
					}
				})
				return always()
			},
			want: []run.Outcome{run.Livelock},
			kind: detector.Livelock,
		},
		{
			name: "a spinner cannot starve the worker it waits for",
			play: func(rt labs.Runtime, _ labs.Config) labs.Instance {
				mu := rt.Mutex("m")
				done := false
				rt.Go("holder", func(w labs.Worker) {
					mu.Lock()
					for range 20 {
						w.Yield()
					}
					done = true
					mu.Unlock()
					w.Progress()
				})
				rt.Go("spinner", func(w labs.Worker) {
					for !mu.TryLock() {
						w.Yield()
					}
					mu.Unlock()
					w.Progress()
				})
				return check(func() (string, bool) { return fmt.Sprint(done), done })
			},
			want: []run.Outcome{run.OK},
		},
		{
			name: "workers may start workers and make channels",
			play: func(rt labs.Runtime, _ labs.Config) labs.Instance {
				got := 0
				rt.Go("parent", func(labs.Worker) {
					reply := rt.Chan("reply", 0)
					rt.Go("child", func(labs.Worker) { reply.Send(7) })
					v, _ := reply.Recv()
					got = v.(int)
				})
				return check(func() (string, bool) { return fmt.Sprint(got), got == 7 })
			},
			want: []run.Outcome{run.OK},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &labs.Variant{Name: "v", Kind: labs.Fixed, Play: tt.play}
			for _, strategy := range []string{"random", "pct", "dfs"} {
				res, err := explore.Explore(context.Background(), scenario, v, explore.Options{
					Strategy: strategy, Schedules: 200, MaxSteps: 500, KeepGoing: true, NoMinimize: true})
				if err != nil {
					t.Fatalf("Explore(%s) error = %v", strategy, err)
				}
				got := run.OK
				if res.First != nil {
					got = res.First.Outcome
					if f := res.First.Findings; len(f) == 0 || f[0].Kind != tt.kind {
						t.Errorf("Explore(%s) findings = %v; want one of kind %q", strategy, f, tt.kind)
					}
				}
				if !slices.Contains(tt.want, got) {
					t.Errorf("Explore(%s) = %s after %d schedules (%+v); want %v", strategy, got, res.Schedules, res.First, tt.want)
				}
			}
		})
	}
}

// Play must not block: a blocking operation outside a worker is an
// error, not a hang.
func TestPlayBlocking(t *testing.T) {
	v := &labs.Variant{Name: "v", Play: func(rt labs.Runtime, _ labs.Config) labs.Instance {
		rt.Go("idle", func(labs.Worker) {})
		rt.Chan("c", 0).Recv()
		return always()
	}}
	_, err := explore.Explore(context.Background(), scenario, v, explore.Options{Schedules: 1})
	if err == nil || !strings.Contains(err.Error(), "outside a worker") {
		t.Errorf("Explore() error = %v; want one about blocking outside a worker", err)
	}
}

// Step mode: a scripted player reaches the AB-BA deadlock on the buggy
// bank; random players never deadlock the ordered one.
func TestSessionDeadlock(t *testing.T) {
	s, v := lookup(t, "bank", "from-then-to")
	res, err := explore.Explore(context.Background(), s, v, explore.Options{Config: small["bank"]})
	if err != nil || res.First == nil {
		t.Fatalf("Explore() = %v, %v", res, err)
	}
	// Play the minimized failing schedule by hand, as a student would,
	// from the trace's steps.
	sess, err := explore.NewSession(s, v, labs.Config{Workers: res.First.Config.Workers, Ops: res.First.Config.Ops, Seed: res.First.Config.Seed})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	names := map[string]int{}
	for _, st := range sess.State() {
		names[st.Name] = st.Worker
	}
	last := -1
	for _, e := range res.First.Trace {
		if e.Op == "blocked" || e.Op == "exit" || e.Step == last {
			continue
		}
		last = e.Step
		if err := sess.Step(names[e.Worker]); err != nil {
			t.Fatalf("Step(%s) at step %d: %v", e.Worker, e.Step, err)
		}
	}
	f, ok := sess.Outcome()
	if !ok || f.Outcome != run.Deadlock {
		t.Fatalf("Outcome() = %+v, %v; want a deadlock", f, ok)
	}
	if f.Token != res.First.Token {
		t.Errorf("session token %q; want the explorer's %q", f.Token, res.First.Token)
	}
	if len(sess.Choices()) != 0 || sess.Step(0) == nil {
		t.Error("after the end: want no choices and Step failing")
	}
}

func TestSessionOrderedNeverDeadlocks(t *testing.T) {
	s, v := lookup(t, "bank", "ordered")
	for seed := range uint64(50) {
		sess, err := explore.NewSession(s, v, labs.Config{Workers: 2, Ops: 2})
		if err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(seed, 0))
		for range 10000 {
			cs := sess.Choices()
			if len(cs) == 0 {
				break
			}
			if err := sess.Step(cs[r.IntN(len(cs))].Worker); err != nil {
				t.Fatal(err)
			}
		}
		f, ok := sess.Outcome()
		sess.Close()
		if !ok || f.Outcome != run.OK {
			t.Fatalf("seed %d: Outcome() = %+v, %v; want ok", seed, f, ok)
		}
	}
}

func TestSessionUndo(t *testing.T) {
	s, v := lookup(t, "philosophers", "left-then-right")
	sess, err := explore.NewSession(s, v, labs.Config{Workers: 2, Ops: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if err := sess.Undo(); err == nil {
		t.Error("Undo() at the start = nil; want an error")
	}
	for range 3 {
		if err := sess.Step(sess.Choices()[0].Worker); err != nil {
			t.Fatal(err)
		}
	}
	before, choices, state := sess.Trace(), sess.Choices(), sess.State()
	if err := sess.Step(choices[len(choices)-1].Worker); err != nil {
		t.Fatal(err)
	}
	if err := sess.Undo(); err != nil {
		t.Fatalf("Undo() = %v", err)
	}
	if got := sess.Trace(); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Errorf("Trace() after Undo = %v; want %v", got, before)
	}
	if got := sess.Choices(); !slices.Equal(got, choices) {
		t.Errorf("Choices() after Undo = %v; want %v", got, choices)
	}
	if got := sess.State(); fmt.Sprint(got) != fmt.Sprint(state) {
		t.Errorf("State() after Undo = %v; want %v", got, state)
	}
	if err := sess.Step(7); err == nil {
		t.Error("Step(7) = nil; want an error for a worker that does not exist")
	}
	if _, ended := sess.Outcome(); ended {
		t.Error("Outcome() ended early")
	}
}
