package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/locklab/locklab/grade"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/explore"
)

func TestGradeUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"grade"}, "locklab grade takes one exercise (" + strings.Join(exerciseNames(), ", ") + "), got 0 arguments"},
		{[]string{"grade", "bank", "counter"}, "locklab grade takes one exercise (" + strings.Join(exerciseNames(), ", ") + "), got 2 arguments"},
		{[]string{"grade", "nope"}, `unknown exercise "nope"; valid: ` + strings.Join(exerciseNames(), ", ")},
		{[]string{"grade", "bank", "--format", "yaml"}, `unknown format "yaml"; valid: text, json, gradescope, classroom, junit`},
		{[]string{"grade", "bank", "--timeout", "0s"}, "--timeout must be positive, got 0s"},
		{[]string{"grade", "bank", "--timeout", "soon"}, `--timeout: "soon" is not a duration`},
		{[]string{"grade", "bank", "--dir", "/nonexistent/bank"}, "--dir /nonexistent/bank: no submission directory there"},
		{[]string{"exercise", "list", "extra"}, "extra"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := locklab(t, tt.args...)
			if code != exitError {
				t.Errorf("exit status %d; want %d (stderr %q)", code, exitError, stderr)
			}
			if !strings.Contains(stderr, tt.want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("stderr = %q; want one line containing %q", stderr, tt.want)
			}
			if stdout != "" {
				t.Errorf("stdout = %q; want nothing", stdout)
			}
		})
	}
}

