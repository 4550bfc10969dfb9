package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

// Init must be called first thing in main, and in TestMain of any package
// whose tests run sandboxes. If this process was started by Run as a
// sandbox's init helper, Init sets the sandbox up and execs the program,
// never returning. Otherwise it returns at once.
func Init() {
	v, ok := syscall.Getenv(envInit)
	if !ok {
		initCalled.Store(true)
		return
	}
	os.Exit(helper(v))
}

// helper is the init helper's main. It returns an exit status only on
// failure (or after a probe or kill action).
func helper(fds string) int {
	// Capabilities, no_new_privs and the exec belong to one thread.
	runtime.LockOSThread()
	statusFD, specFD, ok := strings.Cut(fds, ",")
	sfd, err1 := strconv.Atoi(statusFD)
	pfd, err2 := strconv.Atoi(specFD)
	if !ok || err1 != nil || err2 != nil || sfd < 3 || pfd < 3 {
		fmt.Fprintf(os.Stderr, "sandbox: bad %s=%q\n", envInit, fds)
		return 125
	}
	status := os.NewFile(uintptr(sfd), "sandbox-status")
	if _, err := status.WriteString(helloLine); err != nil {
		return 125
	}
	fail := func(err error) int {
		fmt.Fprintf(status, "%s%s\n", errPrefix, strings.ReplaceAll(err.Error(), "\n", " "))
		return 125
	}
	f := os.NewFile(uintptr(pfd), "sandbox-spec")
	data, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		return fail(fmt.Errorf("read spec: %w", err))
	}
	var sp spec
	if err := json.Unmarshal(data, &sp); err != nil {
		return fail(fmt.Errorf("read spec: %w", err))
	}
	if sp.Action == actKill {
		// kill(-1) signals every process of this uid but the caller.
		if err := syscall.Kill(-1, syscall.SIGKILL); err != nil && err != syscall.ESRCH {
			return fail(fmt.Errorf("kill: %w", err))
		}
		status.WriteString(okLine)
		return 0
	}
	if sp.Namespaces {
		if err := buildRoot(&sp); err != nil {
			return fail(err)
		}
		if sp.Hostname != "" {
			if err := syscall.Sethostname([]byte(sp.Hostname)); err != nil {
				return fail(fmt.Errorf("sethostname: %w", err))
			}
		}
	}
	var as *rlimit
	for i, r := range sp.Rlimits {
		if r.Resource == syscall.RLIMIT_AS {
			as = &sp.Rlimits[i] // last: the helper itself still runs
			continue
		}
		if err := setRlimit(r); err != nil {
			return fail(err)
		}
	}
	if sp.Namespaces {
		if err := dropBoundingSet(); err != nil {
			return fail(err)
		}
	}
	if sp.SetUID {
		if err := switchUser(sp.UID, sp.GID); err != nil {
			return fail(err)
		}
	}
	// Run asked for SIGKILL at its death, but a change of uid clears that,
	// and a thread other than the one Run started (this one may be) never
	// had it: set it again on the thread that execs. If Run died
	// meanwhile, writing execLine below fails.
	if err := prctl(syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL)); err != nil {
		return fail(fmt.Errorf("prctl(PR_SET_PDEATHSIG): %w", err))
	}
	if sp.Namespaces {
		if err := dropCapabilities(); err != nil {
			return fail(err)
		}
	}
	if err := prctl(prSetNoNewPrivs, 1); err != nil {
		return fail(fmt.Errorf("prctl(PR_SET_NO_NEW_PRIVS): %w", err))
	}
	if err := syscall.Chdir(sp.Dir); err != nil {
		return fail(fmt.Errorf("chdir %s: %w", sp.Dir, err))
	}
	if sp.Action == actProbe {
		status.WriteString(okLine)
		return 0
	}
	if err := closeOnExecFrom(3 + sp.KeepFDs); err != nil {
		return fail(err)
	}
	if _, err := status.WriteString(execLine); err != nil {
		return 125
	}
	if as != nil {
		if err := setRlimit(*as); err != nil {
			return fail(err)
		}
	}
	err = syscall.Exec(sp.Path, sp.Argv, sp.Env)
	fmt.Fprintf(status, "%sstart %s: %v\n", errPrefix, sp.Path, err)
	return 127
}

// Linux constants the syscall package lacks.
const (
	prSetNoNewPrivs      = 38
	prCapAmbient         = 47
	prCapAmbientClearAll = 4
	linuxCapVersion3     = 0x20080522
	sysCloseRange        = 436 // the same number on every architecture
	closeRangeCloexec    = 1 << 2

	stRdonly     = 0x1
	stNosuid     = 0x2
	stNodev      = 0x4
	stNoexec     = 0x8
	stNoatime    = 0x400
	stNodiratime = 0x800
	stRelatime   = 0x1000
)

func prctl(option, arg uintptr) error {
	if _, _, e := syscall.RawSyscall6(syscall.SYS_PRCTL, option, arg, 0, 0, 0, 0); e != 0 {
		return e
	}
	return nil
}

