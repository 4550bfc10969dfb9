package sandbox_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/locklab/locklab/grade/sandbox"
)

var (
	attackerOnce sync.Once
	attackerBin  string
	attackerErr  error
)

// attacker builds testdata/attacker once and returns its path.
func attacker(t testing.TB) string {
	t.Helper()
	attackerOnce.Do(func() {
		goCmd, err := exec.LookPath("go")
		if err != nil {
			attackerErr = err
			return
		}
		bin := filepath.Join(scratch, "attacker")
		cmd := exec.Command(goCmd, "build", "-o", bin, "./testdata/attacker/main.go")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			attackerErr = fmt.Errorf("go build attacker: %v\n%s", err, out)
			return
		}
		attackerBin = bin
	})
	if attackerErr != nil {
		t.Skipf("cannot build the attacker program: %v", attackerErr)
	}
	return attackerBin
}

var root = os.Geteuid() == 0

// levels are the levels the tests try, most isolated first.
var levels = []sandbox.Level{sandbox.Namespaces, sandbox.Unprivileged, sandbox.None}

// newSandbox returns a Sandbox at level l, or skips the test saying why
// the level is unavailable here.
func newSandbox(t testing.TB, l sandbox.Level) *sandbox.Sandbox {
	t.Helper()
	s, err := sandbox.New(sandbox.Auto, sandbox.WithLevel(l))
	if errors.Is(err, sandbox.ErrUnavailable) {
		t.Skipf("level %s is unavailable here: %v", l, err)
	}
	if err != nil {
		t.Fatalf("New(WithLevel(%s)) = %v", l, err)
	}
	if s.Level() != l {
		t.Fatalf("New(WithLevel(%s)).Level() = %s", l, s.Level())
	}
	return s
}

// eachLevel runs f as a subtest at every level available here.
func eachLevel(t *testing.T, f func(t *testing.T, s *sandbox.Sandbox)) {
	for _, l := range levels {
		t.Run("level="+string(l), func(t *testing.T) { f(t, newSandbox(t, l)) })
	}
}

