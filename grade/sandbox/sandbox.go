package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// Mode is what a caller asks for (the grader's --sandbox flag).
type Mode string

const (
	// Auto uses Namespaces if the kernel allows them, else Unprivileged if
	// the process runs as root, else None. It never fails for lack of
	// isolation; Sandbox.Reason says what it got and why.
	Auto Mode = "auto"
	// Required uses Namespaces or fails with an error wrapping
	// ErrUnavailable that carries the reason.
	Required Mode = "required"
	// Off uses None: a process group, rlimits and the time limit only.
	Off Mode = "off"
)

// Modes lists the valid modes in the order a usage message names them.
func Modes() []Mode { return []Mode{Auto, Required, Off} }

// ParseMode parses a --sandbox value. The error names the valid choices.
func ParseMode(s string) (Mode, error) {
	for _, m := range Modes() {
		if s == string(m) {
			return m, nil
		}
	}
	return "", fmt.Errorf("sandbox: unknown mode %q (valid: auto, required, off)", s)
}

// Level is what a Sandbox actually provides.
type Level string

const (
	// Namespaces runs each program in new user, mount, PID, network, IPC
	// and UTS namespaces, on a private root file system built from bind
	// mounts, with every capability dropped, no_new_privs and rlimits.
	// When the caller is root, root inside is a dedicated unprivileged uid
	// outside.
	Namespaces Level = "namespaces"
	// Unprivileged (root only, no namespaces) runs each program as a
	// dedicated unprivileged uid and gid of its own, with no supplementary
	// groups, no_new_privs, rlimits and its own process group; every
	// process of that uid is killed when the run ends.
	Unprivileged Level = "uid"
	// None runs each program as the caller's own uid, with rlimits,
	// no_new_privs, its own process group and the time limit.
	None Level = "none"
)

// ErrUnavailable is wrapped by errors for a level the kernel or the
// caller's privileges do not allow.
var ErrUnavailable = errors.New("sandbox unavailable")

// The dedicated uids (and gids, the same numbers) of root callers' runs,
// at the Unprivileged level and behind root of the Namespaces level. The
// range lies in what Debian reserves for global allocation and below
// systemd's DynamicUser range (61184-65519); uids named in /etc/passwd or
// /etc/group are skipped, and so is a uid some process runs as. They stay
// below 65536, so they exist in a container that maps only 65536 uids.
const (
	UIDFirst = 60000
	UIDLast  = 61183
)

// DefaultTmpSize is the size of the private /tmp at the Namespaces level.
const DefaultTmpSize = 256 << 20

// Option configures New.
type Option interface{ apply(*options) }

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

type options struct {
	log     *zap.Logger
	level   Level // forced level, "" when New chooses
	tmpSize int64
}

// WithLogger makes the Sandbox log to l (debug: the level chosen and why,
// each run's start and end). The default logs nothing.
func WithLogger(l *zap.Logger) Option {
	return optionFunc(func(o *options) {
		if l != nil {
			o.log = l
		}
	})
}

// WithLevel makes New provide exactly level l, whatever the mode, or fail
// with an error wrapping ErrUnavailable. It is meant for tests, which
// exercise each level on one machine.
func WithLevel(l Level) Option {
	return optionFunc(func(o *options) { o.level = l })
}

// WithTmpSize sets the size in bytes of the private /tmp each program gets
// at the Namespaces level (default DefaultTmpSize). Writes past it fail
// with ENOSPC.
func WithTmpSize(n int64) Option {
	return optionFunc(func(o *options) {
		if n > 0 {
			o.tmpSize = n
		}
	})
}

// Sandbox runs commands at one Level. It is safe for concurrent use: each
// Run is sandboxed on its own.
type Sandbox struct {
	level   Level
	reason  string
	root    bool // the caller ran as root when New chose the level
	tmpSize int64
	log     *zap.Logger
}

// initCalled records that Init returned in this process.
var initCalled atomic.Bool

// errNoInit is the mistake of a program that never calls Init.
var errNoInit = errors.New("sandbox: Init was not called: call sandbox.Init() first thing in main (and in TestMain of tests that run sandboxes)")

