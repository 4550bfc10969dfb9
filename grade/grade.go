package grade

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/locklab/locklab"
	"github.com/locklab/locklab/grade/instrument"
	"github.com/locklab/locklab/grade/report"
	"github.com/locklab/locklab/grade/sandbox"
	"github.com/locklab/locklab/internal/childproc"
	"github.com/locklab/locklab/labs/explore"
	"github.com/locklab/locklab/labs/race"
)

// Module is locklab's module path.
const Module = race.Module

// ErrToolchain is wrapped by Grade's error when the Go toolchain cannot
// build with -race (no go command, no cgo, no C compiler).
var ErrToolchain = race.ErrToolchain

// ErrNoSubmission is wrapped by Grade's error when dir is not a directory.
var ErrNoSubmission = errors.New("no submission directory")

// ErrBadToken is wrapped by Grade's error for a replay token that is
// malformed or not from this exercise's grading.
var ErrBadToken = errors.New("bad replay token")

// Defaults of Options.
const (
	DefaultTimeout      = 60 * time.Second // each checks program's run
	DefaultBuildTimeout = 3 * time.Minute
	DefaultMemoryLimit  = 1 << 30 // GOMEMLIMIT of a checks program
	DefaultAddressLimit = 8 << 30 // its address-space rlimit (the race runtime reserves much)
	DefaultLogMax       = 64 << 10
	// MessageMax caps what a check's message quotes of the submission's
	// own output (a panic value, a line of stderr).
	MessageMax = 300
	// maxIgnored is how many ignored file names a result lists.
	maxIgnored = 10
)

// Options tune Grade. The zero value is usable.
type Options struct {
	// Timeout limits each checks program's run (DefaultTimeout); the
	// native runs and the explored schedules run side by side.
	Timeout time.Duration
	// BuildTimeout limits the build (DefaultBuildTimeout; a cold build
	// cache compiles the race runtime and locklab).
	BuildTimeout time.Duration
	// Sandbox runs every process that handles submission code, build
	// included; nil means sandbox.New(sandbox.Auto).
	Sandbox *sandbox.Sandbox
	// Source is locklab's source, which the checks are built from (the
	// copy compiled into this binary, locklab.Source, by default).
	Source fs.FS
	// CacheDir is where the grader keeps the warm build cache that every
	// sandboxed build starts from a copy of; empty means locklab's
	// directory in the user's cache directory.
	CacheDir string
	// MemoryLimit is each checks program's GOMEMLIMIT in bytes
	// (DefaultMemoryLimit); AddressLimit its RLIMIT_AS
	// (DefaultAddressLimit).
	MemoryLimit, AddressLimit int64
	// LogMax caps the stdout and stderr kept (DefaultLogMax each).
	LogMax int
	// Logger receives debug logs; nil means none.
	Logger *zap.Logger
	// Replay, when set, is a token a check reported: Grade then builds the
	// submission and replays that schedule instead of grading, and
	// returns it in Result.Replay.
	Replay string

	trustSubmission bool // tests only: skip the allow-list, to prove the sandbox holds by itself
}

