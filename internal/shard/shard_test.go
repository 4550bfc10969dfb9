package shard

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    Spec
		wantErr string
	}{
		{"1/1", Spec{1, 1, "--shard"}, ""},
		{"2/4", Spec{2, 4, "--shard"}, ""},
		{" 3 / 3 ", Spec{3, 3, "--shard"}, ""},
		{"0/4", Spec{}, "shards are numbered from 1"},
		{"5/4", Spec{}, "between 1 and 4"},
		{"1/0", Spec{}, "between 1 and 10000, got 0"},
		{"1/99999", Spec{}, "got 99999"},
		{"2", Spec{}, "write it k/n"},
		{"a/b", Spec{}, "whole numbers"},
		{"", Spec{}, "write it k/n"},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if tt.wantErr != "" {
			if err == nil || !errors.Is(err, ErrBad) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Parse(%q) = %v, %v; want an error with %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestOwnsPartitions(t *testing.T) {
	for n := 1; n <= 7; n++ {
		for total := 0; total <= 20; total++ {
			seen := make([]int, total)
			for k := 1; k <= n; k++ {
				s := Spec{Index: k, Count: n}
				size := 0
				for i := range total {
					if s.Owns(i) {
						seen[i]++
						size++
					}
				}
				if size != s.Size(total) {
					t.Errorf("%v of %d: owns %d; Size says %d", s, total, size, s.Size(total))
				}
			}
			for i, c := range seen {
				if c != 1 {
					t.Fatalf("n=%d total=%d: item %d owned by %d shards; want 1", n, total, i, c)
				}
			}
		}
	}
	if !(Spec{}).Owns(5) || (Spec{}).Size(9) != 9 || (Spec{}).String() != "" {
		t.Error("the zero Spec must own everything")
	}
}

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     func(string) string
		want    Spec
		wantErr string
	}{
		{"none", env(), Spec{}, ""},
		{"kubernetes", env("JOB_COMPLETION_INDEX", "0", "LOCKLAB_SHARDS", "3"), Spec{1, 3, "JOB_COMPLETION_INDEX and LOCKLAB_SHARDS"}, ""},
		{"kubernetes last", env("JOB_COMPLETION_INDEX", "2", "LOCKLAB_SHARDS", "3"), Spec{3, 3, "JOB_COMPLETION_INDEX and LOCKLAB_SHARDS"}, ""},
		{"kubernetes half", env("JOB_COMPLETION_INDEX", "2"), Spec{}, "set LOCKLAB_SHARDS to the Job's completions"},
		{"count alone", env("LOCKLAB_SHARDS", "4"), Spec{}, "LOCKLAB_SHARDS=4 is set but not JOB_COMPLETION_INDEX"},
		{"kubernetes out of range", env("JOB_COMPLETION_INDEX", "3", "LOCKLAB_SHARDS", "3"), Spec{}, "between 1 and 3"},
		{"bazel", env("TEST_SHARD_INDEX", "1", "TEST_TOTAL_SHARDS", "4"), Spec{2, 4, "TEST_SHARD_INDEX and TEST_TOTAL_SHARDS"}, ""},
		{"bazel half", env("TEST_TOTAL_SHARDS", "4"), Spec{}, "TEST_TOTAL_SHARDS=4 is set but not TEST_SHARD_INDEX"},
		{"gitlab", env("CI_NODE_INDEX", "4", "CI_NODE_TOTAL", "4"), Spec{4, 4, "CI_NODE_INDEX and CI_NODE_TOTAL"}, ""},
		{"gitlab without parallel", env("CI_NODE_TOTAL", "1"), Spec{}, ""},
		{"gitlab half", env("CI_NODE_TOTAL", "3"), Spec{}, "CI_NODE_TOTAL=3 is set but not CI_NODE_INDEX"},
		{"gitlab zero", env("CI_NODE_INDEX", "0", "CI_NODE_TOTAL", "3"), Spec{}, "numbered from 1"},
		{"not a number", env("TEST_SHARD_INDEX", "x", "TEST_TOTAL_SHARDS", "4"), Spec{}, "whole numbers"},
		{"agreeing engines", env("TEST_SHARD_INDEX", "0", "TEST_TOTAL_SHARDS", "2", "CI_NODE_INDEX", "1", "CI_NODE_TOTAL", "2"), Spec{1, 2, "TEST_SHARD_INDEX and TEST_TOTAL_SHARDS"}, ""},
		{"disagreeing engines", env("TEST_SHARD_INDEX", "0", "TEST_TOTAL_SHARDS", "2", "CI_NODE_INDEX", "2", "CI_NODE_TOTAL", "2"), Spec{}, "two different shards"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromEnv(tt.env)
			if tt.wantErr != "" {
				if err == nil || !errors.Is(err, ErrBad) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("FromEnv() = %v, %v; want an error with %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("FromEnv() = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	// The flag wins over the environment, even a broken one.
	got, err := Resolve("2/3", env("JOB_COMPLETION_INDEX", "1"))
	if err != nil || got != (Spec{2, 3, "--shard"}) {
		t.Errorf("Resolve(flag) = %v, %v; want 2/3 from --shard", got, err)
	}
	// Bazel's status file is touched.
	status := filepath.Join(t.TempDir(), "status")
	got, err = Resolve("", env("TEST_SHARD_INDEX", "0", "TEST_TOTAL_SHARDS", "2", "TEST_SHARD_STATUS_FILE", status))
	if err != nil || got.String() != "1/2" {
		t.Fatalf("Resolve(bazel) = %v, %v; want 1/2", got, err)
	}
	if _, err := os.Stat(status); err != nil {
		t.Errorf("TEST_SHARD_STATUS_FILE not touched: %v", err)
	}
	_, err = Resolve("", env("TEST_SHARD_INDEX", "0", "TEST_TOTAL_SHARDS", "2", "TEST_SHARD_STATUS_FILE", "/nonexistent/dir/status"))
	if err == nil || !strings.Contains(err.Error(), "TEST_SHARD_STATUS_FILE: cannot create /nonexistent/dir/status") {
		t.Errorf("Resolve(bad status file) = %v; want an error naming it", err)
	}
}
