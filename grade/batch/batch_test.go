package batch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/locklab/locklab/grade"
	"github.com/locklab/locklab/grade/sandbox"
	"github.com/locklab/locklab/internal/shard"
)

func TestMain(m *testing.M) {
	sandbox.Init() // the benchmark grades for real: the sandbox's helper is this binary
	goleak.VerifyTestMain(m)
}

func bank(t testing.TB) *grade.Exercise {
	t.Helper()
	ex, err := grade.Lookup("bank")
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

// fakeResult is a complete result that loses lost points on no-leaks.
func fakeResult(ex *grade.Exercise, dir string, lost int) *grade.Result {
	res := &grade.Result{Exercise: ex.Name, Dir: dir, MaxScore: ex.MaxScore(), Elapsed: time.Millisecond}
	for _, c := range ex.Rubric {
		cr := grade.CheckResult{Name: c.Name, Status: grade.StatusPassed, Score: c.Points, MaxScore: c.Points, Gate: c.Gate, Means: c.Means}
		if c.Name == grade.CheckNoLeaks && lost > 0 {
			cr.Status, cr.Score, cr.Message = grade.StatusFailed, c.Points-lost, "leaked"
		}
		res.Checks = append(res.Checks, cr)
		res.Score += cr.Score
	}
	return res
}

// fake grades by the submission's name: full-*, lost-*, and the ways a
// grading can go wrong. It counts its calls.
type fake struct {
	mu     sync.Mutex
	calls  map[string]int
	onHang func() // called when "hangs" starts to hang
}

func (f *fake) grade(ctx context.Context, ex *grade.Exercise, dir string, _ grade.Options) (*grade.Result, error) {
	name := filepath.Base(dir)
	f.mu.Lock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[name]++
	f.mu.Unlock()
	switch {
	case strings.HasPrefix(name, "full"):
		return fakeResult(ex, dir, 0), nil
	case strings.HasPrefix(name, "lost"):
		return fakeResult(ex, dir, 15), nil
	case name == "panics":
		panic("the grader broke")
	case name == "fails":
		return nil, errors.New("grade: scratch: no space left on device")
	case name == "hangs": // until its watchdog, as a stuck grader would
		if f.onHang != nil {
			f.onHang()
		}
		<-ctx.Done()
		res := fakeResult(ex, dir, 0)
		res.Interrupted = true
		return res, ctx.Err()
	case name == "toolchain":
		return nil, fmt.Errorf("%w: no go command", grade.ErrToolchain)
	}
	return nil, fmt.Errorf("fake: no behaviour for %q", name)
}

func (f *fake) count(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[name]
}

// class makes a batch directory with a submission (a bank.go) per name.
func class(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		if err := os.MkdirAll(filepath.Join(dir, n), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n, "bank.go"), []byte("package bank // "+n+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func textOf(w io.Writer, res *grade.Result) error {
	_, err := fmt.Fprintf(w, "%s: %d/%d\n", res.Dir, res.Score, res.MaxScore)
	return err
}

func run(t *testing.T, ctx context.Context, dir string, opts Options) (*Gradebook, error) {
	t.Helper()
	l, err := Find(dir, opts.Results)
	if err != nil {
		t.Fatal(err)
	}
	if opts.Text == nil {
		opts.Text = textOf
	}
	return Run(ctx, bank(t), l, opts)
}

func csvOf(t *testing.T, gb *Gradebook) string {
	t.Helper()
	var b bytes.Buffer
	if err := gb.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestFind(t *testing.T) {
	dir := class(t, "bob", "alice", ".git")
	results := filepath.Join(dir, "results")
	os.MkdirAll(results, 0o755)
	for i := range 10_000 {
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("stray-%05d.txt", i)), nil, 0o644)
	}
	l, err := Find(dir, results)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Submissions) != 2 || l.Submissions[0].Name != "alice" || l.Submissions[1].Name != "bob" {
		t.Errorf("submissions = %+v; want alice, bob", l.Submissions)
	}
	if l.IgnoredCount != 10_002 || len(l.Ignored) != 10 {
		t.Errorf("ignored %d (%d listed); want 10,002 counted and 10 listed", l.IgnoredCount, len(l.Ignored))
	}
	if got := Summarize(l.Ignored, l.IgnoredCount); !strings.HasSuffix(got, " and 9,992 more") || len(got) > 300 {
		t.Errorf("Summarize = %q; want ten names and 9,992 more", got)
	}
	if _, err := Find(filepath.Join(dir, "nope"), ""); err == nil || !strings.Contains(err.Error(), "--batch "+filepath.Join(dir, "nope")+": no such file or directory") {
		t.Errorf("Find(missing) = %v", err)
	}
}

// TestOneRowCannotSpoilAnother grades a class where one grading panics,
// one fails, one sticks: each is its own row's error, the others are
// graded.
func TestOneRowCannotSpoilAnother(t *testing.T) {
	dir := class(t, "full-a", "panics", "fails", "hangs", "lost-b", "full-c")
	f := &fake{}
	results := filepath.Join(t.TempDir(), "results")
	gb, err := run(t, context.Background(), dir, Options{GradeFunc: f.grade, Jobs: 3, Results: results, Limit: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"full-a": "graded", "full-c": "graded", "lost-b": "graded",
		"panics": "error: the grading failed: the grader panicked: the grader broke",
		"fails":  "error: the grading failed: grade: scratch: no space left on device",
		"hangs":  "error: the grading did not finish within 200ms (the grader is stuck: please report it)",
	}
	for _, r := range gb.Rows {
		got := r.Status
		if r.Message != "" {
			got += ": " + r.Message
		}
		if got != want[r.Submission] {
			t.Errorf("%s: %q; want %q", r.Submission, got, want[r.Submission])
		}
	}
	if c := gb.Counts(); c.Full != 2 || c.Lost != 1 || c.Errors != 3 {
		t.Errorf("counts = %+v; want 2 full, 1 lost, 3 errors", c)
	}
	csv := csvOf(t, gb)
	wantHead := "submission,score,max_score,allowed,builds,works,race-free,schedules,progress,no-leaks,status,results,message\n"
	wantLost := "lost-b,85,100,pass,pass,20,20,30,15,0,graded," + filepath.Join(results, "lost-b.txt") + ",\n"
	if !strings.HasPrefix(csv, wantHead) || !strings.Contains(csv, wantLost) {
		t.Errorf("CSV =\n%s\nwant the header and\n%s", csv, wantLost)
	}
	if data, err := os.ReadFile(filepath.Join(results, "full-a.txt")); err != nil || !strings.HasSuffix(string(data), "full-a: 100/100\n") {
		t.Errorf("results file of full-a = %q, %v", data, err)
	}
}

func TestToolchainStopsTheBatch(t *testing.T) {
	dir := class(t, "toolchain", "full-a", "full-b", "full-c")
	gb, err := run(t, context.Background(), dir, Options{GradeFunc: (&fake{}).grade, Jobs: 1, Results: t.TempDir()})
	if !errors.Is(err, grade.ErrToolchain) || gb == nil || len(gb.Rows) != 4 {
		t.Fatalf("Run = %v, %v; want ErrToolchain and every row", gb, err)
	}
}

func TestResume(t *testing.T) {
	dir := class(t, "full-a", "lost-b", "fails")
	results := filepath.Join(t.TempDir(), "r")
	f := &fake{}
	opts := Options{GradeFunc: f.grade, Jobs: 2, Results: results, Format: grade.FormatGradescope}
	first, err := run(t, context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	second, err := run(t, context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if f.count("full-a") != 1 || f.count("lost-b") != 1 || f.count("fails") != 2 {
		t.Errorf("calls = %v; want the graded ones once and the failed one again", f.calls)
	}
	if csvOf(t, first) != csvOf(t, second) || second.Counts().Resumed != 2 {
		t.Errorf("resumed gradebook differs:\n%s\n%s", csvOf(t, first), csvOf(t, second))
	}
	// A changed submission is graded again; so is everything with Force.
	os.WriteFile(filepath.Join(dir, "lost-b", "bank.go"), []byte("package bank // changed\n"), 0o644)
	if _, err := run(t, context.Background(), dir, opts); err != nil {
		t.Fatal(err)
	}
	if f.count("lost-b") != 2 || f.count("full-a") != 1 {
		t.Errorf("after a change: calls = %v; want lost-b graded again, full-a not", f.calls)
	}
	opts.Force = true
	if _, err := run(t, context.Background(), dir, opts); err != nil {
		t.Fatal(err)
	}
	if f.count("full-a") != 2 {
		t.Errorf("with Force: calls = %v; want full-a graded again", f.calls)
	}
	// A deleted results file comes back from the record.
	os.Remove(filepath.Join(results, "full-a.gradescope.json"))
	opts.Force = false
	if _, err := run(t, context.Background(), dir, opts); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(results, "full-a.gradescope.json")); err != nil || f.count("full-a") != 2 {
		t.Errorf("results file not rewritten from the record (%v), or graded again (%d)", err, f.count("full-a"))
	}
}

// TestInterrupted stops a batch while a grading hangs: the rows done
// stay, the rest are marked, the hung one's results file is written and
// marked, and resuming grades only what was not done.
func TestInterrupted(t *testing.T) {
	dir := class(t, "full-a", "hangs", "lost-b")
	results := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := &fake{onHang: cancel}
	opts := Options{GradeFunc: f.grade, Jobs: 1, Results: results, Format: grade.FormatJSON}
	gb, err := run(t, ctx, dir, opts)
	if !errors.Is(err, context.Canceled) || gb == nil || !gb.Interrupted {
		t.Fatalf("Run = %+v, %v; want an interrupted gradebook and context.Canceled", gb, err)
	}
	statuses := ""
	for _, r := range gb.Rows {
		statuses += r.Submission + "=" + r.Status + " "
	}
	if statuses != "full-a=graded hangs=interrupted lost-b=interrupted " {
		t.Errorf("rows: %s", statuses)
	}
	data, err := os.ReadFile(filepath.Join(results, "hangs.json"))
	if err != nil || !strings.Contains(string(data), `"interrupted": true`) {
		t.Errorf("hangs.json = %s, %v; want the partial result, marked", data, err)
	}
	if _, err := os.Stat(recordPath(results, "hangs")); err == nil {
		t.Error("an interrupted grading left a record: it would not be graded again")
	}
	f2 := &fake{}
	opts.GradeFunc, opts.Limit = f2.grade, 50*time.Millisecond
	if _, err := run(t, context.Background(), dir, opts); err != nil {
		t.Fatal(err)
	}
	if f2.count("full-a") != 0 || f2.count("hangs") != 1 || f2.count("lost-b") != 1 {
		t.Errorf("resumed: calls = %v; want only hangs and lost-b", f2.calls)
	}
}

// TestShardsMergeToTheWhole grades a class in n shards and checks that
// the merged gradebook is the unsharded one.
func TestShardsMergeToTheWhole(t *testing.T) {
	dir := class(t, "full-a", "lost-b", "full-c", "fails", "lost-d", "full-e", "full-f")
	wholeResults := t.TempDir()
	whole, err := run(t, context.Background(), dir, Options{GradeFunc: (&fake{}).grade, Results: wholeResults})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 2, 3, 7} {
		results := t.TempDir()
		var parts [][]Row
		for k := 1; k <= n; k++ {
			gb, err := run(t, context.Background(), dir, Options{GradeFunc: (&fake{}).grade, Results: results, Shard: shard.Spec{Index: k, Count: n}})
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := gb.WriteJSONL(&b); err != nil {
				t.Fatal(err)
			}
			rows, err := ReadJSONL(&b, fmt.Sprintf("shard-%d.jsonl", k))
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != (shard.Spec{Index: k, Count: n}).Size(7) || gb.Run != whole.Run {
				t.Fatalf("shard %d/%d: %d rows, run %s; want its share and run %s", k, n, len(rows), gb.Run, whole.Run)
			}
			parts = append(parts, rows)
		}
		merged, err := Merge(parts)
		if err != nil {
			t.Fatalf("Merge(%d shards) = %v", n, err)
		}
		// The results files sit in another directory per batch.
		got := strings.ReplaceAll(csvOf(t, merged), results, "R")
		want := strings.ReplaceAll(csvOf(t, whole), wholeResults, "R")
		if got != want {
			t.Errorf("%d shards merged:\n%s\nwant:\n%s", n, got, want)
		}
	}
}

func TestMergeRefuses(t *testing.T) {
	dir := class(t, "full-a", "lost-b", "full-c")
	shardRows := func(dir string, k, n int) []Row {
		gb, err := run(t, context.Background(), dir, Options{GradeFunc: (&fake{}).grade, Results: t.TempDir(), Shard: shard.Spec{Index: k, Count: n}})
		if err != nil {
			t.Fatal(err)
		}
		return gb.Rows
	}
	other := class(t, "full-a", "lost-b", "full-x")
	tests := []struct {
		name  string
		parts [][]Row
		want  string
	}{
		{"nothing", nil, "no rows"},
		{"missing", [][]Row{shardRows(dir, 1, 3), shardRows(dir, 3, 3)}, "1 of the batch's 3 submissions are missing (no rows of shard 2/3)"},
		{"twice", [][]Row{shardRows(dir, 1, 2), shardRows(dir, 1, 2), shardRows(dir, 2, 2)}, `submission "full-a" is in the gradebooks twice`},
		{"other batch", [][]Row{shardRows(dir, 1, 2), shardRows(other, 2, 2)}, "rows of different batches"},
		{"other split", [][]Row{shardRows(dir, 1, 2), shardRows(dir, 2, 3)}, "split the batch differently"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Merge(tt.parts); !errors.Is(err, ErrMerge) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Merge = %v; want %q", err, tt.want)
			}
		})
	}
	if _, err := ReadJSONL(strings.NewReader(`{"score": 3}`+"\n"), "x.jsonl"); err == nil || !strings.Contains(err.Error(), "x.jsonl:1: not a row") {
		t.Errorf("ReadJSONL(junk) = %v", err)
	}
}

func TestCSVDefusesFormulas(t *testing.T) {
	gb := &Gradebook{Checks: bank(t).Rubric, Rows: []Row{{Submission: "=HYPERLINK(\"x\")", Status: StatusError, Message: "+1 -2"}}}
	if got := csvOf(t, gb); !strings.Contains(got, `"'=HYPERLINK(""x"")"`) || !strings.Contains(got, "'+1 -2") {
		t.Errorf("CSV = %q; want the formula and the message defused", got)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 9990: "9,990", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q; want %q", n, got, want)
		}
	}
}
