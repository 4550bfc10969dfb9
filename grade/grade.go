package grade

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/grade/report"
	"github.com/locklab/locklab/internal/childproc"
	"github.com/locklab/locklab/labs/race"
)

// Module is locklab's module path, which the scratch module requires.
const Module = race.Module

// ErrToolchain is wrapped by Grade's error when the Go toolchain cannot
// build with -race (no go command, no cgo, no C compiler).
var ErrToolchain = race.ErrToolchain

//go:embed checks
var embedded embed.FS

// Checks returns the embedded checks programs: a tree with one directory
// per exercise.
func Checks() fs.FS {
	sub, err := fs.Sub(embedded, "checks")
	if err != nil {
		panic(err) // cannot happen: "checks" is a valid path
	}
	return sub
}

// Defaults of Options.
const (
	DefaultTimeout      = 60 * time.Second
	DefaultBuildTimeout = 3 * time.Minute
	DefaultMemoryLimit  = 1 << 30 // GOMEMLIMIT of the checks program
	DefaultAddressLimit = 8 << 30 // its hard address-space cap, with prlimit
	DefaultLogMax       = 64 << 10
)

// Options tune Grade. The zero value is usable.
type Options struct {
	// Timeout limits the checks program's run (DefaultTimeout).
	Timeout time.Duration
	// BuildTimeout limits the build (DefaultBuildTimeout; a cold build
	// cache compiles the race runtime and locklab).
	BuildTimeout time.Duration
	// Root is the locklab module's directory. Empty: the go command's
	// GOMOD as seen from the working directory, then from the submission
	// directory.
	Root string
	// Checks is the tree of checks programs (Checks()).
	Checks fs.FS
	// MemoryLimit is the checks program's GOMEMLIMIT in bytes
	// (DefaultMemoryLimit); AddressLimit its hard address-space limit
	// through prlimit (DefaultAddressLimit; the race runtime reserves much
	// address space, so it must be generous). Without prlimit on PATH only
	// the soft limit applies.
	MemoryLimit, AddressLimit int64
	// LogMax caps the stdout and stderr kept (DefaultLogMax each).
	LogMax int
	// Logger receives debug logs; nil means none.
	Logger *zap.Logger
	// Replay, when set, is a token a check reported: Grade then builds the
	// submission and runs the checks program's replay of it instead of the
	// checks, writing what it prints to ReplayOut, and returns the Result
	// of the build and forbidden checks only.
	Replay    string
	ReplayOut io.Writer
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.BuildTimeout <= 0 {
		o.BuildTimeout = DefaultBuildTimeout
	}
	if o.Checks == nil {
		o.Checks = Checks()
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
	return o
}

// ErrNoSubmission is wrapped by Grade's error when dir is not a directory.
var ErrNoSubmission = errors.New("no submission directory")

// Grade grades the submission in dir for exercise ex. It returns a
// complete Result, every check of the rubric scored, whatever the
// submission does (fails to build, crashes, hangs, exhausts memory, lies
// on fd 3). The error is non-nil only when grading could not be carried
// out: dir missing (ErrNoSubmission), no toolchain (ErrToolchain, with a
// Result whose Error says so), no checks for ex, ctx canceled.
func Grade(ctx context.Context, ex *Exercise, dir string, opts Options) (*Result, error) {
	opts = opts.withDefaults()
	g := &grading{ex: ex, dir: dir, opts: opts, log: opts.Logger, res: newResult(ex, dir)}
	g.res.Started = time.Now()
	err := g.run(ctx)
	g.res.Elapsed = time.Since(g.res.Started)
	g.res.total()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if errors.Is(err, ErrToolchain) {
			g.res.Error = err.Error()
			g.res.failRest("not run: " + err.Error())
			return g.res, err
		}
		return nil, err
	}
	return g.res, nil
}

type grading struct {
	ex   *Exercise
	dir  string
	opts Options
	log  *zap.Logger
	res  *Result
}

