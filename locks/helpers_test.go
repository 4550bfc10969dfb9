package locks_test

import (
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/locklab/locklab/detector"
)

// quiet returns a Detector set up as the process default is (a deadlock
// unwinds only its cycle, the wait watch on), but with a short wait
// timeout and no output: the tests read its findings instead.
func quiet(opts ...detector.Option) *detector.Detector {
	base := []detector.Option{detector.WithOutput(nil), detector.WithWaitTimeout(400 * time.Millisecond)}
	return detector.NewDefault(append(base, opts...)...)
}

// line returns the line of the test file that holds the comment "// mark".
func line(t *testing.T, mark string) int {
	t.Helper()
	_, self, _, _ := runtime.Caller(0)
	dir := self[:strings.LastIndex(self, "/")+1]
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		b, err := os.ReadFile(dir + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range strings.Split(string(b), "\n") {
			if strings.HasSuffix(strings.TrimSpace(l), "// "+mark) {
				return i + 1
			}
		}
	}
	t.Fatalf("no line marked %q", mark)
	return 0
}

// waitFinding waits (boundedly) for d to report a finding of kind.
func waitFinding(t *testing.T, d *detector.Detector, kind detector.Kind) detector.Finding {
	t.Helper()
	deadline := time.Now().Add(safety)
	for {
		for _, f := range d.Findings() {
			if f.Kind == kind {
				return f
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s finding within %v; findings: %v", kind, safety, d.Findings())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// kinds returns the kinds of d's findings, gated lock-order ones left out.
func kinds(d *detector.Detector) []detector.Kind {
	var ks []detector.Kind
	for _, f := range d.Findings() {
		if f.Gated == "" {
			ks = append(ks, f.Kind)
		}
	}
	return ks
}

// noFindings fails t if d found anything, or if its audit of the end of a
// test is not clean.
func noFindings(t *testing.T, d *detector.Detector) {
	t.Helper()
	for _, f := range d.Findings() {
		if f.Gated == "" {
			t.Errorf("unexpected finding: %s", f)
		}
	}
	for _, f := range d.Audit() {
		t.Errorf("unexpected audit finding: %s", f)
	}
}

// catch runs fn and returns the error it panicked with, or nil.
func catch(fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			var ok bool
			if err, ok = r.(error); !ok {
				panic(r)
			}
		}
	}()
	fn()
	return nil
}

// asAbort returns err as an *AbortError, failing t if it is not one that
// wraps ErrAborted.
func asAbort(t *testing.T, err error) *detector.AbortError {
	t.Helper()
	var ae *detector.AbortError
	if !errors.As(err, &ae) || !errors.Is(err, detector.ErrAborted) {
		t.Fatalf("error %v (%T); want an *AbortError wrapping ErrAborted", err, err)
	}
	return ae
}

// at checks that p is line want of this package's test files.
func at(t *testing.T, what string, p *detector.Pos, want int) {
	t.Helper()
	if p == nil || !strings.HasPrefix(p.File, "locks/") || !strings.HasSuffix(p.File, "_test.go") || p.Line != want {
		t.Errorf("%s at %v; want a test file of package locks, line %d", what, p, want)
	}
}
