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