func (g *grading) run(ctx context.Context) error {
	info, err := os.Stat(g.dir)
	if err != nil || !info.IsDir() {
		return fmt.Errorf("grade: %w: %s", ErrNoSubmission, g.dir)
	}
	checks, err := fs.Sub(g.opts.Checks, g.ex.Name)
	if err == nil {
		_, err = fs.Stat(checks, ".")
	}
	if err != nil {
		return fmt.Errorf("grade: no checks program for exercise %s", g.ex.Name)
	}

	files, err := g.readSubmission()
	if err != nil {
		return err
	}
	goCmd, root, err := g.toolchain(ctx)
	if err != nil {
		return err
	}
	scratch, err := os.MkdirTemp("", "locklab-grade-")
	if err != nil {
		return fmt.Errorf("grade: %w", err)
	}
	defer os.RemoveAll(scratch)
	if err := g.writeScratch(scratch, root, files, checks); err != nil {
		return err
	}

	start := time.Now()
	bin, ok, err := g.build(ctx, goCmd, scratch)
	g.res.BuildTime = time.Since(start)
	if err != nil || !ok {
		return err
	}
	if len(g.res.Forbidden) > 0 {
		g.res.set(CheckForbidden, false, forbiddenMessage(g.res.Forbidden))
		g.res.failRest("not run: the submission uses a forbidden construct, so its code is not run")
		return nil
	}
	g.res.set(CheckForbidden, true, "none found")
	if g.opts.Replay != "" {
		g.res.failRest("not run: replaying " + g.opts.Replay)
		return g.replay(ctx, bin, scratch)
	}
	start = time.Now()
	err = g.runChecks(ctx, bin, scratch)
	g.res.RunTime = time.Since(start)
	return err
}

func forbiddenMessage(vs []Violation) string {
	lines := make([]string, len(vs))
	for i, v := range vs {
		lines[i] = v.String()
	}
	return strings.Join(lines, "\n")
}

// readSubmission reads the exercise's allowed files from dir, checks them
// for forbidden constructs, and records the other files as ignored. A
// missing allowed file fails the build.
func (g *grading) readSubmission() (map[string][]byte, error) {
	entries, err := os.ReadDir(g.dir)
	if err != nil {
		return nil, fmt.Errorf("grade: %w", err)
	}
	allowed := map[string]bool{}
	for _, f := range g.ex.Files {
		allowed[f] = true
	}
	for _, e := range entries {
		if !allowed[e.Name()] {
			g.res.Ignored = append(g.res.Ignored, e.Name())
		}
	}
	files := map[string][]byte{}
	for _, name := range g.ex.Files {
		p := filepath.Join(g.dir, name)
		info, err := os.Lstat(p)
		if err != nil || !info.Mode().IsRegular() {
			files[name] = nil // missing: the build fails and says so
			continue
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("grade: %w", err)
		}
		files[name] = src
		vs, err := Forbidden(name, src)
		if err != nil {
			continue // the compiler reports it
		}
		g.res.Forbidden = append(g.res.Forbidden, vs...)
	}
	return files, nil
}

// toolchain finds the go command and locklab's module root (opts.Root,
// else the working directory's or the submission's module), and checks
// that -race can work, as locklab race does.
func (g *grading) toolchain(ctx context.Context) (goCmd, root string, err error) {
	dirs := []string{".", g.dir}
	if g.opts.Root != "" {
		dirs = []string{g.opts.Root}
	}
	return race.Toolchain(ctx, "locklab grade", dirs...)
}

