package grade

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// tiny is the grader's own test exercise (testdata/tiny).
func tiny() *Exercise {
	return &Exercise{Name: "tiny", Title: "Tiny", Task: "Count without a race.", Files: []string{"tiny.go"}, Rubric: rubric("tiny")}
}

func tinyOptions() Options {
	return Options{Checks: os.DirFS("testdata/tiny/checks"), Timeout: 20 * time.Second}
}

func needToolchain(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs submissions with -race; skipped with -short")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
}

func TestGradeTiny(t *testing.T) {
	needToolchain(t)
	tests := []struct {
		sub     string
		timeout time.Duration
		score   int
		failed  []string          // the checks that fail; every other passes
		message map[string]string // a substring of a check's message
	}{
		{sub: "good", score: 100},
		{sub: "racy", score: 80, failed: []string{CheckRaceFree},
			message: map[string]string{CheckRaceFree: "tiny.go:"}},
		{sub: "nobuild", score: 0, failed: []string{CheckBuilds, CheckRaceFree, CheckSchedules, CheckProgress, CheckNoLeaks, CheckForbidden},
			message: map[string]string{CheckBuilds: "tiny.go:5", CheckSchedules: "does not build"}},
		{sub: "missing", score: 0, failed: []string{CheckBuilds, CheckRaceFree, CheckSchedules, CheckProgress, CheckNoLeaks, CheckForbidden},
			message: map[string]string{CheckBuilds: "missing file tiny.go"}},
		{sub: "exit", score: 10, failed: []string{CheckRaceFree, CheckSchedules, CheckProgress, CheckNoLeaks, CheckForbidden},
			message: map[string]string{CheckForbidden: "tiny.go:7: os.Exit", CheckProgress: "forbidden construct"}},
		{sub: "initvar", score: 10, failed: []string{CheckRaceFree, CheckSchedules, CheckProgress, CheckNoLeaks, CheckForbidden},
			message: map[string]string{CheckForbidden: "tiny.go:5: package-level variable initialized by a function call\ntiny.go:7: func init"}},
		{sub: "hang", timeout: 3 * time.Second, score: 25, failed: []string{CheckRaceFree, CheckSchedules, CheckProgress, CheckNoLeaks},
			message: map[string]string{CheckSchedules: "did not report: the program timed out after 3s"}},
		{sub: "panics", score: 25, failed: []string{CheckRaceFree, CheckSchedules, CheckProgress, CheckNoLeaks},
			message: map[string]string{CheckRaceFree: "did not report: the program crashed (exit status 2); stderr says: panic: boom"}},
		{sub: "leak", score: 90, failed: []string{CheckNoLeaks},
			message: map[string]string{CheckNoLeaks: "3 goroutines left"}},
		{sub: "forge", score: 70, failed: []string{CheckSchedules},
			message: map[string]string{CheckSchedules: "Count(1, 5) = 0; want 5"}},
		{sub: "bigout", score: 100},
	}
	for _, tt := range tests {
		t.Run(tt.sub, func(t *testing.T) {
			t.Parallel()
			opts := tinyOptions()
			if tt.timeout > 0 {
				opts.Timeout = tt.timeout
			}
			res, err := Grade(context.Background(), tiny(), filepath.Join("testdata/tiny/sub", tt.sub), opts)
			if err != nil {
				t.Fatalf("Grade(%s) error %v", tt.sub, err)
			}
			checkResult(t, res, tt.score, tt.failed, tt.message)
			if len(res.Stdout) > DefaultLogMax || len(res.Stderr) > DefaultLogMax {
				t.Errorf("Grade(%s) kept %d bytes of stdout, %d of stderr; want at most %d", tt.sub, len(res.Stdout), len(res.Stderr), DefaultLogMax)
			}
		})
	}
}

func checkResult(t *testing.T, res *Result, score int, failed []string, message map[string]string) {
	t.Helper()
	if res.Score != score {
		t.Errorf("%s: score = %d; want %d (checks %+v, stderr %q)", res.Dir, res.Score, score, res.Checks, lastLine(res.Stderr))
	}
	if len(res.Checks) != 6 || res.MaxScore != 100 {
		t.Errorf("%s: %d checks, max %d; want 6, 100", res.Dir, len(res.Checks), res.MaxScore)
	}
	fail := map[string]bool{}
	for _, f := range failed {
		fail[f] = true
	}
	for _, c := range res.Checks {
		if c.Passed() == fail[c.Name] {
			t.Errorf("%s: check %s %s (%q); want passed=%v", res.Dir, c.Name, c.Status, c.Message, !fail[c.Name])
		}
		if want, ok := message[c.Name]; ok && !strings.Contains(c.Message, want) {
			t.Errorf("%s: check %s message %q; want it to contain %q", res.Dir, c.Name, c.Message, want)
		}
	}
}

func TestGradeMemory(t *testing.T) {
	needToolchain(t)
	if _, err := exec.LookPath("prlimit"); err != nil {
		t.Skip("no prlimit: only GOMEMLIMIT applies")
	}
	opts := tinyOptions()
	opts.AddressLimit = 2 << 30
	res, err := Grade(context.Background(), tiny(), "testdata/tiny/sub/memory", opts)
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, res, 25, []string{CheckRaceFree, CheckSchedules, CheckProgress, CheckNoLeaks}, map[string]string{CheckSchedules: "did not report: the program crashed"})
}

func TestGradeErrors(t *testing.T) {
	tests := []struct {
		name string
		ex   *Exercise
		dir  string
		opts Options
		want error
		msg  string
	}{
		{"no dir", tiny(), "testdata/tiny/sub/nope", tinyOptions(), ErrNoSubmission, ""},
		{"no checks", &Exercise{Name: "nochecks", Files: []string{"x.go"}, Rubric: rubric("x")}, "testdata/tiny/sub/good", tinyOptions(), nil, "no checks program for exercise nochecks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Grade(context.Background(), tt.ex, tt.dir, tt.opts)
			if err == nil || res != nil {
				t.Fatalf("Grade = %v, %v; want an error", res, err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Grade error %v; want %v", err, tt.want)
			}
			if tt.msg != "" && !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("Grade error %q; want it to contain %q", err, tt.msg)
			}
		})
	}
}

func TestGradeCanceled(t *testing.T) {
	needToolchain(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if res, err := Grade(ctx, tiny(), "testdata/tiny/sub/good", tinyOptions()); !errors.Is(err, context.Canceled) {
		t.Errorf("Grade(canceled) = %v, %v; want context.Canceled", res, err)
	}
}

func TestGradeNoToolchain(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	res, err := Grade(context.Background(), tiny(), "testdata/tiny/sub/good", tinyOptions())
	if !errors.Is(err, ErrToolchain) || res == nil {
		t.Fatalf("Grade without go = %v, %v; want a Result and ErrToolchain", res, err)
	}
	if res.Error == "" || res.Score != 0 || len(res.Checks) != 6 || !strings.Contains(res.Check(CheckBuilds).Message, "no go command on PATH") {
		t.Errorf("Result = error %q, score %d, builds %q; want the toolchain error in every check", res.Error, res.Score, res.Check(CheckBuilds).Message)
	}
}