func TestGradeOptions(t *testing.T) {
	deps, _, _ := testDeps()
	var got *GradeOptions
	cmd := NewCmdGrade(deps, func(o *GradeOptions) error { got = o; return nil })
	dir := t.TempDir()
	out := filepath.Join(dir, "r.xml")
	cmd.SetArgs([]string{"bank", "--dir", dir, "--format", "junit", "--out", out, "--timeout", "30s"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Exercise.Name != "bank" || got.Dir != dir || got.Format != "junit" || got.Out != out || got.Timeout != 30*time.Second {
		t.Errorf("options = %+v; want bank, %s, junit, %s, 30s", got, dir, out)
	}
}

func TestExerciseList(t *testing.T) {
	code, stdout, _ := locklab(t, "exercise", "list")
	if code != exitOK || !strings.Contains(stdout, "counter       100     counter.go") || !strings.Contains(stdout, "locklab grade NAME") {
		t.Errorf("exercise list = %d, %q; want 0 and a table", code, stdout)
	}
	code, stdout, _ = locklab(t, "exercise", "list", "--json")
	var exs []grade.Exercise
	if err := json.Unmarshal([]byte(stdout), &exs); err != nil || code != exitOK {
		t.Fatalf("exercise list --json = %d, %v", code, err)
	}
	if len(exs) != len(grade.Catalog()) || len(exs) < 3 || len(exs[1].Rubric) != 7 || exs[1].Files[0] != "bank.go" {
		t.Errorf("exercise list --json = %d exercises; want the catalog's %d, bank second with 7 checks", len(exs), len(grade.Catalog()))
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "results.json")
	for _, content := range []string{"first", "second"} {
		if err := writeFileAtomic(name, []byte(content)); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(name); string(got) != content {
			t.Errorf("file = %q; want %q", got, content)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries; want only results.json (no temporary left)", len(entries))
	}
	if err := writeFileAtomic(filepath.Join(dir, "no", "such", "dir"), []byte("x")); err == nil || !strings.HasPrefix(err.Error(), "--out "+filepath.Join(dir, "no", "such", "dir")+": ") {
		t.Errorf("writeFileAtomic(missing dir) = %v; want an --out error", err)
	}
}

func TestGradeRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs submissions with -race; skipped with -short")
	}
	subs := filepath.Join("..", "..", "testdata", "submissions", "counter")
	out := filepath.Join(t.TempDir(), "results.json")
	code, stdout, stderr := locklab(t, "grade", "counter", "--dir", filepath.Join(subs, "reference"), "--format", "gradescope", "--out", out)
	if code != exitOK || stdout != "" {
		t.Fatalf("grade reference = %d, stdout %q, stderr %q; want 0 and nothing on stdout", code, stdout, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var gs grade.GradescopeResults
	if err := json.Unmarshal(data, &gs); err != nil || gs.Score != 100 || len(gs.Tests) != 7 {
		t.Errorf("results.json = %+v, %v; want score 100 and 7 tests", gs, err)
	}
	code, stdout, _ = locklab(t, "grade", "counter", "--dir", filepath.Join(subs, "unsynchronized"))
	if code != exitProblem || !strings.Contains(stdout, "race-free  FAIL    0/20") || !strings.Contains(stdout, "Score: 0/100") {
		t.Errorf("grade unsynchronized = %d, %q; want 1 and race-free failed", code, stdout)
	}
}

// gradeJSON grades dir for ex with --json and returns the result.
func gradeJSON(t *testing.T, ex, dir string) (*grade.Result, int) {
	t.Helper()
	code, stdout, stderr := locklab(t, "grade", ex, "--dir", dir, "--json")
	var res grade.Result
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("grade %s --json: %v (exit %d, stderr %q)", dir, err, code, stderr)
	}
	return &res, code
}

func TestGradeReplay(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs submissions with -race; skipped with -short")
	}
	dir := filepath.Join("..", "..", "testdata", "submissions", "counter", "split")
	res, code := gradeJSON(t, "counter", dir)
	sched := res.Check(grade.CheckSchedules)
	if code != exitProblem || sched == nil || !strings.Contains(sched.Reproduce, " --replay ll1-") {
		t.Fatalf("grade split = %d, %+v; want 1 and a replay command", code, sched)
	}
	f := strings.Fields(sched.Reproduce)
	token := f[len(f)-1]

	code, stdout, stderr := locklab(t, "grade", "counter", "--dir", dir, "--replay", token)
	if code != exitProblem || !strings.Contains(stdout, "FAILED: the schedule ends in a broken invariant") ||
		!strings.Contains(stdout, "File: "+filepath.ToSlash(filepath.Join(dir, "counter.go"))) || !strings.Contains(stdout, "counter.go:1") ||
		!strings.Contains(stdout, "c.N = ") || !strings.Contains(stdout, "overwrites") {
		t.Errorf("replay = %d, %q, %q; want 1, the failure, the student's lines and the values read", code, stdout, stderr)
	}
	// --json and --out are honoured.
	out := filepath.Join(t.TempDir(), "replay.json")
	code, stdout, _ = locklab(t, "grade", "counter", "--dir", dir, "--replay", token, "--json", "--out", out)
	var rr grade.Result
	data, _ := os.ReadFile(out)
	if err := json.Unmarshal(data, &rr); code != exitProblem || stdout != "" || err != nil || rr.Replay == nil || !rr.Replay.Outcome.Problem() {
		t.Errorf("replay --json --out = %d, stdout %q, file %v: %+v; want 1 and the replayed failure in the file", code, stdout, err, rr.Replay)
	}
	// Replayed against other code, the token's schedule does not fit it:
	// a usage error that says so.
	ref := filepath.Join("..", "..", "testdata", "submissions", "counter", "reference")
	if code, _, stderr := locklab(t, "grade", "counter", "--dir", ref, "--replay", token); code != exitError || !strings.Contains(stderr, "does not fit this submission") {
		t.Errorf("replay on the reference = %d, %q; want 2 and why", code, stderr)
	}
}

func TestGradeReplayBadToken(t *testing.T) {
	// A well-formed token of locklab explore, not of grade.
	foreign := (&explore.Token{Scenario: "bank", Variant: "from-then-to", Config: labs.Config{Workers: 2, Ops: 1, Seed: 1}, MaxSteps: 10000}).Encode()
	tests := []struct{ token, want string }{
		{"nonsense", "bad replay token: it is not a replay token"},
		{"ll1-AAAA", "bad replay token: it is not a replay token"},
		{foreign, "bad replay token: it is not from locklab grade bank"},
	}
	for _, tt := range tests {
		code, stdout, stderr := locklab(t, "grade", "bank", "--dir", t.TempDir(), "--replay", tt.token)
		if code != exitError || stdout != "" || !strings.Contains(stderr, tt.want) || strings.Count(stderr, "\n") != 1 ||
			strings.Contains(stderr, "safety") || strings.Contains(stderr, "liveness") {
			t.Errorf("replay %q = %d, %q, %q; want 2 and one line naming no internal variant", tt.token, code, stdout, stderr)
		}
	}
	if code, _, stderr := locklab(t, "grade", "bank", "--dir", t.TempDir(), "--replay", foreign, "--format", "junit"); code != exitError || !strings.Contains(stderr, "--replay writes text or json") {
		t.Errorf("replay --format junit = %d, %q; want 2", code, stderr)
	}
}

func TestGradeRubricError(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "rubric.json")
	os.WriteFile(bad, []byte(`{"weightz": {}}`), 0o644)
	code, _, stderr := locklab(t, "grade", "bank", "--rubric", bad)
	if code != exitError || !strings.Contains(stderr, `rubric `+bad+`: unknown field "weightz"`) || strings.Contains(stderr, ": json: ") {
		t.Errorf("grade --rubric (bad) = %d, %q; want 2 and what is wrong, without the decoder's name", code, stderr)
	}
}
