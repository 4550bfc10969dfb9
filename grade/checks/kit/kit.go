package kit

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/goleak"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/grade/report"
	"github.com/locklab/locklab/internal/childproc"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/explore"
	"github.com/locklab/locklab/labs/run"
)

// The checks Main reports, named as in the grader's rubric.
const (
	CheckRaceFree  = "race-free"
	CheckSchedules = "schedules"
	CheckProgress  = "progress"
	CheckNoLeaks   = "no-leaks"
)

// Checks lists the checks Main reports, in order.
func Checks() []string {
	return []string{CheckRaceFree, CheckSchedules, CheckProgress, CheckNoLeaks}
}

// Sizes and budgets.
const (
	NativeRuns = 5    // native runs under -race in the child
	Schedules  = 2000 // explored schedules for the schedules check

	childEnv      = "LOCKLAB_CHECK_CHILD" // its value is the child's mode
	childNative   = "native"
	childExplore  = "explore"
	maxRSS        = 1536 << 20 // a child's resident memory limit
	exploreBudget = 2*checkBudget + 2*time.Second
	childBudget   = 15 * time.Second
	checkBudget   = 10 * time.Second
	nativeLimit   = 3 * time.Second
	nativeStall   = 500 * time.Millisecond
	maxChildLogs  = 1 << 20
	guardPrefix   = "locklab-guard: "
)

// Exercise is an exercise's workload built around a submission.
type Exercise struct {
	Name string // as in `locklab grade NAME`
	// Explore sizes the explored schedules; Native sizes the native runs.
	Explore, Native labs.Config
	// Safety plays the workload whose Check reports the safety
	// invariants; Liveness plays it with every worker's work checked
	// done (and, for the bank, ample balances).
	Safety, Liveness func(rt labs.Runtime, cfg labs.Config) labs.Instance
}

func (e *Exercise) scenario() *labs.Scenario {
	return &labs.Scenario{
		Name: e.Name, Title: e.Name + " exercise", Doc: "the submission under test",
		Workers: "worker", Ops: "call", Defaults: e.Explore,
		Variants: []labs.Variant{
			{Name: "safety", Kind: labs.Fixed, Play: e.Safety},
			{Name: "liveness", Kind: labs.Fixed, Play: e.Liveness},
		},
	}
}

// Main is a checks program's main: it runs the checks of e and reports
// them, or serves the child and replay modes.
func Main(e *Exercise) {
	r := report.Start()
	if mode := os.Getenv(childEnv); mode != "" {
		go guard(nil, func(why string) {
			fmt.Fprintln(os.Stdout, guardPrefix+why)
			os.Exit(4)
		})
		os.Exit(child(e, mode, os.Stdin, os.Stdout))
	}
	if len(os.Args) == 3 && os.Args[1] == "replay" {
		os.Exit(replayMain(e, os.Args[2], os.Stdout))
	}
	for _, res := range RunChecks(context.Background(), e, os.Args[0]) {
		r.Result(res.Check, res.Pass, res.Message, res.Reproduce)
	}
	r.Done()
	os.Exit(0) // whatever the children left
}

// Result is one check's verdict.
type Result struct {
	Check     string
	Pass      bool
	Message   string
	Reproduce string
}

// RunChecks runs every check of e and returns the results in the order
// of Checks. No submission code runs in the calling process: self (the
// program itself) is re-executed as two children, one for the native
// runs and one for the explored schedules, each killed with its process
// group at its time limit or when it outgrows maxRSS.
func RunChecks(ctx context.Context, e *Exercise, self string) []Result {
	var race, leaks, schedules, progress Result
	var wg sync.WaitGroup
	wg.Go(func() { race, leaks = nativeChecks(ctx, e, self, "locklab grade "+e.Name) })
	wg.Go(func() { schedules, progress = exploreChecks(ctx, self) })
	wg.Wait()
	res := []Result{race, schedules, progress, leaks}
	for i := range res {
		res[i].Message = studentPaths(e, res[i].Message)
	}
	return res
}

// studentPaths names the submission's file as the student knows it
// (exercises/NAME/NAME.go rather than the scratch module's
// submission/NAME.go), and says what a race inside the harness means.
func studentPaths(e *Exercise, msg string) string {
	msg = strings.ReplaceAll(msg, "submission/", "exercises/"+e.Name+"/")
	if strings.Contains(msg, "data race") && strings.Contains(msg, "kit/exercises.go") {
		msg += " (in the grader's own bookkeeping, reached through your calls: the shared state it touches was not guarded by the locks)"
	}
	return msg
}

