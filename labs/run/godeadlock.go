package run

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/internal/childproc"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/native"
)

// The child protocol. The parent re-executes its own executable with
// childEnv=childName and the request as JSON in requestEnv; the child
// writes its Result as JSON to file descriptor 3 (never to stdout, which a
// program may use) and copies go-deadlock's log to stderr as it is
// written.
const (
	childEnv   = "LOCKLAB_CHILD"
	childName  = "godeadlock"
	requestEnv = "LOCKLAB_GODEADLOCK_REQUEST"

	// childGrace is how long past the run's own time limit the parent
	// waits before it kills the child's process group. The child's
	// watchdog stops the run at the time limit; the grace covers starting
	// the process and writing the result.
	childGrace = 2 * time.Second
	// childWaitDelay bounds the wait for the child's output once it has
	// exited or been killed (see exec.Cmd.WaitDelay).
	childWaitDelay = time.Second
	// unwindGrace is how long the child waits, after the watchdog stopped
	// the run, for workers that can still unwind. Workers blocked in
	// go-deadlock's locks never do.
	unwindGrace = 100 * time.Millisecond

	maxChildResult = 16 << 20 // bytes of result JSON read from the child
	maxChildOutput = 4 << 20  // bytes of the child's stdout and stderr kept
)

// The child's exit codes.
const (
	childOK         = 0 // the result was written
	childRunFailed  = 1 // the run could not be made or its result not written
	childBadRequest = 2 // the request or the file descriptor is not usable
)

// childRequest is what the parent asks the child to run.
type childRequest struct {
	Scenario string        `json:"scenario"`
	Variant  string        `json:"variant"`
	Workers  int           `json:"workers"`
	Ops      int           `json:"ops"`
	Seed     uint64        `json:"seed"`
	Yield    time.Duration `json:"yield_ns"`
	Timeout  time.Duration `json:"timeout_ns"`
	Stall    time.Duration `json:"stall_ns"`
	// DeadlockTimeout is go-deadlock's lock-wait timeout in the child.
	DeadlockTimeout time.Duration `json:"deadlock_timeout_ns"`
}

