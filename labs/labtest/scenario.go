package labtest

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/run"
)

// CheckScenario checks what every scenario package's tests check about
// s: the catalog's rules (labs.Validate), a Doc that is the package
// comment of package pkg, the first buggy variant, and that every
// variant's File exists. Call it from a test in the scenario's
// directory, two levels below the module root.
func CheckScenario(t *testing.T, s *labs.Scenario, pkg, firstBuggy string) {
	t.Helper()
	if err := labs.Validate([]*labs.Scenario{s}); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if !strings.HasPrefix(s.Doc, "Package "+pkg+" ") || strings.Contains(s.Doc, "package "+pkg+"\n") {
		t.Errorf("Doc = %.40q...; want the text of the package comment", s.Doc)
	}
	if fb := s.FirstBuggy(); fb == nil || fb.Name != firstBuggy {
		t.Errorf("FirstBuggy() = %v; want %s", fb, firstBuggy)
	}
	for _, v := range s.Variants {
		if _, err := os.Stat(filepath.Join("..", "..", v.File)); err != nil {
			t.Errorf("%s: File: %v", v.Name, err)
		}
	}
}

// RunWithin runs variant v of s with cfg and run.DefaultOptions (opts,
// if given, instead), failing t if Run errs or does not return within a
// minute: a run must never hang, whatever its variant does.
func RunWithin(t *testing.T, s *labs.Scenario, v *labs.Variant, cfg labs.Config, opts ...run.Options) *run.Result {
	t.Helper()
	o := run.DefaultOptions()
	if len(opts) > 0 {
		o = opts[0]
	}
	type result struct {
		res *run.Result
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := run.Run(context.Background(), s, v, cfg, o)
		done <- result{res, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatalf("Run(%s/%s): %v", s.Name, v.Name, r.err)
		}
		return r.res
	case <-time.After(time.Minute):
		t.Fatalf("Run(%s/%s) did not return within a minute", s.Name, v.Name)
		return nil
	}
}

// Finding returns the first finding of res of kind k, failing t if there
// is none.
func Finding(t *testing.T, res *run.Result, k detector.Kind) detector.Finding {
	t.Helper()
	for _, f := range res.Findings {
		if f.Kind == k {
			return f
		}
	}
	t.Fatalf("%s: no %s finding in %v", res.Summary(), k, res.Findings)
	return detector.Finding{}
}

// Line returns the number of the nth line (counting from 1) of file, a
// path relative to the module root, that contains text; the caller's
// directory is two levels below the root.
func Line(t *testing.T, file, text string, nth int) int {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n, seen := 0, 0
	for sc := bufio.NewScanner(f); sc.Scan(); {
		n++
		if strings.Contains(sc.Text(), text) {
			if seen++; seen == nth {
				return n
			}
		}
	}
	t.Fatalf("%s: fewer than %d lines contain %q", file, nth, text)
	return 0
}

// Metric returns the value of res's metric called name, or "".
func Metric(res *run.Result, name string) string {
	for _, m := range res.Metrics {
		if m.Name == name {
			return m.Value
		}
	}
	return ""
}
