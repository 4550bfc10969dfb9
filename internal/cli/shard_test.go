package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/locklab/locklab/labs/explore"
)

// exploreComparable is an explore --json result without what differs
// between two runs of one exploration.
func exploreComparable(t *testing.T, data []byte) string {
	t.Helper()
	var r explore.Result
	mustUnmarshal(t, data, &r)
	r.Elapsed, r.Shard, r.Interrupted = 0, nil, false
	b, _ := json.Marshal(&r)
	return string(b)
}

// TestExploreShardsMerge runs an exploration in n shards through the
// CLI, merges their --json results with locklab merge, and checks the
// merge against the unsharded exploration: same schedules, failure,
// token and trace.
func TestExploreShardsMerge(t *testing.T) {
	for _, tt := range []struct {
		args     []string
		wantCode int
	}{
		{[]string{"explore", "bank", "--variant", "check-then-act", "--schedules", "200", "--schedule-seed", "3"}, exitProblem},
		{[]string{"explore", "bank", "--variant", "ordered", "--workers", "2", "--ops", "2", "--schedules", "60"}, exitOK},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, whole, stderr := locklabReal(t, "", append(tt.args, "--json")...)
			if code != tt.wantCode {
				t.Fatalf("unsharded: exit %d; want %d (%s)", code, tt.wantCode, stderr)
			}
			for _, n := range []int{2, 3} {
				dir := t.TempDir()
				var files []string
				for k := 1; k <= n; k++ {
					code, out, stderr := locklabReal(t, "", append(tt.args, "--json", "--shard", fmt.Sprintf("%d/%d", k, n))...)
					if code != exitOK && code != exitProblem {
						t.Fatalf("shard %d/%d: exit %d (%s)", k, n, code, stderr)
					}
					f := filepath.Join(dir, fmt.Sprintf("part-%d.json", k))
					os.WriteFile(f, []byte(out), 0o644)
					files = append(files, f)
				}
				code, merged, stderr := locklabReal(t, "", append([]string{"merge", "--json"}, files...)...)
				if code != tt.wantCode {
					t.Fatalf("merge of %d shards: exit %d; want %d (%s)", n, code, tt.wantCode, stderr)
				}
				if got, want := exploreComparable(t, []byte(merged)), exploreComparable(t, []byte(whole)); got != want {
					t.Errorf("merge of %d shards:\n%s\nwant the unsharded exploration:\n%s", n, got, want)
				}
				// The text of a merge is the text of an exploration.
				code, text, _ := locklabReal(t, "", append([]string{"merge"}, files...)...)
				if code != tt.wantCode || !strings.Contains(text, "explored under the controlled scheduler") {
					t.Errorf("merge (text) = %d:\n%s", code, text)
				}
				// Not all the shards: refused.
				code, _, stderr = locklabReal(t, "", "merge", files[0])
				if code != exitError || !strings.Contains(stderr, "missing") {
					t.Errorf("merge of one shard of %d = %d, %q; want 2 and what is missing", n, code, stderr)
				}
			}
		})
	}
}

// TestShardFromEnvironment: without --shard, the sharding variables of
// Kubernetes, Bazel and GitLab are honoured, and half a pair is an error.
func TestShardFromEnvironment(t *testing.T) {
	args := []string{"explore", "bank", "--variant", "ordered", "--workers", "2", "--ops", "2", "--schedules", "30", "--json"}
	status := filepath.Join(t.TempDir(), "shard-status")
	tests := []struct {
		env       map[string]string
		wantShard string
		wantErr   string
	}{
		{map[string]string{"JOB_COMPLETION_INDEX": "1", "LOCKLAB_SHARDS": "3"}, "2/3 JOB_COMPLETION_INDEX and LOCKLAB_SHARDS", ""},
		{map[string]string{"TEST_SHARD_INDEX": "0", "TEST_TOTAL_SHARDS": "2", "TEST_SHARD_STATUS_FILE": status}, "1/2 TEST_SHARD_INDEX and TEST_TOTAL_SHARDS", ""},
		{map[string]string{"CI_NODE_INDEX": "3", "CI_NODE_TOTAL": "3"}, "3/3 CI_NODE_INDEX and CI_NODE_TOTAL", ""},
		{map[string]string{"CI_NODE_TOTAL": "1"}, "", ""},
		{map[string]string{"JOB_COMPLETION_INDEX": "1"}, "", "JOB_COMPLETION_INDEX=1 is set but not LOCKLAB_SHARDS"},
		{map[string]string{"TEST_TOTAL_SHARDS": "2"}, "", "TEST_TOTAL_SHARDS=2 is set but not TEST_SHARD_INDEX"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.env), func(t *testing.T) {
			deps, out, errOut := testDeps()
			deps.Catalog = catalogAll
			deps.Getenv = func(k string) string { return tt.env[k] }
			code := execute(context.Background(), deps, args)
			if tt.wantErr != "" {
				if code != exitError || !strings.Contains(errOut.String(), tt.wantErr) {
					t.Errorf("exit %d, stderr %q; want 2 and %q", code, errOut, tt.wantErr)
				}
				return
			}
			var r explore.Result
			mustUnmarshal(t, out.Bytes(), &r)
			got := ""
			if r.Shard != nil {
				got = fmt.Sprintf("%d/%d %s", r.Shard.Index, r.Shard.Count, r.Shard.Source)
			}
			if code != exitOK || got != tt.wantShard {
				t.Errorf("exit %d, shard %q; want 0 and %q", code, got, tt.wantShard)
			}
		})
	}
	if _, err := os.Stat(status); err != nil {
		t.Errorf("TEST_SHARD_STATUS_FILE was not touched: %v", err)
	}
}

func TestMergeBadInput(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.csv")
	os.WriteFile(junk, []byte("submission,score\nalice,100\n"), 0o644)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"merge"}, "locklab merge needs the files the shards wrote"},
		{[]string{"merge", filepath.Join(dir, "nope.json")}, filepath.Join(dir, "nope.json") + ": no such file or directory"},
		{[]string{"merge", junk}, junk + ":1: not a row of a locklab gradebook"},
		{[]string{"merge", junk, "--out", filepath.Join(dir, "no", "such", "g.csv")}, "--out " + filepath.Join(dir, "no", "such", "g.csv") + ": cannot write in"},
	}
	for _, tt := range tests {
		code, stdout, stderr := locklab(t, tt.args...)
		if code != exitError || stdout != "" || !strings.Contains(stderr, tt.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("locklab %s = %d, %q, %q; want 2 and one line with %q", strings.Join(tt.args, " "), code, stdout, stderr, tt.want)
		}
	}
}
