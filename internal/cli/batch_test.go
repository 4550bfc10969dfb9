package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/locklab/locklab/grade"
)

// fakeGrader grades by the submission's name, instantly: full-* scores
// 100, lost-* 85, broken fails.
type fakeGrader struct {
	mu    sync.Mutex
	calls int
}

func (f *fakeGrader) grade(ctx context.Context, ex *grade.Exercise, dir string, _ grade.Options) (*grade.Result, error) {
	f.mu.Lock()
	f.calls++
	f.mu.Unlock()
	name := filepath.Base(dir)
	if name == "broken" {
		return nil, errors.New("grade: the scratch disk is full")
	}
	res := &grade.Result{Exercise: ex.Name, Dir: dir, MaxScore: ex.MaxScore(), Elapsed: time.Millisecond}
	for _, c := range ex.Rubric {
		cr := grade.CheckResult{Name: c.Name, Status: grade.StatusPassed, Score: c.Points, MaxScore: c.Points, Gate: c.Gate, Means: c.Means}
		if strings.HasPrefix(name, "lost") && c.Name == grade.CheckNoLeaks {
			cr.Status, cr.Score, cr.Message = grade.StatusFailed, 0, "a goroutine leaked"
		}
		res.Checks = append(res.Checks, cr)
		res.Score += cr.Score
	}
	return res, nil
}

func makeClass(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		os.MkdirAll(filepath.Join(dir, n), 0o755)
		os.WriteFile(filepath.Join(dir, n, "bank.go"), []byte("package bank // "+n+"\n"), 0o644)
	}
	return dir
}

// gradeLocklab runs the command line with a fake grader.
func gradeLocklab(t *testing.T, f *fakeGrader, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	deps, out, errOut := testDeps()
	deps.Grade = f.grade
	code = execute(context.Background(), deps, args)
	return code, out.String(), errOut.String()
}

