package sandbox

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"go.uber.org/zap"
)

// helloTimeout bounds the wait for the helper to say Init ran. A program
// that never calls Init runs its normal main instead. (A variable for
// tests.)
var helloTimeout = 5 * time.Second

// executable is the program Run starts as the init helper: this very
// executable, even if its file was replaced since it started. (A variable
// for tests.)
var executable = "/proc/self/exe"

const (
	// setupTimeout bounds the sandbox's setup once Init ran.
	setupTimeout = 30 * time.Second
	// waitDelay bounds the wait for output after the program exited.
	waitDelay = time.Second
	// goneTimeout bounds the wait for killed processes to disappear.
	goneTimeout = 5 * time.Second
)

// etcFiles are the parts of /etc a sandbox sees: what the dynamic linker,
// user and group lookups, local time and Debian's alternatives (cc is
// /etc/alternatives/cc) need. The rest of /etc is left out: it may hold
// configuration and secrets the caller can read and the program must not.
var etcFiles = []string{
	"/etc/alternatives", "/etc/group", "/etc/host.conf", "/etc/hosts", "/etc/ld.so.cache",
	"/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/nsswitch.conf", "/etc/passwd",
}

// netEtcFiles are added for a Cmd with Network.
var netEtcFiles = []string{"/etc/resolv.conf", "/etc/ssl", "/etc/ca-certificates", "/etc/services", "/etc/protocols", "/etc/gai.conf"}

// devFiles are bound into the sandbox's /dev.
var devFiles = []string{"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"}

// probeResult and uidProbeResult cache, per process, whether the
// Namespaces and the Unprivileged levels work.
var (
	probeResult    = sync.OnceValue(probeNamespaces)
	uidProbeResult = sync.OnceValue(probeUnprivileged)
)

func choose(mode Mode, force Level) (Level, string, error) {
	return chooseLevel(mode, force, os.Geteuid() == 0, probeResult, uidProbeResult)
}

// chooseLevel picks the level for mode (or force), given whether the
// caller is root and the probes of the Namespaces and Unprivileged levels
// (called only when needed).
func chooseLevel(mode Mode, force Level, root bool, nsProbe, uidProbe func() error) (Level, string, error) {
	uid := func() error {
		if !root {
			return errors.New("the uid level needs root")
		}
		return uidProbe()
	}
	switch force {
	case Namespaces:
		if err := nsProbe(); err != nil {
			return "", "", fmt.Errorf("%w: %v", ErrUnavailable, err)
		}
		return Namespaces, namespacesReason(root), nil
	case Unprivileged:
		if err := uid(); err != nil {
			return "", "", fmt.Errorf("%w: %v", ErrUnavailable, err)
		}
		return Unprivileged, "level uid requested; running as root: using a dedicated unprivileged uid per run", nil
	case None:
		return None, "level none requested: only rlimits, a process group and the time limit", nil
	}
	if mode == Off {
		return None, "--sandbox off: only rlimits, a process group and the time limit", nil
	}
	err := nsProbe()
	switch {
	case err == nil:
		return Namespaces, namespacesReason(root), nil
	case mode == Required:
		return "", "", fmt.Errorf("%w: %v", ErrUnavailable, err)
	case !root:
		return None, err.Error() + "; not running as root, so no uid of its own either: only rlimits, a process group and the time limit", nil
	}
	if uerr := uid(); uerr != nil {
		return None, err.Error() + "; running as root, but " + uerr.Error() + ": only rlimits, a process group and the time limit", nil
	}
	return Unprivileged, err.Error() + "; running as root: using a dedicated unprivileged uid per run, without namespaces", nil
}

func namespacesReason(root bool) string {
	if root {
		return "user, mount, PID, network, IPC and UTS namespaces are available; running as root: each run's program is a dedicated unprivileged uid"
	}
	return "user, mount, PID, network, IPC and UTS namespaces are available"
}

