package grade

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

// fixture is a graded submission that lost the race-free check.
func fixture(errMsg string) *Result {
	ex, _ := Lookup("counter")
	r := newResult(ex, "exercises/counter")
	r.Started = time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	r.Elapsed = 1500 * time.Millisecond
	for _, c := range ex.Rubric {
		r.set(c.Name, c.Name != CheckRaceFree, "ok")
	}
	r.set(CheckRaceFree, false, "1 data race(s)\nwrite by worker 1 at counter.go:9 / write by worker 2 at counter.go:9")
	if errMsg != "" {
		r.Error = errMsg
		for i := range r.Checks {
			r.set(r.Checks[i].Name, false, "not run: "+errMsg)
		}
	}
	r.total()
	return r
}

func TestGradescope(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, fixture(""), FormatGradescope); err != nil {
		t.Fatal(err)
	}
	// The spec's fields and types, decoded generically.
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got["score"] != 80.0 || got["max_score"] != 100.0 || got["execution_time"] != 1.5 {
		t.Errorf("score, max_score, execution_time = %v, %v, %v; want 80, 100, 1.5", got["score"], got["max_score"], got["execution_time"])
	}
	tests, _ := got["tests"].([]any)
	if len(tests) != 7 {
		t.Fatalf("%d tests; want 7", len(tests))
	}
	sum := 0.0
	for i, x := range tests {
		tc := x.(map[string]any)
		for _, k := range []string{"name", "number", "score", "max_score", "status", "output", "visibility"} {
			if _, ok := tc[k]; !ok {
				t.Errorf("test %d has no %q: %v", i, k, tc)
			}
		}
		if st := tc["status"]; st != "passed" && st != "failed" {
			t.Errorf("test %d status = %v; want passed or failed", i, st)
		}
		if tc["visibility"] != "visible" {
			t.Errorf("test %d visibility = %v; want visible", i, tc["visibility"])
		}
		sum += tc["score"].(float64)
	}
	if sum != 80 {
		t.Errorf("sum of test scores = %v; want 80 (the top-level score)", sum)
	}
	rf := tests[3].(map[string]any)
	if rf["name"] != CheckRaceFree || rf["status"] != "failed" || !strings.Contains(rf["output"].(string), "counter.go:9") {
		t.Errorf("race-free test = %v; want failed with the race's line", rf)
	}
}

func TestClassroom(t *testing.T) {
	tests := []struct {
		name       string
		res        *Result
		status     string
		testStatus string // of race-free
	}{
		{"points lost", fixture(""), "fail", "fail"},
		{"grading error", fixture("no C compiler"), "error", "error"},
	}
	full := fixture("")
	full.set(CheckRaceFree, true, "ok")
	full.total()
	tests = append(tests, struct {
		name       string
		res        *Result
		status     string
		testStatus string
	}{"full marks", full, "pass", "pass"})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, tt.res, FormatClassroom); err != nil {
				t.Fatal(err)
			}
			var got ClassroomResult
			dec := json.NewDecoder(&buf)
			dec.DisallowUnknownFields()
			if err := dec.Decode(&got); err != nil {
				t.Fatal(err)
			}
			if got.Version != 1 || got.Status != tt.status || got.MaxScore != 100 || len(got.Tests) != 7 {
				t.Errorf("version, status, max_score, tests = %d, %q, %d, %d; want 1, %q, 100, 7", got.Version, got.Status, got.MaxScore, len(got.Tests), tt.status)
			}
			sum := 0
			for _, tc := range got.Tests {
				sum += tc.Score
			}
			if sum != tt.res.Score {
				t.Errorf("sum of test scores = %d; want %d (the reporter adds them up)", sum, tt.res.Score)
			}
			if got.Tests[3].Name != CheckRaceFree || got.Tests[3].Status != tt.testStatus {
				t.Errorf("tests[3] = %+v; want %s with status %s", got.Tests[3], CheckRaceFree, tt.testStatus)
			}
		})
	}
}

func TestJUnit(t *testing.T) {
	tests := []struct {
		name               string
		res                *Result
		failures, errors   int
		failedCaseElements string
	}{
		{"points lost", fixture(""), 1, 0, "failure"},
		{"grading error", fixture("no C compiler"), 0, 7, "error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, tt.res, FormatJUnit); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(buf.String(), xml.Header) {
				t.Errorf("output starts %q; want the XML header", buf.String()[:20])
			}
			// Decode with a schema of our own, as a consumer would.
			var got struct {
				XMLName  xml.Name `xml:"testsuites"`
				Tests    int      `xml:"tests,attr"`
				Failures int      `xml:"failures,attr"`
				Errors   int      `xml:"errors,attr"`
				Suites   []struct {
					Name  string `xml:"name,attr"`
					Tests int    `xml:"tests,attr"`
					Cases []struct {
						Name    string `xml:"name,attr"`
						Class   string `xml:"classname,attr"`
						Failure *struct {
							Message string `xml:"message,attr"`
							Text    string `xml:",chardata"`
						} `xml:"failure"`
						Error *struct {
							Message string `xml:"message,attr"`
						} `xml:"error"`
					} `xml:"testcase"`
				} `xml:"testsuite"`
			}
			if err := xml.Unmarshal(buf.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if got.Tests != 7 || got.Failures != tt.failures || got.Errors != tt.errors || len(got.Suites) != 1 || len(got.Suites[0].Cases) != 7 {
				t.Fatalf("tests, failures, errors, suites = %d, %d, %d, %d; want 7, %d, %d, 1", got.Tests, got.Failures, got.Errors, len(got.Suites), tt.failures, tt.errors)
			}
			rf := got.Suites[0].Cases[3]
			if rf.Name != CheckRaceFree || rf.Class != "locklab.grade/counter" {
				t.Errorf("case 1 = %s %s; want %s in locklab.grade/counter", rf.Class, rf.Name, CheckRaceFree)
			}
			switch tt.failedCaseElements {
			case "failure":
				if rf.Failure == nil || !strings.Contains(rf.Failure.Text, "counter.go:9") || rf.Failure.Message != "race-free: 0/20 points" {
					t.Errorf("race-free failure = %+v; want one with the race's line", rf.Failure)
				}
			case "error":
				if rf.Error == nil {
					t.Errorf("race-free has no <error>")
				}
			}
		})
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	err := Write(&bytes.Buffer{}, fixture(""), "yaml")
	if err == nil || !strings.Contains(err.Error(), `unknown format "yaml"; valid: text, json, gradescope, classroom, junit`) {
		t.Errorf("Write(yaml) = %v; want an unknown format error", err)
	}
}

func TestWriteJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, fixture(""), FormatJSON); err != nil {
		t.Fatal(err)
	}
	var got Result
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Score != 80 || len(got.Checks) != 7 || got.Violations == nil || got.Ignored == nil {
		t.Errorf("round trip = score %d, %d checks, violations %v, ignored %v; want 80, 7, [], []", got.Score, len(got.Checks), got.Violations, got.Ignored)
	}
}
