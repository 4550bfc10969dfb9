package counter_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/counter"
	"github.com/locklab/locklab/labs/labtest"
	"github.com/locklab/locklab/labs/run"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestHelperProcess runs a variant for labtest.RunChild; it does nothing
// in a normal test run.
func TestHelperProcess(t *testing.T) { labtest.HelperProcess(t, counter.Scenario) }

func TestScenario(t *testing.T) {
	s := counter.Scenario
	if err := labs.Validate([]*labs.Scenario{s}); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if !strings.HasPrefix(s.Doc, "Package counter ") || strings.Contains(s.Doc, "package counter") {
		t.Errorf("Doc = %.40q...; want the text of the package comment", s.Doc)
	}
	if got := s.FirstBuggy().Name; got != "unsynchronized" {
		t.Errorf("FirstBuggy() = %s; want unsynchronized", got)
	}
	for _, v := range s.Variants {
		if _, err := os.Stat(filepath.Join("..", "..", v.File)); err != nil {
			t.Errorf("%s: File: %v", v.Name, err)
		}
	}
}

// TestSmallConfigs checks the fixes on the smallest and on uneven
// configurations, where an off-by-one in the expected count would show.
func TestSmallConfigs(t *testing.T) {
	configs := []labs.Config{
		{Workers: 2, Ops: 1},
		{Workers: 3, Ops: 7},
		{Workers: 16, Ops: 50},
	}
	for _, v := range counter.Scenario.Variants {
		if v.Kind == labs.Buggy || v.Controlled {
			continue // TestControlled runs the controlled ones
		}
		for _, cfg := range configs {
			res, err := run.Run(context.Background(), counter.Scenario, &v, cfg, run.DefaultOptions())
			if err != nil {
				t.Fatalf("%s %+v: Run: %v", v.Name, cfg, err)
			}
			if res.Outcome != run.OK {
				t.Errorf("%s %+v: outcome %s; want ok: %v", v.Name, cfg, res.Outcome, res.Invariants)
			}
		}
	}
}

func metric(res *run.Result, name string) string {
	for _, m := range res.Metrics {
		if m.Name == name {
			return m.Value
		}
	}
	return ""
}
