package grade

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Formats Write knows, besides the text table (package internal/render).
const (
	FormatJSON       = "json"
	FormatGradescope = "gradescope"
	FormatClassroom  = "classroom"
	FormatJUnit      = "junit"
)

// Formats lists the machine formats, in the order help shows them.
func Formats() []string {
	return []string{FormatJSON, FormatGradescope, FormatClassroom, FormatJUnit}
}

// Write writes res in format (one of Formats).
func Write(w io.Writer, res *Result, format string) error {
	var v any
	switch format {
	case FormatJSON:
		v = res
	case FormatGradescope:
		v = Gradescope(res)
	case FormatClassroom:
		v = Classroom(res)
	case FormatJUnit:
		data, err := xml.MarshalIndent(JUnit(res), "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s%s\n", xml.Header, data)
		return err
	default:
		return fmt.Errorf("unknown format %q; valid: text, %s", format, strings.Join(Formats(), ", "))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// checkOutput is the text a format shows for a check: its message, and
// how to reproduce a failure.
func checkOutput(c CheckResult) string {
	out := c.Message
	if !c.Passed() && c.Reproduce != "" {
		out += "\nReproduce: " + c.Reproduce
	}
	return out
}

// summary is the text for the whole submission.
func summary(res *Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d/%d", res.Exercise, res.Score, res.MaxScore)
	if res.Error != "" {
		fmt.Fprintf(&b, "\ngrading failed: %s", res.Error)
	}
	if res.Interrupted {
		b.WriteString("\nnot graded: interrupted (the grading was stopped before it finished)")
	}
	if res.IgnoredCount > 0 {
		list := strings.Join(res.Ignored, ", ")
		if more := res.IgnoredCount - len(res.Ignored); more > 0 {
			list += " and " + Thousands(more) + " more"
		}
		fmt.Fprintf(&b, "\nnot graded (only the exercise's files are): %s", list)
	}
	if res.Native != "" {
		fmt.Fprintf(&b, "\nnative runs: %s; explored schedules: %s", res.Native, res.Explored)
	}
	if res.Sandbox != "" {
		fmt.Fprintf(&b, "\nsandbox: %s", res.Sandbox)
	}
	return b.String()
}

// GradescopeResults is Gradescope's results.json
// (https://gradescope-autograders.readthedocs.io/en/latest/specs/).
type GradescopeResults struct {
	Score         float64          `json:"score"`
	MaxScore      float64          `json:"max_score"`
	ExecutionTime float64          `json:"execution_time"` // seconds
	Output        string           `json:"output"`
	Visibility    string           `json:"visibility"`
	StdoutVis     string           `json:"stdout_visibility"`
	Tests         []GradescopeTest `json:"tests"`
}

// GradescopeTest is one test case of GradescopeResults.
type GradescopeTest struct {
	Name       string  `json:"name"`
	Number     string  `json:"number"`
	Score      float64 `json:"score"`
	MaxScore   float64 `json:"max_score"`
	Status     string  `json:"status"` // "passed" or "failed"
	Output     string  `json:"output"`
	Visibility string  `json:"visibility"`
}

// Gradescope converts res to Gradescope's results.json.
func Gradescope(res *Result) *GradescopeResults {
	g := &GradescopeResults{
		Score: float64(res.Score), MaxScore: float64(res.MaxScore),
		ExecutionTime: res.Elapsed.Seconds(), Output: summary(res),
		Visibility: "visible", StdoutVis: "hidden",
		Tests: []GradescopeTest{},
	}
	for i, c := range res.Checks {
		g.Tests = append(g.Tests, GradescopeTest{
			Name: c.Name, Number: fmt.Sprint(i + 1),
			Score: float64(c.Score), MaxScore: float64(c.MaxScore),
			Status: c.Status, Output: checkOutput(c), Visibility: "visible",
		})
	}
	return g
}

// ClassroomResult is the runner result of GitHub Classroom's autograding
// actions (version 1), which the autograding-grading-reporter action reads,
// base64-encoded, from the environment variable RUNNERID_RESULTS.
type ClassroomResult struct {
	Version  int             `json:"version"`
	Status   string          `json:"status"` // "pass", "fail" or "error"
	MaxScore int             `json:"max_score"`
	Tests    []ClassroomTest `json:"tests"`
}

// ClassroomTest is one test of a ClassroomResult.
type ClassroomTest struct {
	Name          string  `json:"name"`
	Status        string  `json:"status"` // "pass", "fail" or "error"
	Score         int     `json:"score"`
	Message       string  `json:"message"`
	TestCode      string  `json:"test_code"`
	Filename      string  `json:"filename"`
	LineNo        int     `json:"line_no"`
	ExecutionTime float64 `json:"execution_time"`
}

// Classroom converts res to a GitHub Classroom runner result.
func Classroom(res *Result) *ClassroomResult {
	c := &ClassroomResult{Version: 1, Status: "pass", MaxScore: res.MaxScore, Tests: []ClassroomTest{}}
	switch {
	case res.Error != "":
		c.Status = "error"
	case !res.Full():
		c.Status = "fail"
	}
	for _, ch := range res.Checks {
		st := "pass"
		if !ch.Passed() {
			st = "fail"
			if res.Error != "" {
				st = "error"
			}
		}
		c.Tests = append(c.Tests, ClassroomTest{
			Name: ch.Name, Status: st, Score: ch.Score, Message: checkOutput(ch),
			TestCode: "locklab grade " + res.Exercise,
		})
	}
	return c
}

// JUnitSuites is JUnit XML as gotestsum and most CI systems write and
// read it.
type JUnitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []JUnitSuite `xml:"testsuite"`
}

// JUnitSuite is one exercise's grading.
type JUnitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Properties []JUnitProperty `xml:"properties>property"`
	Cases      []JUnitCase     `xml:"testcase"`
	SystemOut  string          `xml:"system-out,omitempty"`
}