// GoDeadlock runs variant v of scenario s with cfg (zero fields take the
// scenario's defaults) on the native runtime with
// github.com/sasha-s/go-deadlock's Mutex and RWMutex underneath, and turns
// go-deadlock's reports into findings of kind detector.PotentialDeadlock.
//
// go-deadlock's options are process-global, its locks cannot be aborted
// and a deadlocked run never unwinds, so the run happens in a child
// process: the current executable, started again. That program must call
// ServeChild first thing (cli.Main does; a test package does so in
// TestMain). The child runs under the same watchdog as Run; the parent
// kills the child's process group if it outlives the run's time limit by
// more than 2 s.
//
// In the child, go-deadlock's lock-wait timeout is half the stall limit
// (1 s by default) instead of go-deadlock's own 30 s, so that a hang is
// reported by go-deadlock before the watchdog stops the run. That matters:
// go-deadlock's lock-order check compares pairs of locks, so a circular
// wait of three or more (five philosophers) is seen only through the
// timeout.
//
// opts.WaitFor and opts.LockOrder are ignored: go-deadlock's locks replace
// the lab's instrumented ones. The outcome is Deadlock when the run
// stalled and go-deadlock's timeout reports show a cycle of waits (or a
// goroutine waiting for a lock it holds); Stall or Timeout when it stalled
// otherwise; LockOrder ("potential deadlock") when the run finished but
// go-deadlock reported something, unless the finding is Gated (an
// inversion involving a TryLock, which go-deadlock reports though it
// cannot deadlock); otherwise as for Run. DetectedAfter is the time to
// go-deadlock's first report.
//
// GoDeadlock returns an error for bad input (including a
// *ControlledError for a variant that runs only under the controlled
// scheduler), a canceled ctx, or a child that failed without a result.
// For a canceled ctx the child's process group is killed, and the Result
// (its Outcome empty) holds what go-deadlock had reported by then. The
// child also dies with its parent on Linux, even one killed by SIGKILL.
func GoDeadlock(ctx context.Context, s *labs.Scenario, v *labs.Variant, cfg labs.Config, opts Options) (*Result, error) {
	if os.Getenv(childEnv) != "" {
		return nil, errors.New("run: GoDeadlock called in a child process: the program must call run.ServeChild before anything else")
	}
	cfg, opts, log, err := prepare(s, v, cfg, opts)
	if err != nil {
		return nil, err
	}
	log = log.With(zap.String("detector", childName))

	req, err := json.Marshal(childRequest{
		Scenario: s.Name, Variant: v.Name,
		Workers: cfg.Workers, Ops: cfg.Ops, Seed: cfg.Seed, Yield: cfg.Yield,
		Timeout: opts.Timeout, Stall: opts.Stall, DeadlockTimeout: opts.Stall / 2,
	})
	if err != nil {
		return nil, err
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("run: godeadlock: %w", err)
	}
	limit := opts.Timeout + childGrace
	cctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()

	rd, wr, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("run: godeadlock: %w", err)
	}
	output := &childproc.HeadBuffer{Max: maxChildOutput}
	cmd := exec.CommandContext(cctx, exe)
	cmd.Env = append(childEnviron(), childEnv+"="+childName, requestEnv+"="+string(req))
	cmd.Stdout, cmd.Stderr = output, output
	cmd.ExtraFiles = []*os.File{wr}
	cmd.WaitDelay = childWaitDelay
	childproc.OwnGroup(cmd)
	dieWithParent(cmd)

	start := time.Now()
	if err := cmd.Start(); err != nil {
		rd.Close()
		wr.Close()
		return nil, fmt.Errorf("run: godeadlock: start child: %w", err)
	}
	wr.Close() // the child has its own copy; EOF comes when it exits
	log.Debug("child started", zap.Int("pid", cmd.Process.Pid))
	body := make(chan []byte, 1)
	go func() {
		defer rd.Close()
		b, _ := io.ReadAll(io.LimitReader(rd, maxChildResult))
		io.Copy(io.Discard, rd) //nolint:errcheck // drain, so the child never blocks
		body <- b
	}()
	werr := cmd.Wait()
	result := <-body
	elapsed := time.Since(start)
	log.Debug("child done", zap.Duration("elapsed", elapsed), zap.Error(werr))

	if err := ctx.Err(); err != nil {
		// Interrupted: the child's process group is killed; what
		// go-deadlock had reported by then is the partial result.
		res := newResult(s, v, cfg)
		res.Detectors = goDeadlockDetectors
		res.Elapsed = elapsed
		res.Findings = append([]detector.Finding{}, detector.ParseGoDeadlock(output.Bytes())...)
		return res, fmt.Errorf("run: godeadlock: %w", err)
	}
	if cctx.Err() != nil {
		return killedResult(s, v, cfg, limit, elapsed, output.Bytes()), nil
	}
	if len(result) == 0 {
		return nil, fmt.Errorf("run: godeadlock child exited without a result (%v); does the program call run.ServeChild first?%s",
			werr, tail(output.Bytes()))
	}
	var res Result
	if err := json.Unmarshal(result, &res); err != nil {
		return nil, fmt.Errorf("run: godeadlock child: bad result: %w", err)
	}
	return &res, nil
}

// childEnviron returns the environment without any child protocol
// variables the parent itself may have and, for a race-enabled
// executable, without the race runtime's 1 s pause at exit.
func childEnviron() []string {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, childEnv+"=") || strings.HasPrefix(kv, requestEnv+"=") ||
			strings.HasPrefix(kv, "GORACE=")
	})
	gorace := os.Getenv("GORACE")
	if !strings.Contains(gorace, "atexit_sleep_ms") {
		gorace = strings.TrimSpace(gorace + " atexit_sleep_ms=0")
	}
	return append(env, "GORACE="+gorace)
}

// killedResult describes a child killed at the time limit, with whatever
// go-deadlock had written to its stderr.
func killedResult(s *labs.Scenario, v *labs.Variant, cfg labs.Config, limit, elapsed time.Duration, output []byte) *Result {
	res := newResult(s, v, cfg)
	res.Detectors = goDeadlockDetectors
	res.Elapsed = elapsed
	res.Findings = append([]detector.Finding{{
		Kind: detector.Stall,
		Message: fmt.Sprintf("the go-deadlock child process did not finish within %v and was killed "+
			"(go-deadlock's locks cannot be aborted)", limit),
	}}, detector.ParseGoDeadlock(output)...)
	res.Outcome = Timeout
	return res
}