// New returns a Sandbox for mode. It probes once per process what the
// kernel allows (the result is cached) and fails only for a bad mode, for
// Required (or WithLevel) when the level is unavailable, or when Init was
// not called.
func New(mode Mode, opts ...Option) (*Sandbox, error) {
	if _, err := ParseMode(string(mode)); err != nil {
		return nil, err
	}
	o := options{log: zap.NewNop(), tmpSize: DefaultTmpSize}
	for _, opt := range opts {
		opt.apply(&o)
	}
	switch o.level {
	case "", Namespaces, Unprivileged, None:
	default:
		return nil, fmt.Errorf("sandbox: unknown level %q (valid: namespaces, uid, none)", o.level)
	}
	if !initCalled.Load() {
		return nil, errNoInit
	}
	level, reason, err := choose(mode, o.level)
	if err != nil {
		return nil, err
	}
	s := &Sandbox{level: level, reason: reason, root: os.Geteuid() == 0, tmpSize: o.tmpSize, log: o.log}
	s.log.Debug("sandbox level", zap.String("mode", string(mode)), zap.String("level", string(level)), zap.String("reason", reason))
	return s, nil
}

// Level reports the level every Run of s provides.
func (s *Sandbox) Level() Level { return s.level }

// Reason says why s got its level, in words fit for the grader's output.
func (s *Sandbox) Reason() string { return s.reason }

// Protections lists, in plain sentences, what holds at s's level and what
// does not.
func (s *Sandbox) Protections() []string { return protections(s.level, s.root) }

// Cmd describes one program to run in a sandbox. Paths are absolute host
// paths; at the Namespaces level each is visible inside at the same path.
// A Cmd must not be modified while Run uses it.
type Cmd struct {
	// Path is the program, an absolute path under ReadOnly or Writable or
	// in a system directory (/usr, /bin, /sbin, /lib*).
	Path string
	// Args are the arguments after the program name (argv[1:]); argv[0]
	// is Path.
	Args []string
	// Env is the whole environment; nothing is inherited.
	Env []string
	// Dir is the working directory, under ReadOnly or Writable, or /tmp;
	// "" means /.
	Dir string
	// ReadOnly lists host files or directories the program may read. At
	// the Namespaces level they are bind mounted read-only (mounts beneath
	// them are not included: list them too); at the lower levels they stay
	// as their permissions make them, and as root they must be readable by
	// the dedicated uid.
	ReadOnly []string
	// Writable lists host files or directories the program may write. As
	// root they are handed (chowned, recursively) to the run's dedicated
	// uid and back to their owners afterwards, so a Writable path must not
	// be shared by concurrent Runs.
	Writable []string
	// Network, if true, keeps the host's network. By default the
	// Namespaces level gives the program a network namespace with only a
	// loopback interface that is down; the lower levels cannot take the
	// network away.
	Network bool
	// Stdin is the program's standard input; nil means /dev/null.
	Stdin io.Reader
	// Stdout and Stderr receive the program's output; nil means /dev/null.
	Stdout, Stderr io.Writer
	// ExtraFiles become file descriptors 3, 4, ... of the program, as with
	// exec.Cmd.
	ExtraFiles []*os.File
	// Limits are the rlimits the program and everything it starts get.
	Limits Limits
	// Timeout is the wall-clock limit, from the program's start (after the
	// sandbox is set up). At the limit every process of the sandbox is
	// killed and Exit.TimedOut is set. 0 means no limit.
	Timeout time.Duration
}

// Limits are rlimits, each set as both the soft and the hard limit; 0
// leaves one as it is. A limit above the caller's own hard limit is
// lowered to it.
type Limits struct {
	// CPU is RLIMIT_CPU, rounded up to whole seconds. It limits each
	// process's own CPU time; at the limit the kernel kills the process
	// (SIGKILL) and Exit.Signal says "cpu time limit exceeded".
	CPU time.Duration
	// AddressSpace is RLIMIT_AS in bytes: virtual memory, not resident
	// memory. The race detector's runtime reserves a lot of it; allow
	// about 8 GiB for a -race binary or the go command.
	AddressSpace int64
	// Processes is RLIMIT_NPROC: the number of tasks (processes and
	// threads) of the program's real uid, counted system-wide (within its
	// user namespace at the Namespaces level). It is meaningful when that
	// uid is the run's own, that is when the caller is root (Namespaces or
	// Unprivileged). For a non-root caller it also counts the caller's
	// other processes, and for a root caller at the None level the kernel
	// does not apply it at all. Go programs use several threads each.
	Processes int
	// OpenFiles is RLIMIT_NOFILE: the highest file descriptor number plus
	// one.
	OpenFiles int
	// FileSize is RLIMIT_FSIZE in bytes: a write past it fails with EFBIG
	// (or kills a program that does not ignore SIGXFSZ; Go programs do).
	FileSize int64
}