func (o Options) withDefaults() (Options, error) {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.BuildTimeout <= 0 {
		o.BuildTimeout = DefaultBuildTimeout
	}
	if o.Source == nil {
		o.Source = locklab.Source
	}
	if o.MemoryLimit <= 0 {
		o.MemoryLimit = DefaultMemoryLimit
	}
	if o.AddressLimit <= 0 {
		o.AddressLimit = DefaultAddressLimit
	}
	if o.LogMax <= 0 {
		o.LogMax = DefaultLogMax
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.Sandbox == nil {
		sb, err := sandbox.New(sandbox.Auto, sandbox.WithLogger(o.Logger))
		if err != nil {
			return o, err
		}
		o.Sandbox = sb
	}
	return o, nil
}

// CheckToken checks that token is a replay token of exercise ex's
// grading, before anything is built: a malformed or foreign one gives an
// error wrapping ErrBadToken.
func CheckToken(ex *Exercise, token string) error {
	tok, err := explore.DecodeToken(token)
	if err != nil {
		return fmt.Errorf("%w: it is not a replay token (they start with ll1- and come from a failed check of locklab grade)", ErrBadToken)
	}
	if tok.Scenario != ex.Name || (tok.Variant != report.Safety && tok.Variant != report.Liveness) {
		return fmt.Errorf("%w: it is not from locklab grade %s (replay tokens of locklab explore replay with locklab explore --replay)", ErrBadToken, ex.Name)
	}
	return nil
}

// Grade grades the submission in dir for exercise ex. It returns a
// complete Result, every check of the rubric scored, whatever the
// submission does (fails the allow-list or the build, crashes, hangs,
// exhausts memory, lies on a descriptor). The error is non-nil only when
// grading could not be carried out: dir missing (ErrNoSubmission), no
// toolchain (ErrToolchain, with a Result that says so), a bad replay
// token (ErrBadToken), or ctx done (the Result is then complete too,
// marked Interrupted, with the checks not graded saying so).
func Grade(ctx context.Context, ex *Exercise, dir string, opts Options) (*Result, error) {
	res := newResult(ex, dir)
	res.Started = time.Now()
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if opts.Replay != "" {
		if err := CheckToken(ex, opts.Replay); err != nil {
			return nil, err
		}
	}
	g := &grading{ex: ex, dir: dir, opts: opts, log: opts.Logger.With(zap.String("exercise", ex.Name)), res: res}
	res.Sandbox = string(opts.Sandbox.Level())
	if r := opts.Sandbox.Reason(); r != "" {
		res.Sandbox += ": " + r
	}
	err = g.run(ctx)
	res.Elapsed = time.Since(res.Started)
	switch {
	case err == nil:
	case ctx.Err() != nil:
		res.Interrupted = true
		res.failRest("not graded: interrupted")
		err = ctx.Err()
	case errors.Is(err, ErrToolchain):
		res.Error = err.Error()
		res.failRest("not run: " + err.Error())
	default:
		return nil, err
	}
	res.total()
	return res, err
}

type grading struct {
	ex   *Exercise
	dir  string
	opts Options
	log  *zap.Logger
	res  *Result

	tc      toolchain
	scratch string // the scratch module
	bin     string // the checks program
}

func (g *grading) run(ctx context.Context) error {
	info, err := os.Stat(g.dir)
	if err != nil || !info.IsDir() {
		return fmt.Errorf("grade: %w: %s", ErrNoSubmission, g.dir)
	}
	files, ok, err := g.readSubmission()
	if err != nil || !ok {
		return err
	}
	if g.tc, err = findToolchain(ctx); err != nil {
		return err
	}
	if g.scratch, err = os.MkdirTemp("", "locklab-grade-"); err != nil {
		return fmt.Errorf("grade: %w", err)
	}
	defer os.RemoveAll(g.scratch)
	// A dedicated uid (the sandbox's uid level) must reach the checks
	// program inside, but not list what else is there.
	if err := os.Chmod(g.scratch, 0o711); err != nil {
		return fmt.Errorf("grade: %w", err)
	}
	start := time.Now()
	if err := g.writeSnapshot(); err != nil {
		return err
	}
	g.log.Debug("snapshot written", zap.Duration("took", time.Since(start)))
	ok, err = g.instrument(ctx, files)
	if err != nil || !ok {
		g.res.BuildTime = time.Since(start)
		return err
	}
	g.log.Debug("instrumented", zap.Duration("took", time.Since(start)))
	ok, err = g.build(ctx)
	g.res.BuildTime = time.Since(start)
	if err != nil || !ok {
		return err
	}
	start = time.Now()
	defer func() { g.res.RunTime = time.Since(start) }()
	if g.opts.Replay != "" {
		g.res.failRest("not run: replaying " + g.opts.Replay)
		return g.replay(ctx)
	}
	return g.runChecks(ctx)
}

// readSubmission reads the exercise's allowed files from dir and records
// the others as ignored. A missing or oversized file fails the build.
func (g *grading) readSubmission() (map[string][]byte, bool, error) {
	entries, err := os.ReadDir(g.dir)
	if err != nil {
		return nil, false, fmt.Errorf("grade: %w", err)
	}
	allowed := map[string]bool{}
	for _, f := range g.ex.Files {
		allowed[f] = true
	}
	for _, e := range entries {
		if !allowed[e.Name()] {
			if g.res.IgnoredCount < maxIgnored {
				g.res.Ignored = append(g.res.Ignored, e.Name())
			}
			g.res.IgnoredCount++
		}
	}
	g.res.set(CheckAllowed, false, notRun)
	files := map[string][]byte{}
	for _, name := range g.ex.Files {
		p := filepath.Join(g.dir, name)
		info, err := os.Lstat(p)
		switch {
		case err != nil || !info.Mode().IsRegular():
			g.gate(CheckBuilds, "missing file "+name+" (it must be a regular file in "+g.dir+")")
			return nil, false, nil
		case info.Size() > instrument.MaxFileSize:
			g.gate(CheckBuilds, fmt.Sprintf("%s has %d bytes; a graded file may have at most %d", name, info.Size(), instrument.MaxFileSize))
			return nil, false, nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return nil, false, fmt.Errorf("grade: %w", err)
		}
		files[name] = src
	}
	return files, true, nil
}

// gate fails the gate check name with msg (every earlier gate passed),
// and every other check for want of it.
func (g *grading) gate(name, msg string) {
	for _, c := range g.ex.Rubric {
		if c.Name == name {
			break
		}
		if c.Gate {
			g.res.set(c.Name, true, "passed")
		}
	}
	g.res.set(name, false, msg)
	g.res.failRest(fmt.Sprintf("not run: the submission did not pass the %s check, so none of its code was run", name))
}

// instrument checks the submission against the allow-list, type-checks
// it, and writes its instrumented files into the scratch module.
func (g *grading) instrument(ctx context.Context, files map[string][]byte) (bool, error) {
	fset := token.NewFileSet()
	imp, err := instrument.ExportImporter(ctx, g.tc.goCmd, g.scratch, g.goEnv(g.tc.cache), fset, g.ex.Imports...)
	if err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		return false, fmt.Errorf("grade: %w", err)
	}
	imports := g.ex.Imports
	if g.opts.trustSubmission {
		imports = nil
	}
	pkg, vs, typeErrs, err := instrument.Check(files, instrument.Config{Package: g.ex.Package, Imports: imports, Importer: imp})
	if g.opts.trustSubmission {
		return false, errors.New("grade: trustSubmission is for the sandbox tests, which build their own way")
	}
	switch {
	case err != nil:
		return false, fmt.Errorf("grade: %w", err)
	case len(vs) > 0:
		g.res.Violations = vs
		lines := make([]string, 0, len(vs)+1)
		imports := false
		for _, v := range vs {
			lines = append(lines, g.display(v.String()))
			imports = imports || strings.HasPrefix(v.What, "import ")
		}
		if imports {
			lines = append(lines, "allowed imports: "+strings.Join(g.ex.Imports, ", "))
		}
		g.gate(CheckAllowed, strings.Join(lines, "\n"))
		return false, nil
	case len(typeErrs) > 0:
		g.res.Build = g.display(strings.Join(typeErrs, "\n"))
		g.gate(CheckBuilds, g.res.Build)
		return false, nil
	}
	g.res.set(CheckAllowed, true, "only allowed packages and constructs")
	out, err := instrument.Rewrite(pkg)
	if err != nil {
		return false, fmt.Errorf("grade: instrumenting the submission: %w", err)
	}
	// The exercise's types now use the mirrors of sync, as the rewritten
	// submission does.
	if err := g.swapExercises(); err != nil {
		return false, err
	}
	sub := filepath.Join(g.scratch, "submission")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		return false, fmt.Errorf("grade: %w", err)
	}
	for name, src := range out {
		if err := os.WriteFile(filepath.Join(sub, name), src, 0o644); err != nil {
			return false, fmt.Errorf("grade: %w", err)
		}
	}
	return true, nil
}

