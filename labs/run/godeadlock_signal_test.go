package run_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/run"
)

// An interrupted go-deadlock run kills its child, deadlocked in
// go-deadlock's locks, and returns what was reported so far with the
// context's error.
func TestGoDeadlockInterrupted(t *testing.T) {
	mark := "RUNTEST_MARK=" + t.Name() + "-" + time.Now().Format("150405.000000000")
	t.Setenv("RUNTEST_MARK", strings.TrimPrefix(mark, "RUNTEST_MARK="))
	v, _ := pair.Variant("abba")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // cancel once the child runs: it deadlocks at once, and its stall limit is 10 s
		for len(marked(mark)) == 0 && ctx.Err() == nil {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(100 * time.Millisecond)
		cancel()
	}()
	res, err := run.GoDeadlock(ctx, pair, v, labs.Config{}, run.Options{Timeout: 20 * time.Second, Stall: 10 * time.Second})
	if !errors.Is(err, context.Canceled) || res == nil {
		t.Fatalf("GoDeadlock(interrupted) = %v, %v; want a partial result and context.Canceled", res, err)
	}
	if res.Outcome != "" || res.Scenario != "pair" || res.Variant != "abba" {
		t.Errorf("partial result = %s/%s outcome %q; want pair/abba with no outcome", res.Scenario, res.Variant, res.Outcome)
	}
	if pids := marked(mark); len(pids) > 0 {
		t.Errorf("the go-deadlock child is still running: %v", pids)
	}
}

// marked returns the processes whose environment holds mark.
func marked(mark string) []string {
	var pids []string
	envs, _ := filepath.Glob("/proc/[0-9]*/environ")
	for _, e := range envs {
		b, err := os.ReadFile(e)
		if err != nil {
			continue
		}
		for _, kv := range strings.Split(string(b), "\x00") {
			if kv == mark {
				pids = append(pids, filepath.Base(filepath.Dir(e)))
			}
		}
	}
	return pids
}
