package labs_test

import (
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/locklab/locklab/labs"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestClosest(t *testing.T) {
	valid := []string{"counter", "bank", "philosophers"}
	tests := []struct {
		name string
		want string
	}{
		{"bank", "bank"},
		{"philosophres", "philosophers"}, // transposition
		{"philo", "philosophers"},        // prefix
		{"conter", "counter"},            // one letter missing
		{"zzzzzzz", ""},                  // nothing near
		{"", ""},
	}
	for _, tt := range tests {
		if got := labs.Closest(tt.name, valid); got != tt.want {
			t.Errorf("Closest(%q) = %q; want %q", tt.name, got, tt.want)
		}
	}
}

func TestUnknownError(t *testing.T) {
	err := &labs.UnknownError{What: "variant", Name: "hierachy", Valid: []string{"left-then-right", "hierarchy"}}
	const want = `unknown variant "hierachy"; valid: left-then-right, hierarchy (did you mean "hierarchy"?)`
	if err.Error() != want {
		t.Errorf("Error() = %q; want %q", err.Error(), want)
	}
}

func TestConfigValidate(t *testing.T) {
	ok := labs.Config{Workers: 5, Ops: 3, Seed: 1}
	tests := []struct {
		name string
		cfg  labs.Config
		want string // substring of the error; "" for none
	}{
		{"ok", ok, ""},
		{"gosched", labs.Config{Workers: 5, Ops: 3, Yield: labs.YieldGosched}, ""},
		{"one worker", labs.Config{Workers: 1, Ops: 3}, "workers must be between 2"},
		{"too many workers", labs.Config{Workers: labs.MaxWorkers + 1, Ops: 3}, "workers"},
		{"zero ops", labs.Config{Workers: 5}, "ops must be between 1"},
		{"absurd ops", labs.Config{Workers: 5, Ops: labs.MaxOps + 1}, "ops"},
		{"negative yield", labs.Config{Workers: 5, Ops: 3, Yield: -2}, "yield"},
		{"long yield", labs.Config{Workers: 5, Ops: 3, Yield: 2 * time.Second}, "yield"},
	}
	for _, tt := range tests {
		err := tt.cfg.Validate()
		if (err == nil) != (tt.want == "") || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: Validate() = %v; want an error containing %q", tt.name, err, tt.want)
		}
	}
}

func TestWithDefaults(t *testing.T) {
	d := labs.Config{Workers: 5, Ops: 3, Seed: 42, Yield: time.Millisecond}
	if got := (labs.Config{}).WithDefaults(d); got != d {
		t.Errorf("zero.WithDefaults(d) = %+v; want %+v", got, d)
	}
	c := labs.Config{Workers: 7, Yield: labs.YieldGosched}
	want := labs.Config{Workers: 7, Ops: 3, Seed: 42, Yield: labs.YieldGosched}
	if got := c.WithDefaults(d); got != want {
		t.Errorf("WithDefaults = %+v; want %+v", got, want)
	}
}

func play(labs.Runtime, labs.Config) labs.Instance { return nil }

func TestValidate(t *testing.T) {
	good := func() *labs.Scenario {
		return &labs.Scenario{
			Name: "toy", Title: "Toy", Doc: "A toy.", Workers: "worker", Ops: "step",
			Defaults: labs.Config{Workers: 2, Ops: 1},
			Variants: []labs.Variant{
				{Name: "bad", Kind: labs.Buggy, Bug: labs.DataRace, Summary: "s", Lesson: "l", File: "f.go",
					Fix: "good", Caught: []labs.Detector{labs.Race}, Play: play},
				{Name: "good", Kind: labs.Fixed, Summary: "s", Lesson: "l", File: "f.go", Play: play},
			},
		}
	}
	if err := labs.Validate([]*labs.Scenario{good()}); err != nil {
		t.Fatalf("Validate(good) = %v; want nil", err)
	}
	tests := []struct {
		name   string
		mutate func(s *labs.Scenario)
		want   string
	}{
		{"bad name", func(s *labs.Scenario) { s.Name = "Toy!" }, "bad name"},
		{"no doc", func(s *labs.Scenario) { s.Doc = "" }, "missing"},
		{"bad defaults", func(s *labs.Scenario) { s.Defaults.Workers = 0 }, "defaults"},
		{"no buggy variant", func(s *labs.Scenario) { s.Variants = s.Variants[1:] }, "no buggy variant"},
		{"duplicate variant", func(s *labs.Scenario) { s.Variants[1].Name = "bad" }, "duplicate"},
		{"buggy without Caught", func(s *labs.Scenario) { s.Variants[0].Caught = nil }, "needs Bug, Caught and Fix"},
		{"fix not a variant", func(s *labs.Scenario) { s.Variants[0].Fix = "nope" }, `Fix "nope"`},
		{"fixed with a bug", func(s *labs.Scenario) { s.Variants[1].Bug = labs.Livelock }, "has no Bug"},
		{"no Play", func(s *labs.Scenario) { s.Variants[1].Play = nil }, "missing Summary"},
		{"bad kind", func(s *labs.Scenario) { s.Variants[1].Kind = "odd" }, "bad kind"},
	}
	for _, tt := range tests {
		s := good()
		tt.mutate(s)
		err := labs.Validate([]*labs.Scenario{s})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Validate() = %v; want an error containing %q", tt.name, err, tt.want)
		}
	}
	if err := labs.Validate([]*labs.Scenario{good(), good()}); err == nil || !strings.Contains(err.Error(), "duplicate") {
		t.Errorf("Validate(two toys) = %v; want a duplicate error", err)
	}
}

func TestPackageDoc(t *testing.T) {
	const src = "// Package toy is a toy.\n//\n// # Heading\npackage toy\n"
	if got, want := labs.PackageDoc(src), "Package toy is a toy.\n\n# Heading\n"; got != want {
		t.Errorf("PackageDoc = %q; want %q", got, want)
	}
	defer func() {
		if recover() == nil {
			t.Error("PackageDoc without a comment did not panic")
		}
	}()
	labs.PackageDoc("package toy\n")
}
