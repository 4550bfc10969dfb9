// Package shard splits locklab's embarrassingly parallel work (the
// submissions of a batch, the schedules of an exploration, the variants
// of race --all) across machines, for the engines people already run: a
// CI matrix, Kubernetes Indexed Jobs, Bazel's test sharding, GitLab's
// parallel jobs. It grows no scheduler of its own: a shard is told its
// place by a flag (--shard k/n) or by its engine's environment, does its
// part, and locklab merge puts the parts together.
//
// Work is dealt round-robin: item i (0-based, in a stable order every
// shard computes the same way) belongs to shard i mod n + 1. Every item
// belongs to exactly one shard, and the shards' sizes differ by at most
// one.
package shard

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Max is the largest shard count accepted: beyond it a count is a typo,
// not a plan.
const Max = 10_000

// The environment variables each engine sets, and locklab's own.
const (
	// Kubernetes Indexed Jobs set the 0-based index; the count is the
	// Job's .spec.completions, which the pod does not see: the manifest
	// passes it in CountEnv.
	EnvK8sIndex = "JOB_COMPLETION_INDEX"
	CountEnv    = "LOCKLAB_SHARDS"
	// Bazel's test sharding (0-based index, total), and the file a test
	// touches to say it supports sharding.
	EnvBazelIndex  = "TEST_SHARD_INDEX"
	EnvBazelTotal  = "TEST_TOTAL_SHARDS"
	EnvBazelStatus = "TEST_SHARD_STATUS_FILE"
	// GitLab's parallel jobs (1-based index, total; CI_NODE_TOTAL is 1
	// in a job without parallel).
	EnvGitLabIndex = "CI_NODE_INDEX"
	EnvGitLabTotal = "CI_NODE_TOTAL"
)

// Spec is one shard of n: Index is 1-based. The zero Spec is the whole
// (unsharded) work.
type Spec struct {
	Index int `json:"index"`
	Count int `json:"count"`
	// Source says where the spec came from: "--shard", or the
	// environment variables read ("JOB_COMPLETION_INDEX and
	// LOCKLAB_SHARDS").
	Source string `json:"source,omitempty"`
}

// Sharded reports whether s is a part of the work (Count > 1 or a spec
// was given at all).
func (s Spec) Sharded() bool { return s.Count > 0 }