// probeNamespaces sets up an empty sandbox once, for real, and reports
// why it could not.
func probeNamespaces() error {
	s := &Sandbox{level: Namespaces, root: os.Geteuid() == 0, tmpSize: 1 << 20, log: zap.NewNop()}
	c := &Cmd{}
	sp := &spec{Action: actProbe, Namespaces: true, Hostname: "sandbox", Dir: "/"}
	var lease *uidLease
	if s.root {
		var err error
		if lease, err = leaseUID(); err != nil {
			return fmt.Errorf("namespaces not tried: %w", err)
		}
		defer lease.release()
	}
	fds := newFDTable(c.ExtraFiles)
	defer fds.close()
	if err := s.addMounts(sp, &resolved{dir: "/"}, c, lease); err != nil {
		return fmt.Errorf("namespaces not tried: %w", err)
	}
	h, err := startHelper(context.Background(), sp, c, fds, s.attr(c, lease), nil)
	if err != nil {
		return namespaceError(err)
	}
	h.kill()
	h.wait()
	return nil
}

// probeUnprivileged starts the helper once as a dedicated uid, and
// reports why it could not.
func probeUnprivileged() error {
	lease, err := leaseUID()
	if err != nil {
		return fmt.Errorf("no dedicated uid: %w", err)
	}
	defer lease.release()
	s := &Sandbox{level: Unprivileged, root: true, log: zap.NewNop()}
	c := &Cmd{}
	fds := newFDTable(nil)
	defer fds.close()
	h, err := startHelper(context.Background(), &spec{Action: actProbe, Dir: "/"}, c, fds, s.attr(c, lease), nil)
	if err != nil {
		return fmt.Errorf("cannot switch to a dedicated uid: %w", err)
	}
	h.wait()
	return nil
}

// namespaceError explains a failure to set up the namespaces.
func namespaceError(err error) error {
	var se *setupError
	if errors.As(err, &se) {
		return fmt.Errorf("namespaces are available but a sandbox cannot be set up in them: %s", se.msg)
	}
	if errors.Is(err, errNoHelper) {
		return fmt.Errorf("namespaces not tried: %w", err)
	}
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return fmt.Errorf("user namespaces are unavailable: %v", err)
	}
	hint := ""
	switch {
	case sysctl("user/max_user_namespaces") == "0":
		hint = " (user.max_user_namespaces is 0)"
	case os.Geteuid() != 0 && sysctl("kernel/unprivileged_userns_clone") == "0":
		hint = " (kernel.unprivileged_userns_clone is 0)"
	case os.Geteuid() != 0 && sysctl("kernel/apparmor_restrict_unprivileged_userns") == "1":
		hint = " (kernel.apparmor_restrict_unprivileged_userns is 1)"
	case errno == syscall.EPERM && os.Geteuid() == 0:
		hint = " (as root, this is usually a container's seccomp profile, such as Docker's default)"
	}
	return fmt.Errorf("user namespaces are disabled: %v%s", errno, hint)
}