// budgeted runs f with the check budget; a check the submission hangs
// fails.
func budgeted(check string, f func() Result) Result {
	done := make(chan Result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- Result{Check: check, Message: fmt.Sprintf("the check panicked: %v", p)}
			}
		}()
		done <- f()
	}()
	t := time.NewTimer(checkBudget)
	defer t.Stop()
	select {
	case r := <-done:
		return r
	case <-t.C:
		return Result{Check: check, Message: fmt.Sprintf("the check did not finish within %v: the submission never reached a lock operation or never returned (an infinite loop?)", checkBudget)}
	}
}

func schedulesCheck(ctx context.Context, e *Exercise) Result {
	s := e.scenario()
	v := &s.Variants[0]
	for _, strategy := range []string{"random", "pct"} {
		res, err := explore.Explore(ctx, s, v, explore.Options{Strategy: strategy, Schedules: Schedules / 2, Seed: 1, Time: checkBudget / 3})
		if err != nil {
			return Result{Check: CheckSchedules, Message: "the explorer failed: " + err.Error()}
		}
		if f := res.First; f != nil {
			return Result{Check: CheckSchedules,
				Message:   fmt.Sprintf("explored schedule %d (%s) ends in %s: %s", f.Schedule, strategy, f.Outcome, why(f)),
				Reproduce: replayCommand(e, f.Token)}
		}
	}
	return Result{Check: CheckSchedules, Pass: true, Message: fmt.Sprintf("%d explored schedules, no deadlock and no broken invariant", Schedules)}
}

func progressCheck(ctx context.Context, e *Exercise) Result {
	s := e.scenario()
	v := &s.Variants[1]
	for _, strategy := range []string{"random", "pct"} {
		res, err := explore.Explore(ctx, s, v, explore.Options{Strategy: strategy, Schedules: Schedules / 4, Seed: 2, Time: checkBudget / 3})
		if err != nil {
			return Result{Check: CheckProgress, Message: "the explorer failed: " + err.Error()}
		}
		if f := res.First; f != nil {
			return Result{Check: CheckProgress,
				Message:   fmt.Sprintf("in explored schedule %d (%s) a worker did not finish its work (%s): %s", f.Schedule, strategy, f.Outcome, why(f)),
				Reproduce: replayCommand(e, f.Token)}
		}
	}
	return Result{Check: CheckProgress, Pass: true, Message: fmt.Sprintf("every worker finished its work in %d explored schedules", Schedules/2)}
}

func replayCommand(e *Exercise, token string) string {
	return "locklab grade " + e.Name + " --replay " + token
}

// why says in one sentence what went wrong in f.
func why(f *explore.Failure) string {
	for _, fd := range f.Findings {
		if fd.Message != "" {
			return oneLine(fd.Message)
		}
	}
	return string(f.Outcome)
}

func oneLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// replayMain re-runs a token's schedule and prints its trace.
func replayMain(e *Exercise, token string, out io.Writer) int {
	tok, err := explore.DecodeToken(token)
	if err != nil {
		fmt.Fprintln(out, err)
		return 2
	}
	s := e.scenario()
	v, err := s.Variant(tok.Variant)
	if err != nil {
		fmt.Fprintln(out, err)
		return 2
	}
	f, err := explore.Replay(context.Background(), s, v, token)
	if err != nil {
		fmt.Fprintln(out, err)
		return 2
	}
	fmt.Fprintf(out, "outcome: %s\n", f.Outcome)
	for _, fd := range f.Findings {
		fmt.Fprintf(out, "finding: %s\n", studentPaths(e, oneLine(fd.Message)))
	}
	for _, ev := range f.Trace {
		fmt.Fprintf(out, "%5d  %-16s %-12s %-12s %s\n", ev.Step, ev.Worker, ev.Op, ev.Target, studentPaths(e, ev.At.String()))
	}
	if f.Outcome.Problem() {
		return 1
	}
	return 0
}