// ServeChild serves GoDeadlock's request when the process was started as
// its child (the environment has LOCKLAB_CHILD=godeadlock), and otherwise
// returns handled false at once. lookup finds the scenario and variant by
// name (the catalog's, or a test's own).
//
// A program calls it before anything else and, when handled, exits with
// exitCode without doing anything more: workers of a deadlocked run are
// still blocked in go-deadlock's locks, and only the exit ends them.
//
//	func TestMain(m *testing.M) {
//		if handled, code := run.ServeChild(lookup); handled {
//			os.Exit(code)
//		}
//		goleak.VerifyTestMain(m)
//	}
//
// The exit code is 0 when the result was written, 1 when the run failed
// and 2 when the request was not usable; the reason is on stderr.
func ServeChild(lookup func(scenario, variant string) (*labs.Scenario, *labs.Variant, error)) (handled bool, exitCode int) {
	if os.Getenv(childEnv) != childName {
		return false, 0
	}
	return true, serveChild(lookup, os.Getenv(requestEnv), os.NewFile(3, "locklab-result"), os.Stderr)
}

func serveChild(lookup func(scenario, variant string) (*labs.Scenario, *labs.Variant, error), request string, out *os.File, stderr io.Writer) int {
	fail := func(code int, format string, args ...any) int {
		fmt.Fprintf(stderr, "locklab godeadlock child: "+format+"\n", args...)
		return code
	}
	var req childRequest
	if err := json.Unmarshal([]byte(request), &req); err != nil {
		return fail(childBadRequest, "bad request in %s: %v", requestEnv, err)
	}
	if out == nil {
		return fail(childBadRequest, "no file descriptor 3 for the result")
	}
	defer out.Close()
	if fi, err := out.Stat(); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		return fail(childBadRequest, "file descriptor 3 is not the result pipe")
	}
	if lookup == nil {
		return fail(childBadRequest, "no lookup function")
	}
	s, v, err := lookup(req.Scenario, req.Variant)
	if err != nil {
		return fail(childBadRequest, "%v", err)
	}
	if s == nil || v == nil {
		return fail(childBadRequest, "lookup(%q, %q) found nothing", req.Scenario, req.Variant)
	}
	cfg := labs.Config{Workers: req.Workers, Ops: req.Ops, Seed: req.Seed, Yield: req.Yield}
	opts := Options{Timeout: req.Timeout, Stall: req.Stall}
	res, err := runGoDeadlockChild(s, v, cfg, opts, req.DeadlockTimeout, stderr)
	if err != nil {
		return fail(childRunFailed, "%v", err)
	}
	if err := json.NewEncoder(out).Encode(res); err != nil {
		return fail(childRunFailed, "write result: %v", err)
	}
	return childOK
}

// runGoDeadlockChild is Run with go-deadlock's locks underneath, in the
// child. Workers blocked in go-deadlock's locks cannot unwind: once the
// watchdog has stopped the run, it reports without waiting for them.
func runGoDeadlockChild(s *labs.Scenario, v *labs.Variant, cfg labs.Config, opts Options, gdTimeout time.Duration, echo io.Writer) (*Result, error) {
	cfg, opts, _, err := prepare(s, v, cfg, opts)
	if err != nil {
		return nil, err
	}
	if gdTimeout <= 0 {
		gdTimeout = opts.Stall / 2
	}
	gd, err := detector.ConfigureGoDeadlock(detector.GoDeadlockConfig{Timeout: gdTimeout, Echo: echo})
	if err != nil {
		return nil, err
	}
	det := detector.New(detector.WithWaitFor(false), detector.WithLockOrder(false))
	rt := native.New(det, cfg.Seed, cfg.Yield, native.WithLocks(
		func(name string) labs.Mutex { return gd.NewMutex(name) },
		func(name string) labs.RWMutex { return gd.NewRWMutex(name) },
	))

	start := time.Now()
	inst, err := playWithin(v, rt, cfg, opts.Timeout)
	if errors.Is(err, errPlayStuck) {
		// The watchdog never started: there is nothing to wait for.
		res := newResult(s, v, cfg)
		res.Detectors = goDeadlockDetectors
		res.Elapsed = time.Since(start)
		res.Findings = append([]detector.Finding{{
			Kind:    detector.Stall,
			Message: fmt.Sprintf("the variant's Play did not return within the time limit of %v", opts.Timeout),
		}}, gd.Findings()...)
		res.Outcome = Timeout
		return res, nil
	}
	if err != nil {
		return nil, err
	}
	wd := watch(context.Background(), rt, det, opts)
	waited := make(chan error, 1)
	go func() { waited <- rt.Wait() }()
	var werr error
	finished := false
	select {
	case werr = <-waited:
		finished = true
	case <-det.Done():
		t := time.NewTimer(unwindGrace)
		select {
		case werr = <-waited:
			finished = true
		case <-t.C:
		}
		t.Stop()
	}
	wd.stop()
	elapsed := time.Since(start)
	if !finished && strings.Contains(det.Reason(), "panicked") {
		werr = errors.New(det.Reason())
	}

	for _, w := range rt.Workers() {
		gd.NameGoroutine(w.Goroutine(), w.Name())
	}
	gdf := gd.Findings()
	res := newResult(s, v, cfg)
	res.Detectors = goDeadlockDetectors
	res.Elapsed = elapsed
	if first := gd.FirstReport(); !first.IsZero() {
		res.DetectedAfter = first.Sub(start)
	}
	blocked := map[string]detector.Step{} // worker -> its timed-out wait
	for _, f := range gdf {
		for _, st := range f.Steps {
			if st.State == "blocked" {
				blocked[st.Worker] = st
			}
		}
	}
	// The watchdog's stall finding cannot see into go-deadlock's locks:
	// fill in what go-deadlock saw.
	for _, f := range det.Findings() {
		for i, st := range f.Steps {
			if b, ok := blocked[st.Worker]; ok && st.State == "running" {
				f.Steps[i] = b
			}
		}
		res.Findings = append(res.Findings, f)
	}
	res.Findings = append(res.Findings, gdf...)
	for _, w := range rt.Workers() {
		state := w.State().String()
		if _, ok := blocked[w.Name()]; ok && !finished && w.State() == native.Running {
			state = "blocked"
		}
		res.Workers = append(res.Workers, WorkerResult{Name: w.Name(), Progress: w.Count(), State: state})
	}
	if finished && !det.Aborted() {
		res.check(inst)
	}
	if werr != nil {
		res.Findings = append(res.Findings, detector.Finding{Kind: detector.Panic, Message: werr.Error()})
	}
	res.Outcome = goDeadlockOutcome(res.Findings, wd.timedOut, werr)
	return res, nil
}