func sysctl(name string) string {
	b, err := os.ReadFile("/proc/sys/" + name)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func (s *Sandbox) run(ctx context.Context, c *Cmd, r *resolved) (_ *Exit, err error) {
	var lease *uidLease
	if s.level == Unprivileged || (s.level == Namespaces && s.root) {
		if lease, err = leaseUID(); err != nil {
			return nil, err
		}
		defer lease.release()
		restore, err := handOver(r.writable, lease.uid)
		if err != nil {
			return nil, err
		}
		defer func() {
			if rerr := restore(); rerr != nil && err == nil {
				err = rerr
			}
		}()
		if err := checkAccess(s.level, r, lease.uid); err != nil {
			return nil, err
		}
	}
	env := c.Env
	if env == nil {
		env = []string{}
	}
	sp := &spec{
		Action:  actRun,
		Path:    r.path,
		Argv:    append([]string{c.Path}, c.Args...),
		Env:     env,
		Dir:     r.dir,
		KeepFDs: len(c.ExtraFiles),
		Rlimits: rlimits(c.Limits),
	}
	fds := newFDTable(c.ExtraFiles)
	defer fds.close()
	if s.level == Namespaces {
		if err := s.addMounts(sp, r, c, lease); err != nil {
			return nil, err
		}
	}
	s.log.Debug("sandbox run", zap.String("level", string(s.level)), zap.String("path", c.Path), zap.Strings("args", c.Args))
	var afterExit func()
	if s.level == Unprivileged {
		// Kill what the program left as soon as it exits: its children
		// may hold its output pipes open.
		afterExit = func() { _ = killUID(lease.uid) }
	}
	h, err := startHelper(ctx, sp, c, fds, s.attr(c, lease), afterExit)
	if err != nil {
		return nil, err
	}
	started := time.Now()
	var timer <-chan time.Time
	if c.Timeout > 0 {
		t := time.NewTimer(c.Timeout)
		defer t.Stop()
		timer = t.C
	}
	timedOut := false
	select {
	case <-h.exited:
	case <-timer:
		timedOut = true
		h.kill()
	case <-ctx.Done():
		h.kill()
	}
	werr := h.wait()
	elapsed := time.Since(started)
	if err := s.cleanup(h, lease); err != nil {
		return nil, err
	}
	canceled := !timedOut && ctx.Err() != nil
	e := exitOf(h.cmd.ProcessState, c, timedOut, canceled, elapsed, s.level)
	s.log.Debug("sandbox exit", zap.String("path", c.Path), zap.Stringer("exit", e))
	switch {
	case canceled:
		return e, fmt.Errorf("sandbox: %w", ctx.Err())
	case werr != nil && !errors.Is(werr, exec.ErrWaitDelay):
		var ee *exec.ExitError
		if !errors.As(werr, &ee) {
			return e, fmt.Errorf("sandbox: %w", werr)
		}
	}
	return e, nil
}

// cleanup waits until whatever is left of a run is gone. The helper's
// process group was killed when the program exited; at the Namespaces
// level the kernel kills the whole PID namespace with its init.
func (s *Sandbox) cleanup(h *helperProc, lease *uidLease) error {
	switch s.level {
	case Unprivileged:
		return killUID(lease.uid)
	case None:
		pgid := h.cmd.Process.Pid
		return waitGone(func() []int { return procsInGroup(pgid) }, nil, "process group "+strconv.Itoa(pgid))
	}
	return nil
}

// attr is how the helper is started at s's level.
func (s *Sandbox) attr(c *Cmd, lease *uidLease) *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	switch s.level {
	case Namespaces:
		a.Cloneflags = syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS | syscall.CLONE_NEWPID | syscall.CLONE_NEWIPC | syscall.CLONE_NEWUTS
		if !c.Network {
			a.Cloneflags |= syscall.CLONE_NEWNET
		}
		if lease == nil {
			// Root inside is the caller's own uid outside.
			a.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Geteuid(), Size: 1}}
			a.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getegid(), Size: 1}}
			a.GidMappingsEnableSetgroups = false
			break
		}
		// A root caller's helper stays root (kuid 0, mapped) to build the
		// root with its own access to the sources, then becomes the run's
		// uid, mapped to itself, before exec.
		a.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}, {ContainerID: lease.uid, HostID: lease.uid, Size: 1}}
		a.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}, {ContainerID: lease.uid, HostID: lease.uid, Size: 1}}
		a.GidMappingsEnableSetgroups = true
	case Unprivileged:
		a.Credential = &syscall.Credential{Uid: uint32(lease.uid), Gid: uint32(lease.uid), Groups: []uint32{}}
	}
	return a
}

