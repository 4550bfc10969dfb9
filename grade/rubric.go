package grade

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/locklab/locklab/grade/checks/kit"
	"github.com/locklab/locklab/grade/instrument"
	"github.com/locklab/locklab/labs"
)

// Names of the rubric's checks, the same for every exercise. The first
// two are gates: worth no points, but a submission that fails one is not
// run and scores 0.
const (
	CheckAllowed   = "allowed"
	CheckBuilds    = "builds"
	CheckWorks     = "works"
	CheckRaceFree  = "race-free"
	CheckSchedules = "schedules"
	CheckProgress  = "progress"
	CheckNoLeaks   = "no-leaks"
)

// Check is one line of a rubric.
type Check struct {
	Name   string `json:"name"`
	Points int    `json:"points"`
	Gate   bool   `json:"gate,omitempty"` // no points; failing it stops the grading at 0
	Means  string `json:"means"`          // what passing it shows
	// Needs names the check whose evidence this one builds on: it passes
	// only if that one does.
	Needs     string `json:"needs,omitempty"`
	Reproduce string `json:"reproduce"` // how a student reproduces a failure
}

// Exercise is one gradable exercise.
type Exercise struct {
	Name  string   `json:"name"`
	Title string   `json:"title"`
	Task  string   `json:"task"`
	Files []string `json:"files"` // the files of exercises/NAME the student edits; only these are graded
	// Package is the package name the files declare.
	Package string `json:"package"`
	// Imports are the packages a submission may import.
	Imports []string `json:"imports"`
	// Rubric is the checks in the order they are reported.
	Rubric []Check `json:"rubric"`
	// Effort is how hard the checks look.
	Effort Effort `json:"effort"`
}

// Effort says how much work the checks do.
type Effort struct {
	// NativeRuns is how many native runs of each workload in each
	// detection mode (detectors off, as the race detector should see the
	// code; and on).
	NativeRuns int `json:"native_runs"`
	// Schedules is how many schedules of the safety workload the explorer
	// runs (half a random walk, half PCT); the liveness workload gets
	// half as many.
	Schedules int `json:"schedules"`
}

// MaxScore returns the sum of the rubric's points.
func (e *Exercise) MaxScore() int {
	n := 0
	for _, c := range e.Rubric {
		n += c.Points
	}
	return n
}

// Check returns the rubric line named name.
func (e *Exercise) Check(name string) (Check, bool) {
	i := slices.IndexFunc(e.Rubric, func(c Check) bool { return c.Name == name })
	if i < 0 {
		return Check{}, false
	}
	return e.Rubric[i], true
}

// rubric returns the standard rubric for exercise name.
func rubric(name string) []Check {
	g := "locklab grade " + name
	return []Check{
		{Name: CheckAllowed, Gate: true,
			Means:     "the files import only allowed packages and use no construct that could act before or outside the checks (the message names the file and line)",
			Reproduce: g},
		{Name: CheckBuilds, Gate: true,
			Means:     "the files compile against the exercise's types",
			Reproduce: "go build ./exercises/" + name},
		{Name: CheckWorks, Points: 20,
			Means:     "in native runs on real goroutines every worker does all its work and every invariant holds, with no deadlock, stall or panic; and no explored schedule breaks an invariant (a wrong result is a failure whether or not the native runs' timing showed it, so the grade does not depend on luck)",
			Reproduce: g},
		{Name: CheckRaceFree, Points: 20, Needs: CheckWorks,
			Means:     "the race detector reports no data race in those runs",
			Reproduce: g + " (the message gives the two accesses)"},
		{Name: CheckSchedules, Points: 30, Needs: CheckWorks,
			Means:     "every schedule the controlled scheduler explores, switching at every lock, channel operation and shared read and write, ends with the invariants holding and no deadlock, livelock, stall or panic",
			Reproduce: g + " --replay TOKEN (the message gives the command)"},
		{Name: CheckProgress, Points: 15, Needs: CheckWorks,
			Means:     "in every explored schedule of the liveness workload every worker finishes all its work, correctly",
			Reproduce: g + " --replay TOKEN (the message gives the command)"},
		{Name: CheckNoLeaks, Points: 15, Needs: CheckWorks,
			Means:     "no goroutine the submission started is still running after the native runs",
			Reproduce: g},
	}
}

func defaultEffort() Effort {
	return Effort{NativeRuns: kit.DefaultRuns, Schedules: kit.DefaultSchedules}
}

// Catalog returns the exercises in curriculum order.
func Catalog() []*Exercise {
	ex := func(name, title, task, file string) *Exercise {
		return &Exercise{Name: name, Title: title, Task: task, Files: []string{file}, Package: name,
			Imports: append(instrument.DefaultImports(), ExercisesPackage), Rubric: rubric(name), Effort: defaultEffort()}
	}
	return []*Exercise{
		ex("counter", "A shared counter",
			"Make concurrent increments of a shared counter safe: no lost update, no data race.", "counter.go"),
		ex("bank", "Bank transfers",
			"Implement Transfer between two accounts so that money is conserved, no account is overdrawn, and concurrent transfers in opposite directions cannot deadlock.", "bank.go"),
		ex("philosophers", "Dining philosophers",
			"Let every philosopher eat with two forks without deadlock, livelock or starvation.", "philosophers.go"),
		ex("buffer", "A bounded buffer",
			"Implement Put and Get on a bounded buffer with a condition variable: Put waits while it is full, Get while it is empty, and every item is got exactly once.", "buffer.go"),
		ex("rwlock", "Readers and writers",
			"Implement a writer-preferring reader/writer lock: readers share, writers are alone, and a waiting writer keeps new readers out so that readers cannot starve it.", "rwlock.go"),
	}
}