// Exit is how a sandboxed program ended.
type Exit struct {
	// Code is the exit status, or -1 if the program was killed by a
	// signal.
	Code int
	// Signal names the signal that killed the program ("killed",
	// "segmentation fault", ...), or "cpu time limit exceeded" when
	// Limits.CPU killed it; "" if it exited.
	Signal string
	// TimedOut is set when the program was killed at Cmd.Timeout.
	TimedOut bool
	// Elapsed is the wall-clock time from the program's start to its end.
	Elapsed time.Duration
	// CPUTime is the user plus system CPU time of the program and of the
	// children it waited for.
	CPUTime time.Duration
	// Level is the level the program ran at.
	Level Level

	timeout time.Duration
}

// String describes e as the grader prints it: "exit status 0", "killed:
// time limit 1m0s", "killed by signal: cpu time limit exceeded".
func (e *Exit) String() string {
	switch {
	case e.TimedOut:
		return "killed: time limit " + e.timeout.String()
	case e.Signal != "":
		return "killed by signal: " + e.Signal
	default:
		return fmt.Sprintf("exit status %d", e.Code)
	}
}

// Run runs c in a new sandbox at s's level and waits until every process
// of that sandbox is gone. It returns an error only when the sandbox could
// not be set up or the program could not be started (the error names what
// failed), or, along with the Exit, when ctx was done before the program
// ended (the error wraps ctx.Err(); the sandbox was killed) or copying its
// input or output failed. A program that exits non-zero, is killed or
// times out is a normal Exit.
func (s *Sandbox) Run(ctx context.Context, c *Cmd) (*Exit, error) {
	r, err := resolve(c)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	return s.run(ctx, c, r)
}

// systemDirs are visible read-only in every sandbox; a Cmd's Path may lie
// under them.
var systemDirs = []string{"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}

// resolved holds a Cmd's paths, checked and with symbolic links resolved.
type resolved struct {
	path     string // Cmd.Path, resolved
	dir      string // Cmd.Dir, resolved ("/" if empty)
	readOnly []string
	writable []string
}

// resolve checks c and resolves its paths.
func resolve(c *Cmd) (*resolved, error) {
	if c == nil {
		return nil, errors.New("sandbox: nil Cmd")
	}
	if c.Timeout < 0 || c.Limits.CPU < 0 || c.Limits.AddressSpace < 0 || c.Limits.Processes < 0 ||
		c.Limits.OpenFiles < 0 || c.Limits.FileSize < 0 {
		return nil, errors.New("sandbox: negative Timeout or Limits")
	}
	r := new(resolved)
	var err error
	if r.path, err = canonical("Path", c.Path); err != nil {
		return nil, err
	}
	dir := c.Dir
	if dir == "" {
		dir = "/"
	}
	if r.dir, err = canonical("Dir", dir); err != nil {
		return nil, err
	}
	for _, p := range c.ReadOnly {
		q, err := canonical("ReadOnly path", p)
		if err != nil {
			return nil, err
		}
		r.readOnly = append(r.readOnly, q)
	}
	for _, p := range c.Writable {
		q, err := canonical("Writable path", p)
		if err != nil {
			return nil, err
		}
		r.writable = append(r.writable, q)
	}
	for _, p := range append(append([]string(nil), r.readOnly...), r.writable...) {
		if p == "/" || under(p, "/proc") || under(p, "/dev") {
			return nil, fmt.Errorf("sandbox: %s cannot be made visible in a sandbox", p)
		}
	}
	sys := resolvedSystemDirs()
	if !underAny(r.path, r.readOnly, r.writable, sys) {
		return nil, fmt.Errorf("sandbox: Path %s is not under a ReadOnly or Writable path or a system directory", c.Path)
	}
	if r.dir != "/" && r.dir != "/tmp" && !underAny(r.dir, r.readOnly, r.writable, sys) {
		return nil, fmt.Errorf("sandbox: Dir %s is not under a ReadOnly or Writable path", c.Dir)
	}
	return r, nil
}

// canonical resolves p, an absolute path naming something that exists.
func canonical(what, p string) (string, error) {
	if !filepath.IsAbs(p) {
		return "", fmt.Errorf("sandbox: %s %q is not absolute", what, p)
	}
	q, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", fmt.Errorf("sandbox: %s: %w", what, err)
	}
	return q, nil
}

// resolvedSystemDirs returns the system directories that exist, resolved
// (with usrmerge, /bin is /usr/bin).
func resolvedSystemDirs() []string {
	var out []string
	for _, d := range systemDirs {
		if q, err := filepath.EvalSymlinks(d); err == nil {
			out = append(out, q)
		}
	}
	return out
}

// under reports whether p is dir or inside it.
func under(p, dir string) bool {
	return p == dir || dir == "/" || strings.HasPrefix(p, dir+"/")
}

func underAny(p string, lists ...[]string) bool {
	for _, l := range lists {
		for _, d := range l {
			if under(p, d) {
				return true
			}
		}
	}
	return false
}