// display names the submission's files as the student knows them: the
// scratch copy's submission/NAME.go, or a bare NAME.go, becomes
// DIR/NAME.go.
func (g *grading) display(s string) string {
	for _, name := range g.ex.Files {
		shown := filepath.ToSlash(filepath.Join(g.dir, name))
		s = strings.ReplaceAll(s, "submission/"+name, "\x00"+name)
		s = replaceWord(s, name, shown)
		s = strings.ReplaceAll(s, "\x00"+name, shown)
	}
	return s
}

// replaceWord replaces name where it starts a line or follows a space or
// a parenthesis.
func replaceWord(s, name, with string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, name)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		prev := byte(' ')
		if i > 0 {
			prev = s[i-1]
		}
		b.WriteString(s[:i])
		if prev == ' ' || prev == '\n' || prev == '(' || prev == '\t' || i == 0 {
			b.WriteString(with)
		} else {
			b.WriteString(name)
		}
		s = s[i+len(name):]
	}
}

// build compiles the scratch module with -race in the sandbox. ok is
// false when the submission does not build.
func (g *grading) build(ctx context.Context) (bool, error) {
	start := time.Now()
	bindir := filepath.Join(g.scratch, "bin")
	home := filepath.Join(g.scratch, "home")
	for _, d := range []string{bindir, home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return false, fmt.Errorf("grade: %w", err)
		}
	}
	g.bin = filepath.Join(bindir, "checks")
	warm, err := g.warmCache(ctx)
	if err != nil {
		return false, err
	}
	cache := filepath.Join(g.scratch, "gocache")
	if err := copyTree(warm, cache, true); err != nil {
		return false, fmt.Errorf("grade: copying the build cache: %w", err)
	}
	g.log.Debug("build cache copied", zap.Duration("took", time.Since(start)))
	if err := g.vendor(ctx); err != nil {
		return false, err
	}
	g.log.Debug("vendored", zap.Duration("took", time.Since(start)))
	out := &childproc.HeadBuffer{Max: g.opts.LogMax}
	cmd := &sandbox.Cmd{
		Path:     g.tc.goCmd,
		Args:     []string{"build", "-race", "-trimpath", "-o", g.bin, "."},
		Env:      g.buildEnv(cache, home),
		Dir:      g.scratch,
		ReadOnly: []string{g.tc.goroot},
		Writable: []string{g.scratch},
		Stdout:   out, Stderr: out,
		Limits:  sandbox.Limits{CPU: 2 * g.opts.BuildTimeout, AddressSpace: g.opts.AddressLimit, OpenFiles: 4096, FileSize: 1 << 30, Processes: 4096},
		Timeout: g.opts.BuildTimeout,
	}
	exit, err := g.opts.Sandbox.Run(ctx, cmd)
	g.log.Debug("built", zap.Duration("took", time.Since(start)))
	if err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		return false, fmt.Errorf("grade: building the checks: %w", err)
	}
	if exit.Code == 0 && !exit.TimedOut && exit.Signal == "" {
		g.res.set(CheckBuilds, true, "compiled with -race")
		return true, nil
	}
	msg := buildMessage(out.String(), g.scratch)
	if exit.TimedOut {
		msg = fmt.Sprintf("the build took longer than %v", g.opts.BuildTimeout)
	}
	if tc := toolchainProblem(msg); tc != "" {
		return false, fmt.Errorf("%w: %s", ErrToolchain, tc)
	}
	g.log.Warn("the instrumented submission did not build, though it type-checked", zap.String("output", msg))
	g.res.Build = g.display(msg)
	g.gate(CheckBuilds, "the grader's instrumented build of the submission failed (please report it as a locklab bug, with the submission): "+g.res.Build)
	return false, nil
}