// goDeadlockDetectors are the checks a go-deadlock run makes.
var goDeadlockDetectors = []string{string(labs.GoDeadlock), string(labs.Invariant), string(labs.Watchdog)}

var errPlayStuck = errors.New("play did not return")

// playWithin calls v.Play on another goroutine and waits for it at most
// limit: in the child nothing can unblock a Play stuck on go-deadlock's
// locks, and the child must still report.
func playWithin(v *labs.Variant, rt labs.Runtime, cfg labs.Config, limit time.Duration) (labs.Instance, error) {
	type played struct {
		inst labs.Instance
		err  error
	}
	ch := make(chan played, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				ch <- played{err: fmt.Errorf("variant %s: Play panicked: %v", v.Name, r)}
			}
		}()
		ch <- played{inst: v.Play(rt, cfg)}
	}()
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case p := <-ch:
		return p.inst, p.err
	case <-t.C:
		return nil, errPlayStuck
	}
}

// goDeadlockOutcome is outcome with go-deadlock's findings taken into
// account.
func goDeadlockOutcome(fs []detector.Finding, timedOut bool, werr error) Outcome {
	o := outcome(fs, timedOut, werr)
	var gd []detector.Finding
	for _, f := range fs {
		if f.Kind == detector.PotentialDeadlock && f.Gated == "" {
			gd = append(gd, f)
		}
	}
	switch {
	case (o == Stall || o == Timeout) && slices.ContainsFunc(gd, waitsInCycle):
		return Deadlock
	case o == OK && len(gd) > 0:
		return LockOrder
	}
	return o
}

// waitsInCycle reports whether the steps of f, read as "worker waits for a
// lock its owner holds", contain a cycle.
func waitsInCycle(f detector.Finding) bool {
	next := map[string][]string{}
	for _, st := range f.Steps {
		if st.Owner != "" {
			next[st.Worker] = append(next[st.Worker], strings.Split(st.Owner, ", ")...)
		}
	}
	const (
		grey = iota + 1
		black
	)
	color := map[string]int{}
	var visit func(w string) bool
	visit = func(w string) bool {
		color[w] = grey
		for _, o := range next[w] {
			switch color[o] {
			case grey:
				return true
			case 0:
				if visit(o) {
					return true
				}
			}
		}
		color[w] = black
		return false
	}
	for w := range next {
		if color[w] == 0 && visit(w) {
			return true
		}
	}
	return false
}

// tail returns the last lines of a child's output, for an error message.
func tail(out []byte) string {
	const n = 2 << 10
	s := strings.TrimSpace(string(out))
	if s == "" {
		return ""
	}
	if len(s) > n {
		s = "..." + s[len(s)-n:]
	}
	return "\n" + s
}
