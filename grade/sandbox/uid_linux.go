package sandbox

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// uidLease is a uid held by one Run: a lock file under lockDir, flocked.
// flock conflicts between open file descriptions, so two Runs, in one
// process or in several, never hold the same uid.
type uidLease struct {
	uid int
	f   *os.File
}

func (l *uidLease) release() {
	if l != nil && l.f != nil {
		l.f.Close() // drops the flock
		l.f = nil
	}
}

// leaseUID picks a free dedicated uid: not a known user or group, not
// locked by another Run, and with no process running as it.
func leaseUID() (*uidLease, error) {
	dir, err := lockDir()
	if err != nil {
		return nil, err
	}
	known := knownIDs()
	n := UIDLast - UIDFirst + 1
	start := rand.IntN(n)
	for i := range n {
		uid := UIDFirst + (start+i)%n
		if known[uid] {
			continue
		}
		f, err := os.OpenFile(filepath.Join(dir, strconv.Itoa(uid)), os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("sandbox: lock a uid: %w", err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			continue
		}
		if len(procsOf(uid)) > 0 { // left over from a grader that was killed
			f.Close()
			continue
		}
		return &uidLease{uid: uid, f: f}, nil
	}
	return nil, fmt.Errorf("sandbox: every uid in %d-%d is in use", UIDFirst, UIDLast)
}

// lockDir returns the directory of the uid lock files, a directory only
// root can write.
func lockDir() (string, error) {
	var errs []error
	for _, d := range []string{"/run/locklab-sandbox", filepath.Join(os.TempDir(), "locklab-sandbox-uids")} {
		if err := os.Mkdir(d, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			errs = append(errs, err)
			continue
		}
		st, err := os.Lstat(d)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		sys, _ := st.Sys().(*syscall.Stat_t)
		if !st.IsDir() || sys == nil || int(sys.Uid) != os.Geteuid() || st.Mode().Perm()&0o022 != 0 {
			errs = append(errs, fmt.Errorf("%s is not a directory only this user can write", d))
			continue
		}
		return d, nil
	}
	return "", fmt.Errorf("sandbox: no directory for the uid locks: %w", errors.Join(errs...))
}

// knownIDs are the uids and gids that /etc/passwd and /etc/group name.
var knownIDs = sync.OnceValue(func() map[int]bool {
	known := map[int]bool{}
	for _, f := range []string{"/etc/passwd", "/etc/group"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			fields := strings.Split(line, ":")
			if len(fields) < 3 {
				continue
			}
			if id, err := strconv.Atoi(fields[2]); err == nil {
				known[id] = true
			}
			if len(fields) > 3 && f == "/etc/passwd" {
				if id, err := strconv.Atoi(fields[3]); err == nil {
					known[id] = true
				}
			}
		}
	}
	return known
})

// owner is who owned a file before handOver.
type owner struct {
	uid, gid int
	dev, ino uint64
}

// handOver chowns every file under paths (not following symbolic links)
// to uid:uid. restore gives them back: a file that existed before gets its
// owner back, a new one the owner of the path it is under. Only files
// still owned by uid are touched, so a hard link to someone else's file
// keeps its owner; a regular file with more than one link is not handed
// over at all, since changing its owner would change it at its other
// paths too. restore must run after every process of uid is dead.
func handOver(paths []string, uid int) (restore func() error, err error) {
	rec := map[string]owner{}
	restore = func() error {
		var errs []error
		for _, root := range paths {
			top, ok := rec[root]
			if !ok {
				continue
			}
			err := filepath.WalkDir(root, func(p string, _ fs.DirEntry, err error) error {
				if err != nil {
					if !errors.Is(err, fs.ErrNotExist) {
						errs = append(errs, err)
					}
					return nil
				}
				st, err := lstat(p)
				if err != nil {
					return nil
				}
				if int(st.Uid) != uid && int(st.Gid) != uid {
					return nil
				}
				o, ok := rec[p]
				if !ok || o.dev != uint64(st.Dev) || o.ino != st.Ino {
					o = top
				}
				if err := os.Lchown(p, o.uid, o.gid); err != nil {
					errs = append(errs, err)
				}
				return nil
			})
			if err != nil {
				errs = append(errs, err)
			}
		}
		if len(errs) > 0 {
			return fmt.Errorf("sandbox: give the writable paths back: %w", errors.Join(errs...))
		}
		return nil
	}
	for _, root := range paths {
		err := filepath.WalkDir(root, func(p string, _ fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			st, err := lstat(p)
			if err != nil {
				return err
			}
			if st.Mode&syscall.S_IFMT == syscall.S_IFREG && st.Nlink > 1 {
				// A hard link shares its file with a path outside the tree
				// (a read-only entry of a build cache): it stays its owner's.
				return nil
			}
			if _, ok := rec[p]; !ok {
				rec[p] = owner{uid: int(st.Uid), gid: int(st.Gid), dev: uint64(st.Dev), ino: st.Ino}
			}
			return os.Lchown(p, uid, uid)
		})
		if err != nil {
			_ = restore()
			return nil, fmt.Errorf("sandbox: hand %s to uid %d: %w", root, uid, err)
		}
	}
	return restore, nil
}

