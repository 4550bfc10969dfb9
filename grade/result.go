package grade

import (
	"time"

	"github.com/locklab/locklab/grade/instrument"
	"github.com/locklab/locklab/labs/explore"
)

// Status of a check.
const (
	StatusPassed = "passed"
	StatusFailed = "failed"
)

// CheckResult is how a submission did on one check of the rubric.
type CheckResult struct {
	Name      string `json:"name"`
	Status    string `json:"status"` // StatusPassed or StatusFailed
	Score     int    `json:"score"`
	MaxScore  int    `json:"max_score"`
	Gate      bool   `json:"gate,omitempty"`
	Means     string `json:"means"`
	Message   string `json:"message,omitempty"`
	Reproduce string `json:"reproduce,omitempty"`
}

// Passed reports whether the check passed.
func (c *CheckResult) Passed() bool { return c.Status == StatusPassed }

// Result is a complete grading of one submission. Every check of the
// rubric is present, in the rubric's order, whatever happened.
type Result struct {
	Exercise string        `json:"exercise"`
	Dir      string        `json:"dir"`
	Score    int           `json:"score"`
	MaxScore int           `json:"max_score"`
	Checks   []CheckResult `json:"checks"`
	// Violations are the constructs outside the allow-list.
	Violations []instrument.Violation `json:"violations"`
	// Ignored are files of the submission directory that were not graded
	// (only the exercise's allowed files are), the first few of them;
	// IgnoredCount counts them all.
	Ignored      []string `json:"ignored"`
	IgnoredCount int      `json:"ignored_count"`
	// Sandbox is the isolation the submission's processes ran in, and
	// why ("namespaces", "uid: user namespaces refused ...").
	Sandbox string `json:"sandbox,omitempty"`
	// Error is set when grading could not be carried out (no toolchain);
	// every check is then failed.
	Error string `json:"error,omitempty"`
	// Interrupted is set when the grading was stopped (a signal) before
	// it finished; the checks not graded say so.
	Interrupted bool `json:"interrupted,omitempty"`
	// Build is the compiler's output when the build failed.
	Build string `json:"build,omitempty"`
	// Native and Explored say how the checks programs ended: "exit status
	// 0", "killed: time limit 1m0s", ...; empty when not run.
	Native   string `json:"native,omitempty"`
	Explored string `json:"explored,omitempty"`
	// Stdout and Stderr are the checks programs' output, capped: the
	// submission's own output, among other things.
	Stdout  string    `json:"stdout,omitempty"`
	Stderr  string    `json:"stderr,omitempty"`
	Started time.Time `json:"started"`
	// Elapsed is the wall time of the whole grading, build included.
	Elapsed time.Duration `json:"elapsed_ns"`
	// BuildTime and RunTime split Elapsed.
	BuildTime time.Duration `json:"build_ns"`
	RunTime   time.Duration `json:"run_ns"`
	// Replay is the replayed schedule, for a grading with Options.Replay;
	// ReplayError says why it could not be replayed.
	Replay      *explore.Failure `json:"replay,omitempty"`
	ReplayError string           `json:"replay_error,omitempty"`
}

// Full reports whether the submission earned every point.
func (r *Result) Full() bool { return r.Error == "" && !r.Interrupted && r.Score == r.MaxScore }

// Check returns the result of check name, or nil.
func (r *Result) Check(name string) *CheckResult {
	for i := range r.Checks {
		if r.Checks[i].Name == name {
			return &r.Checks[i]
		}
	}
	return nil
}

const notRun = "not run"

func newResult(ex *Exercise, dir string) *Result {
	r := &Result{Exercise: ex.Name, Dir: dir, MaxScore: ex.MaxScore(), Violations: []instrument.Violation{}, Ignored: []string{}}
	for _, c := range ex.Rubric {
		r.Checks = append(r.Checks, CheckResult{Name: c.Name, Status: StatusFailed, MaxScore: c.Points, Gate: c.Gate, Means: c.Means,
			Reproduce: withDir(c.Reproduce, ex.Name, dir), Message: notRun})
	}
	return r
}

func (r *Result) set(name string, pass bool, msg string) {
	c := r.Check(name)
	if c == nil {
		return
	}
	c.Status, c.Score, c.Message = StatusFailed, 0, msg
	if pass {
		c.Status, c.Score = StatusPassed, c.MaxScore
		c.Reproduce = ""
	}
}

// failRest sets msg on every check still not run.
func (r *Result) failRest(msg string) {
	for i := range r.Checks {
		if c := &r.Checks[i]; c.Message == notRun {
			c.Message = msg
		}
	}
}

// total adds up the score. A failed gate scores the whole submission 0.
func (r *Result) total() {
	r.Score = 0
	for _, c := range r.Checks {
		if c.Gate && !c.Passed() {
			for i := range r.Checks {
				r.Checks[i].Score = 0
			}
			r.Score = 0
			return
		}
		r.Score += c.Score
	}
}
