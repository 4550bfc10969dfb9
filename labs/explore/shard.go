package explore

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/locklab/locklab/labs"
)

// Shard selects a part of an exploration's schedules, so that shards on
// several machines together run exactly the schedules of the unsharded
// exploration: schedule i (1-based) belongs to shard (i-1) mod Count + 1.
// The zero Shard is the whole exploration.
//
// Every schedule is a function of the options and its number alone (its
// strategy's seed is mixed from Options.Seed and i; PCT's estimate of a
// schedule's length comes from schedule 1, which every shard runs), so a
// schedule found failing by one shard is the very one the unsharded
// exploration finds, with the same token and trace. The depth-first
// search cannot be sharded: each of its schedules depends on the one
// before.
type Shard struct {
	Index int // 1-based
	Count int
}

func (s Shard) sharded() bool { return s.Count > 0 }

// owns reports whether schedule i (1-based) is s's.
func (s Shard) owns(i int) bool { return !s.sharded() || (i-1)%s.Count == s.Index-1 }

// share returns how many of the first n schedules are s's.
func (s Shard) share(n int) int {
	if !s.sharded() {
		return n
	}
	if n < s.Index {
		return 0
	}
	return (n-s.Index)/s.Count + 1
}

func (s Shard) check(strategy string) error {
	if !s.sharded() {
		return nil
	}
	switch {
	case s.Count < 1 || s.Index < 1 || s.Index > s.Count:
		return fmt.Errorf("shard %d/%d: want 1 <= k <= n", s.Index, s.Count)
	case strategy == "dfs":
		return errors.New("the dfs strategy cannot be sharded: each of its schedules depends on the one before; shard random or pct")
	}
	return nil
}

// ShardInfo is what a sharded Result carries for Merge.
type ShardInfo struct {
	Index int `json:"index"`
	Count int `json:"count"`
	// Run identifies the exploration: a digest of every option that
	// decides which schedules run and what they do. The shards of one
	// exploration have the same Run.
	Run string `json:"run"`
	// Budget is Options.Schedules, the schedules of all the shards
	// together; Share this shard's part of them.
	Budget int `json:"budget"`
	Share  int `json:"share"`
	// Time is Options.Time: with a time budget every shard stops on its
	// own clock, and the merge is no longer exactly one exploration.
	Time time.Duration `json:"time_ns,omitempty"`
	// KeepGoing is Options.KeepGoing.
	KeepGoing bool `json:"keep_going,omitempty"`
	// Source says where the caller got the shard from (a flag, an
	// environment variable); Merge ignores it.
	Source string `json:"source,omitempty"`
}

// runID digests what makes two explorations the same.
func runID(s *labs.Scenario, v *labs.Variant, o Options, cfg labs.Config) string {
	data, _ := json.Marshal(struct {
		Scenario, Variant, Strategy     string
		Seed                            uint64
		Schedules, Depth, Pre, MaxSteps int
		Time                            time.Duration
		KeepGoing, NoMinimize           bool
		Config                          labs.Config
	}{s.Name, v.Name, o.Strategy, o.Seed, o.Schedules, o.Depth, o.Preemptions, o.MaxSteps, o.Time, o.KeepGoing, o.NoMinimize, tokenConfig(cfg)})
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:6])
}

// ErrMerge is wrapped by Merge's errors: the parts are not the shards of
// one exploration, or not all of them.
var ErrMerge = errors.New("cannot merge")

