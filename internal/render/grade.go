package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/locklab/locklab/grade"
	"github.com/locklab/locklab/labs"
)

// GradeCommand returns the command line that grades a submission.
func GradeCommand(exercise string) string { return "locklab grade " + exercise }

// Grade writes a grading for a student: a table of the rubric's checks
// (status, points, what it means), then each failed check's message and
// how to reproduce it, then the total.
func Grade(w io.Writer, res *grade.Result, st Style) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %s\n\n", st.paint(bold, "Exercise "+res.Exercise), st.paint(dim, res.Dir))
	if res.Error != "" {
		fmt.Fprintf(&b, "%s %s\n\n", st.paint(boldRed, "Grading could not run:"), res.Error)
	}
	if res.Interrupted {
		fmt.Fprintf(&b, "%s %s\n\n", st.paint(boldYellow, "INTERRUPTED:"), "the grading was stopped before it finished; the checks not graded say so.")
	}
	t := table{indent: 2, head: []string{"CHECK", "RESULT", "POINTS", "MEANS"}}
	for _, ch := range res.Checks {
		status := cp(boldGreen, "pass")
		if !ch.Passed() {
			status = cp(boldRed, "FAIL")
		}
		points := c(fmt.Sprintf("%d/%d", ch.Score, ch.MaxScore))
		if ch.Gate {
			points = cp(dim, "gate")
		}
		t.row(c(ch.Name), status, points, cp(dim, ch.Means))
	}
	t.write(&b, st)
	for _, ch := range res.Checks {
		if ch.Passed() {
			continue
		}
		fmt.Fprintf(&b, "\n%s %s\n", st.paint(boldRed, "✗"), st.paint(bold, ch.Name))
		for _, l := range strings.Split(strings.TrimSpace(ch.Message), "\n") {
			fmt.Fprintf(&b, "    %s\n", l)
		}
		if ch.Reproduce != "" {
			fmt.Fprintf(&b, "    %s %s\n", st.paint(dim, "reproduce:"), ch.Reproduce)
		}
	}
	if res.IgnoredCount > 0 {
		list := strings.Join(res.Ignored, ", ")
		if more := res.IgnoredCount - len(res.Ignored); more > 0 {
			list += " and " + grade.Thousands(more) + " more"
		}
		fmt.Fprintf(&b, "\n%s %s\n", st.paint(dim, "Not graded (only the exercise's own files are):"), list)
	}
	score := fmt.Sprintf("Score: %d/%d", res.Score, res.MaxScore)
	p := boldGreen
	if !res.Full() {
		p = boldYellow
	}
	fmt.Fprintf(&b, "\n%s\n", st.paint(p, score))
	return writeString(w, &b)
}

// GradeReplay writes a schedule a failed check reported, replayed: what
// it ended in and every step, with the submission's own files and lines
// and the values its shared reads and writes saw.
func GradeReplay(w io.Writer, res *grade.Result, st Style) error {
	var b strings.Builder
	f := res.Replay
	fmt.Fprintf(&b, "%s  %s\n", st.paint(bold, "Exercise "+res.Exercise), st.paint(dim, res.Dir))
	b.WriteString("one explored schedule, replayed from its token under the controlled scheduler\n\n")
	s := &labs.Scenario{Name: res.Exercise, Workers: "worker", Ops: "call"}
	if f.Outcome.Problem() {
		fmt.Fprintf(&b, "%s %s\n\n", st.paint(boldRed, "FAILED:"), "the schedule ends in "+outcomeText(f.Outcome)+".")
	} else {
		fmt.Fprintf(&b, "%s %s\n\n", st.paint(boldGreen, "OK:"), "the schedule ran to its end: every worker finished and every invariant held (the code was changed since the token was made?).")
	}
	files := map[string]bool{}
	for _, e := range f.Trace {
		if e.At.File != "" && !files[e.At.File] && !strings.Contains(e.At.File, "kit/") {
			files[e.At.File] = true
			fmt.Fprintf(&b, "%s %s\n\n", st.paint(bold, "File:"), e.At.File)
		}
	}
	v := &labs.Variant{Name: "grade", Kind: labs.Fixed}
	f2 := *f
	f2.Token = ""
	failure(&b, s, v, &f2, "", st)
	fmt.Fprintf(&b, "%s the token replays exactly this schedule, step for step.\n", st.paint(dim, "Note:"))
	return writeString(w, &b)
}

// ExerciseListJSON writes the exercises, with their rubrics, as JSON.
func ExerciseListJSON(w io.Writer, exs []*grade.Exercise) error {
	return writeJSON(w, exs)
}

// ExerciseList writes the exercises as a table: name, points, files the
// student edits, title, and how to grade one.
func ExerciseList(w io.Writer, exs []*grade.Exercise, st Style) error {
	var b strings.Builder
	t := table{head: []string{"EXERCISE", "POINTS", "FILES", "TASK"}}
	for _, e := range exs {
		t.row(cp(bold, e.Name), c(fmt.Sprint(e.MaxScore())), c(strings.Join(e.Files, ", ")), c(e.Title))
	}
	t.write(&b, st)
	if len(exs) > 0 {
		fmt.Fprintf(&b, "\nEdit exercises/NAME/, then: %s\n", GradeCommand("NAME"))
	}
	return writeString(w, &b)
}