func dedupe(paths ...string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range paths {
		if p != "" && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// goEnv is the go command's whole environment for the scratch module.
func (g *grading) goEnv(cache string) []string {
	return []string{
		"PATH=" + filepath.Join(g.tc.goroot, "bin") + ":/usr/local/bin:/usr/bin:/bin",
		"HOME=" + g.scratch,
		"GOROOT=" + g.tc.goroot,
		"GOCACHE=" + cache,
		"GOMODCACHE=" + g.tc.modcache,
		"GOPATH=" + filepath.Join(g.scratch, "gopath"),
		"GOFLAGS=-mod=mod", "GOPROXY=off", "GOSUMDB=off", "GOWORK=off", "GOTOOLCHAIN=local",
		"GOENV=off", "GOTELEMETRY=off", "CGO_ENABLED=1", "CC=" + g.tc.cc,
	}
}

// buildMessage trims the go command's output to the compiler's messages,
// with paths relative to the submission.
func buildMessage(out, scratch string) string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "# ") || strings.TrimSpace(l) == "" {
			continue
		}
		l = strings.ReplaceAll(l, scratch+string(filepath.Separator), "")
		lines = append(lines, strings.TrimPrefix(l, "./"))
	}
	if len(lines) == 0 {
		return "the build failed"
	}
	if len(lines) > 20 {
		lines = append(lines[:20], "and "+Thousands(len(lines)-20)+" more lines")
	}
	return strings.Join(lines, "\n")
}