func lstat(p string) (*syscall.Stat_t, error) {
	var st syscall.Stat_t
	if err := syscall.Lstat(p, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// checkAccess makes sure the run's dedicated uid can reach what the Cmd
// names, so that a path it cannot read fails here, clearly, rather than as
// a puzzling error of the program's. At the Namespaces level only the
// paths themselves count (their parents are not searched inside); at the
// Unprivileged level every parent directory must be searchable too.
func checkAccess(level Level, r *resolved, uid int) error {
	parents := level == Unprivileged
	check := func(what, p string, want uint32) error {
		if err := reachable(p, uid, want, parents); err != nil {
			return fmt.Errorf("sandbox: uid %d cannot use %s %s: %w", uid, what, p, err)
		}
		return nil
	}
	for _, p := range r.readOnly {
		if err := check("ReadOnly path", p, 4); err != nil {
			return err
		}
	}
	for _, p := range r.writable {
		if err := check("Writable path", p, 2); err != nil {
			return err
		}
	}
	if err := check("Path", r.path, 1); err != nil {
		return err
	}
	return check("Dir", r.dir, 1)
}

// reachable checks the permission bits (want: 4 read, 2 write, 1 search
// or execute) that uid, with gid uid and no other groups, has on p, and,
// if parents, search permission on each parent directory.
func reachable(p string, uid int, want uint32, parents bool) error {
	allowed := func(st *syscall.Stat_t, want uint32) bool {
		mode := st.Mode & 0o7
		switch {
		case int(st.Uid) == uid:
			mode = st.Mode >> 6 & 0o7
		case int(st.Gid) == uid:
			mode = st.Mode >> 3 & 0o7
		}
		return mode&want == want
	}
	if parents {
		for d := filepath.Dir(p); ; d = filepath.Dir(d) {
			st, err := lstat(d)
			if err != nil {
				return err
			}
			if !allowed(st, 1) {
				return fmt.Errorf("%w: %s is mode %04o, owner %d", fs.ErrPermission, d, st.Mode&0o7777, st.Uid)
			}
			if d == "/" {
				break
			}
		}
	}
	st, err := lstat(p)
	if err != nil {
		return err
	}
	if st.Mode&syscall.S_IFMT == syscall.S_IFDIR {
		want |= 1
	}
	if !allowed(st, want) {
		return fmt.Errorf("%w: %s is mode %04o, owner %d", fs.ErrPermission, p, st.Mode&0o7777, st.Uid)
	}
	return nil
}

// killUID kills every process running as uid and waits until none is
// left. Processes found are killed one by one; if more keep appearing
// (a fork racing the scan), a helper running as uid calls kill(-1), which
// reaches them all at once.
func killUID(uid int) error {
	return waitGone(func() []int { return procsOf(uid) }, func(pids []int, round int) {
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		if round > 0 {
			killAllAs(uid)
		}
	}, "uid "+strconv.Itoa(uid))
}

// killAllAs runs the helper as uid to kill(-1, SIGKILL).
func killAllAs(uid int) {
	fds := newFDTable(nil)
	defer fds.close()
	attr := &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid), Groups: []uint32{}}}
	h, err := startHelper(context.Background(), &spec{Action: actKill}, &Cmd{}, fds, attr, nil)
	if err == nil {
		_ = h.wait()
	}
}

// waitGone waits until list returns nothing, calling kill (if not nil)
// with what is left, for at most goneTimeout.
func waitGone(list func() []int, kill func(pids []int, round int), what string) error {
	deadline := time.Now().Add(goneTimeout)
	for round := 0; ; round++ {
		pids := list()
		if len(pids) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("sandbox: processes of %s survived SIGKILL: %v", what, pids)
		}
		if kill != nil {
			kill(pids, round)
		}
		time.Sleep(time.Duration(min(round+1, 20)) * time.Millisecond)
	}
}

// procsOf lists the live processes with uid as a real, effective, saved
// or file-system uid.
func procsOf(uid int) []int {
	want := strconv.Itoa(uid)
	return scanProcs(func(status []byte) bool {
		for line := range bytes.Lines(status) {
			if rest, ok := bytes.CutPrefix(line, []byte("Uid:")); ok {
				for _, f := range strings.Fields(string(rest)) {
					if f == want {
						return true
					}
				}
				return false
			}
		}
		return false
	})
}

// procsInGroup lists the live processes of process group pgid.
func procsInGroup(pgid int) []int {
	want := strconv.Itoa(pgid)
	return scanProcs(func(status []byte) bool {
		for line := range bytes.Lines(status) {
			if rest, ok := bytes.CutPrefix(line, []byte("NSpgid:")); ok {
				f := strings.Fields(string(rest))
				return len(f) > 0 && f[0] == want
			}
		}
		return false
	})
}

// scanProcs lists the processes, neither zombies nor dead, whose
// /proc/PID/status match says so.
func scanProcs(match func(status []byte) bool) []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		status, err := os.ReadFile("/proc/" + e.Name() + "/status")
		if err != nil || !match(status) || dead(status) {
			continue
		}
		pids = append(pids, pid)
	}
	return pids
}

func dead(status []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "State:"); ok {
			s := strings.TrimSpace(rest)
			return strings.HasPrefix(s, "Z") || strings.HasPrefix(s, "X")
		}
	}
	return false
}
