package grade

import (
	"fmt"
	"slices"
	"strings"
)

// Names of the rubric's checks, the same for every exercise.
const (
	CheckBuilds    = "builds"
	CheckRaceFree  = "race-free"
	CheckSchedules = "schedules"
	CheckProgress  = "progress"
	CheckNoLeaks   = "no-leaks"
	CheckForbidden = "forbidden"
)

// Check is one line of a rubric.
type Check struct {
	Name      string `json:"name"`
	Points    int    `json:"points"`
	Means     string `json:"means"`     // what passing it means
	Reproduce string `json:"reproduce"` // how a student reproduces a failure
	// ByGrader is true for the checks the grader decides itself (builds,
	// forbidden); the others are reported by the checks program.
	ByGrader bool `json:"by_grader"`
}

// Exercise is one gradable exercise.
type Exercise struct {
	Name  string   `json:"name"`
	Title string   `json:"title"`
	Task  string   `json:"task"`
	Files []string `json:"files"` // the files of exercises/NAME the student edits; only these are graded
	// Rubric is the checks in the order they are reported.
	Rubric []Check `json:"rubric"`
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
	return []Check{
		{Name: CheckBuilds, Points: 10, ByGrader: true,
			Means:     "the allowed files compile, with -race, against the exercise's checks",
			Reproduce: "go build -race ./exercises/" + name},
		{Name: CheckRaceFree, Points: 20,
			Means:     "no data race is reported by the race detector over repeated native runs",
			Reproduce: "locklab grade " + name + " (the message gives the two accesses)"},
		{Name: CheckSchedules, Points: 30,
			Means:     "no deadlock and no broken invariant in the schedules explored by the controlled scheduler",
			Reproduce: "locklab grade " + name + " (the message gives a replay token)"},
		{Name: CheckProgress, Points: 15,
			Means:     "every worker makes progress: no starvation, no livelock, no stall",
			Reproduce: "locklab grade " + name},
		{Name: CheckNoLeaks, Points: 10,
			Means:     "no goroutine is left running after the work is done",
			Reproduce: "locklab grade " + name},
		{Name: CheckForbidden, Points: 15, ByGrader: true,
			Means:     "none of os.Exit, syscall.Exit, func init, func TestMain, //go:linkname, imports of unsafe, syscall, os/exec or plugin, and no package-level variable initialized by a function call",
			Reproduce: "locklab grade " + name + " (the message gives file:line)"},
	}
}

// Catalog returns the exercises in curriculum order.
func Catalog() []*Exercise {
	return []*Exercise{
		{Name: "counter", Title: "A shared counter",
			Task:   "Make concurrent increments of a shared counter safe: no lost update, no data race.",
			Files:  []string{"counter.go"},
			Rubric: rubric("counter")},
		{Name: "bank", Title: "Bank transfers",
			Task:   "Implement Transfer between two accounts so that money is conserved, no account is overdrawn, and concurrent transfers in opposite directions cannot deadlock.",
			Files:  []string{"bank.go"},
			Rubric: rubric("bank")},
		{Name: "philosophers", Title: "Dining philosophers",
			Task:   "Let every philosopher eat with two forks without deadlock, livelock or starvation.",
			Files:  []string{"philosophers.go"},
			Rubric: rubric("philosophers")},
	}
}

// UnknownExerciseError is returned for an exercise name not in the
// catalog.
type UnknownExerciseError struct {
	Name  string
	Valid []string
}

func (e *UnknownExerciseError) Error() string {
	return fmt.Sprintf("unknown exercise %q; valid: %s", e.Name, strings.Join(e.Valid, ", "))
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