// rlimits turns l into the helper's list.
func rlimits(l Limits) []rlimit {
	var out []rlimit
	if l.CPU > 0 {
		out = append(out, rlimit{syscall.RLIMIT_CPU, uint64((l.CPU + time.Second - 1) / time.Second)})
	}
	if l.AddressSpace > 0 {
		out = append(out, rlimit{syscall.RLIMIT_AS, uint64(l.AddressSpace)})
	}
	if l.Processes > 0 {
		out = append(out, rlimit{rlimitNproc, uint64(l.Processes)})
	}
	if l.OpenFiles > 0 {
		out = append(out, rlimit{syscall.RLIMIT_NOFILE, uint64(l.OpenFiles)})
	}
	if l.FileSize > 0 {
		out = append(out, rlimit{syscall.RLIMIT_FSIZE, uint64(l.FileSize)})
	}
	return out
}

// exitOf describes how the program ended.
func exitOf(ps *os.ProcessState, c *Cmd, timedOut, canceled bool, elapsed time.Duration, level Level) *Exit {
	e := &Exit{Code: -1, TimedOut: timedOut, Elapsed: elapsed, Level: level, timeout: c.Timeout}
	if ps == nil {
		return e
	}
	e.Code = ps.ExitCode()
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		e.CPUTime = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	ws, ok := ps.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return e
	}
	e.Code = -1
	sig := ws.Signal()
	e.Signal = strings.ToLower(sig.String())
	// The kernel sends SIGKILL at RLIMIT_CPU, measured in ticks, which
	// can run ahead of the precise CPUTime (in a VM, by 15% and more): a
	// SIGKILL we did not send, after half the limit or more, is taken for
	// it.
	cpuLimit := (c.Limits.CPU + time.Second - 1) / time.Second * time.Second
	if sig == syscall.SIGXCPU || (sig == syscall.SIGKILL && !timedOut && !canceled && c.Limits.CPU > 0 && e.CPUTime >= cpuLimit/2) {
		e.Signal = "cpu time limit exceeded"
	}
	return e
}

// fdTable numbers the descriptors the helper gets: the program's
// ExtraFiles first (3, 4, ...), then the helper's own.
type fdTable struct {
	files []*os.File
	owned []*os.File // ours: closed once the helper has its copies
}

func newFDTable(extra []*os.File) *fdTable {
	return &fdTable{files: append([]*os.File(nil), extra...)}
}

// add passes f to the helper and returns its number there.
func (t *fdTable) add(f *os.File) int {
	t.files = append(t.files, f)
	t.owned = append(t.owned, f)
	return 3 + len(t.files) - 1
}

func (t *fdTable) close() {
	for _, f := range t.owned {
		f.Close()
	}
	t.owned = nil
}