// childReport is the child's last line on stdout.
type childReport struct {
	Nonce    string   `json:"nonce"`
	Runs     int      `json:"runs"`
	Outcomes []string `json:"outcomes"`
	Leaks    string   `json:"leaks,omitempty"`
}

// child runs in a child process: mode "native" runs the native workload
// NativeRuns times, then looks for leaked goroutines, and prints a
// childReport; mode "explore" runs the schedules and progress checks and
// prints each Result as soon as it is known. Every line carries the
// nonce read from in before any submission code ran.
func child(e *Exercise, mode string, in io.Reader, out io.Writer) int {
	nonce, err := bufio.NewReader(in).ReadString('\n')
	if err != nil {
		return 3
	}
	nonce = strings.TrimSpace(nonce)
	if mode == childExplore {
		for _, f := range []func() Result{
			func() Result {
				return budgeted(CheckSchedules, func() Result { return schedulesCheck(context.Background(), e) })
			},
			func() Result {
				return budgeted(CheckProgress, func() Result { return progressCheck(context.Background(), e) })
			},
		} {
			res := f()
			b, _ := json.Marshal(childResult{Nonce: nonce, Result: res})
			fmt.Fprintf(out, "\n%s\n", b)
		}
		return 0
	}
	before := goleak.IgnoreCurrent()
	s := e.scenario()
	rep := childReport{Nonce: nonce}
	for i := range NativeRuns {
		cfg := e.Native
		cfg.Seed = uint64(i + 1)
		res, err := run.Run(context.Background(), s, &s.Variants[0], cfg, run.Options{Timeout: nativeLimit, Stall: nativeStall})
		if err != nil {
			return 3
		}
		rep.Runs++
		rep.Outcomes = append(rep.Outcomes, string(res.Outcome))
	}
	if err := goleak.Find(before, goleak.IgnoreAnyFunction("github.com/locklab/locklab/grade/checks/kit.child")); err != nil {
		rep.Leaks = leakSummary(err.Error())
	}
	b, _ := json.Marshal(rep)
	fmt.Fprintf(out, "\n%s\n", b)
	return 0
}

// childResult is one line of the explore child's stdout.
type childResult struct {
	Nonce string `json:"nonce"`
	Result
}

// exploreChecks runs the explore child and reads its results.
func exploreChecks(ctx context.Context, self string) (schedules, progress Result) {
	schedules, progress = Result{Check: CheckSchedules}, Result{Check: CheckProgress}
	out, _, nonce, why := runChild(ctx, self, childExplore, exploreBudget)
	got := map[string]Result{}
	for _, line := range bytes.Split(out, []byte("\n")) {
		var cr childResult
		if json.Unmarshal(line, &cr) == nil && cr.Nonce == nonce {
			got[cr.Check] = cr.Result
		}
	}
	for _, r := range []*Result{&schedules, &progress} {
		if res, ok := got[r.Check]; ok {
			*r = res
		} else {
			r.Message = "the explored schedules " + why
		}
	}
	return schedules, progress
}

// leakSummary says in one line where goleak's first leaked goroutine was
// created.
func leakSummary(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if !strings.HasPrefix(l, "created by ") {
			continue
		}
		fn, _, _ := strings.Cut(strings.TrimPrefix(l, "created by "), " in goroutine")
		where := ""
		if i+1 < len(lines) {
			where, _, _ = strings.Cut(strings.TrimSpace(lines[i+1]), " +0x")
			if j := strings.LastIndex(where, "/submission/"); j >= 0 {
				where = where[j+1:]
			}
		}
		return fmt.Sprintf("the first was started by %s at %s", fn, where)
	}
	return "goleak found goroutines left running"
}

