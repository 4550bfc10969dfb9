package readerswriters_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/labtest"
	"github.com/locklab/locklab/labs/readerswriters"
	"github.com/locklab/locklab/labs/run"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestHelperProcess runs a variant for labtest.RunChild; it does nothing
// in a normal test run.
func TestHelperProcess(t *testing.T) { labtest.HelperProcess(t, readerswriters.Scenario) }

func TestScenario(t *testing.T) {
	labtest.CheckScenario(t, readerswriters.Scenario, "readerswriters", "reader-preference")
}

// overtaken returns the most reads that overtook one waiting writer.
func overtaken(t *testing.T, res *run.Result) int {
	t.Helper()
	m := labtest.Metric(res, "most reads overtaking a waiting writer")
	n, err := strconv.Atoi(strings.Fields(m + " x")[0])
	if err != nil {
		t.Fatalf("metric %q: %v", m, err)
	}
	return n
}

// TestReaderPreferenceStarves checks what the starvation looks like: no
// deadlock and no stall, every worker done in the end, and yet many
// reads overtook a waiting writer, where the fixes let at most the
// readers already on their way in do so.
func TestReaderPreferenceStarves(t *testing.T) {
	s := readerswriters.Scenario
	v, _ := s.Variant("reader-preference")
	res := labtest.RunWithin(t, s, v, labs.Config{})
	if res.Outcome != run.Violated {
		t.Fatalf("outcome %s; want invariant: %v", res.Outcome, res.Findings)
	}
	for _, c := range res.Invariants {
		if ok := c.Name != "no writer starved"; c.OK != ok {
			t.Errorf("invariant %q ok %v: %s; want ok %v", c.Name, c.OK, c.Actual, ok)
		}
	}
	if n := overtaken(t, res); n <= 2 {
		t.Errorf("%d reads overtook a waiting writer; want many", n)
	}
	for _, name := range []string{"writer-preference", "rwmutex", "keeper"} {
		v, _ := s.Variant(name)
		if n := overtaken(t, labtest.RunWithin(t, s, v, labs.Config{})); n > 2 {
			t.Errorf("%s: %d reads overtook a waiting writer; want at most 2 (one per other reader)", name, n)
		}
	}
}

// TestRecursiveRLockCycle checks the RWR deadlock as the wait-for graph
// reports it: a reader that holds the document waits for a writer, which
// waits for that reader; the reader blocked in version's RLock.
func TestRecursiveRLockCycle(t *testing.T) {
	s := readerswriters.Scenario
	v, _ := s.Variant("recursive-rlock")
	var res *run.Result
	for range 3 { // a writer queues between the two RLocks in nearly every run
		if res = labtest.RunWithin(t, s, v, labs.Config{}); res.Outcome == run.Deadlock {
			break
		}
	}
	if res.Outcome != run.Deadlock {
		t.Fatalf("outcome %s in 3 runs; want deadlock: %v", res.Outcome, res.Findings)
	}
	f := labtest.Finding(t, res, detector.Deadlock)
	again := labtest.Line(t, v.File, "rw.RLock()", 1) // in version
	var workers []string
	for _, st := range f.Steps {
		workers = append(workers, strings.Fields(st.Worker)[0])
		if strings.HasPrefix(st.Worker, "reader") && (st.At.Line != again || st.Lock != "document" || !strings.HasPrefix(st.Owner, "writer")) {
			t.Errorf("reader's step %+v; want it waiting for document behind a writer at line %d", st, again)
		}
	}
	slices.Sort(workers)
	if !slices.Equal(workers, []string{"reader", "writer"}) {
		t.Errorf("cycle of %v; want a reader and a writer", workers)
	}
}

// TestSmallConfigs checks the fixes on the smallest and on uneven
// configurations, with one writer and with several.
func TestSmallConfigs(t *testing.T) {
	s := readerswriters.Scenario
	for _, v := range s.Variants {
		if v.Kind == labs.Buggy {
			continue
		}
		for _, cfg := range []labs.Config{{Workers: 2, Ops: 1}, {Workers: 3, Ops: 30}, {Workers: 9, Ops: 4}} {
			cfg.Yield = labs.YieldGosched
			labtest.CheckExpectations(t, &v, labtest.RunWithin(t, s, &v, cfg))
		}
	}
}
