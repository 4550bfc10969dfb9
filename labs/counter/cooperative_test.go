package counter_test

import (
	"context"
	"errors"
	"testing"

	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/counter"
	"github.com/locklab/locklab/labs/explore"
	"github.com/locklab/locklab/labs/run"
)

// TestControlled runs the cooperative variants under the controlled
// scheduler, one random schedule per seed: without a yield between the
// read and the write no update is lost, whatever the schedule; with one,
// updates are lost although only one worker runs at a time.
func TestControlled(t *testing.T) {
	tests := []struct {
		variant string
		cfg     labs.Config
		want    run.Outcome
	}{
		{"cooperative", labs.Config{Workers: 2, Ops: 1}, run.OK},
		{"cooperative", labs.Config{Workers: 3, Ops: 7}, run.OK},
		{"cooperative", labs.Config{}, run.OK}, // the defaults: 4 × 1000
		{"cooperative-await", labs.Config{Workers: 3, Ops: 50}, run.Violated},
		{"cooperative-await", labs.Config{}, run.Violated},
	}
	for _, tt := range tests {
		v, err := counter.Scenario.Variant(tt.variant)
		if err != nil {
			t.Fatal(err)
		}
		for seed := uint64(1); seed <= 3; seed++ {
			res, err := explore.RunOnce(context.Background(), counter.Scenario, v, tt.cfg, seed)
			if err != nil {
				t.Fatalf("RunOnce(%s, %+v, seed %d): %v", tt.variant, tt.cfg, seed, err)
			}
			if res.Outcome != tt.want {
				t.Errorf("RunOnce(%s, %+v, seed %d).Outcome = %s; want %s (%v)", tt.variant, tt.cfg, seed, res.Outcome, tt.want, res.Invariants)
			}
			if tt.want == run.Violated && metric(res, "lost updates") == "0" {
				t.Errorf("RunOnce(%s, %+v, seed %d): lost updates 0; want some", tt.variant, tt.cfg, seed)
			}
		}
	}
}

// TestControlledExplore checks the catalog's claim for cooperative-await
// (the explorer catches it) and for cooperative (no schedule breaks it)
// on a small configuration.
func TestControlledExplore(t *testing.T) {
	for _, tt := range []struct {
		variant string
		fails   bool
	}{{"cooperative-await", true}, {"cooperative", false}} {
		v, err := counter.Scenario.Variant(tt.variant)
		if err != nil {
			t.Fatal(err)
		}
		res, err := explore.Explore(context.Background(), counter.Scenario, v,
			explore.Options{Schedules: 200, Config: labs.Config{Workers: 2, Ops: 2}})
		if err != nil {
			t.Fatalf("Explore(%s): %v", tt.variant, err)
		}
		if got := res.First != nil; got != tt.fails {
			t.Errorf("Explore(%s): failure found = %v in %d schedules; want %v", tt.variant, got, res.Schedules, tt.fails)
		}
		if res.First != nil && res.First.Outcome != run.Violated {
			t.Errorf("Explore(%s).First.Outcome = %s; want %s", tt.variant, res.First.Outcome, run.Violated)
		}
	}
}

// TestControlledNotNative checks that the native runner refuses the
// cooperative variants: their unlocked count would be a data race on
// real goroutines.
func TestControlledNotNative(t *testing.T) {
	for _, name := range []string{"cooperative", "cooperative-await"} {
		v, err := counter.Scenario.Variant(name)
		if err != nil {
			t.Fatal(err)
		}
		if !v.Controlled {
			t.Errorf("%s: Controlled = false; want true", name)
		}
		_, err = run.Run(context.Background(), counter.Scenario, v, labs.Config{}, run.DefaultOptions())
		var ce *run.ControlledError
		if !errors.As(err, &ce) {
			t.Errorf("run.Run(%s) error = %v; want a *run.ControlledError", name, err)
		}
	}
}