// modulePath returns the module path a go.mod file declares.
func modulePath(gomod []byte) string {
	for _, line := range strings.Split(string(gomod), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`)
		}
	}
	return ""
}

// requires returns the module@version requirements of a go.mod file.
func requires(gomod []byte) []string {
	var out []string
	block := false
	for _, line := range strings.Split(string(gomod), "\n") {
		line, _, _ = strings.Cut(line, "//")
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case block && f[0] == ")":
			block = false
		case block && len(f) >= 2:
			out = append(out, f[0]+" "+f[1])
		case f[0] == "require" && len(f) == 2 && f[1] == "(":
			block = true
		case f[0] == "require" && len(f) >= 3:
			out = append(out, f[1]+" "+f[2])
		}
	}
	return out
}

// SubmissionPackage is the import path of the submission in the scratch
// module.
const SubmissionPackage = "locklab.grade/submission"

// writeScratch lays out the scratch module: go.mod requiring locklab
// (replaced by root) and locklab's own requirements, locklab's go.sum, the
// submission's allowed files in submission/, and the checks program at the
// top.
func (g *grading) writeScratch(scratch, root string, files map[string][]byte, checks fs.FS) error {
	rootMod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return fmt.Errorf("grade: %w", err)
	}
	var mod strings.Builder
	fmt.Fprintf(&mod, "module locklab.grade\n\ngo 1.26\n\nrequire %s v0.0.0\n\nrequire (\n", Module)
	for _, r := range requires(rootMod) {
		fmt.Fprintf(&mod, "\t%s // indirect\n", r)
	}
	fmt.Fprintf(&mod, ")\n\nreplace %s => %s\n", Module, strconv.Quote(root))
	write := func(rel string, data []byte) error {
		p := filepath.Join(scratch, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, data, 0o644)
	}
	if err := write("go.mod", []byte(mod.String())); err != nil {
		return fmt.Errorf("grade: %w", err)
	}
	if sum, err := os.ReadFile(filepath.Join(root, "go.sum")); err == nil {
		if err := write("go.sum", sum); err != nil {
			return fmt.Errorf("grade: %w", err)
		}
	}
	for name, src := range files {
		if src == nil {
			continue
		}
		if err := write("submission/"+name, src); err != nil {
			return fmt.Errorf("grade: %w", err)
		}
	}
	err = fs.WalkDir(checks, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(checks, p)
		if err != nil {
			return err
		}
		if strings.HasSuffix(p, ".go") {
			data = stripIgnore(data)
		}
		return write(p, data)
	})
	if err != nil {
		return fmt.Errorf("grade: checks of %s: %w", g.ex.Name, err)
	}
	return nil
}

// stripIgnore removes a "//go:build ignore" line from the top of a file.
func stripIgnore(src []byte) []byte {
	lines := bytes.SplitAfter(src, []byte("\n"))
	for i, l := range lines {
		t := bytes.TrimSpace(l)
		if bytes.Equal(t, []byte("//go:build ignore")) {
			return bytes.Join(append(lines[:i:i], lines[i+1:]...), nil)
		}
		if len(t) > 0 && !bytes.HasPrefix(t, []byte("//")) {
			break
		}
	}
	return src
}

// build compiles the scratch module with -race. ok is false when the
// submission does not compile (the builds check then says why).
func (g *grading) build(ctx context.Context, goCmd, scratch string) (bin string, ok bool, err error) {
	for _, name := range g.ex.Files {
		if _, err := os.Stat(filepath.Join(scratch, "submission", name)); err != nil {
			g.res.set(CheckBuilds, false, "missing file "+name+" (it must be a regular file in "+g.dir+")")
			g.res.failRest("not run: the submission does not build")
			return "", false, nil
		}
	}
	ctx, cancel := context.WithTimeout(ctx, g.opts.BuildTimeout)
	defer cancel()
	bin = filepath.Join(scratch, "checks.bin")
	cmd := exec.CommandContext(ctx, goCmd, "build", "-race", "-o", bin, ".")
	cmd.Dir = scratch
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOPROXY=off", "GOTOOLCHAIN=local", "CGO_ENABLED=1")
	out := &childproc.HeadBuffer{Max: g.opts.LogMax}
	cmd.Stdout, cmd.Stderr = out, out
	childproc.OwnGroup(cmd)
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil && errors.Is(ctx.Err(), context.Canceled) {
			return "", false, ctx.Err()
		}
		msg := buildMessage(out.String(), scratch)
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			msg = fmt.Sprintf("the build took longer than %v", g.opts.BuildTimeout)
		}
		if tc := toolchainProblem(msg); tc != "" {
			return "", false, fmt.Errorf("%w: %s", ErrToolchain, tc)
		}
		g.res.Build = msg
		g.res.set(CheckBuilds, false, msg)
		g.res.failRest("not run: the submission does not build")
		return "", false, nil
	}
	g.res.set(CheckBuilds, true, "compiled with -race")
	return bin, true, nil
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
		l = strings.ReplaceAll(l, "submission/", "")
		lines = append(lines, strings.TrimPrefix(l, "./"))
	}
	if len(lines) == 0 {
		return "the build failed"
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

// maxLines caps the result lines read from a checks program.
const maxLines = 1000

// runChecks runs the checks binary and scores the checks it reports.
func (g *grading) runChecks(ctx context.Context, bin, scratch string) error {
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return fmt.Errorf("grade: nonce: %w", err)
	}
	nonce := hex.EncodeToString(raw[:])
	pr, pw, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("grade: %w", err)
	}
	defer pr.Close()
	// The nonce goes through a second pipe, not the environment: a value
	// in the environment stays readable in /proc/self/environ.
	nr, nw, err := os.Pipe()
	if err != nil {
		pw.Close()
		return fmt.Errorf("grade: %w", err)
	}
	if _, err := nw.WriteString(nonce + "\n"); err != nil {
		pw.Close()
		nr.Close()
		nw.Close()
		return fmt.Errorf("grade: %w", err)
	}
	nw.Close()

	rctx, cancel := context.WithTimeout(ctx, g.opts.Timeout)
	defer cancel()
	name, args := bin, []string(nil)
	if prlimit, err := exec.LookPath("prlimit"); err == nil {
		name, args = prlimit, []string{"--as=" + strconv.FormatInt(g.opts.AddressLimit, 10), "--", bin}
	}
	cmd := exec.CommandContext(rctx, name, args...)
	work := filepath.Join(scratch, "work")
	if err := os.Mkdir(work, 0o755); err != nil {
		return fmt.Errorf("grade: %w", err)
	}
	cmd.Dir = work
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + work,
		"TMPDIR=" + work,
		"GOMAXPROCS=2",
		"GOMEMLIMIT=" + strconv.FormatInt(g.opts.MemoryLimit, 10),
		"GORACE=halt_on_error=0 exitcode=66 atexit_sleep_ms=0 history_size=2",
		report.EnvFD + "=3",
		report.EnvNonceFD + "=4",
	}
	stdout := &childproc.HeadBuffer{Max: g.opts.LogMax}
	stderr := &childproc.HeadBuffer{Max: g.opts.LogMax}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.ExtraFiles = []*os.File{pw, nr}
	childproc.OwnGroup(cmd)
	cmd.WaitDelay = 2 * time.Second

	var (
		mu    sync.Mutex
		lines []report.Line
	)
	readDone := make(chan struct{})
	err = cmd.Start()
	pw.Close()
	nr.Close()
	if err != nil {
		return fmt.Errorf("grade: starting the checks: %w", err)
	}
	go func() {
		defer close(readDone)
		r := bufio.NewReaderSize(pr, 64<<10)
		for n := 0; n < maxLines; n++ {
			line, err := r.ReadSlice('\n')
			var l report.Line
			if json.Unmarshal(bytes.TrimSpace(line), &l) == nil && l.Nonce == nonce {
				mu.Lock()
				lines = append(lines, l)
				mu.Unlock()
			}
			if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
				return
			}
			if errors.Is(err, bufio.ErrBufferFull) { // a line too long: skip the rest of it
				for errors.Is(err, bufio.ErrBufferFull) {
					_, err = r.ReadSlice('\n')
				}
				if err != nil {
					return
				}
			}
		}
		io.Copy(io.Discard, pr) //nolint:errcheck // drain so the child never blocks on a full pipe
	}()
	waitErr := cmd.Wait()
	killGroup(cmd)
	select {
	case <-readDone:
	case <-time.After(2 * time.Second):
		pr.Close()
		<-readDone
	}
	if ctx.Err() != nil && errors.Is(ctx.Err(), context.Canceled) {
		return ctx.Err()
	}

	g.res.Stdout, g.res.Stderr = stdout.String(), stderr.String()
	timedOut := errors.Is(rctx.Err(), context.DeadlineExceeded)
	g.res.Exit = exitDescription(waitErr, timedOut, g.opts.Timeout)
	mu.Lock()
	defer mu.Unlock()
	g.score(lines, timedOut, waitErr)
	return nil
}

func exitDescription(err error, timedOut bool, limit time.Duration) string {
	switch {
	case timedOut:
		return "killed: time limit " + limit.String()
	case err == nil:
		return "exit status 0"
	}
	return err.Error()
}

// score turns the verified result lines into the runtime checks' scores.
func (g *grading) score(lines []report.Line, timedOut bool, waitErr error) {
	type seen struct {
		pass, conflict bool
		msg, repro     string
	}
	got := map[string]*seen{}
	done := false
	for _, l := range lines {
		switch l.Kind {
		case report.KindDone:
			done = true
		case report.KindResult:
			c, ok := g.ex.Check(l.Check)
			if !ok || c.ByGrader {
				continue
			}
			if s := got[l.Check]; s != nil {
				if s.pass != l.Pass {
					s.conflict = true
				}
				continue
			}
			got[l.Check] = &seen{pass: l.Pass, msg: l.Message, repro: l.Reproduce}
		}
	}
	why := "the program exited early"
	switch {
	case timedOut:
		why = "the program timed out after " + g.opts.Timeout.String()
	case done:
		why = "the checks program did not run this check"
	case waitErr != nil:
		why = "the program crashed (" + g.res.Exit + ")"
	}
	for _, c := range g.ex.Rubric {
		if c.ByGrader {
			continue
		}
		s := got[c.Name]
		switch {
		case s == nil:
			g.res.set(c.Name, false, "did not report: "+why+lastLine(g.res.Stderr))
		case s.conflict:
			g.res.set(c.Name, false, "reported twice with different results: not trusted")
		default:
			g.res.set(c.Name, s.pass, s.msg)
			if s.repro != "" {
				g.res.Check(c.Name).Reproduce = withDir(s.repro, g.ex.Name, g.dir)
			}
		}
	}
	if races := detector.Dedup(detector.ParseRace(g.res.Stderr)); len(races) > 0 {
		if c := g.res.Check(CheckRaceFree); c != nil {
			g.res.set(CheckRaceFree, false, raceMessage(races))
		}
	}
}

func lastLine(stderr string) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	pick := ""
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if strings.HasPrefix(l, "panic:") || strings.HasPrefix(l, "fatal error:") {
			pick = l // the first such line wins: it says why
		}
	}
	for i := len(lines) - 1; i >= 0 && pick == ""; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" && !strings.HasPrefix(l, "exit status") {
			pick = l
		}
	}
	if pick == "" {
		return ""
	}
	if len(pick) > 200 {
		pick = pick[:200] + "…"
	}
	return "; stderr says: " + pick
}

func raceMessage(races []detector.Race) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d data race(s) reported by the race detector", len(races))
	sort.SliceStable(races, func(i, j int) bool { return races[i].Key() < races[j].Key() })
	for _, r := range races {
		a, p := r.Accesses[0], r.Accesses[1]
		fmt.Fprintf(&b, "\n%s by %s at %s / %s by %s at %s", a.Op, a.Who(), where(a), p.Op, p.Who(), where(p))
	}
	return b.String()
}

func where(a detector.Access) string {
	if s := a.At.String(); s != "" {
		return strings.TrimPrefix(s, "submission/")
	}
	return a.Func
}

// replay runs "checks replay TOKEN", its output going to ReplayOut.
func (g *grading) replay(ctx context.Context, bin, scratch string) error {
	rctx, cancel := context.WithTimeout(ctx, g.opts.Timeout)
	defer cancel()
	cmd := exec.CommandContext(rctx, bin, "replay", g.opts.Replay)
	cmd.Dir = scratch
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + scratch, "GOMAXPROCS=2", "GOMEMLIMIT=" + strconv.FormatInt(g.opts.MemoryLimit, 10)}
	out := g.opts.ReplayOut
	if out == nil {
		out = io.Discard
	}
	cmd.Stdout, cmd.Stderr = out, out
	childproc.OwnGroup(cmd)
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Run()
	killGroup(cmd)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	g.res.Exit = exitDescription(err, errors.Is(rctx.Err(), context.DeadlineExceeded), g.opts.Timeout)
	return nil
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
