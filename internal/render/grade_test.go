package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/locklab/locklab/grade"
)

func gradeFixture() *grade.Result {
	ex, _ := grade.Lookup("bank")
	res := &grade.Result{Exercise: "bank", Dir: "exercises/bank", Ignored: []string{"notes.txt"}, IgnoredCount: 1}
	for _, c := range ex.Rubric {
		cr := grade.CheckResult{Name: c.Name, Status: grade.StatusPassed, Score: c.Points, MaxScore: c.Points, Gate: c.Gate, Means: c.Means, Message: "ok", Reproduce: c.Reproduce}
		if c.Name == grade.CheckSchedules {
			cr.Status, cr.Score = grade.StatusFailed, 0
			cr.Message = "schedule 3 ends in deadlock\nclerk 0 holds account 1, waits for account 2"
			cr.Reproduce = "locklab grade bank --replay ll1-abc"
		}
		res.Checks = append(res.Checks, cr)
		res.Score += cr.Score
		res.MaxScore += c.Points
	}
	return res
}

func TestGrade(t *testing.T) {
	var buf bytes.Buffer
	if err := Grade(&buf, gradeFixture(), Style{}); err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	for _, want := range []string{
		"Exercise bank  exercises/bank\n",
		"  CHECK      RESULT  POINTS  MEANS\n",
		"  schedules  FAIL    0/30    every schedule",
		"  builds     pass    gate",
		"✗ schedules\n    schedule 3 ends in deadlock\n    clerk 0 holds account 1, waits for account 2\n    reproduce: locklab grade bank --replay ll1-abc\n",
		"Not graded (only the exercise's own files are): notes.txt\n",
		"\nScore: 70/100\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Grade output lacks %q; got\n%s", want, got)
		}
	}
	if strings.Contains(got, "\x1b[") {
		t.Errorf("Grade with the plain style wrote escape sequences")
	}
	for _, l := range strings.Split(got, "\n") {
		if strings.TrimRight(l, " ") != l {
			t.Errorf("line %q ends in blanks", l)
		}
	}
	buf.Reset()
	if err := Grade(&buf, gradeFixture(), Style{Color: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "\x1b[1;31mFAIL\x1b[0m") {
		t.Errorf("Grade with color does not paint FAIL red")
	}
}

func TestExerciseList(t *testing.T) {
	var buf bytes.Buffer
	if err := ExerciseList(&buf, grade.Catalog(), Style{}); err != nil {
		t.Fatal(err)
	}
	if want := "EXERCISE      POINTS  FILES            TASK\ncounter       100     counter.go       A shared counter\n"; !strings.HasPrefix(buf.String(), want) {
		t.Errorf("ExerciseList = %q; want it to start %q", buf.String(), want)
	}
	buf.Reset()
	if err := ExerciseListJSON(&buf, grade.Catalog()); err != nil {
		t.Fatal(err)
	}
	var exs []grade.Exercise
	want := len(grade.Catalog())
	if err := json.Unmarshal(buf.Bytes(), &exs); err != nil || len(exs) != want || want == 0 {
		t.Errorf("ExerciseListJSON = %d exercises, %v; want %d", len(exs), err, want)
	}
}