func toolchainProblem(msg string) string {
	for _, l := range strings.Split(msg, "\n") {
		if strings.Contains(l, "-race requires cgo") || strings.Contains(l, "-race is not supported") ||
			(strings.Contains(l, "C compiler") && strings.Contains(l, "not found")) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

func newNonce() (string, error) {
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(raw[:]), nil
}

// childRun is one run of the checks program in the sandbox.
type childRun struct {
	lines          []report.Line
	exit           *sandbox.Exit
	stdout, stderr string
}

// child runs the checks program in mode with ctl in its own sandbox and
// returns what it reported.
func (g *grading) child(ctx context.Context, ctl report.Control) (*childRun, error) {
	nonce, err := newNonce()
	if err != nil {
		return nil, fmt.Errorf("grade: nonce: %w", err)
	}
	ctl.Nonce = nonce
	work, err := os.MkdirTemp(g.scratch, "work-"+ctl.Mode+"-")
	if err != nil {
		return nil, fmt.Errorf("grade: %w", err)
	}
	if err := os.Chmod(work, 0o755); err != nil {
		return nil, fmt.Errorf("grade: %w", err)
	}
	resR, resW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("grade: %w", err)
	}
	defer resR.Close()
	ctlR, ctlW, err := os.Pipe()
	if err != nil {
		resW.Close()
		return nil, fmt.Errorf("grade: %w", err)
	}
	data, _ := json.Marshal(ctl)
	_, werr := ctlW.Write(append(data, '\n'))
	ctlW.Close()
	if werr != nil {
		resW.Close()
		ctlR.Close()
		return nil, fmt.Errorf("grade: %w", werr)
	}
	halt := "0"
	if ctl.Mode == report.ModeNative {
		halt = "1" // stop at the first data race: nothing after it is trusted
	}
	stdout := &childproc.HeadBuffer{Max: g.opts.LogMax}
	stderr := &childproc.HeadBuffer{Max: g.opts.LogMax}
	cmd := &sandbox.Cmd{
		Path: g.bin,
		Env: []string{
			"PATH=/usr/bin:/bin", "HOME=" + work, "TMPDIR=" + work, "GOMAXPROCS=2",
			"GOMEMLIMIT=" + strconv.FormatInt(g.opts.MemoryLimit, 10),
			"GORACE=halt_on_error=" + halt + " exitcode=66 atexit_sleep_ms=0 history_size=2",
			"GOTRACEBACK=single",
		},
		Dir:        work,
		ReadOnly:   []string{filepath.Dir(g.bin)},
		Writable:   []string{work},
		Stdout:     stdout,
		Stderr:     stderr,
		ExtraFiles: []*os.File{resW, ctlR},
		Limits: sandbox.Limits{CPU: 3 * g.opts.Timeout, AddressSpace: g.opts.AddressLimit, Processes: 512,
			OpenFiles: 256, FileSize: 16 << 20},
		Timeout: g.opts.Timeout,
	}
	var (
		lines []report.Line
		wg    sync.WaitGroup
	)
	wg.Go(func() { lines = report.Read(resR, nonce) })
	exit, err := g.opts.Sandbox.Run(ctx, cmd)
	if exit != nil {
		g.log.Debug("checks program ended", zap.String("mode", ctl.Mode), zap.Stringer("exit", exit), zap.Duration("took", exit.Elapsed))
	}
	resW.Close()
	ctlR.Close()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		resR.Close() // a descriptor somewhere kept the pipe open: stop reading
		<-done
	}
	if err != nil {
		return nil, err
	}
	return &childRun{lines: lines, exit: exit, stdout: stdout.String(), stderr: stderr.String()}, nil
}

// runChecks runs the native runs and the explored schedules side by side
// and scores them.
func (g *grading) runChecks(ctx context.Context) error {
	eff := g.ex.Effort
	var native, explored *childRun
	var nerr, eerr error
	var wg sync.WaitGroup
	wg.Go(func() {
		native, nerr = g.child(ctx, report.Control{Mode: report.ModeNative, Runs: eff.NativeRuns})
	})
	wg.Go(func() {
		explored, eerr = g.child(ctx, report.Control{Mode: report.ModeExplore, Schedules: eff.Schedules,
			Budget: min(max(g.opts.Timeout/3-2*time.Second, 3*time.Second), 10*time.Second)})
	})
	wg.Wait()
	if ctx.Err() != nil {
		// Score what finished; the rest is "not graded: interrupted".
		if nerr == nil && native != nil {
			g.scoreNative(native)
		}
		if eerr == nil && explored != nil && nerr == nil && native != nil {
			g.scoreExplored(explored)
		}
		return ctx.Err()
	}
	if nerr != nil {
		return fmt.Errorf("grade: running the checks: %w", nerr)
	}
	if eerr != nil {
		return fmt.Errorf("grade: running the checks: %w", eerr)
	}
	g.res.Native, g.res.Explored = native.exit.String(), explored.exit.String()
	g.res.Stdout = native.stdout + explored.stdout
	g.res.Stderr = native.stderr + explored.stderr
	g.scoreNative(native)
	g.scoreExplored(explored)
	return nil
}