// addMounts sets sp up to build a private root.
func (s *Sandbox) addMounts(sp *spec, r *resolved, c *Cmd, lease *uidLease) error {
	sp.Namespaces = true
	sp.Hostname = "sandbox"
	if lease != nil {
		sp.SetUID, sp.UID, sp.GID = true, lease.uid, lease.uid
	}
	bind := func(p string, writable, dev bool) error {
		// The helper reaches the source under its old root, where an
		// absolute symbolic link (/etc/localtime) would lead astray.
		src, err := filepath.EvalSymlinks(p)
		if err != nil {
			return fmt.Errorf("sandbox: %w", err)
		}
		st, err := os.Stat(src)
		if err != nil {
			return fmt.Errorf("sandbox: %w", err)
		}
		sp.Mounts = append(sp.Mounts, mount{Kind: mBind, Source: src, Target: p, File: !st.IsDir(), Writable: writable, Dev: dev})
		return nil
	}
	var links []mount
	for _, d := range systemDirs {
		st, err := os.Lstat(d)
		switch {
		case err != nil:
			continue
		case st.Mode()&os.ModeSymlink != 0:
			l, err := os.Readlink(d)
			if err != nil {
				return fmt.Errorf("sandbox: %w", err)
			}
			links = append(links, mount{Kind: mSymlink, Target: d, Link: l})
		case st.IsDir():
			if err := bind(d, false, false); err != nil {
				return err
			}
		}
	}
	etc := etcFiles
	if c.Network {
		etc = append(append([]string(nil), etc...), netEtcFiles...)
	}
	for _, p := range etc {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		if err := bind(p, false, false); err != nil {
			return err
		}
	}
	for _, p := range devFiles {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		if err := bind(p, true, true); err != nil {
			return err
		}
	}
	links = append(links,
		mount{Kind: mSymlink, Target: "/dev/fd", Link: "/proc/self/fd"},
		mount{Kind: mSymlink, Target: "/dev/stdin", Link: "/proc/self/fd/0"},
		mount{Kind: mSymlink, Target: "/dev/stdout", Link: "/proc/self/fd/1"},
		mount{Kind: mSymlink, Target: "/dev/stderr", Link: "/proc/self/fd/2"})
	sp.Mounts = append(sp.Mounts, mount{Kind: mProc, Target: "/proc"})
	user := map[string]bool{} // path: writable
	for _, p := range r.readOnly {
		user[p] = false
	}
	for _, p := range r.writable {
		user[p] = true
	}
	if _, ok := user["/tmp"]; !ok {
		sp.Mounts = append(sp.Mounts, mount{Kind: mTmpfs, Target: "/tmp", Data: "mode=1777,size=" + strconv.FormatInt(s.tmpSize, 10)})
	}
	paths := make([]string, 0, len(user))
	for p := range user {
		paths = append(paths, p)
	}
	sort.Strings(paths) // a directory before what is inside it
	for _, p := range paths {
		if err := bind(p, user[p], false); err != nil {
			return err
		}
	}
	sp.Mounts = append(sp.Mounts, links...)
	return nil
}

// errNoHelper is wrapped when the helper never said Init ran.
var errNoHelper = errors.New("sandbox: the sandbox's init helper did not start")

// setupError is a failure the helper reported.
type setupError struct{ msg string }

func (e *setupError) Error() string { return "sandbox: " + e.msg }

// helperProc is a started helper.
type helperProc struct {
	cmd      *exec.Cmd
	exited   chan struct{} // closed when Wait returned
	waitErr  error
	specDone chan struct{}
}

// waitExited waits until process pid has exited, without reaping it.
func waitExited(pid int) {
	var info [128]byte // siginfo_t
	for {
		_, _, e := syscall.Syscall6(syscall.SYS_WAITID, pWaitPID, uintptr(pid), uintptr(unsafe.Pointer(&info[0])),
			syscall.WEXITED|wNoWait, 0, 0)
		if e != syscall.EINTR {
			return
		}
	}
}

const (
	pWaitPID = 1          // P_PID
	wNoWait  = 0x01000000 // WNOWAIT
)

// kill kills the helper or the program it became (through a pidfd: never
// another process that reused its number); the waiter then kills its
// process group.
func (h *helperProc) kill() {
	_ = h.cmd.Process.Kill()
}

// wait waits for the helper (or the program it became) and for the spec
// writer.
func (h *helperProc) wait() error {
	<-h.exited
	<-h.specDone
	return h.waitErr
}