func TestGradeBatch(t *testing.T) {
	class := makeClass(t, "full-alice", "lost-bob", "full-carol")
	os.WriteFile(filepath.Join(class, "roster.txt"), nil, 0o644)
	tmp := t.TempDir()
	results := filepath.Join(tmp, "results")
	book := filepath.Join(tmp, "gradebook.csv")
	f := &fakeGrader{}
	code, stdout, stderr := gradeLocklab(t, f, "grade", "bank", "--batch", class, "--results", results, "--out", book, "--format", "gradescope")
	if code != exitProblem || stderr != "" {
		t.Fatalf("grade --batch = %d, stderr %q; want 1 (bob lost points) and nothing on stderr", code, stderr)
	}
	for _, want := range []string{"SUBMISSION", "lost-bob", "85/100", "bank 3 submissions: 2 full marks, 1 lost points; mean 95.0/100", "not submissions (only subdirectories are): roster.txt"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	csv, _ := os.ReadFile(book)
	wantCSV := "submission,score,max_score,allowed,builds,works,race-free,schedules,progress,no-leaks,status,results,message\n" +
		"full-alice,100,100,pass,pass,20,20,30,15,15,graded," + filepath.Join(results, "full-alice.gradescope.json") + ",\n" +
		"full-carol,100,100,pass,pass,20,20,30,15,15,graded," + filepath.Join(results, "full-carol.gradescope.json") + ",\n" +
		"lost-bob,85,100,pass,pass,20,20,30,15,0,graded," + filepath.Join(results, "lost-bob.gradescope.json") + ",\n"
	if string(csv) != wantCSV {
		t.Errorf("gradebook =\n%s\nwant\n%s", csv, wantCSV)
	}
	if _, err := os.Stat(filepath.Join(results, "lost-bob.gradescope.json")); err != nil {
		t.Errorf("no results file: %v", err)
	}
	// Again: resumed, nothing graded, the same gradebook.
	code, stdout, _ = gradeLocklab(t, f, "grade", "bank", "--batch", class, "--results", results, "--out", book, "--format", "gradescope")
	if again, _ := os.ReadFile(book); code != exitProblem || f.calls != 3 || string(again) != wantCSV || !strings.Contains(stdout, "3 already graded by an earlier batch") {
		t.Errorf("second batch = %d, %d gradings; want 1 and none graded again:\n%s", code, f.calls, stdout)
	}
	// JSON lines on stdout.
	code, stdout, _ = gradeLocklab(t, f, "grade", "bank", "--batch", class, "--results", results, "--json", "--force")
	if lines := strings.Split(strings.TrimSpace(stdout), "\n"); code != exitProblem || len(lines) != 3 || !strings.HasPrefix(lines[0], `{"exercise":"bank","submission":"full-alice"`) || f.calls != 6 {
		t.Errorf("--json --force = %d, %d gradings:\n%s", code, f.calls, stdout)
	}
}

func TestGradeBatchFailedGrading(t *testing.T) {
	class := makeClass(t, "full-alice", "broken")
	code, stdout, stderr := gradeLocklab(t, &fakeGrader{}, "grade", "bank", "--batch", class, "--results", t.TempDir())
	if code != exitError || !strings.Contains(stdout, "error: the grading failed: grade: the scratch disk is full") ||
		!strings.Contains(stderr, "the grading of 1 submissions failed") {
		t.Errorf("batch with a failing grading = %d:\n%s\nstderr %q; want 2, the row's reason, and a summary", code, stdout, stderr)
	}
}

func TestGradeBatchUsage(t *testing.T) {
	class := makeClass(t, "a", "b")
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "stray.txt"), nil, 0o644)
	results := t.TempDir()
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--batch", class, "--dir", class}, nil, "--dir grades one submission; --batch grades a directory of them: give one"},
		{[]string{"--batch", class, "--replay", "ll1-x"}, nil, "--replay grades one submission"},
		{[]string{"--batch", filepath.Join(class, "nope")}, nil, "--batch " + filepath.Join(class, "nope") + ": no directory there"},
		{[]string{"--batch", empty, "--results", results}, nil, "no submissions to grade (a submission is a subdirectory); it holds stray.txt"},
		{[]string{"--batch", class, "--jobs", "0"}, nil, "--jobs must be between 1 and 256, got 0"},
		{[]string{"--batch", class, "--shard", "3/2"}, nil, "--shard 3/2: the shard must be between 1 and 2"},
		{[]string{"--batch", class, "--results", results, "--shard", "3/3"}, nil, "shard 3/3 (from --shard) has nothing to grade: " + class + " has 2 submissions for 3 shards; use at most 2"},
		{[]string{"--batch", class}, map[string]string{"CI_NODE_TOTAL": "4"}, "CI_NODE_TOTAL=4 is set but not CI_NODE_INDEX"},
		{[]string{"--batch", class, "--out", filepath.Join(class, "no", "g.csv")}, nil, "--out " + filepath.Join(class, "no", "g.csv") + ": cannot write in"},
		{[]string{"--batch", class, "--results", "/proc/nope"}, nil, "--results /proc/nope: "},
		{[]string{"--batch", class, "--format", "csv"}, nil, `--format: unknown format "csv"; valid: text, json, gradescope, classroom, junit`},
		{[]string{"--batch", class, "--sandbox", "of"}, nil, `--sandbox: unknown mode "of"; valid: auto, required, off (did you mean "off"?)`},
		{[]string{"--dir", class, "--shard", "1/2"}, nil, "--shard splits a --batch"},
		{[]string{"--dir", class, "--force"}, nil, "--force applies to --batch only"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			deps, out, errOut := testDeps()
			f := &fakeGrader{}
			deps.Grade = f.grade
			deps.Getenv = func(k string) string { return tt.env[k] }
			code := execute(context.Background(), deps, append([]string{"grade", "bank"}, tt.args...))
			if code != exitError || out.Len() != 0 || !strings.Contains(errOut.String(), tt.want) || f.calls != 0 {
				t.Errorf("exit %d, stdout %q, stderr %q, %d gradings; want 2, nothing, %q, none", code, out, errOut, f.calls, tt.want)
			}
		})
	}
}

