package explore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/explore"
)

// comparable returns r's JSON without what differs between runs of one
// exploration (the time taken) and what only a shard has.
func comparable(t *testing.T, r *explore.Result) string {
	t.Helper()
	c := *r
	c.Elapsed, c.Shard, c.Interrupted = 0, nil, false
	return string(mustJSON(t, &c))
}

// exploreShards explores s/v in n shards, one after the other, and
// returns their results.
func exploreShards(t *testing.T, s *labs.Scenario, v *labs.Variant, opts explore.Options, n int) []*explore.Result {
	t.Helper()
	var parts []*explore.Result
	for k := 1; k <= n; k++ {
		o := opts
		o.Shard = explore.Shard{Index: k, Count: n}
		r, err := explore.Explore(context.Background(), s, v, o)
		if err != nil {
			t.Fatalf("Explore(shard %d/%d) = %v", k, n, err)
		}
		if r.Shard == nil || r.Shard.Index != k || r.Shard.Count != n {
			t.Fatalf("shard %d/%d: Result.Shard = %+v", k, n, r.Shard)
		}
		parts = append(parts, r)
	}
	return parts
}

// TestShardsMergeToTheWhole runs explorations in 1 to 5 shards and checks
// that merging them gives exactly the unsharded exploration: the same
// schedules run, failures, and first failure with its token and trace.
func TestShardsMergeToTheWhole(t *testing.T) {
	tests := []struct {
		scenario, variant, strategy string
		schedules                   int
		keepGoing                   bool
		cfg                         labs.Config // zero: the scenario's defaults
		wantFirst                   int         // the schedule that fails first, 0 for none
	}{
		// Found late enough that every shard ran schedules before it.
		{"bank", "check-then-act", "pct", 200, false, labs.Config{}, 21},
		{"philosophers", "left-then-right", "pct", 300, false, labs.Config{}, 72},
		{"philosophers", "left-then-right", "random", 300, false, small["philosophers"], 1},
		{"counter", "cooperative-await", "pct", 60, true, small["counter"], 2},
		{"bank", "ordered", "pct", 40, false, small["bank"], 0},
		{"philosophers", "hierarchy", "random", 40, false, small["philosophers"], 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s/%s", tt.scenario, tt.variant, tt.strategy), func(t *testing.T) {
			s, v := lookup(t, tt.scenario, tt.variant)
			opts := explore.Options{Strategy: tt.strategy, Schedules: tt.schedules, Seed: 3, Config: tt.cfg, KeepGoing: tt.keepGoing}
			whole, err := explore.Explore(context.Background(), s, v, opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := whole.First; (got == nil) != (tt.wantFirst == 0) || got != nil && got.Schedule != tt.wantFirst {
				t.Fatalf("unsharded exploration: first failure %+v; want schedule %d", got, tt.wantFirst)
			}
			want := comparable(t, whole)
			for _, n := range []int{1, 2, 3, 5} {
				merged, err := explore.Merge(exploreShards(t, s, v, opts, n))
				if err != nil {
					t.Fatalf("Merge(%d shards) = %v", n, err)
				}
				if got := comparable(t, merged); got != want {
					t.Errorf("%d shards merged:\n%s\nwant the unsharded exploration:\n%s", n, got, want)
				}
			}
		})
	}
}

func TestMergeRefuses(t *testing.T) {
	s, v := lookup(t, "bank", "ordered")
	opts := explore.Options{Schedules: 30, Config: small["bank"]}
	parts := exploreShards(t, s, v, opts, 3)
	other := opts
	other.Seed = 9
	foreign := exploreShards(t, s, v, other, 3)
	whole, err := explore.Explore(context.Background(), s, v, opts)
	if err != nil {
		t.Fatal(err)
	}
	cut := *parts[1]
	cut.Schedules, cut.Interrupted = 2, true
	tests := []struct {
		name  string
		parts []*explore.Result
		want  string
	}{
		{"none", nil, "no results"},
		{"unsharded", []*explore.Result{whole}, "not a shard's"},
		{"other run", []*explore.Result{parts[0], foreign[1], parts[2]}, "different explorations: schedule seed 1 and 9"},
		{"twice", []*explore.Result{parts[0], parts[0], parts[2]}, "shard 1/3 is given twice"},
		{"missing", []*explore.Result{parts[0]}, "shard 2/3, 3/3 are missing"},
		{"interrupted", []*explore.Result{parts[0], &cut, parts[2]}, "shard 2/3 ran 2 of its 10 schedules (it was interrupted)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := explore.Merge(tt.parts)
			if !errors.Is(err, explore.ErrMerge) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Merge() = %v; want an ErrMerge with %q", err, tt.want)
			}
		})
	}
	bigger := exploreShards(t, s, v, opts, 2)
	if _, err := explore.Merge([]*explore.Result{parts[0], bigger[1]}); err == nil || !strings.Contains(err.Error(), "split the work differently") {
		t.Errorf("Merge(3 and 2 shards) = %v; want a refusal", err)
	}
}

func TestShardOptions(t *testing.T) {
	s, v := lookup(t, "bank", "ordered")
	for _, tt := range []struct {
		opts explore.Options
		want string
	}{
		{explore.Options{Strategy: "dfs", Shard: explore.Shard{Index: 1, Count: 2}}, "dfs strategy cannot be sharded"},
		{explore.Options{Shard: explore.Shard{Index: 3, Count: 2}}, "want 1 <= k <= n"},
	} {
		if _, err := explore.Explore(context.Background(), s, v, tt.opts); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Explore(%+v) = %v; want %q", tt.opts.Shard, err, tt.want)
		}
	}
	// A shard with fewer schedules than shards has none of its own.
	r, err := explore.Explore(context.Background(), s, v, explore.Options{Schedules: 2, Config: small["bank"], Shard: explore.Shard{Index: 3, Count: 3}})
	if err != nil || r.Schedules != 0 || r.Shard.Share != 0 {
		t.Errorf("shard 3/3 of 2 schedules = %+v, %v; want none run", r, err)
	}
}
