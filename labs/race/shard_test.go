package race

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/locklab/locklab/labs"
)

// fakeBinary returns this test binary as a race binary whose children
// play mode, skipping t when the test binary was built without -race.
func fakeBinary(t *testing.T, mode string) string {
	t.Helper()
	if err := CheckBinary(os.Args[0]); err != nil {
		t.Skipf("the test binary stands in for a race binary only under -race: %v", err)
	}
	t.Setenv(fakeEnv, mode)
	return os.Args[0]
}

func TestCheckAllShard(t *testing.T) {
	bin := fakeBinary(t, "race")
	var progress []int
	obs, err := CheckAll(context.Background(), bin, []*labs.Scenario{toy}, Options{Runs: 2, Parallel: 1,
		Shard: Shard{Index: 2, Count: 2}, Progress: func(done, total int) { progress = append(progress, done, total) }})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range obs {
		names = append(names, o.Variant)
	}
	if want := []string{"atomicity", "fixed"}; !slices.Equal(names, want) {
		t.Errorf("shard 2/2 checked %v; want %v (every second variant)", names, want)
	}
	if want := []int{1, 4, 2, 4, 3, 4, 4, 4}; !slices.Equal(progress, want) {
		t.Errorf("progress = %v; want %v", progress, want)
	}
	if _, err := CheckAll(context.Background(), bin, []*labs.Scenario{toy}, Options{Shard: Shard{Index: 5, Count: 5}}); err == nil || !strings.Contains(err.Error(), "shard 5/5 has no variants: the catalog has 4") {
		t.Errorf("CheckAll(shard 5/5 of 4 variants) = %v; want an error", err)
	}
}

// An interrupted check returns what it saw so far, marked.
func TestCheckAllInterrupted(t *testing.T) {
	bin := fakeBinary(t, "race")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	obs, err := CheckAll(ctx, bin, []*labs.Scenario{toy}, Options{Runs: 3, Parallel: 1,
		Progress: func(done, total int) { cancel() }})
	if !errors.Is(err, context.Canceled) || len(obs) != len(toy.Variants) {
		t.Fatalf("CheckAll(canceled) = %d observations, %v; want all 4 and context.Canceled", len(obs), err)
	}
	runs := 0
	for _, o := range obs {
		if !o.Interrupted {
			t.Errorf("%s: not marked interrupted", o.Variant)
		}
		runs += o.Runs
	}
	if runs < 1 || runs >= 3*len(toy.Variants) {
		t.Errorf("%d runs made in all; want some but not all", runs)
	}
	if !obs[0].Raced() || obs[0].Runs != 1 {
		t.Errorf("first variant: %d runs, raced %v; want its one run, raced", obs[0].Runs, obs[0].Raced())
	}
}