func setRlimit(r rlimit) error {
	var cur syscall.Rlimit
	if err := syscall.Getrlimit(r.Resource, &cur); err != nil {
		return fmt.Errorf("getrlimit %s: %w", rlimitName(r.Resource), err)
	}
	v := min(r.Value, cur.Max) // raising a hard limit needs privilege; lower is stricter anyway
	if err := syscall.Setrlimit(r.Resource, &syscall.Rlimit{Cur: v, Max: v}); err != nil {
		return fmt.Errorf("setrlimit %s %d: %w", rlimitName(r.Resource), v, err)
	}
	return nil
}

func rlimitName(res int) string {
	switch res {
	case syscall.RLIMIT_CPU:
		return "RLIMIT_CPU"
	case syscall.RLIMIT_AS:
		return "RLIMIT_AS"
	case rlimitNproc:
		return "RLIMIT_NPROC"
	case syscall.RLIMIT_NOFILE:
		return "RLIMIT_NOFILE"
	case syscall.RLIMIT_FSIZE:
		return "RLIMIT_FSIZE"
	}
	return strconv.Itoa(res)
}

// dropBoundingSet empties the calling thread's capability bounding set
// and its ambient set, so that no exec can give it capabilities back.
func dropBoundingSet() error {
	last := 63
	if b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap"); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			last = n
		}
	}
	for c := 0; c <= last; c++ {
		if err := prctl(syscall.PR_CAPBSET_DROP, uintptr(c)); err != nil && err != syscall.EINVAL {
			return fmt.Errorf("drop capability %d from the bounding set: %w", c, err)
		}
	}
	if _, _, e := syscall.RawSyscall6(syscall.SYS_PRCTL, prCapAmbient, prCapAmbientClearAll, 0, 0, 0, 0); e != 0 && e != syscall.EINVAL {
		return fmt.Errorf("clear ambient capabilities: %w", e)
	}
	return nil
}

// switchUser makes the calling thread, which then execs the program,
// uid:gid with no supplementary groups. Only this thread changes (the
// syscall package's Setuid would change them all): the others die at exec.
func switchUser(uid, gid int) error {
	if _, _, e := syscall.RawSyscall(syscall.SYS_SETGROUPS, 0, 0, 0); e != 0 {
		return fmt.Errorf("setgroups: %w", e)
	}
	if _, _, e := syscall.RawSyscall(syscall.SYS_SETRESGID, uintptr(gid), uintptr(gid), uintptr(gid)); e != 0 {
		return fmt.Errorf("setresgid %d: %w", gid, e)
	}
	if _, _, e := syscall.RawSyscall(syscall.SYS_SETRESUID, uintptr(uid), uintptr(uid), uintptr(uid)); e != 0 {
		return fmt.Errorf("setresuid %d: %w", uid, e)
	}
	return nil
}

// dropCapabilities empties the inheritable, permitted and effective sets
// of the calling thread, which then execs the program: with no
// capabilities it cannot undo the read-only mounts.
func dropCapabilities() error {
	hdr := struct {
		version uint32
		pid     int32
	}{version: linuxCapVersion3}
	var data [2]struct{ effective, permitted, inheritable uint32 }
	if _, _, e := syscall.RawSyscall(syscall.SYS_CAPSET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0); e != 0 {
		return fmt.Errorf("capset: %w", e)
	}
	return nil
}

// closeOnExecFrom marks every descriptor from first on close-on-exec, so
// the program gets only stdin, stdout, stderr and its ExtraFiles.
func closeOnExecFrom(first int) error {
	if _, _, e := syscall.Syscall(sysCloseRange, uintptr(first), ^uintptr(0), closeRangeCloexec); e == 0 {
		return nil
	}
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return fmt.Errorf("list descriptors: %w", err)
	}
	for _, e := range ents {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd < first {
			continue
		}
		syscall.CloseOnExec(fd)
	}
	return nil
}

// stagingCandidates are directories to mount the staging tmpfs on. Any
// will do: once pivoted into, the old root is whole again under /oldroot.
var stagingCandidates = []string{"/tmp", "/mnt", "/run", "/usr"}