// nativeChecks runs the native child and turns what it did into the
// race-free and no-leaks results.
func nativeChecks(ctx context.Context, e *Exercise, self, repro string) (race, leaks Result) {
	race = Result{Check: CheckRaceFree, Reproduce: repro}
	leaks = Result{Check: CheckNoLeaks, Reproduce: repro}
	stdout, stderr, nonce, why := runChild(ctx, self, childNative, childBudget)
	rep, ok := findReport(stdout, nonce)
	races := detector.Dedup(detector.ParseRace(string(stderr)))
	switch {
	case len(races) > 0:
		race.Message = fmt.Sprintf("the race detector reported %d data race(s) in %d native runs: %s", len(races), NativeRuns, oneLine(races[0].Finding().Message))
	case !ok:
		race.Message = "the native runs " + why
	case slices.Contains(rep.Outcomes, string(run.Panic)):
		race.Message = fmt.Sprintf("the submission panicked in a native run (outcomes %v), so it could not be checked for data races", rep.Outcomes)
	case why != "":
		race.Message = "the native runs " + why
	default:
		race.Pass = true
		race.Message = fmt.Sprintf("no data race in %d native runs under -race", rep.Runs)
		race.Reproduce = ""
	}
	switch {
	case !ok:
		leaks.Message = "could not look for leaked goroutines: the native runs " + why
	case slices.Contains(rep.Outcomes, string(run.Panic)):
		leaks.Message = "could not look for leaked goroutines: the submission panicked in a native run"
	case rep.Leaks != "":
		leaks.Message = "goroutines started by the submission were still running after every worker returned: " + rep.Leaks
	default:
		leaks.Pass = true
		leaks.Message = fmt.Sprintf("no leaked goroutine after %d native runs", rep.Runs)
		leaks.Reproduce = ""
	}
	return race, leaks
}

// runChild runs self in the given child mode with a fresh nonce on its
// stdin and returns its output and the nonce. why is empty when the
// child exited with status 0, and otherwise a phrase completing "the
// native runs ..." (its time limit, its memory, a crash).
func runChild(ctx context.Context, self, mode string, budget time.Duration) (stdout, stderr []byte, nonce, why string) {
	nonce = newNonce()
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	cmd := exec.CommandContext(ctx, self)
	cmd.Env = append(os.Environ(), childEnv+"="+mode, "GORACE=halt_on_error=0 exitcode=66 atexit_sleep_ms=0 history_size=2")
	cmd.Stdin = strings.NewReader(nonce + "\n")
	var out, errOut childproc.HeadBuffer
	out.Max, errOut.Max = maxChildLogs, maxChildLogs
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.WaitDelay = time.Second
	childproc.OwnGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, nil, nonce, "could not start: " + err.Error()
	}
	var hog atomic.Bool
	stop := make(chan struct{})
	go func() {
		if watchRSS(cmd.Process.Pid, stop) {
			hog.Store(true)
			cancel()
		}
	}()
	err := cmd.Wait()
	close(stop)
	stdout, stderr = out.Bytes(), errOut.Bytes()
	var exit *exec.ExitError
	switch g := guardTripped(stdout); {
	case g != "":
		why = "were stopped: " + g
	case hog.Load():
		why = fmt.Sprintf("were stopped: the submission used more than %d MiB of memory", maxRSS>>20)
	case ctx.Err() != nil:
		why = fmt.Sprintf("did not finish within %v (an infinite loop?)", budget)
	case err != nil && errors.As(err, &exit):
		why = fmt.Sprintf("ended with exit status %d: the submission panicked, exited or crashed", exit.ExitCode())
	case err != nil:
		why = "failed: " + err.Error()
	}
	return stdout, stderr, nonce, why
}

// watchRSS polls the resident memory of process pid until stop is closed
// and reports true as soon as it exceeds maxRSS. Where /proc is missing
// it watches nothing.
func watchRSS(pid int, stop <-chan struct{}) bool {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	path := fmt.Sprintf("/proc/%d/statm", pid)
	page := int64(os.Getpagesize())
	for {
		select {
		case <-stop:
			return false
		case <-t.C:
		}
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		var size, resident int64
		if _, err := fmt.Sscan(string(b), &size, &resident); err == nil && resident*page > maxRSS {
			return true
		}
	}
}

func findReport(out []byte, nonce string) (childReport, bool) {
	for _, line := range bytes.Split(out, []byte("\n")) {
		var rep childReport
		if json.Unmarshal(line, &rep) == nil && rep.Nonce == nonce && rep.Runs == NativeRuns {
			return rep, true
		}
	}
	return childReport{}, false
}

func newNonce() string {
	b := make([]byte, 16)
	rand.Read(b) //nolint:errcheck // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// guardTripped returns the guard's sentence if the child's guard stopped
// it. The submission could print the line itself, but only to fail.
func guardTripped(out []byte) string {
	for _, line := range strings.Split(string(out), "\n") {
		if why, ok := strings.CutPrefix(line, guardPrefix); ok {
			return why
		}
	}
	return ""
}
