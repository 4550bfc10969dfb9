package bank_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/bank"
	"github.com/locklab/locklab/labs/labtest"
	"github.com/locklab/locklab/labs/run"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestHelperProcess runs a variant for labtest.RunChild; it does nothing
// in a normal test run.
func TestHelperProcess(t *testing.T) { labtest.HelperProcess(t, bank.Scenario) }

func TestScenario(t *testing.T) {
	s := bank.Scenario
	if err := labs.Validate([]*labs.Scenario{s}); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if !strings.HasPrefix(s.Doc, "Package bank ") || strings.Contains(s.Doc, "package bank") {
		t.Errorf("Doc = %.40q...; want the text of the package comment", s.Doc)
	}
	if got := s.FirstBuggy().Name; got != "from-then-to" {
		t.Errorf("FirstBuggy() = %s; want from-then-to", got)
	}
	for _, v := range s.Variants {
		if _, err := os.Stat(filepath.Join("..", "..", v.File)); err != nil {
			t.Errorf("%s: File: %v", v.Name, err)
		}
	}
}

// TestFromThenToCycle checks what a student is shown of the deadlock: a
// cycle of clerks, each holding one account and waiting for another on the
// line of from_then_to.go that locks the destination; and that Run
// returned rather than hanging.
func TestFromThenToCycle(t *testing.T) {
	v, err := bank.Scenario.Variant("from-then-to")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan *run.Result, 1)
	go func() {
		res, err := run.Run(context.Background(), bank.Scenario, v, labs.Config{}, run.DefaultOptions())
		if err != nil {
			t.Errorf("Run: %v", err)
		}
		done <- res
	}()
	var res *run.Result
	select {
	case res = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return within 30s of a deadlocking run")
	}
	if res == nil {
		return
	}
	if res.Outcome != run.Deadlock {
		t.Fatalf("outcome %s; want %s", res.Outcome, run.Deadlock)
	}
	var cycle *detector.Finding
	for i, f := range res.Findings {
		if f.Kind == detector.Deadlock {
			cycle = &res.Findings[i]
			break
		}
	}
	if cycle == nil {
		t.Fatalf("no deadlock finding in %v", res.Findings)
	}
	if len(cycle.Steps) < 2 {
		t.Fatalf("cycle of %d steps; want at least 2: %v", len(cycle.Steps), cycle)
	}
	bad := lockLine(t, v.File, "to.mu.Lock()")
	n := len(cycle.Steps)
	for i, s := range cycle.Steps {
		next, prev := cycle.Steps[(i+1)%n], cycle.Steps[(i+n-1)%n]
		if !strings.HasPrefix(s.Worker, "clerk ") || !strings.HasPrefix(s.Lock, "account ") {
			t.Errorf("step %d: worker %q waits for %q; want a clerk and an account", i, s.Worker, s.Lock)
		}
		if s.Owner != next.Worker {
			t.Errorf("step %d: %s is held by %q; want the next clerk, %q", i, s.Lock, s.Owner, next.Worker)
		}
		if len(s.Holds) != 1 || s.Holds[0] != prev.Lock {
			t.Errorf("step %d: holds %v; want [%s], what the previous clerk waits for", i, s.Holds, prev.Lock)
		}
		if !strings.HasSuffix(s.At.File, v.File) || s.At.Line != bad {
			t.Errorf("step %d: blocked at %v; want %s:%d", i, s.At, v.File, bad)
		}
	}
	if res.DetectedAfter <= 0 || res.DetectedAfter > res.Elapsed {
		t.Errorf("DetectedAfter = %v, Elapsed = %v; want 0 < DetectedAfter <= Elapsed", res.DetectedAfter, res.Elapsed)
	}
	if res.Invariants != nil {
		t.Errorf("invariants %v checked after an aborted run; want none", res.Invariants)
	}
}

// lockLine returns the number of the only line of file (relative to the
// module root) that contains call.
func lockLine(t *testing.T, file, call string) int {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	line, found := 0, 0
	for sc := bufio.NewScanner(f); sc.Scan(); {
		line++
		if strings.Contains(sc.Text(), call) {
			if found != 0 {
				t.Fatalf("%s: %q on lines %d and %d", file, call, found, line)
			}
			found = line
		}
	}
	if found == 0 {
		t.Fatalf("%s: no line contains %q", file, call)
	}
	return found
}

func overdrawn(res *run.Result) bool {
	for _, c := range res.Invariants {
		if c.Name == "no overdraft" {
			return !c.OK
		}
	}
	return false
}

// TestSmallConfigs checks the fixes on the smallest and on uneven
// configurations: two clerks (a single pair of accounts), and many clerks
// on many accounts.
func TestSmallConfigs(t *testing.T) {
	configs := []labs.Config{
		{Workers: 2, Ops: 1},
		{Workers: 2, Ops: 20},
		{Workers: 9, Ops: 5},
	}
	for _, v := range bank.Scenario.Variants {
		if v.Kind == labs.Buggy {
			continue
		}
		for _, cfg := range configs {
			cfg.Yield = time.Nanosecond
			res, err := run.Run(context.Background(), bank.Scenario, &v, cfg, run.DefaultOptions())
			if err != nil {
				t.Fatalf("%s %+v: Run: %v", v.Name, cfg, err)
			}
			if res.Outcome != run.OK {
				t.Errorf("%s %+v: outcome %s; want ok: %v", v.Name, cfg, res.Outcome, res.Findings)
			}
		}
	}
}