// startHelper starts the init helper with sp and waits until it exec'd
// the program (actRun) or finished (the other actions). When the helper
// or the program exits, its process group is killed, then afterExit (if
// not nil) is called, then it is reaped. On error nothing of it is left
// running.
func startHelper(ctx context.Context, sp *spec, c *Cmd, fds *fdTable, attr *syscall.SysProcAttr, afterExit func()) (*helperProc, error) {
	exe, err := os.Open(executable)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	exeFD := fds.add(exe)
	data, err := json.Marshal(sp)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	specR, specW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	specFD := fds.add(specR)
	statusR, statusW, err := os.Pipe()
	if err != nil {
		specW.Close()
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	defer statusR.Close()
	statusFD := fds.add(statusW)
	cmd := &exec.Cmd{
		Path: "/proc/self/fd/" + strconv.Itoa(exeFD),
		Args: []string{"locklab-sandbox-init"},
		Env: []string{
			envInit + "=" + strconv.Itoa(statusFD) + "," + strconv.Itoa(specFD),
			"GOMAXPROCS=1", "GORACE=atexit_sleep_ms=0",
		},
		Dir:         "/",
		Stdin:       c.Stdin,
		Stdout:      c.Stdout,
		Stderr:      c.Stderr,
		ExtraFiles:  fds.files,
		SysProcAttr: attr,
		WaitDelay:   waitDelay,
	}
	err = cmd.Start()
	fds.close()
	if err != nil {
		specW.Close()
		return nil, fmt.Errorf("sandbox: start: %w", err)
	}
	h := &helperProc{cmd: cmd, exited: make(chan struct{}), specDone: make(chan struct{})}
	go func() {
		_, _ = specW.Write(data) // EPIPE when the helper is gone
		specW.Close()
		close(h.specDone)
	}()
	go func() {
		// Kill the process group while its leader is a zombie, so that its
		// number cannot have been reused, then reap it.
		pid := cmd.Process.Pid
		waitExited(pid)
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		if afterExit != nil {
			afterExit()
		}
		h.waitErr = cmd.Wait()
		close(h.exited)
	}()
	if err := handshake(ctx, statusR, sp.Action, exe.Name()); err != nil {
		h.kill()
		h.wait()
		var se *setupError
		if errors.As(err, &se) || ctx.Err() != nil {
			return nil, err
		}
		if ps := cmd.ProcessState; ps != nil && ps.Exited() {
			return nil, fmt.Errorf("%w (%v)", err, ps)
		}
		return nil, err
	}
	return h, nil
}

// handshake reads the helper's status pipe; see spec_linux.go.
func handshake(ctx context.Context, status *os.File, action, exe string) error {
	stop := context.AfterFunc(ctx, func() { _ = status.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	br := bufio.NewReader(io.LimitReader(status, 64<<10))
	_ = status.SetReadDeadline(time.Now().Add(helloTimeout))
	line, err := br.ReadString('\n')
	if line != helloLine {
		if ctx.Err() != nil {
			return fmt.Errorf("sandbox: %w", ctx.Err())
		}
		return fmt.Errorf("%w: %s does not call sandbox.Init first thing in main (or TestMain)%s", errNoHelper, executableName(exe), readErr(err))
	}
	_ = status.SetReadDeadline(time.Now().Add(setupTimeout))
	want := okLine
	if action == actRun {
		want = execLine
	}
	for {
		line, err := br.ReadString('\n')
		switch {
		case strings.HasPrefix(line, errPrefix) && strings.HasSuffix(line, "\n"):
			return &setupError{msg: strings.TrimSuffix(strings.TrimPrefix(line, errPrefix), "\n")}
		case want == "" && line == "" && errors.Is(err, io.EOF):
			return nil // the program was exec'd
		case want != "" && line == want && action != actRun:
			return nil
		case want != "" && line == want:
			want = "" // now wait for EOF
			continue
		case ctx.Err() != nil:
			return fmt.Errorf("sandbox: %w", ctx.Err())
		case err != nil:
			return fmt.Errorf("sandbox: the init helper failed during setup%s", readErr(err))
		default:
			return fmt.Errorf("sandbox: unexpected message from the init helper: %q", line)
		}
	}
}

func readErr(err error) string {
	switch {
	case err == nil, errors.Is(err, io.EOF):
		return ""
	case errors.Is(err, os.ErrDeadlineExceeded):
		return " (no answer in time)"
	}
	return " (" + err.Error() + ")"
}

func executableName(exe string) string {
	if exe != "/proc/self/exe" {
		return exe
	}
	if p, err := os.Executable(); err == nil {
		return p
	}
	return "this program"
}
