// Package locktest fails tests that leave lock problems behind, in the
// style of go.uber.org/goleak: every finding of package detector (actual
// and potential deadlocks, recursive read locks, waits past the timeout),
// goroutines still blocked on an instrumented primitive when the test
// ends, and locks still held by goroutines that have returned.
//
// Adopting it in an existing test suite takes two lines: import
// github.com/locklab/locklab/locks instead of sync where the code under
// test takes its locks, and run the tests under locktest:
//
//	func TestMain(m *testing.M) { locktest.Main(m) }
//
// or, with goleak,
//
//	func TestMain(m *testing.M) { goleak.VerifyTestMain(locktest.Wrap(m)) }
//
// For a verdict per test, call Check at the start of the test; it gives
// the test a fresh Detector, for package-level locks too, and fails the
// test at its end:
//
//	func TestTransfer(t *testing.T) {
//		locktest.Check(t)
//		...
//	}
//
// Check sets the process-wide default Detector (locks.SetDefaultDetector),
// so, like goleak.VerifyNone, it cannot be used in tests that run in
// parallel: it fails a test that calls it while another test's Check is
// active. Parallel tests can bind their locks explicitly with
// locks.WithDetector and read that Detector's findings, or rely on Main.
//
// Findings are reported in full: at the end of the test through t.Errorf
// for Check, and on stderr as they are made for Main. A wait timeout, a
// wait-under-lock and a lock held by an exited goroutine are also written
// to stderr at once under Check, because a test that hangs never reaches
// its end; go test's -timeout would then kill it without a word from the
// Detector.
package locktest

import (
	"fmt"
	"os"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/locks"
	"github.com/petermattis/goid"
)

// TestingM is what Main and Wrap need of *testing.M; it is goleak's
// TestingM too, so Wrap's result can be passed to goleak.VerifyTestMain.
type TestingM interface {
	Run() int
}

// Option configures Main, Wrap and Check.
type Option interface{ apply(*options) }

type options struct {
	settle  time.Duration
	timeout *time.Duration
	ignore  []func(detector.Finding) bool
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// DefaultSettle is how long the end-of-test check waits for goroutines the
// test started to unblock and release their locks, retrying as goleak does.
const DefaultSettle = 2 * time.Second

// Settle sets how long the end-of-test check waits for goroutines the
// test started to finish their lock business (DefaultSettle).
func Settle(d time.Duration) Option { return optionFunc(func(o *options) { o.settle = max(d, 0) }) }

// WaitTimeout sets the Detector's wait timeout, overriding
// LOCKLAB_WAIT_TIMEOUT and detector.DefaultWaitTimeout; zero turns the
// wait watch off.
func WaitTimeout(d time.Duration) Option {
	return optionFunc(func(o *options) { o.timeout = &d })
}

// Ignore leaves out the findings for which skip returns true, such as the
// deadlock a test provokes on purpose. Lock-order findings that are gated
// (they cannot close) are always left out.
func Ignore(skip func(detector.Finding) bool) Option {
	return optionFunc(func(o *options) { o.ignore = append(o.ignore, skip) })
}

func newOptions(opts []Option) *options {
	o := &options{settle: DefaultSettle}
	for _, op := range opts {
		op.apply(o)
	}
	return o
}

func (o *options) detectorOptions(extra ...detector.Option) []detector.Option {
	var dopts []detector.Option
	if o.timeout != nil {
		dopts = append(dopts, detector.WithWaitTimeout(*o.timeout))
	}
	return append(dopts, extra...)
}

// Main runs the tests with a Detector as the default for every lock of
// package locks that is not bound to one, and exits: with the tests' exit
// code, or 1 if they passed but the Detector found a problem. Findings are
// written to stderr in full as they are made; at the end, goroutines still
// blocked and locks still held by exited goroutines are written too.
func Main(m TestingM, opts ...Option) {
	os.Exit(Wrap(m, opts...).Run())
}

// Wrap returns m with Main's checks around its Run, for
// goleak.VerifyTestMain(locktest.Wrap(m)).
func Wrap(m TestingM, opts ...Option) TestingM {
	return wrapped{m, newOptions(opts)}
}

type wrapped struct {
	m TestingM
	o *options
}

func (w wrapped) Run() int {
	d := detector.NewDefault(w.o.detectorOptions()...)
	restore := locks.SetDefaultDetector(d)
	defer restore()
	code := w.m.Run()
	found, audit := problems(d, w.o, 0)
	if len(found)+len(audit) == 0 {
		return code
	}
	for _, f := range audit {
		fmt.Fprintf(os.Stderr, "locklab: %s\n\n", f)
	}
	fmt.Fprintf(os.Stderr, "locktest: %d lock problem(s) found (see above)\n", len(found)+len(audit))
	if code == 0 {
		code = 1
	}
	return code
}

// active counts the Checks in force, to refuse parallel use.
var active atomic.Int32

// Check gives the test a fresh Detector as the default for every lock of
// package locks not bound to one, package-level locks included, and, when
// the test ends, fails it with every finding in full, every goroutine
// still blocked on an instrumented primitive and every lock still held by
// a goroutine that has returned (the test's own goroutine included: its
// function has returned by then). Before judging, it waits up to the
// settle time for goroutines the test started to unblock. It returns the
// Detector, for tests that look at findings themselves.
//
// Call it at the start of the test, before the test starts goroutines or
// calls t.Parallel; its check runs after the test's other cleanups.
func Check(t testing.TB, opts ...Option) *detector.Detector {
	t.Helper()
	if active.Add(1) > 1 {
		active.Add(-1)
		t.Fatal("locktest.Check: another test's Check is in force: Check sets the process-wide default Detector, " +
			"so it cannot be used by tests running in parallel (bind their locks with locks.WithDetector instead)")
		return nil
	}
	o := newOptions(opts)
	d := detector.NewDefault(o.detectorOptions(
		detector.WithOutput(nil),
		detector.WithOnFinding(func(f detector.Finding) {
			switch f.Kind {
			case detector.WaitTimeout, detector.WaitUnderLock, detector.ExitedOwner:
				fmt.Fprintf(os.Stderr, "locklab: %s: %s\n\n", t.Name(), f)
			}
		}),
	)...)
	gid := goid.Get()
	restore := locks.SetDefaultDetector(d)
	t.Cleanup(func() {
		defer active.Add(-1)
		defer restore()
		found, audit := problems(d, o, gid)
		for _, f := range append(found, audit...) {
			t.Errorf("locklab: %s", f)
		}
	})
	return d
}

// problems waits up to the settle time for the audit to come out clean,
// then returns the findings that count and what the audit still says.
// finished, if not 0, is a goroutine to count as exited: the test's own.
func problems(d *detector.Detector, o *options, finished int64) (found, audit []detector.Finding) {
	keep := func(f detector.Finding) bool {
		if f.Gated != "" {
			return false
		}
		return !slices.ContainsFunc(o.ignore, func(skip func(detector.Finding) bool) bool { return skip(f) })
	}
	deadline := time.Now().Add(o.settle)
	for pause := time.Millisecond; ; pause = min(2*pause, 100*time.Millisecond) {
		var done []int64
		if finished != 0 {
			done = append(done, finished)
		}
		audit = slices.DeleteFunc(d.Audit(done...), func(f detector.Finding) bool { return !keep(f) })
		if len(audit) == 0 || !time.Now().Before(deadline) {
			break
		}
		time.Sleep(min(pause, time.Until(deadline)))
	}
	for _, f := range d.Findings() {
		if keep(f) {
			found = append(found, f)
		}
	}
	return found, audit
}
