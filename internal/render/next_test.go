package render

import (
	"strings"
	"testing"

	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/catalog"
	"github.com/locklab/locklab/labs/race"
	"github.com/locklab/locklab/labs/run"
)

// TestNextSteps: every buggy run ends with the command that shows more.
func TestNextSteps(t *testing.T) {
	tests := []struct {
		scenario, variant string
		outcome           run.Outcome
		want              []string // the commands, in order
	}{
		{"counter", "unsynchronized", run.Violated, []string{"locklab race counter --variant unsynchronized", "locklab explore counter --variant unsynchronized"}},
		{"philosophers", "polite", run.OK, []string{"locklab explore philosophers --variant polite"}},
		{"bank", "from-then-to", run.Deadlock, []string{"locklab explore bank --variant from-then-to"}},
		{"bank", "check-then-act", run.Violated, []string{"locklab explore bank --variant check-then-act"}},
		{"counter", "cooperative-await", run.Violated, []string{"locklab explore counter --variant cooperative-await"}},
		{"bank", "ordered", run.OK, nil},
	}
	for _, tt := range tests {
		s, v, err := catalog.LookupVariant(tt.scenario, tt.variant)
		if err != nil {
			t.Fatal(err)
		}
		r := &run.Result{Scenario: s.Name, Variant: v.Name, Outcome: tt.outcome}
		var got []string
		for _, n := range RunNext(r, v, v.Controlled) {
			got = append(got, n.Command)
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("RunNext(%s/%s, %s) = %q; want %q", tt.scenario, tt.variant, tt.outcome, got, tt.want)
		}
	}
	var b strings.Builder
	if err := Next(&b, RunNext(&run.Result{Scenario: "philosophers", Variant: "polite", Outcome: run.OK}, mustVariant(t, "philosophers", "polite"), false), Style{}); err != nil {
		t.Fatal(err)
	}
	if want := "Next: locklab explore philosophers --variant polite\n      the controlled scheduler finds it on purpose, every time, where native timing missed it\n"; b.String() != want {
		t.Errorf("Next = %q; want %q", b.String(), want)
	}
	ob := &race.Observation{Scenario: "counter", Variant: "unsynchronized", Kind: "buggy", RunsWithRace: 3}
	if n := RaceNext(ob); len(n) != 1 || n[0].Command != "locklab explore counter --variant unsynchronized" {
		t.Errorf("RaceNext = %+v", n)
	}
}

func mustVariant(t *testing.T, scenario, variant string) *labs.Variant {
	t.Helper()
	_, v, err := catalog.LookupVariant(scenario, variant)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