// String returns "k/n", or "" for the whole.
func (s Spec) String() string {
	if !s.Sharded() {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// Owns reports whether item i (0-based) belongs to s. The whole owns
// every item.
func (s Spec) Owns(i int) bool {
	if !s.Sharded() {
		return true
	}
	return i%s.Count == s.Index-1
}

// Size returns how many of total items s owns.
func (s Spec) Size(total int) int {
	if !s.Sharded() {
		return total
	}
	if total < s.Index {
		return 0
	}
	return (total-s.Index)/s.Count + 1
}

// ErrBad is wrapped by every error of Parse and FromEnv: bad usage.
var ErrBad = errors.New("bad shard")

// Parse parses "k/n" (1 <= k <= n <= Max).
func Parse(s string) (Spec, error) {
	ks, ns, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Spec{}, fmt.Errorf("%w: --shard %q: write it k/n, shard k (from 1) of n, such as 2/4", ErrBad, s)
	}
	k, kerr := strconv.Atoi(strings.TrimSpace(ks))
	n, nerr := strconv.Atoi(strings.TrimSpace(ns))
	if kerr != nil || nerr != nil {
		return Spec{}, fmt.Errorf("%w: --shard %q: k and n must be whole numbers, such as 2/4", ErrBad, s)
	}
	if err := check(k, n); err != nil {
		return Spec{}, fmt.Errorf("%w: --shard %s: %v", ErrBad, s, err)
	}
	return Spec{Index: k, Count: n, Source: "--shard"}, nil
}

func check(k, n int) error {
	switch {
	case n < 1 || n > Max:
		return fmt.Errorf("the number of shards must be between 1 and %d, got %d", Max, n)
	case k < 1 || k > n:
		return fmt.Errorf("the shard must be between 1 and %d (shards are numbered from 1), got %d", n, k)
	}
	return nil
}

// FromEnv returns the shard the environment gives (getenv is os.Getenv
// in production), or the zero Spec when none does. It honours, in this
// order, Kubernetes Indexed Jobs (JOB_COMPLETION_INDEX with
// LOCKLAB_SHARDS), Bazel (TEST_SHARD_INDEX, TEST_TOTAL_SHARDS) and GitLab
// (CI_NODE_INDEX, CI_NODE_TOTAL). Half a pair is an error, and so are two
// engines that disagree. GitLab's CI_NODE_TOTAL=1 alone, which every
// GitLab job has, means no sharding.
func FromEnv(getenv func(string) string) (Spec, error) {
	type pair struct {
		index, total string
		base         int // what the first index is
	}
	pairs := []pair{
		{EnvK8sIndex, CountEnv, 0},
		{EnvBazelIndex, EnvBazelTotal, 0},
		{EnvGitLabIndex, EnvGitLabTotal, 1},
	}
	var found []Spec
	for _, p := range pairs {
		iv, tv := strings.TrimSpace(getenv(p.index)), strings.TrimSpace(getenv(p.total))
		if p.index == EnvGitLabIndex && iv == "" && tv == "1" {
			continue // a GitLab job without parallel
		}
		switch {
		case iv == "" && tv == "":
			continue
		case iv == "":
			return Spec{}, fmt.Errorf("%w: %s=%s is set but not %s: set both, or pass --shard k/n", ErrBad, p.total, tv, p.index)
		case tv == "":
			hint := "set both, or pass --shard k/n"
			if p.index == EnvK8sIndex {
				hint = "a Kubernetes Indexed Job does not tell its pods the completion count: set " + CountEnv + " to the Job's completions in the manifest, or pass --shard k/n"
			}
			return Spec{}, fmt.Errorf("%w: %s=%s is set but not %s: %s", ErrBad, p.index, iv, p.total, hint)
		}
		i, ierr := strconv.Atoi(iv)
		n, nerr := strconv.Atoi(tv)
		if ierr != nil || nerr != nil {
			return Spec{}, fmt.Errorf("%w: %s=%q and %s=%q must be whole numbers", ErrBad, p.index, iv, p.total, tv)
		}
		k := i - p.base + 1
		if err := check(k, n); err != nil {
			return Spec{}, fmt.Errorf("%w: %s=%s, %s=%s: %v", ErrBad, p.index, iv, p.total, tv, err)
		}
		found = append(found, Spec{Index: k, Count: n, Source: p.index + " and " + p.total})
	}
	if len(found) == 0 {
		return Spec{}, nil
	}
	for _, s := range found[1:] {
		if s.Index != found[0].Index || s.Count != found[0].Count {
			return Spec{}, fmt.Errorf("%w: the environment gives two different shards: %s from %s, %s from %s; pass --shard k/n",
				ErrBad, found[0], found[0].Source, s, s.Source)
		}
	}
	return found[0], nil
}

// Resolve returns the shard to run: flag (the --shard value, "" when not
// given) wins over the environment. With Bazel's variables in use it
// touches TEST_SHARD_STATUS_FILE, as Bazel asks of a test that shards.
func Resolve(flag string, getenv func(string) string) (Spec, error) {
	var (
		s   Spec
		err error
	)
	if flag != "" {
		s, err = Parse(flag)
	} else {
		s, err = FromEnv(getenv)
	}
	if err != nil {
		return Spec{}, err
	}
	if status := getenv(EnvBazelStatus); status != "" && getenv(EnvBazelTotal) != "" {
		if err := touch(status); err != nil {
			return Spec{}, fmt.Errorf("%s: %v", EnvBazelStatus, err)
		}
	}
	return s, nil
}

func touch(name string) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return fmt.Errorf("cannot create %s: %v", name, pe.Err)
		}
		return err
	}
	return f.Close()
}