// TestGradeBatchShardsMerge grades a class in shards through the CLI and
// merges their gradebooks: the merge is the unsharded gradebook.
func TestGradeBatchShardsMerge(t *testing.T) {
	class := makeClass(t, "full-a", "lost-b", "full-c", "lost-d", "full-e")
	tmp := t.TempDir()
	whole := filepath.Join(tmp, "whole.csv")
	results := filepath.Join(tmp, "results")
	if code, _, stderr := gradeLocklab(t, &fakeGrader{}, "grade", "bank", "--batch", class, "--results", results, "--out", whole); code != exitProblem {
		t.Fatalf("unsharded: %d %s", code, stderr)
	}
	var parts []string
	for k := 1; k <= 3; k++ {
		part := filepath.Join(tmp, fmt.Sprintf("gradebook-%d.jsonl", k))
		// Each shard has a results directory of its own, as on its own
		// machine, but writes it at the same path.
		os.RemoveAll(results)
		code, _, stderr := gradeLocklab(t, &fakeGrader{}, "grade", "bank", "--batch", class, "--results", results, "--shard", fmt.Sprintf("%d/3", k), "--json", "--out", part)
		if code != exitOK && code != exitProblem {
			t.Fatalf("shard %d/3: %d %s", k, code, stderr)
		}
		parts = append(parts, part)
	}
	merged := filepath.Join(tmp, "merged.csv")
	code, stdout, stderr := gradeLocklab(t, &fakeGrader{}, append([]string{"merge", "--out", merged}, parts...)...)
	if code != exitProblem || !strings.Contains(stdout, "bank 5 submissions: 3 full marks, 2 lost points") {
		t.Fatalf("merge = %d, %q, %q", code, stdout, stderr)
	}
	a, _ := os.ReadFile(whole)
	b, _ := os.ReadFile(merged)
	if string(a) != string(b) {
		t.Errorf("merged gradebook:\n%s\nwant the unsharded one:\n%s", b, a)
	}
	// Two shards of three: refused, naming the missing one.
	code, _, stderr = gradeLocklab(t, &fakeGrader{}, "merge", parts[0], parts[2])
	if code != exitError || !strings.Contains(stderr, "2 of the batch's 5 submissions are missing (no rows of shard 2/3)") {
		t.Errorf("merge of 2 of 3 shards = %d, %q", code, stderr)
	}
}

// TestGradeBatchReal grades a small class for real, unsharded and in two
// shards merged: the scores are the samples' expected ones, and the
// merged gradebook is the unsharded one.
func TestGradeBatchReal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs submissions with -race; skipped with -short")
	}
	subs := filepath.Join("..", "..", "testdata", "submissions", "counter")
	class := t.TempDir()
	want := map[string]string{"reference": "100", "unsynchronized": "0", "leak": "85"}
	for name := range want {
		os.MkdirAll(filepath.Join(class, name), 0o755)
		data, err := os.ReadFile(filepath.Join(subs, name, "counter.go"))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(class, name, "counter.go"), data, 0o644)
	}
	tmp := t.TempDir()
	results := filepath.Join(tmp, "results")
	whole := filepath.Join(tmp, "whole.csv")
	code, stdout, stderr := locklab(t, "grade", "counter", "--batch", class, "--jobs", "2", "--results", results, "--out", whole)
	if code != exitProblem {
		t.Fatalf("grade --batch = %d\n%s\n%s", code, stdout, stderr)
	}
	data, _ := os.ReadFile(whole)
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n")[1:] {
		f := strings.Split(line, ",")
		if want[f[0]] != f[1] {
			t.Errorf("%s scored %s; want %s (%s)", f[0], f[1], want[f[0]], line)
		}
	}
	var parts []string
	for k := 1; k <= 2; k++ {
		os.RemoveAll(results)
		part := filepath.Join(tmp, fmt.Sprintf("part-%d.jsonl", k))
		if code, _, stderr := locklab(t, "grade", "counter", "--batch", class, "--shard", fmt.Sprintf("%d/2", k), "--results", results, "--json", "--out", part); code != exitOK && code != exitProblem {
			t.Fatalf("shard %d/2 = %d: %s", k, code, stderr)
		}
		parts = append(parts, part)
	}
	merged := filepath.Join(tmp, "merged.csv")
	if code, _, stderr := locklab(t, append([]string{"merge", "--out", merged}, parts...)...); code != exitProblem {
		t.Fatalf("merge = %d: %s", code, stderr)
	}
	if m, _ := os.ReadFile(merged); string(m) != string(data) {
		t.Errorf("merged gradebook:\n%s\nwant the unsharded one:\n%s", m, data)
	}
}
