package run_test

import (
	"context"
	"testing"
	"time"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/run"
)

// stuck is a scenario whose one variant blocks every worker on something
// other than a cycle of locks: a send nobody receives (while holding a
// lock), a lock held by that sender, a Cond nobody signals, a WaitGroup
// nobody calls Done on, a select on channels nobody uses.
var stuck = &labs.Scenario{
	Name: "stuck", Title: "Stuck", Doc: "Package stuck is a test scenario.", Workers: "worker", Ops: "op",
	Defaults: labs.Config{Workers: 2, Ops: 1, Seed: 1, Yield: time.Microsecond},
	Variants: []labs.Variant{{
		Name: "everything", Kind: labs.Buggy, Bug: labs.CircularWait, Summary: "s", Lesson: "l", Fix: "everything",
		Caught: []labs.Detector{labs.Watchdog}, File: "labs/run/stall_test.go",
		Play: func(rt labs.Runtime, cfg labs.Config) labs.Instance {
			mu := rt.Mutex("registry")
			results := rt.Chan("results", 0)
			cmu := rt.Mutex("buffer")
			notEmpty := rt.Cond("not-empty", cmu)
			wg := rt.WaitGroup("jobs")
			wg.Add(2)
			held := rt.Chan("held", 1)
			rt.Go("sender", func(w labs.Worker) {
				mu.Lock()
				held.Send(true)
				results.Send(1)
				mu.Unlock()
			})
			rt.Go("locker", func(w labs.Worker) {
				held.Recv()
				mu.Lock()
				mu.Unlock()
			})
			rt.Go("sleeper", func(w labs.Worker) {
				cmu.Lock()
				for {
					notEmpty.Wait()
				}
			})
			rt.Go("waiter", func(w labs.Worker) { wg.Wait() })
			rt.Go("chooser", func(w labs.Worker) {
				rt.Select(labs.SelectCase{Dir: labs.SelectRecv, Chan: rt.Chan("a", 0)}, labs.SelectCase{Dir: labs.SelectSend, Chan: rt.Chan("b", 0)})
			})
			rt.Go("quitter", func(w labs.Worker) { w.Progress() })
			return nil
		},
	}},
}

// TestStallSaysWhatEachWorkerWaitsFor checks the watchdog's stall report:
// for every blocked worker, what it waits on and why that wait cannot end.
func TestStallSaysWhatEachWorkerWaitsFor(t *testing.T) {
	v := &stuck.Variants[0]
	res, err := run.Run(context.Background(), stuck, v, labs.Config{}, run.Options{WaitFor: true, LockOrder: true, Stall: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != run.Stall {
		t.Fatalf("outcome %s; want stall\n%v", res.Outcome, res.Findings)
	}
	var f *detector.Finding
	for i := range res.Findings {
		if res.Findings[i].Kind == detector.Stall {
			f = &res.Findings[i]
		}
	}
	if f == nil {
		t.Fatalf("no stall finding in %v", res.Findings)
	}
	want := map[string]detector.Step{
		"sender":  {State: "blocked", Op: "waits to send on", Lock: "results", Now: "nobody receives"},
		"locker":  {State: "blocked", Lock: "registry", Owner: "sender"},
		"sleeper": {State: "blocked", Op: "in Wait on", Lock: "not-empty", Now: "nobody will Signal"},
		"waiter":  {State: "blocked", Op: "in Wait on", Lock: "jobs", Now: "2 Done calls owed, nobody will make them"},
		"chooser": {State: "blocked", Op: "waits in select on", Lock: "a, b", Now: "no case can proceed"},
		"quitter": {State: "done"},
	}
	if len(f.Steps) != len(want) {
		t.Errorf("stall finding has %d steps; want %d:\n%s", len(f.Steps), len(want), f)
	}
	for _, st := range f.Steps {
		w, ok := want[st.Worker]
		if !ok {
			t.Errorf("unexpected step %+v", st)
			continue
		}
		if st.State != w.State || st.Op != w.Op || st.Lock != w.Lock || st.Owner != w.Owner || st.Now != w.Now {
			t.Errorf("%s: step %+v; want %+v", st.Worker, st, w)
		}
		if st.State == "blocked" && st.At.File != "labs/run/stall_test.go" {
			t.Errorf("%s: blocked at %v; want a line of labs/run/stall_test.go", st.Worker, st.At)
		}
	}
}