// ExercisesPackage is the import path of the exercises' types.
const ExercisesPackage = Module + "/exercises"

// UnknownExerciseError is returned for an exercise name not in the
// catalog.
type UnknownExerciseError struct {
	Name  string
	Valid []string
}

func (e *UnknownExerciseError) Error() string {
	msg := fmt.Sprintf("unknown exercise %q; valid: %s", e.Name, strings.Join(e.Valid, ", "))
	if s := labs.Closest(e.Name, e.Valid); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg
}

// Lookup returns the exercise named name.
func Lookup(name string) (*Exercise, error) {
	var names []string
	for _, e := range Catalog() {
		if e.Name == name {
			return e, nil
		}
		names = append(names, e.Name)
	}
	return nil, &UnknownExerciseError{Name: name, Valid: names}
}

// RubricFile is an instructor's override of the rubric, as JSON:
//
//	{
//	  "weights": {"works": 20, "race-free": 20, "schedules": 30, "progress": 15, "no-leaks": 15},
//	  "native_runs": 2,
//	  "schedules": 2000,
//	  "exercises": {"bank": {"schedules": 4000}}
//	}
//
// Every field is optional; "exercises" overrides the others for one
// exercise. Gates have no weight.
type RubricFile struct {
	Weights    map[string]int         `json:"weights,omitempty"`
	NativeRuns int                    `json:"native_runs,omitempty"`
	Schedules  int                    `json:"schedules,omitempty"`
	Exercises  map[string]*RubricFile `json:"exercises,omitempty"`
}

// Limits on an override's effort, so that a typo cannot make a grading
// run for hours.
const (
	MaxNativeRuns = 50
	MaxSchedules  = 200_000
)

// LoadRubric reads and checks a rubric override file.
func LoadRubric(path string) (*RubricFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("rubric: %w", err)
	}
	var rf RubricFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rf); err != nil {
		return nil, fmt.Errorf("rubric %s: %w", path, err)
	}
	if err := rf.validate(true); err != nil {
		return nil, fmt.Errorf("rubric %s: %w", path, err)
	}
	return &rf, nil
}

func (rf *RubricFile) validate(top bool) error {
	var errs []error
	valid := []string{CheckWorks, CheckRaceFree, CheckSchedules, CheckProgress, CheckNoLeaks}
	for name, w := range rf.Weights {
		switch {
		case name == CheckAllowed || name == CheckBuilds:
			errs = append(errs, fmt.Errorf("%s is a gate and has no weight", name))
		case !slices.Contains(valid, name):
			msg := fmt.Sprintf("unknown check %q; valid: %s", name, strings.Join(valid, ", "))
			if s := labs.Closest(name, valid); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			errs = append(errs, errors.New(msg))
		case w < 0 || w > 1000:
			errs = append(errs, fmt.Errorf("weight of %s must be between 0 and 1000, got %d", name, w))
		}
	}
	if rf.NativeRuns < 0 || rf.NativeRuns > MaxNativeRuns {
		errs = append(errs, fmt.Errorf("native_runs must be between 1 and %d, got %d", MaxNativeRuns, rf.NativeRuns))
	}
	if rf.Schedules < 0 || rf.Schedules > MaxSchedules {
		errs = append(errs, fmt.Errorf("schedules must be between 2 and %d, got %d", MaxSchedules, rf.Schedules))
	}
	if !top && len(rf.Exercises) > 0 {
		errs = append(errs, errors.New(`"exercises" cannot nest`))
	}
	var names []string
	for _, e := range Catalog() {
		names = append(names, e.Name)
	}
	keys := make([]string, 0, len(rf.Exercises))
	for k := range rf.Exercises {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !slices.Contains(names, k) {
			errs = append(errs, (&UnknownExerciseError{Name: k, Valid: names}))
			continue
		}
		if err := rf.Exercises[k].validate(false); err != nil {
			errs = append(errs, fmt.Errorf("exercises.%s: %w", k, err))
		}
	}
	return errors.Join(errs...)
}

// Apply returns a copy of ex with the override's weights and effort.
func (rf *RubricFile) Apply(ex *Exercise) *Exercise {
	if rf == nil {
		return ex
	}
	out := *ex
	out.Rubric = slices.Clone(ex.Rubric)
	for _, layer := range []*RubricFile{rf, rf.Exercises[ex.Name]} {
		if layer == nil {
			continue
		}
		for i := range out.Rubric {
			if w, ok := layer.Weights[out.Rubric[i].Name]; ok {
				out.Rubric[i].Points = w
			}
		}
		if layer.NativeRuns > 0 {
			out.Effort.NativeRuns = layer.NativeRuns
		}
		if layer.Schedules > 0 {
			out.Effort.Schedules = layer.Schedules
		}
	}
	return &out
}

// DefaultSchedules is how many schedules of the safety workload the
// explorer runs unless a rubric says otherwise.
func DefaultSchedules() int { return kit.DefaultSchedules }