// Merge combines the results of the shards of one exploration into the
// Result the unsharded exploration gives: the same schedules run, the
// same failure count and the same first failure (the one with the lowest
// schedule number, which every shard minimizes and replays the same
// way). It refuses results that are not shards (no Shard), shards of
// different explorations or shard counts, duplicates, missing shards, and
// shards that stopped (interrupted) before covering what the unsharded
// exploration would have run, unless a time budget made that expected.
// Elapsed is the longest shard's.
func Merge(parts []*Result) (*Result, error) {
	if len(parts) == 0 {
		return nil, fmt.Errorf("%w: no results", ErrMerge)
	}
	for i, p := range parts {
		if p.Shard == nil {
			return nil, fmt.Errorf("%w: result %d is not a shard's (it was explored without --shard)", ErrMerge, i+1)
		}
	}
	first := parts[0]
	n := first.Shard.Count
	byIndex := make([]*Result, n+1)
	for _, p := range parts {
		sh := p.Shard
		if sh.Run != first.Shard.Run || p.Scenario != first.Scenario || p.Variant != first.Variant {
			return nil, fmt.Errorf("%w: the shards are of different explorations: %s", ErrMerge, differs(first, p))
		}
		if sh.Count != n {
			return nil, fmt.Errorf("%w: shard %d/%d and shard %d/%d split the work differently", ErrMerge, first.Shard.Index, n, sh.Index, sh.Count)
		}
		if sh.Index < 1 || sh.Index > n {
			return nil, fmt.Errorf("%w: shard %d/%d is out of range", ErrMerge, sh.Index, n)
		}
		if byIndex[sh.Index] != nil {
			return nil, fmt.Errorf("%w: shard %d/%d is given twice", ErrMerge, sh.Index, n)
		}
		byIndex[sh.Index] = p
	}
	var missing []string
	for k := 1; k <= n; k++ {
		if byIndex[k] == nil {
			missing = append(missing, fmt.Sprintf("%d/%d", k, n))
		}
	}
	if len(missing) > 0 {
		verb := "is"
		if len(missing) > 1 {
			verb = "are"
		}
		return nil, fmt.Errorf("%w: shard %s %s missing", ErrMerge, strings.Join(missing, ", "), verb)
	}
	budget, timed, keepGoing := first.Shard.Budget, first.Shard.Time > 0, first.Shard.KeepGoing
	res := &Result{Scenario: first.Scenario, Variant: first.Variant, Strategy: first.Strategy, Seed: first.Seed, Config: first.Config}
	// The first failure overall: the one the unsharded exploration meets
	// first, and where it stops (unless it keeps going).
	stop := budget
	for _, p := range byIndex[1:] {
		if p.First != nil && (res.First == nil || p.First.Schedule < res.First.Schedule) {
			res.First = p.First
		}
		res.Elapsed = max(res.Elapsed, p.Elapsed)
	}
	if res.First != nil && !keepGoing {
		stop = res.First.Schedule
	}
	for k, p := range byIndex {
		if k == 0 {
			continue
		}
		sh := Shard{Index: k, Count: n}
		// A shard runs its own schedules in order, from its first: it ran
		// those up to the (p.Schedules)th of its own.
		need := sh.share(stop)
		ran := min(p.Schedules, need)
		if ran < need && !timed {
			why := "it stopped"
			if p.Interrupted {
				why = "it was interrupted"
			}
			return nil, fmt.Errorf("%w: shard %d/%d ran %d of its %d schedules (%s): the shards together did not run the exploration", ErrMerge, k, n, p.Schedules, need, why)
		}
		res.Schedules += ran
		res.Interrupted = res.Interrupted || (p.Interrupted && ran < need)
		if keepGoing {
			res.Failures += p.Failures
		}
	}
	if res.First != nil && !keepGoing {
		res.Failures = 1
	}
	return res, nil
}

// differs says how two shards' explorations differ.
func differs(a, b *Result) string {
	var d []string
	if a.Scenario != b.Scenario || a.Variant != b.Variant {
		d = append(d, fmt.Sprintf("%s/%s and %s/%s", a.Scenario, a.Variant, b.Scenario, b.Variant))
	}
	if a.Strategy != b.Strategy {
		d = append(d, fmt.Sprintf("strategy %s and %s", a.Strategy, b.Strategy))
	}
	if a.Seed != b.Seed {
		d = append(d, fmt.Sprintf("schedule seed %d and %d", a.Seed, b.Seed))
	}
	if a.Config != b.Config {
		d = append(d, fmt.Sprintf("workers, ops, seed %d, %d, %d and %d, %d, %d", a.Config.Workers, a.Config.Ops, a.Config.Seed, b.Config.Workers, b.Config.Ops, b.Config.Seed))
	}
	if a.Shard.Budget != b.Shard.Budget {
		d = append(d, fmt.Sprintf("%d and %d schedules", a.Shard.Budget, b.Shard.Budget))
	}
	if len(d) == 0 {
		d = append(d, "their options differ (depth, preemptions, time or steps)")
	}
	slices.Sort(d)
	return strings.Join(d, "; ")
}
