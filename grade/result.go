package grade

import "time"

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
	// Forbidden are the forbidden constructs found.
	Forbidden []Violation `json:"forbidden"`
	// Ignored are files of the submission directory that were not graded
	// (only the exercise's allowed files are).
	Ignored []string `json:"ignored"`
	// Error is set when grading could not be carried out (no toolchain);
	// every check is then failed.
	Error string `json:"error,omitempty"`
	// Build is the compiler's output when the build failed.
	Build string `json:"build,omitempty"`
	// Exit says how the checks program ended: "exit status 0", "killed:
	// time limit 1m0s", ...; empty when it was not run.
	Exit string `json:"exit,omitempty"`
	// Stdout and Stderr are the checks program's output, capped.
	Stdout  string    `json:"stdout,omitempty"`
	Stderr  string    `json:"stderr,omitempty"`
	Started time.Time `json:"started"`
	// Elapsed is the wall time of the whole grading, build included.
	Elapsed time.Duration `json:"elapsed_ns"`
	// BuildTime and RunTime split Elapsed.
	BuildTime time.Duration `json:"build_ns"`
	RunTime   time.Duration `json:"run_ns"`
}

// Full reports whether the submission earned every point.
func (r *Result) Full() bool { return r.Error == "" && r.Score == r.MaxScore }

// Check returns the result of check name, or nil.
func (r *Result) Check(name string) *CheckResult {
	for i := range r.Checks {
		if r.Checks[i].Name == name {
			return &r.Checks[i]
		}
	}
	return nil
}

func newResult(ex *Exercise, dir string) *Result {
	r := &Result{Exercise: ex.Name, Dir: dir, MaxScore: ex.MaxScore(), Forbidden: []Violation{}, Ignored: []string{}}
	for _, c := range ex.Rubric {
		r.Checks = append(r.Checks, CheckResult{Name: c.Name, Status: StatusFailed, MaxScore: c.Points, Means: c.Means, Reproduce: withDir(c.Reproduce, ex.Name, dir), Message: "not run"})
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
	}
}

// failRest fails every check not yet passed whose message is still "not
// run", with msg.
func (r *Result) failRest(msg string) {
	for i := range r.Checks {
		if c := &r.Checks[i]; c.Status != StatusPassed && c.Message == "not run" {
			c.Message = msg
		}
	}
}

func (r *Result) total() {
	r.Score = 0
	for _, c := range r.Checks {
		r.Score += c.Score
	}
}
