package explore

import (
	"context"
	"slices"

	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/run"
)

// minimizeSteps bounds the scheduling steps minimization may spend, all
// schedules together. It is counted in steps, not time, so that the same
// failure always shrinks to the same schedule, on any machine.
const minimizeSteps = 2_000_000

// minimize shrinks a failing schedule's deviations from the default
// schedule by delta debugging (ddmin): it tries dropping chunks of them,
// halving the chunk size when no chunk can go, and keeps any smaller set
// that still fails with the same outcome, until budget steps are spent. Fewer deviations means fewer
// context switches and a shorter token.
func minimize(ctx context.Context, v *labs.Variant, cfg labs.Config, maxSteps int, devs []deviation, want run.Outcome, budget int) []deviation {
	fails := func(ds []deviation) ([]deviation, bool) {
		rt, err := play(ctx, v, cfg, maxSteps, false, guided(ds, false))
		if err != nil {
			budget = 0
			return nil, false
		}
		budget -= rt.step + 1
		if rt.outcome != want {
			return nil, false
		}
		return rt.devs, true
	}
	cur := devs
	for n := 2; len(cur) > 0 && budget > 0 && ctx.Err() == nil; {
		n = min(n, len(cur))
		size := (len(cur) + n - 1) / n
		reduced := false
		for at := 0; at < len(cur) && budget > 0; at += size {
			cand := slices.Concat(cur[:at], cur[min(at+size, len(cur)):])
			if got, ok := fails(cand); ok {
				cur, reduced = got, true
				n = max(n-1, 2)
				break
			}
		}
		if !reduced {
			if size == 1 {
				break
			}
			n *= 2
		}
	}
	return cur
}

// shrinkSteps bounds the scheduling steps shrinking the run may spend,
// all candidate runs together; like minimizeSteps, it is counted in steps
// so that a failure always shrinks the same way on any machine.
const shrinkSteps = 4_000_000

// shrinkSchedules is how many schedules each smaller run is given to
// show the failure again.
const shrinkSchedules = 200

// shrinkSeeds is how many worker seeds a smaller run is tried with.
const shrinkSeeds = 4

// shrinkRun shrinks the run itself before its schedule, as property-based
// testing shrinks inputs: it tries the runs smaller than cfg, fewer
// workers first, then fewer operations each, and returns the first that
// fails with outcome want in one of shrinkSchedules schedules (a random
// walk and PCT, seeded from seed; the run's own worker seed and three
// more), with that schedule's deviations. ok is
// false when no smaller run fails so.
func shrinkRun(ctx context.Context, v *labs.Variant, cfg labs.Config, maxSteps int, want run.Outcome, seed uint64) (labs.Config, []deviation, bool) {
	budget := shrinkSteps
	for w := 2; w <= cfg.Workers; w++ {
		for o := 1; o <= cfg.Ops; o++ {
			if w == cfg.Workers && o == cfg.Ops {
				return cfg, nil, false
			}
			c := cfg
			c.Workers, c.Ops = w, o
			if c.Validate() != nil {
				continue
			}
			est := 8 * w * o
			for i := 1; i <= shrinkSchedules && budget > 0; i++ {
				// The workers' own choices (which accounts, which forks)
				// depend on the run's seed: a quarter of the schedules try
				// each of four seeds, the run's own first.
				c.Seed = cfg.Seed + uint64((i-1)%shrinkSeeds)
				if ctx.Err() != nil {
					return cfg, nil, false
				}
				var st Strategy = Random(mix(seed^0x5112, i))
				if i%2 == 0 {
					st = PCT(mix(seed^0x5112, i), w, 3, est)
				}
				rt, err := play(ctx, v, c, maxSteps, false, func(_ *Runtime, el []int, step int) (int, error) {
					return st.Next(el, step), nil
				})
				if err != nil {
					return cfg, nil, false
				}
				budget -= rt.step + 1
				est = max(est, rt.step)
				if rt.outcome == want {
					return c, rt.devs, true
				}
			}
		}
	}
	return cfg, nil, false
}
