package batch

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/locklab/locklab/grade"
	"github.com/locklab/locklab/grade/sandbox"
)

// The samples a benchmark class is made of: each exercise's reference
// solution and known-bad submissions (testdata/submissions/EXERCISE/NAME,
// each with its want.json).
var benchSamples = map[string][]string{
	"counter":      {"reference", "unsynchronized", "leak"},
	"bank":         {"reference", "abba", "overdraft"},
	"philosophers": {"reference", "abba", "livelock"},
}

// benchClass makes a class of copies submissions of ex, cycling through
// its samples, and returns its directory and each submission's expected
// score.
func benchClass(b *testing.B, ex string, copies int) (string, map[string]int) {
	b.Helper()
	dir := b.TempDir()
	want := map[string]int{}
	for i := range copies {
		sample := benchSamples[ex][i%len(benchSamples[ex])]
		from := filepath.Join("..", "..", "testdata", "submissions", ex, sample)
		var w struct{ Score int }
		data, err := os.ReadFile(filepath.Join(from, "want.json"))
		if err == nil {
			err = json.Unmarshal(data, &w)
		}
		if err != nil {
			b.Fatal(err)
		}
		name := fmt.Sprintf("student-%03d-%s", i, sample)
		os.MkdirAll(filepath.Join(dir, name), 0o755)
		src, err := os.ReadFile(filepath.Join(from, ex+".go"))
		if err != nil {
			b.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, name, ex+".go"), src, 0o644)
		want[name] = w.Score
	}
	return dir, want
}

// BenchmarkClass grades, for each of the three exercises, a class of
// LOCKLAB_BENCH_COPIES (default 50) copies of its reference and
// known-bad samples: with Run's pool (--batch, at its default and other
// --jobs) and one by one (grade.Grade in a loop), in the same process and
// the same warm caches. It reports the wall time of the three classes and
// submissions per minute, and checks every score against the sample's
// expected one, logging (and counting, as "mismatches") any grade that
// differs, with the failed checks' messages: parallel grading must not
// change a grade, and the grader's own timing-dependent runs can.
//
//	go test -run '^$' -bench Class -benchtime 1x -timeout 2h ./grade/batch
func BenchmarkClass(b *testing.B) {
	copies := 50
	if s := os.Getenv("LOCKLAB_BENCH_COPIES"); s != "" {
		copies, _ = strconv.Atoi(s)
	}
	sb, err := sandbox.New(sandbox.Auto)
	if err != nil {
		b.Fatal(err)
	}
	gopts := grade.Options{Sandbox: sb}
	type class struct {
		ex   *grade.Exercise
		dir  string
		want map[string]int
	}
	var classes []class
	for _, name := range []string{"counter", "bank", "philosophers"} {
		ex, err := grade.Lookup(name)
		if err != nil {
			b.Fatal(err)
		}
		dir, want := benchClass(b, name, copies)
		classes = append(classes, class{ex, dir, want})
	}
	// Warm the grader's build cache outside the timings: a fresh cache
	// is filled once per version of locklab, whatever the mode.
	if _, err := grade.Grade(context.Background(), classes[0].ex, filepath.Join("..", "..", "exercises", "counter"), gopts); err != nil {
		b.Fatal(err)
	}
	total := copies * len(classes)
	mismatches := 0
	// mismatch logs a grade that is not the sample's expected one, with
	// why: the grader's own flakiness (a timing-dependent native run)
	// shows here as much as any effect of grading in parallel.
	mismatch := func(b *testing.B, ex, name string, res *grade.Result, want int) {
		mismatches++
		why := ""
		for _, c := range res.Checks {
			if !c.Passed() {
				why += fmt.Sprintf("; %s: %.160s", c.Name, c.Message)
			}
		}
		b.Logf("%s/%s scored %d; want %d%s", ex, name, res.Score, want, why)
	}
	report := func(b *testing.B, elapsed time.Duration) {
		b.ReportMetric(elapsed.Seconds(), "s/classes")
		b.ReportMetric(float64(total)/elapsed.Minutes(), "submissions/min")
		b.ReportMetric(float64(mismatches), "mismatches")
		mismatches = 0
	}
	b.Run("one-by-one", func(b *testing.B) {
		for range b.N {
			start := time.Now()
			for _, c := range classes {
				l, err := Find(c.dir, "")
				if err != nil {
					b.Fatal(err)
				}
				for _, s := range l.Submissions {
					res, err := grade.Grade(context.Background(), c.ex, s.Dir, gopts)
					if err != nil {
						b.Fatal(err)
					}
					if res.Score != c.want[s.Name] {
						mismatch(b, c.ex.Name, s.Name, res, c.want[s.Name])
					}
				}
			}
			report(b, time.Since(start))
		}
	})
	jobs := []int{DefaultJobs()}
	if s := os.Getenv("LOCKLAB_BENCH_JOBS"); s != "" {
		jobs = nil
		for _, f := range filepath.SplitList(s) {
			n, _ := strconv.Atoi(f)
			jobs = append(jobs, n)
		}
	}
	for _, j := range jobs {
		b.Run(fmt.Sprintf("batch-jobs-%d", j), func(b *testing.B) {
			for range b.N {
				start := time.Now()
				for _, c := range classes {
					l, err := Find(c.dir, "")
					if err != nil {
						b.Fatal(err)
					}
					gb, err := Run(context.Background(), c.ex, l, Options{Grade: gopts, Jobs: j, Results: b.TempDir(), Format: grade.FormatJSON,
						Text: func(io.Writer, *grade.Result) error { return nil }})
					if err != nil {
						b.Fatal(err)
					}
					for _, r := range gb.Rows {
						if r.Status != StatusGraded {
							b.Errorf("%s/%s: %s (%s); want graded", c.ex.Name, r.Submission, r.Status, r.Message)
							continue
						}
						if r.Score != c.want[r.Submission] {
							var res grade.Result
							data, _ := os.ReadFile(r.Results)
							_ = json.Unmarshal(data, &res)
							mismatch(b, c.ex.Name, r.Submission, &res, c.want[r.Submission])
						}
					}
				}
				report(b, time.Since(start))
			}
		})
	}
}