// replay runs the checks program's replay of the token.
func (g *grading) replay(ctx context.Context) error {
	c, err := g.child(ctx, report.Control{Mode: report.ModeReplay, Token: g.opts.Replay})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("grade: replaying: %w", err)
	}
	g.res.Explored = c.exit.String()
	g.res.Stdout, g.res.Stderr = c.stdout, c.stderr
	for _, l := range c.lines {
		if l.Kind != report.KindReplay {
			continue
		}
		if l.Error != "" {
			g.log.Debug("replay refused", zap.String("why", clip(l.Error)))
			return fmt.Errorf("%w: its schedule does not fit this submission (the code changed since the token was made, or the token is from another submission)", ErrBadToken)
		}
		if l.Replay != nil {
			g.res.Replay = l.Replay
			g.mapFailure(l.Replay)
			return nil
		}
	}
	g.res.ReplayError = "the replay did not finish: " + g.childEnd(c)
	return nil
}

// mapFailure names the submission's files in f's trace and findings as
// the student knows them.
func (g *grading) mapFailure(f *explore.Failure) {
	for i := range f.Trace {
		f.Trace[i].At.File = g.display(f.Trace[i].At.File)
		f.Trace[i].Target = g.shortName(f.Trace[i].Target)
		for j := range f.Trace[i].Holds {
			f.Trace[i].Holds[j] = g.shortName(f.Trace[i].Holds[j])
		}
	}
	for i := range f.Findings {
		f.Findings[i].Message = g.display(clip(f.Findings[i].Message))
		for j := range f.Findings[i].Steps {
			st := &f.Findings[i].Steps[j]
			st.At.File = g.display(st.At.File)
			st.Lock = g.shortName(st.Lock)
			for k := range st.Holds {
				st.Holds[k] = g.shortName(st.Holds[k])
			}
		}
	}
}

// shortName drops the scratch module's directory from an object's name
// ("sync.Mutex at submission/counter.go:9" names counter.go:9).
func (g *grading) shortName(s string) string { return strings.ReplaceAll(s, "submission/", "") }

// childEnd says in a phrase how a checks program ended without reporting
// everything.
func (g *grading) childEnd(c *childRun) string {
	for _, l := range c.lines {
		if l.Kind == report.KindGuard {
			return "it was stopped: " + clip(l.Guard)
		}
	}
	e := c.exit
	switch {
	case e.TimedOut:
		return fmt.Sprintf("it did not finish within %v", g.opts.Timeout)
	case e.Signal != "":
		return "it was killed (" + e.Signal + ")"
	case e.Code == 66:
		return "it stopped at a data race"
	case e.Code != 0:
		return fmt.Sprintf("it ended with exit status %d: the submission panicked or crashed%s", e.Code, lastLine(c.stderr))
	}
	return "it exited before reporting"
}

// clip caps a message from the checks program, which may quote the
// submission, at MessageMax bytes.
func clip(s string) string {
	if len(s) <= MessageMax {
		return s
	}
	cut := MessageMax
	for cut > 0 && (s[cut]&0xC0) == 0x80 {
		cut--
	}
	return s[:cut] + "… (truncated)"
}

// lastLine returns the most telling line of a crashed program's stderr,
// quoted as the submission's own output.
func lastLine(stderr string) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	pick := ""
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if strings.HasPrefix(l, "panic:") || strings.HasPrefix(l, "fatal error:") {
			pick = l
		}
	}
	if pick == "" {
		return ""
	}
	return "; its output says (the submission's own output, truncated): " + clip(pick)
}

// withDir adds --dir DIR to a "locklab grade NAME ..." command line when
// dir is not the default exercises/NAME.
func withDir(cmd, name, dir string) string {
	prefix := "locklab grade " + name
	if dir == "" || filepath.Clean(dir) == filepath.Join("exercises", name) || !strings.HasPrefix(cmd, prefix) {
		return cmd
	}
	if rest := cmd[len(prefix):]; rest != "" && rest[0] != ' ' {
		return cmd
	}
	return prefix + " --dir " + shellQuote(dir) + cmd[len(prefix):]
}

// shellQuote quotes s for a POSIX shell when it needs quoting.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./~+:@,=", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
