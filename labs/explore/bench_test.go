package explore_test

import (
	"context"
	"testing"
	"time"

	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/catalog"
	"github.com/locklab/locklab/labs/explore"
	"github.com/locklab/locklab/labs/run"
)

// BenchmarkExplorePhilosophers measures schedules per second on 5
// philosophers with 3 meals each (the scenario's defaults), for a fixed
// variant (every schedule runs to the end) and the deadlocking one.
//
//	go test -run '^$' -bench ExplorePhilosophers -cpu 2 ./labs/explore
func BenchmarkExplorePhilosophers(b *testing.B) {
	for _, variant := range []string{"hierarchy", "left-then-right"} {
		for _, strategy := range []string{"pct", "random"} {
			b.Run(variant+"/"+strategy, func(b *testing.B) {
				s, v := lookup(b, "philosophers", variant)
				b.ReportAllocs()
				b.ResetTimer()
				res, err := explore.Explore(context.Background(), s, v, explore.Options{
					Strategy: strategy, Schedules: b.N, KeepGoing: true, NoMinimize: true})
				if err != nil {
					b.Fatal(err)
				}
				if res.Schedules != b.N {
					b.Fatalf("ran %d schedules; want %d", res.Schedules, b.N)
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "schedules/s")
				b.ReportMetric(float64(res.Failures)/float64(b.N), "failures/schedule")
			})
		}
	}
}

// BenchmarkDetection measures how many schedules each strategy needs to
// find each buggy variant with the scenario's default configuration: one
// iteration explores with a fresh seed until the first failure, and
// schedules/detection is the mean. Minimization is off. The native rows
// are the baseline: repeated runs on real goroutines until one shows the
// bug.
//
//	go test -run '^$' -bench Detection -benchtime 20x ./labs/explore
func BenchmarkDetection(b *testing.B) {
	for _, s := range catalog.All() {
		for i := range s.Variants {
			v := &s.Variants[i]
			if v.Kind != labs.Buggy {
				continue
			}
			for _, st := range []struct {
				name, strategy string
				depth          int
			}{{"pct-d3", "pct", 3}, {"pct-d6", "pct", 6}, {"random", "random", 0}} {
				b.Run(s.Name+"/"+v.Name+"/"+st.name, func(b *testing.B) {
					total, missed := 0, 0
					for i := range b.N {
						res, err := explore.Explore(context.Background(), s, v, explore.Options{
							Strategy: st.strategy, Depth: st.depth, Seed: uint64(i + 1), Schedules: 10000, NoMinimize: true})
						if err != nil {
							b.Fatal(err)
						}
						if res.First == nil {
							missed++
						}
						total += res.Schedules
					}
					b.ReportMetric(float64(total)/float64(b.N), "schedules/detection")
					b.ReportMetric(float64(missed), "missed")
				})
			}
			if v.Controlled {
				continue // runs only under the scheduler
			}
			// The baseline: repeated native runs on real goroutines, each
			// with a fresh seed, until one shows the bug (at most 100).
			b.Run(s.Name+"/"+v.Name+"/native", func(b *testing.B) {
				opts := run.DefaultOptions()
				opts.Stall = 300 * time.Millisecond
				total, missed := 0, 0
				for i := range b.N {
					runs := 0
					for ; runs < 100; runs++ {
						res, err := run.Run(context.Background(), s, v, labs.Config{Seed: uint64(i*100 + runs + 1)}, opts)
						if err != nil {
							b.Fatal(err)
						}
						if res.Outcome.Problem() {
							break
						}
					}
					if runs == 100 {
						missed++
					}
					total += runs + 1
				}
				b.ReportMetric(float64(total)/float64(b.N), "schedules/detection")
				b.ReportMetric(float64(missed), "missed")
			})
		}
	}
}