// dir makes a temporary directory that the dedicated uids can reach
// (t.TempDir's parent is 0700).
func dir(t *testing.T) string {
	t.Helper()
	d := t.TempDir()
	for _, p := range []string{filepath.Dir(d), d} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// run runs the attacker with args in s and returns its output.
func run(t *testing.T, s *sandbox.Sandbox, c *sandbox.Cmd, args ...string) (string, *sandbox.Exit) {
	t.Helper()
	var out bytes.Buffer
	c.Path = attacker(t)
	c.Args = args
	c.ReadOnly = append(c.ReadOnly, filepath.Dir(c.Path))
	c.Stdout, c.Stderr = &out, &out
	if c.Timeout == 0 {
		c.Timeout = 30 * time.Second
	}
	e, err := s.Run(context.Background(), c)
	if err != nil {
		t.Fatalf("Run(attacker %s) = %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(out.String()), e
}

// fixture is the file system the attack table plays on.
type fixture struct {
	ro, rw, outside string // directories: read-only, writable, not given
	roFile          string // root-owned 0644 file in ro
	outsideFile     string // 0644 file in outside
	secretFile      string // 0600 file in outside
	addr            string // a TCP listener on the host's loopback
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{ro: dir(t), rw: dir(t), outside: dir(t)}
	f.roFile = filepath.Join(f.ro, "data")
	f.outsideFile = filepath.Join(f.outside, "public")
	f.secretFile = filepath.Join(f.outside, "secret")
	writeFile(t, f.roFile, "read-only data", 0o644)
	writeFile(t, f.outsideFile, "public data", 0o644)
	writeFile(t, f.secretFile, "secret data", 0o600)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	f.addr = ln.Addr().String()
	return f
}

// TestAttacks tries one thing per case at each level and checks the
// outcome the level's Protections promise. A level missing from want is
// not checked (for None as root, what the attack would do is harmful or
// meaningless).
func TestAttacks(t *testing.T) {
	const (
		ns, uid, none = sandbox.Namespaces, sandbox.Unprivileged, sandbox.None
	)
	tests := []struct {
		name   string
		args   func(f *fixture) []string
		limits sandbox.Limits
		want   map[sandbox.Level][]string // substrings of the output, each with alternatives separated by |
	}{{
		name: "dial the host's loopback",
		args: func(f *fixture) []string { return []string{"dial", f.addr} },
		want: map[sandbox.Level][]string{ns: {"error:", "network is unreachable"}, uid: {"ok connected"}, none: {"ok connected"}},
	}, {
		name: "read a world-readable file not given",
		args: func(f *fixture) []string { return []string{"read", f.outsideFile} },
		want: map[sandbox.Level][]string{ns: {"no such file or directory"}, uid: {"ok public data"}, none: {"ok public data"}},
	}, {
		name: "read a 0600 file not given",
		args: func(f *fixture) []string { return []string{"read", f.secretFile} },
		want: map[sandbox.Level][]string{ns: {"no such file or directory"}, uid: {"permission denied"}},
	}, {
		name: "read a read-only file",
		args: func(f *fixture) []string { return []string{"read", f.roFile} },
		want: map[sandbox.Level][]string{ns: {"ok read-only data"}, uid: {"ok read-only data"}, none: {"ok read-only data"}},
	}, {
		name: "create a file in a read-only dir",
		args: func(f *fixture) []string { return []string{"write", filepath.Join(f.ro, "new")} },
		want: map[sandbox.Level][]string{ns: {"read-only file system"}, uid: {"permission denied"}},
	}, {
		name: "write a read-only file",
		args: func(f *fixture) []string { return []string{"append", f.roFile} },
		want: map[sandbox.Level][]string{ns: {"read-only file system|permission denied"}, uid: {"permission denied"}},
	}, {
		name: "make a dir in a read-only dir",
		args: func(f *fixture) []string { return []string{"mkdir", filepath.Join(f.ro, "sub")} },
		want: map[sandbox.Level][]string{ns: {"read-only file system"}, uid: {"permission denied"}},
	}, {
		name: "create a file in a writable dir",
		args: func(f *fixture) []string { return []string{"write", filepath.Join(f.rw, "new")} },
		want: map[sandbox.Level][]string{ns: {"ok written"}, uid: {"ok written"}, none: {"ok written"}},
	}, {
		name: "create a file in a dir not given",
		args: func(f *fixture) []string { return []string{"write", filepath.Join(f.outside, "new")} },
		want: map[sandbox.Level][]string{ns: {"no such file or directory"}, uid: {"permission denied"}},
	}, {
		name: "create a file in /usr",
		args: func(f *fixture) []string { return []string{"write", "/usr/locklab-sandbox-test"} },
		want: map[sandbox.Level][]string{ns: {"read-only file system"}, uid: {"permission denied"}},
	}, {
		name: "remount a read-only dir writable",
		args: func(f *fixture) []string { return []string{"remount", f.ro} },
		want: map[sandbox.Level][]string{ns: {"operation not permitted"}, uid: {"operation not permitted"}},
	}, {
		name: "list /proc",
		args: func(f *fixture) []string { return []string{"procs"} },
		want: map[sandbox.Level][]string{ns: {"ok 1"}},
	}, {
		name: "capabilities",
		args: func(f *fixture) []string { return []string{"id"} },
		want: map[sandbox.Level][]string{
			ns:   {"host=sandbox", "groups=[]", "CapPrm:0000000000000000", "CapEff:0000000000000000", "CapBnd:0000000000000000", "NoNewPrivs:1"},
			uid:  {"uid=6", "groups=[]", "CapPrm:0000000000000000", "CapEff:0000000000000000", "NoNewPrivs:1"},
			none: {"NoNewPrivs:1"},
		},
	}, {
		name:   "write past RLIMIT_FSIZE",
		args:   func(f *fixture) []string { return []string{"fsize", filepath.Join(f.rw, "big"), strconv.Itoa(2 << 20)} },
		limits: sandbox.Limits{FileSize: 1 << 20},
		want:   map[sandbox.Level][]string{ns: {"file too large"}, uid: {"file too large"}, none: {"file too large"}},
	}, {
		name: "read /etc/passwd",
		args: func(f *fixture) []string { return []string{"read", "/etc/passwd"} },
		want: map[sandbox.Level][]string{ns: {"ok root:"}, uid: {"ok root:"}, none: {"ok root:"}},
	}, {
		name: "read /etc/localtime",
		args: func(f *fixture) []string { return []string{"read", "/etc/localtime"} },
		want: map[sandbox.Level][]string{ns: {"ok TZif"}, uid: {"ok TZif"}, none: {"ok TZif"}},
	}, {
		name: "read /etc/shadow",
		args: func(f *fixture) []string { return []string{"read", "/etc/shadow"} },
		want: map[sandbox.Level][]string{ns: {"no such file or directory"}, uid: {"permission denied"}},
	}, {
		name: "write /dev/null",
		args: func(f *fixture) []string { return []string{"append", "/dev/null"} },
		want: map[sandbox.Level][]string{ns: {"ok written"}, uid: {"ok written"}, none: {"ok written"}},
	}, {
		name:   "open more files than RLIMIT_NOFILE",
		args:   func(f *fixture) []string { return []string{"openmany", "100"} },
		limits: sandbox.Limits{OpenFiles: 32},
		want:   map[sandbox.Level][]string{ns: {"too many open files"}, uid: {"too many open files"}, none: {"too many open files"}},
	}, {
		name:   "start more processes than RLIMIT_NPROC",
		args:   func(f *fixture) []string { return []string{"nproc", "100"} },
		limits: sandbox.Limits{Processes: 30},
		want:   map[sandbox.Level][]string{uid: {"resource temporarily unavailable"}},
	}}
	f := newFixture(t)
	eachLevel(t, func(t *testing.T, s *sandbox.Sandbox) {
		for _, tt := range tests {
			want, ok := tt.want[s.Level()]
			if !ok {
				continue
			}
			t.Run(tt.name, func(t *testing.T) {
				out, e := run(t, s, &sandbox.Cmd{
					ReadOnly: []string{f.ro},
					Writable: []string{f.rw},
					Limits:   tt.limits,
				}, tt.args(f)...)
				t.Logf("attacker %v: %v: %s", tt.args(f), e, out)
				if e.Code != 0 {
					t.Errorf("attacker %v: %v; output:\n%s", tt.args(f), e, out)
				}
				for _, w := range want {
					if !containsAny(out, strings.Split(w, "|")) {
						t.Errorf("attacker %v printed %q; want it to contain %q", tt.args(f), out, w)
					}
				}
			})
		}
	})
	if root {
		if _, err := os.Stat("/usr/locklab-sandbox-test"); err == nil {
			os.Remove("/usr/locklab-sandbox-test")
			t.Errorf("a sandbox created /usr/locklab-sandbox-test")
		}
	}
}

// TestNprocNamespaces checks RLIMIT_NPROC inside a user namespace, where
// a root caller's runs have a uid of their own.
func TestNprocNamespaces(t *testing.T) {
	if !root {
		t.Skip("RLIMIT_NPROC counts the caller's own processes when it is not root")
	}
	s := newSandbox(t, sandbox.Namespaces)
	out, _ := run(t, s, &sandbox.Cmd{Limits: sandbox.Limits{Processes: 30}}, "nproc", "100")
	if !strings.Contains(out, "resource temporarily unavailable") {
		t.Errorf("nproc 100 with Processes 30 printed %q; want resource temporarily unavailable", out)
	}
}

// TestNetworkAllowed checks that Cmd.Network keeps the host's network at
// the Namespaces level.
func TestNetworkAllowed(t *testing.T) {
	s := newSandbox(t, sandbox.Namespaces)
	f := newFixture(t)
	out, _ := run(t, s, &sandbox.Cmd{Network: true}, "dial", f.addr)
	if out != "ok connected" {
		t.Errorf("dial %s with Network: %q; want ok connected", f.addr, out)
	}
}

// TestLogger checks that a Sandbox logs its level and each run to the
// logger it is given.
func TestLogger(t *testing.T) {
	core, logs := observer.New(zap.DebugLevel)
	s, err := sandbox.New(sandbox.Auto, sandbox.WithLogger(zap.New(core)))
	if err != nil {
		t.Fatal(err)
	}
	run(t, s, &sandbox.Cmd{}, "exit", "0")
	var msgs []string
	for _, e := range logs.AllUntimed() {
		msgs = append(msgs, e.Message)
	}
	if got, want := strings.Join(msgs, ", "), "sandbox level, sandbox run, sandbox exit"; got != want {
		t.Errorf("logged %q; want %q", got, want)
	}
}

// TestTmpPrivate checks that /tmp inside a Namespaces sandbox is not the
// host's.
func TestTmpPrivate(t *testing.T) {
	s := newSandbox(t, sandbox.Namespaces)
	name := fmt.Sprintf("/tmp/locklab-sandbox-test-%d", os.Getpid())
	out, _ := run(t, s, &sandbox.Cmd{}, "write", name)
	if out != "ok written" {
		t.Fatalf("write %s printed %q; want ok written", name, out)
	}
	if _, err := os.Stat(name); err == nil {
		os.Remove(name)
		t.Errorf("%s written inside the sandbox appeared on the host", name)
	}
	out, _ = run(t, s, &sandbox.Cmd{}, "read", name)
	if !strings.Contains(out, "no such file") {
		t.Errorf("a second sandbox read %s: %q; want no such file", name, out)
	}
	out, _ = run(t, newSandbox(t, sandbox.Namespaces), &sandbox.Cmd{}, "fsize", "/tmp/big", strconv.Itoa(300<<20))
	if !strings.Contains(out, "no space left on device") {
		t.Errorf("writing 300 MiB into /tmp printed %q; want no space left on device", out)
	}
}

// markerProcs lists the host's processes whose command line holds marker,
// scanning /proc for 200ms: a chain of short-lived processes can slip
// through one scan.
func markerProcs(marker string) []string {
	var found []string
	for start := time.Now(); time.Since(start) < 200*time.Millisecond && len(found) == 0; {
		ents, _ := os.ReadDir("/proc")
		for _, e := range ents {
			if _, err := strconv.Atoi(e.Name()); err != nil {
				continue
			}
			b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
			if err == nil && bytes.Contains(b, []byte(marker)) {
				found = append(found, e.Name()+": "+strings.ReplaceAll(string(b), "\x00", " "))
			}
		}
	}
	return found
}

// TestNothingOutlives leaves children behind in every way the attacker
// knows and checks that none exists once Run returned.
func TestNothingOutlives(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		timeout time.Duration
		levels  []sandbox.Level
	}{
		{"child in the process group", []string{"spawn", "", "group"}, 0, levels},
		{"child in its own session", []string{"spawn", "", "setsid"}, 0, []sandbox.Level{sandbox.Namespaces, sandbox.Unprivileged}},
		{"child in its own session, parent timed out", []string{"spawnwait", ""}, 500 * time.Millisecond, []sandbox.Level{sandbox.Namespaces, sandbox.Unprivileged}},
		{"a chain of children that respawn", []string{"respawn", ""}, 0, []sandbox.Level{sandbox.Namespaces, sandbox.Unprivileged}},
	}
	eachLevel(t, func(t *testing.T, s *sandbox.Sandbox) {
		for i, tt := range tests {
			if !contains(tt.levels, s.Level()) {
				continue
			}
			t.Run(tt.name, func(t *testing.T) {
				marker := fmt.Sprintf("locklab-marker-%d-%d-%d", os.Getpid(), time.Now().UnixNano(), i)
				args := append([]string(nil), tt.args...)
				args[1] = marker
				out, e := run(t, s, &sandbox.Cmd{Timeout: tt.timeout}, args...)
				if !strings.Contains(out, "ok spawned") {
					t.Fatalf("attacker %v: %v, printed %q; want ok spawned", args, e, out)
				}
				if left := markerProcs(marker); len(left) > 0 {
					t.Errorf("after Run returned, these processes are left:\n%s", strings.Join(left, "\n"))
					for deadline := time.Now().Add(5 * time.Second); len(left) > 0 && time.Now().Before(deadline); left = markerProcs(marker) {
						for _, p := range left {
							pid, _ := strconv.Atoi(strings.SplitN(p, ":", 2)[0])
							syscall.Kill(pid, syscall.SIGKILL)
						}
					}
				}
			})
		}
	})
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func contains[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// TestGraderDies kills a grader (this test binary, as miniGrader) while
// its sandbox runs a program that left a child in its own session: at the
// Namespaces level both die with the grader. At the lower levels only the
// program does (the kernel's parent-death signal); the child is left, as
// the package doc says, and the test kills it.
func TestGraderDies(t *testing.T) {
	eachLevel(t, func(t *testing.T, s *sandbox.Sandbox) {
		marker := fmt.Sprintf("locklab-marker-%d-%d", os.Getpid(), time.Now().UnixNano())
		grader := exec.Command("/proc/self/exe", attacker(t), "spawnwait", marker)
		grader.Env = append(os.Environ(), envGrader+"="+string(s.Level()))
		if err := grader.Start(); err != nil {
			t.Fatal(err)
		}
		var seen []string
		for deadline := time.Now().Add(10 * time.Second); len(seen) < 3 && time.Now().Before(deadline); {
			seen = markerProcs(marker) // the grader, the program and its child
		}
		grader.Process.Kill()
		grader.Wait()
		if len(seen) < 3 {
			t.Fatalf("the sandbox did not start the program and its child: %q", seen)
		}
		want := 1 // the child
		if s.Level() == sandbox.Namespaces {
			want = 0
		}
		left := markerProcs(marker)
		for deadline := time.Now().Add(2 * time.Second); len(left) > want && time.Now().Before(deadline); {
			left = markerProcs(marker)
		}
		switch {
		case s.Level() == sandbox.Namespaces && len(left) > 0:
			t.Errorf("after the grader died, these processes are left:\n%s", strings.Join(left, "\n"))
		case s.Level() != sandbox.Namespaces && len(left) != 1:
			t.Errorf("after the grader died, %d processes are left, want only the program's child:\n%s", len(left), strings.Join(left, "\n"))
		}
		for _, p := range left {
			pid, _ := strconv.Atoi(strings.SplitN(p, ":", 2)[0])
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
}

// TestKillFromInside kills everything the sandboxed program may signal,
// and its parent; the test process and a canary of the grader's uid must
// survive.
func TestKillFromInside(t *testing.T) {
	eachLevel(t, func(t *testing.T, s *sandbox.Sandbox) {
		if s.Level() == sandbox.None {
			t.Skip("at level none the program may signal everything the grader may: the Protections say so")
		}
		canary := exec.Command("/bin/sleep", "60")
		if err := canary.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- canary.Wait() }()
		defer func() {
			canary.Process.Kill()
			<-done
		}()
		out, e := run(t, s, &sandbox.Cmd{}, "kill")
		t.Logf("attacker kill: %v\n%s", e, out)
		select {
		case err := <-done:
			done <- err
			t.Errorf("the grader's canary process died: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
	})
}

// TestTimeout checks that a program sleeping past Cmd.Timeout is killed,
// with its children.
func TestTimeout(t *testing.T) {
	eachLevel(t, func(t *testing.T, s *sandbox.Sandbox) {
		start := time.Now()
		_, e := run(t, s, &sandbox.Cmd{Timeout: 300 * time.Millisecond}, "sleep", "x", "60")
		if !e.TimedOut || e.Code != -1 || e.Signal != "killed" {
			t.Errorf("sleep 60 with Timeout 300ms: %+v; want TimedOut, Code -1, Signal killed", e)
		}
		if got, want := e.String(), "killed: time limit 300ms"; got != want {
			t.Errorf("Exit.String() = %q; want %q", got, want)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("Run took %v for a 300ms time limit", d)
		}
		if e.Level != s.Level() {
			t.Errorf("Exit.Level = %s; want %s", e.Level, s.Level())
		}
	})
}

// TestCanceled checks that canceling the context kills the sandbox and
// says so.
func TestCanceled(t *testing.T) {
	eachLevel(t, func(t *testing.T, s *sandbox.Sandbox) {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		e, err := s.Run(ctx, &sandbox.Cmd{Path: attacker(t), Args: []string{"sleep", "x", "60"}, ReadOnly: []string{scratch}, Timeout: time.Minute})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Run with a context done after 300ms = %v; want context.DeadlineExceeded", err)
		}
		if e == nil || e.TimedOut || e.Code != -1 {
			t.Errorf("Run with a context done after 300ms: Exit %+v; want killed, not TimedOut", e)
		}
		if e, err := s.Run(ctx, &sandbox.Cmd{Path: attacker(t), ReadOnly: []string{scratch}}); err == nil {
			t.Errorf("Run with a done context = %v, nil; want an error", e)
		}
	})
}

// TestCPULimit checks that a spinning program is killed at Limits.CPU.
func TestCPULimit(t *testing.T) {
	eachLevel(t, func(t *testing.T, s *sandbox.Sandbox) {
		_, e := run(t, s, &sandbox.Cmd{Limits: sandbox.Limits{CPU: time.Second}, Timeout: time.Minute}, "spin")
		if e.TimedOut || e.Code != -1 || e.Signal != "cpu time limit exceeded" {
			t.Errorf("spin with CPU 1s: %+v; want Code -1, Signal cpu time limit exceeded", e)
		}
		if got, want := e.String(), "killed by signal: cpu time limit exceeded"; got != want {
			t.Errorf("Exit.String() = %q; want %q", got, want)
		}
		if e.CPUTime < 500*time.Millisecond {
			t.Errorf("CPUTime = %v; want about 1s", e.CPUTime)
		}
	})
}

// TestAddressSpace checks that a program allocating past Limits.AddressSpace
// fails.
func TestAddressSpace(t *testing.T) {
	eachLevel(t, func(t *testing.T, s *sandbox.Sandbox) {
		out, e := run(t, s, &sandbox.Cmd{Limits: sandbox.Limits{AddressSpace: 1 << 30}}, "alloc", strconv.Itoa(2<<30))
		if e.Code != 2 || !strings.Contains(out, "out of memory") {
			t.Errorf("alloc 2 GiB with AddressSpace 1 GiB: %v, %q; want exit status 2, out of memory", e, firstLine(out))
		}
		out, e = run(t, s, &sandbox.Cmd{Limits: sandbox.Limits{AddressSpace: 1 << 30}}, "alloc", strconv.Itoa(64<<20))
		if e.Code != 0 {
			t.Errorf("alloc 64 MiB with AddressSpace 1 GiB: %v, %q", e, firstLine(out))
		}
	})
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// TestExitCodes checks that exit statuses pass through.
func TestExitCodes(t *testing.T) {
	eachLevel(t, func(t *testing.T, s *sandbox.Sandbox) {
		for _, code := range []int{0, 1, 42} {
			_, e := run(t, s, &sandbox.Cmd{}, "exit", strconv.Itoa(code))
			if e.Code != code || e.Signal != "" || e.TimedOut {
				t.Errorf("exit %d: %+v", code, e)
			}
			if got, want := e.String(), fmt.Sprintf("exit status %d", code); got != want {
				t.Errorf("Exit.String() = %q; want %q", got, want)
			}
		}
	})
}

// TestEnv checks that the program's environment is exactly Cmd.Env.
func TestEnv(t *testing.T) {
	eachLevel(t, func(t *testing.T, s *sandbox.Sandbox) {
		for _, env := range [][]string{{"A=1", "B=two words", "C="}, nil} {
			out, _ := run(t, s, &sandbox.Cmd{Env: env}, "env")
			if want := strings.Join(env, "\n"); out != want {
				t.Errorf("Env %q: the program saw %q", env, out)
			}
		}
	})
}

// TestStdio checks stdin, stdout and stderr with a system program.
func TestStdio(t *testing.T) {
	eachLevel(t, func(t *testing.T, s *sandbox.Sandbox) {
		var out, errOut bytes.Buffer
		e, err := s.Run(context.Background(), &sandbox.Cmd{
			Path:   "/bin/sh",
			Args:   []string{"-c", "cat; echo to-stderr >&2"},
			Env:    []string{"PATH=/usr/bin:/bin"},
			Stdin:  strings.NewReader("from stdin\n"),
			Stdout: &out, Stderr: &errOut,
			Timeout: 30 * time.Second,
		})
		if err != nil || e.Code != 0 {
			t.Fatalf("Run(sh) = %v, %v; stderr %q", e, err, errOut.String())
		}
		if out.String() != "from stdin\n" || errOut.String() != "to-stderr\n" {
			t.Errorf("stdout %q, stderr %q; want the input back and to-stderr", out.String(), errOut.String())
		}
	})
}

// TestExtraFiles checks that ExtraFiles arrive as descriptors 3 and 4,
// and nothing else is open.
func TestExtraFiles(t *testing.T) {
	eachLevel(t, func(t *testing.T, s *sandbox.Sandbox) {
		in := filepath.Join(dir(t), "in")
		writeFile(t, in, "through fd 3", 0o644)
		f3, err := os.Open(in)
		if err != nil {
			t.Fatal(err)
		}
		defer f3.Close()
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer pr.Close()
		out, e := run(t, s, &sandbox.Cmd{ExtraFiles: []*os.File{f3, pw}}, "fds")
		pw.Close()
		if out != "ok copied" || e.Code != 0 {
			t.Fatalf("attacker fds: %v, %q", e, out)
		}
		b := make([]byte, 100)
		n, _ := pr.Read(b)
		if got := string(b[:n]); got != "THROUGH FD 3" {
			t.Errorf("fd 4 carried %q; want THROUGH FD 3", got)
		}
		out, _ = run(t, s, &sandbox.Cmd{ExtraFiles: []*os.File{f3}}, "openfds")
		if out != "0 1 2 3" {
			t.Errorf("with one ExtraFile, the open descriptors are %q; want 0 1 2 3", out)
		}
	})
}

// TestWritableGivenBack checks, for a root caller, that the Writable
// paths belong to the run's uid during the run and to their owners after.
func TestWritableGivenBack(t *testing.T) {
	if !root {
		t.Skip("only a root caller hands Writable paths to a dedicated uid")
	}
	for _, l := range []sandbox.Level{sandbox.Namespaces, sandbox.Unprivileged} {
		t.Run("level="+string(l), func(t *testing.T) {
			s := newSandbox(t, l)
			rw := dir(t)
			old := filepath.Join(rw, "old")
			writeFile(t, old, "old", 0o644)
			other := filepath.Join(rw, "other")
			writeFile(t, other, "someone else's", 0o666)
			if err := os.Chown(other, 1234, 1234); err != nil {
				t.Fatal(err)
			}
			out, _ := run(t, s, &sandbox.Cmd{Writable: []string{rw}}, "append", old)
			if out != "ok written" {
				t.Fatalf("append to a Writable file: %q", out)
			}
			out, _ = run(t, s, &sandbox.Cmd{Writable: []string{rw}}, "write", filepath.Join(rw, "new"))
			if out != "ok written" {
				t.Fatalf("write a new file in a Writable dir: %q", out)
			}
			for path, want := range map[string]int{rw: 0, old: 0, filepath.Join(rw, "new"): 0, other: 1234} {
				st, err := os.Lstat(path)
				if err != nil {
					t.Fatal(err)
				}
				if got := int(st.Sys().(*syscall.Stat_t).Uid); got != want {
					t.Errorf("after the run %s belongs to uid %d; want %d", path, got, want)
				}
			}
		})
	}
}

// TestUIDsDistinct checks that concurrent Runs get different uids.
func TestUIDsDistinct(t *testing.T) {
	for _, l := range []sandbox.Level{sandbox.Namespaces, sandbox.Unprivileged} {
		t.Run("level="+string(l), func(t *testing.T) {
			if !root {
				t.Skip("only a root caller's runs get a uid of their own")
			}
			s := newSandbox(t, l)
			bin := attacker(t)
			const n = 4
			outs := make([]bytes.Buffer, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					// The sleep makes the runs overlap; its output is the uid.
					_, errs[i] = s.Run(context.Background(), &sandbox.Cmd{
						Path: "/bin/sh", Args: []string{"-c", bin + " id; sleep 0.3"},
						ReadOnly: []string{scratch}, Stdout: &outs[i], Timeout: 30 * time.Second,
					})
				})
			}
			wg.Wait()
			seen := map[string]bool{}
			for i := range n {
				if errs[i] != nil {
					t.Fatal(errs[i])
				}
				id := strings.Fields(outs[i].String())
				if len(id) == 0 || seen[id[0]] || id[0] == "uid=0" {
					t.Errorf("run %d: %q; already seen: %v", i, outs[i].String(), seen)
					continue
				}
				seen[id[0]] = true
			}
		})
	}
}

// TestUnreachableReadOnly checks that a ReadOnly path the run's uid cannot
// read fails Run, naming it, at the uid level.
func TestUnreachableReadOnly(t *testing.T) {
	if !root {
		t.Skip("only a root caller's runs get a uid of their own")
	}
	s := newSandbox(t, sandbox.Unprivileged)
	closed := t.TempDir() // its parent is 0700
	_, err := s.Run(context.Background(), &sandbox.Cmd{Path: attacker(t), ReadOnly: []string{scratch, closed}})
	if err == nil || !strings.Contains(err.Error(), "cannot use ReadOnly path "+closed) {
		t.Errorf("Run with an unreachable ReadOnly path = %v; want an error naming it", err)
	}
}

// TestSetupErrors checks that what cannot be started is an error, not an
// Exit.
func TestSetupErrors(t *testing.T) {
	d := dir(t)
	notExec := filepath.Join(d, "not-executable")
	writeFile(t, notExec, "#!/bin/sh\n", 0o644)
	tests := []struct {
		name string
		cmd  sandbox.Cmd
		want string
	}{
		{"relative path", sandbox.Cmd{Path: "attacker"}, "not absolute"},
		{"missing program", sandbox.Cmd{Path: filepath.Join(d, "missing")}, "no such file"},
		{"program not under the mounts", sandbox.Cmd{Path: notExec}, "not under"},
		{"dir not under the mounts", sandbox.Cmd{Path: "/bin/true", Dir: d}, "not under"},
		{"program not executable", sandbox.Cmd{Path: notExec, ReadOnly: []string{d}}, "permission denied"},
		{"read-only /proc", sandbox.Cmd{Path: "/bin/true", ReadOnly: []string{"/proc/self"}}, "cannot be made visible"},
		{"negative timeout", sandbox.Cmd{Path: "/bin/true", Timeout: -1}, "negative"},
	}
	eachLevel(t, func(t *testing.T, s *sandbox.Sandbox) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e, err := s.Run(context.Background(), &tt.cmd)
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("Run = %v, %v; want an error containing %q", e, err, tt.want)
				}
			})
		}
	})
}

// TestNew checks the level each mode gets here, and that every level
// explains itself.
func TestNew(t *testing.T) {
	_, nsErr := sandbox.New(sandbox.Auto, sandbox.WithLevel(sandbox.Namespaces))
	auto := sandbox.None
	switch {
	case nsErr == nil:
		auto = sandbox.Namespaces
	case root:
		auto = sandbox.Unprivileged
	}
	for _, tt := range []struct {
		mode sandbox.Mode
		want sandbox.Level
	}{
		{sandbox.Off, sandbox.None},
		{sandbox.Auto, auto},
	} {
		s, err := sandbox.New(tt.mode)
		if err != nil || s.Level() != tt.want {
			t.Fatalf("New(%s) = %v, %v; want level %s", tt.mode, s, err, tt.want)
		}
		if s.Reason() == "" || len(s.Protections()) < 2 {
			t.Errorf("New(%s): Reason %q, Protections %q; want both", tt.mode, s.Reason(), s.Protections())
		}
		t.Logf("%s: level %s: %s", tt.mode, s.Level(), s.Reason())
	}
	s, err := sandbox.New(sandbox.Required)
	switch {
	case nsErr == nil && (err != nil || s.Level() != sandbox.Namespaces):
		t.Errorf("New(required) = %v, %v; want namespaces", s, err)
	case nsErr != nil && !errors.Is(err, sandbox.ErrUnavailable):
		t.Errorf("New(required) = %v; want ErrUnavailable", err)
	}
	if _, err := sandbox.New("strict"); err == nil {
		t.Errorf("New(strict) succeeded")
	}
	for _, l := range levels {
		p := strings.Join(newProtections(t, l), " ")
		if !strings.Contains(p, "Not protected") {
			t.Errorf("Protections at %s say nothing of what is not protected: %q", l, p)
		}
	}
}

func newProtections(t *testing.T, l sandbox.Level) []string {
	s, err := sandbox.New(sandbox.Auto, sandbox.WithLevel(l))
	if err != nil {
		return []string{"Not protected: unavailable"}
	}
	return s.Protections()
}

// TestGoBuild builds a module with the go command inside a Namespaces
// sandbox, as the grader does, with GOROOT and the module cache
// read-only, then runs what it built in a second sandbox. It builds with
// -race when cgo can (the grader's build); the GOCACHE is shared by the
// test process, so only the first build is cold.
func TestGoBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("a cold go build takes a while")
	}
	s := newSandbox(t, sandbox.Namespaces)
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	goEnv := func(name string) string {
		out, err := exec.Command(goCmd, "env", name).Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(out))
	}
	goroot, modcache := goEnv("GOROOT"), goEnv("GOMODCACHE")
	if err := os.MkdirAll(modcache, 0o755); err != nil {
		t.Fatal(err)
	}
	race := goEnv("CGO_ENABLED") == "1" && runtime.GOARCH == "amd64"
	if _, err := exec.LookPath("gcc"); err != nil {
		race = false
	}
	mod, out := dir(t), dir(t)
	cache := filepath.Join(scratch, "gocache")
	if err := os.MkdirAll(cache, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(mod, "go.mod"), "module hello\n\ngo 1.26\n", 0o644)
	writeFile(t, filepath.Join(mod, "main.go"), "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello from the sandbox\") }\n", 0o644)
	args := []string{"build", "-o", filepath.Join(out, "hello"), "."}
	cgo := "CGO_ENABLED=0"
	if race {
		args = []string{"build", "-race", "-o", filepath.Join(out, "hello"), "."}
		cgo = "CGO_ENABLED=1"
	}
	var log bytes.Buffer
	start := time.Now()
	e, err := s.Run(context.Background(), &sandbox.Cmd{
		Path: filepath.Join(goroot, "bin", "go"),
		Args: args,
		Dir:  mod,
		Env: []string{
			"PATH=" + filepath.Join(goroot, "bin") + ":/usr/bin:/bin",
			"HOME=/tmp", "GOPATH=/tmp/gopath", "GOCACHE=" + cache, "GOMODCACHE=" + modcache,
			"GOFLAGS=-mod=mod", "GOPROXY=off", "GOTOOLCHAIN=local", "GOWORK=off", "GOTELEMETRY=off", cgo,
		},
		ReadOnly: []string{goroot, modcache, mod},
		Writable: []string{cache, out},
		Stdout:   &log, Stderr: &log,
		Limits:  sandbox.Limits{AddressSpace: 8 << 30, Processes: 512, OpenFiles: 1024, FileSize: 1 << 30},
		Timeout: 3 * time.Minute,
	})
	if err != nil || e.Code != 0 {
		t.Fatalf("go %s in a sandbox: %v, %v\n%s", strings.Join(args, " "), e, err, log.String())
	}
	t.Logf("go %s in a sandbox: %v in %v", strings.Join(args, " "), e, time.Since(start).Round(time.Millisecond))
	log.Reset()
	e, err = newSandbox(t, sandbox.Namespaces).Run(context.Background(), &sandbox.Cmd{
		Path: filepath.Join(out, "hello"), ReadOnly: []string{out}, Stdout: &log, Stderr: &log,
		Limits: sandbox.Limits{AddressSpace: 8 << 30}, Timeout: 30 * time.Second,
	})
	if err != nil || e.Code != 0 || log.String() != "hello from the sandbox\n" {
		t.Errorf("running what was built: %v, %v, %q", e, err, log.String())
	}
}

// BenchmarkRun measures a trivial program's run at each level, and
// reports the namespaces and uid levels' cost as a ratio to level none's
// (x-none), the fastest measured in the same run. "direct" is os/exec without a
// sandbox, for reference: the difference to none is the init helper.
func BenchmarkRun(b *testing.B) {
	b.Run("direct", func(b *testing.B) {
		for b.Loop() {
			if err := exec.Command("/bin/true").Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
	var none float64 // the best ns/op at level none so far: the steadiest baseline on a busy machine
	for _, l := range []sandbox.Level{sandbox.None, sandbox.Unprivileged, sandbox.Namespaces} {
		b.Run("level="+string(l), func(b *testing.B) {
			s := newSandbox(b, l)
			c := &sandbox.Cmd{Path: "/bin/true", Timeout: 30 * time.Second}
			for b.Loop() {
				e, err := s.Run(context.Background(), c)
				if err != nil || e.Code != 0 {
					b.Fatalf("Run(/bin/true) = %v, %v", e, err)
				}
			}
			perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			if l == sandbox.None {
				if none == 0 || perOp < none {
					none = perOp
				}
			} else if none > 0 {
				b.ReportMetric(perOp/none, "x-none")
			}
		})
	}
}