// JUnitProperty is a name-value pair of a suite.
type JUnitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// JUnitCase is one check.
type JUnitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *JUnitFailure `xml:"failure,omitempty"`
	Error     *JUnitFailure `xml:"error,omitempty"`
}

// JUnitFailure is a failed (or, for a grading that could not run,
// errored) check.
type JUnitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// JUnit converts res to JUnit XML: one suite, one test case per check.
func JUnit(res *Result) *JUnitSuites {
	secs := fmt.Sprintf("%.3f", res.Elapsed.Seconds())
	s := JUnitSuite{
		Name: "locklab.grade/" + res.Exercise, Time: secs,
		Timestamp: res.Started.UTC().Format("2006-01-02T15:04:05"),
		Properties: []JUnitProperty{
			{Name: "score", Value: fmt.Sprint(res.Score)},
			{Name: "max_score", Value: fmt.Sprint(res.MaxScore)},
		},
		SystemOut: summary(res),
	}
	for _, c := range res.Checks {
		jc := JUnitCase{Classname: "locklab.grade/" + res.Exercise, Name: c.Name, Time: "0.000"}
		if !c.Passed() {
			f := &JUnitFailure{
				Message: fmt.Sprintf("%s: %d/%d points", c.Name, c.Score, c.MaxScore),
				Type:    "failed", Text: checkOutput(c),
			}
			if res.Error != "" {
				f.Type = "error"
				jc.Error = f
				s.Errors++
			} else {
				jc.Failure = f
				s.Failures++
			}
		}
		s.Cases = append(s.Cases, jc)
		s.Tests++
	}
	return &JUnitSuites{Tests: s.Tests, Failures: s.Failures, Errors: s.Errors, Time: secs, Suites: []JUnitSuite{s}}
}

// Thousands writes n with its digits in groups of three: 9,990.
func Thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