// buildRoot makes a private root file system from sp.Mounts and pivots
// into it, as bubblewrap does: first into a staging tmpfs, where the old
// root is whole at /oldroot, so that every source can be reached there,
// then into the new root built at /newroot. It needs no directory on the
// host, so a killed grader leaves nothing behind. It runs as root of a new
// user namespace that owns a new mount namespace.
func buildRoot(sp *spec) error {
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make / private: %w", err)
	}
	staging := ""
	for _, c := range stagingCandidates {
		if st, err := os.Lstat(c); err == nil && st.IsDir() {
			staging = c
			break
		}
	}
	if staging == "" {
		return fmt.Errorf("no directory to mount the staging tmpfs on (tried %s)", strings.Join(stagingCandidates, ", "))
	}
	if err := syscall.Mount("tmpfs", staging, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, "mode=0700,size=1m"); err != nil {
		return fmt.Errorf("mount the staging tmpfs on %s: %w", staging, err)
	}
	for _, d := range []string{"oldroot", "newroot"} {
		if err := os.Mkdir(filepath.Join(staging, d), 0o755); err != nil {
			return fmt.Errorf("staging: %w", err)
		}
	}
	if err := syscall.PivotRoot(staging, filepath.Join(staging, "oldroot")); err != nil {
		return fmt.Errorf("pivot_root to the staging tmpfs: %w", err)
	}
	if err := syscall.Chdir("/"); err != nil {
		return fmt.Errorf("chdir /: %w", err)
	}
	const root = "/newroot"
	if err := syscall.Mount("tmpfs", root, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, "mode=0755,size=4m,nr_inodes=16384"); err != nil {
		return fmt.Errorf("mount tmpfs for the root: %w", err)
	}
	for _, m := range sp.Mounts {
		if err := applyMount(root, "/oldroot", m); err != nil {
			return err
		}
	}
	// The staging tmpfs, and the old root under it, end up on /.oldroot.
	if err := os.Mkdir(root+"/.oldroot", 0o700); err != nil {
		return fmt.Errorf("pivot_root: %w", err)
	}
	if err := syscall.PivotRoot(root, root+"/.oldroot"); err != nil {
		return fmt.Errorf("pivot_root: %w", err)
	}
	if err := syscall.Chdir("/"); err != nil {
		return fmt.Errorf("chdir /: %w", err)
	}
	if err := syscall.Unmount("/.oldroot", syscall.MNT_DETACH); err != nil {
		return fmt.Errorf("unmount the old root: %w", err)
	}
	if err := os.Remove("/.oldroot"); err != nil {
		return fmt.Errorf("remove the old root's mount point: %w", err)
	}
	if err := syscall.Mount("", "/", "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY|syscall.MS_NOSUID|syscall.MS_NODEV, ""); err != nil {
		return fmt.Errorf("remount / read-only: %w", err)
	}
	return nil
}

// applyMount adds m to the new root at root, its source being under old.
func applyMount(root, old string, m mount) error {
	target := filepath.Join(root, m.Target)
	switch m.Kind {
	case mBind:
		if err := makeTarget(target, m.File); err != nil {
			return fmt.Errorf("mount %s: %w", m.Target, err)
		}
		if err := syscall.Mount(filepath.Join(old, m.Source), target, "", syscall.MS_BIND, ""); err != nil {
			return fmt.Errorf("mount %s: %w", m.Target, err)
		}
		// Remounting must keep the flags the source's mount has (the
		// kernel locks them), and adds read-only, nosuid and nodev.
		var st syscall.Statfs_t
		if err := syscall.Statfs(target, &st); err != nil {
			return fmt.Errorf("mount %s: statfs: %w", m.Target, err)
		}
		flags := uintptr(syscall.MS_BIND | syscall.MS_REMOUNT | syscall.MS_NOSUID)
		for _, f := range []struct{ st, ms uintptr }{
			{stRdonly, syscall.MS_RDONLY}, {stNodev, syscall.MS_NODEV}, {stNoexec, syscall.MS_NOEXEC},
			{stNoatime, syscall.MS_NOATIME}, {stNodiratime, syscall.MS_NODIRATIME}, {stRelatime, syscall.MS_RELATIME},
		} {
			if uintptr(st.Flags)&f.st != 0 {
				flags |= f.ms
			}
		}
		if !m.Dev {
			flags |= syscall.MS_NODEV
			if !m.Writable {
				flags |= syscall.MS_RDONLY
			}
		}
		if err := syscall.Mount("", target, "", flags, ""); err != nil {
			return fmt.Errorf("mount %s: remount: %w", m.Target, err)
		}
	case mTmpfs:
		if err := os.MkdirAll(target, 0o755); err != nil {
			return fmt.Errorf("mount %s: %w", m.Target, err)
		}
		if err := syscall.Mount("tmpfs", target, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, m.Data); err != nil {
			return fmt.Errorf("mount tmpfs on %s: %w", m.Target, err)
		}
	case mProc:
		if err := os.MkdirAll(target, 0o755); err != nil {
			return fmt.Errorf("mount %s: %w", m.Target, err)
		}
		if err := syscall.Mount("proc", target, "proc", syscall.MS_NOSUID|syscall.MS_NODEV|syscall.MS_NOEXEC, ""); err != nil {
			return fmt.Errorf("mount proc on %s: %w", m.Target, err)
		}
	case mSymlink:
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return fmt.Errorf("symlink %s: %w", m.Target, err)
		}
		if err := os.Symlink(m.Link, target); err != nil {
			return fmt.Errorf("symlink %s: %w", m.Target, err)
		}
	default:
		return fmt.Errorf("unknown mount kind %q", m.Kind)
	}
	return nil
}

// makeTarget makes the mount point for a bind: a directory, or an empty
// file for a file.
func makeTarget(target string, file bool) error {
	if !file {
		return os.MkdirAll(target, 0o755)
	}
	if _, err := os.Lstat(target); err == nil {
		return nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(target, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	return f.Close()
}
