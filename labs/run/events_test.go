package run_test

import (
	"context"
	"strings"
	"testing"

	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/counter"
	"github.com/locklab/locklab/labs/philosophers"
	"github.com/locklab/locklab/labs/run"
)

// A native run with Options.Events carries what the workers did: the
// counter's reads and writes with their values at the variant's lines, a
// deadlocked philosopher's last request for a fork. (A racy variant's
// events are the CLI's tests, in a child process.)
func TestRunEvents(t *testing.T) {
	tests := []struct {
		s       *labs.Scenario
		variant string
		problem bool
		want    func(e labs.Event) bool
		what    string
	}{
		{counter.Scenario, "mutex", false, func(e labs.Event) bool {
			return e.Op == "write" && e.Target == "count" && e.Value != "" && strings.Contains(e.At.File, "labs/counter/")
		}, "a write of count with its value, in labs/counter"},
		{philosophers.Scenario, "left-then-right", true, func(e labs.Event) bool {
			return e.Op == "request" && strings.HasPrefix(e.Target, "fork") && len(e.Holds) == 1
		}, "a philosopher holding one fork asking for another"},
	}
	for _, tt := range tests {
		t.Run(tt.s.Name+"/"+tt.variant, func(t *testing.T) {
			opts := run.DefaultOptions()
			opts.Events = true
			v, err := tt.s.Variant(tt.variant)
			if err != nil {
				t.Fatal(err)
			}
			res, err := run.Run(context.Background(), tt.s, v, labs.Config{}, opts)
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome.Problem() != tt.problem {
				t.Fatalf("outcome %s; want a problem: %v", res.Outcome, tt.problem)
			}
			found := false
			for _, e := range res.Events {
				found = found || tt.want(e)
			}
			if !found {
				t.Errorf("%d events, none %s", len(res.Events), tt.what)
			}
		})
	}
	v, _ := philosophers.Scenario.Variant("hierarchy")
	res, err := run.Run(context.Background(), philosophers.Scenario, v, labs.Config{}, run.DefaultOptions())
	if err != nil || len(res.Events) != 0 {
		t.Errorf("Run without Events: %d events, %v; want none", len(res.Events), err)
	}
}
