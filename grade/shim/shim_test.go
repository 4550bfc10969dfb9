package shim

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/explore"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// scenario wraps play as a one-variant scenario whose runs start the shim.
func scenario(play func(rt labs.Runtime, cfg labs.Config) labs.Instance) (*labs.Scenario, *labs.Variant) {
	s := &labs.Scenario{Name: "shim", Title: "shim", Doc: "test", Workers: "worker", Ops: "op",
		Defaults: labs.Config{Workers: 2, Ops: 1, Seed: 1},
		Variants: []labs.Variant{{Name: "v", Kind: labs.Fixed, Play: func(rt labs.Runtime, cfg labs.Config) labs.Instance {
			Begin(rt)
			return play(rt, cfg)
		}}}}
	return s, &s.Variants[0]
}

type checks func() []labs.Check

func (c checks) Check() labs.Report { return labs.Report{Invariants: c()} }

func TestSelectWithAfter(t *testing.T) {
	s, v := scenario(func(rt labs.Runtime, cfg labs.Config) labs.Instance {
		ch := make(chan int, 1)
		got := make([]int, cfg.Workers)
		for i := range cfg.Workers {
			rt.Go("w", func(w labs.Worker) {
				for {
					a, b := C(ch, 0).SendCase(i), CR(After(time.Millisecond), 1).RecvCase()
					if Select(false, a, b) == 0 {
						break
					}
				}
				got[i] = C(ch, 2).Recv()
				w.Progress()
			})
		}
		return checks(func() []labs.Check { return nil })
	})
	res, err := explore.Explore(context.Background(), s, v, explore.Options{Schedules: 200, Time: 20 * time.Second})
	End()
	if err != nil {
		t.Fatal(err)
	}
	if res.First != nil {
		t.Fatalf("schedule %d failed: %s %+v", res.First.Schedule, res.First.Outcome, res.First.Findings)
	}
	if res.Schedules != 200 {
		t.Errorf("ran %d schedules; want 200", res.Schedules)
	}
}

func TestTickerAndTimer(t *testing.T) {
	s, v := scenario(func(rt labs.Runtime, cfg labs.Config) labs.Instance {
		ticks := make([]int, cfg.Workers)
		for i := range cfg.Workers {
			rt.Go("w", func(w labs.Worker) {
				tk := NewTicker(time.Millisecond)
				defer tk.Stop()
				for range 3 {
					CR(tk.C, 0).Recv()
					ticks[i]++
				}
				tm := NewTimer(time.Millisecond)
				CR(tm.C, 1).Recv()
				w.Progress()
			})
		}
		return checks(func() []labs.Check {
			var cs []labs.Check
			for i, n := range ticks {
				cs = append(cs, labs.Check{Name: "ticks", Expected: "3", Actual: string(rune('0' + n)), OK: n == 3})
				_ = i
			}
			return cs
		})
	})
	res, err := explore.Explore(context.Background(), s, v, explore.Options{Schedules: 100, Time: 20 * time.Second})
	End()
	if err != nil {
		t.Fatal(err)
	}
	if res.First != nil {
		t.Fatalf("schedule %d failed: %s %+v", res.First.Schedule, res.First.Outcome, res.First.Findings)
	}
}
