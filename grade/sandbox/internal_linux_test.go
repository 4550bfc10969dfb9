package sandbox

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestChooseLevel checks the mode-to-level table of the package doc.
func TestChooseLevel(t *testing.T) {
	refused := func() error { return errors.New("user namespaces are disabled: operation not permitted") }
	works := func() error { return nil }
	noSetuid := func() error { return errors.New("cannot switch to a dedicated uid: operation not permitted") }
	tests := []struct {
		mode    Mode
		force   Level
		root    bool
		probe   func() error // of namespaces
		uid     func() error // probe of the uid level
		want    Level
		wantErr bool
	}{
		{Auto, "", false, works, works, Namespaces, false},
		{Auto, "", true, works, works, Namespaces, false},
		{Auto, "", true, refused, works, Unprivileged, false},
		{Auto, "", true, refused, noSetuid, None, false},
		{Auto, "", false, refused, works, None, false},
		{Required, "", true, works, works, Namespaces, false},
		{Required, "", true, refused, works, "", true},
		{Required, "", false, refused, works, "", true},
		{Off, "", true, works, works, None, false},
		{Off, "", false, refused, works, None, false},
		{Off, Namespaces, false, works, works, Namespaces, false},
		{Auto, Namespaces, true, refused, works, "", true},
		{Auto, Unprivileged, false, works, works, "", true},
		{Auto, Unprivileged, true, works, noSetuid, "", true},
		{Required, None, false, refused, works, None, false},
	}
	for _, tt := range tests {
		got, reason, err := chooseLevel(tt.mode, tt.force, tt.root, tt.probe, tt.uid)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("chooseLevel(%s, %q, root %v, probe %v) = %s, %v; want %s, error %v",
				tt.mode, tt.force, tt.root, tt.probe(), got, err, tt.want, tt.wantErr)
			continue
		}
		if err != nil {
			if !errors.Is(err, ErrUnavailable) {
				t.Errorf("chooseLevel(%s, %q, root %v): error %v does not wrap ErrUnavailable", tt.mode, tt.force, tt.root, err)
			}
			if tt.force == "" && !strings.Contains(err.Error(), tt.probe().Error()) {
				t.Errorf("chooseLevel(%s, %q, root %v): error %q does not give the probe's reason", tt.mode, tt.force, tt.root, err)
			}
			continue
		}
		if reason == "" {
			t.Errorf("chooseLevel(%s, %q, root %v) gave no reason", tt.mode, tt.force, tt.root)
		}
		if tt.want != Namespaces && tt.force == "" && tt.mode == Auto && !strings.Contains(reason, tt.probe().Error()) {
			t.Errorf("chooseLevel(%s, root %v) fell back to %s with reason %q, which hides the probe's %q", tt.mode, tt.root, got, reason, tt.probe())
		}
	}
}

// TestNewWithoutInit checks that New tells a program that forgot Init.
func TestNewWithoutInit(t *testing.T) {
	initCalled.Store(false)
	defer initCalled.Store(true)
	_, err := New(Auto)
	if err == nil || !strings.Contains(err.Error(), "sandbox.Init()") {
		t.Errorf("New without Init = %v; want an error saying to call sandbox.Init", err)
	}
}

// TestHelperWithoutInit runs, as the init helper, programs that do not
// call Init: one exits at once, one runs on. Run must fail clearly, and
// soon.
func TestHelperWithoutInit(t *testing.T) {
	_, _ = probeResult(), uidProbeResult() // with the real executable, before it is replaced
	defer func(exe string, d time.Duration) { executable, helloTimeout = exe, d }(executable, helloTimeout)
	helloTimeout = 500 * time.Millisecond
	for _, prog := range []string{"/bin/true", "/usr/bin/yes"} {
		if _, err := os.Stat(prog); err != nil {
			t.Logf("no %s: %v", prog, err)
			continue
		}
		executable = prog
		for _, l := range []Level{Namespaces, Unprivileged, None} {
			s, err := New(Auto, WithLevel(l))
			if err != nil {
				t.Logf("level %s: %v", l, err)
				continue
			}
			start := time.Now()
			e, err := s.Run(context.Background(), &Cmd{Path: "/bin/true", Timeout: time.Minute})
			if err == nil || !strings.Contains(err.Error(), "does not call sandbox.Init") {
				t.Errorf("level %s, helper %s: Run = %v, %v; want an error saying it does not call sandbox.Init", l, prog, e, err)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("level %s, helper %s: Run took %v", l, prog, d)
			}
		}
	}
}

func TestExitString(t *testing.T) {
	for _, tt := range []struct {
		e    Exit
		want string
	}{
		{Exit{Code: 0}, "exit status 0"},
		{Exit{Code: 66}, "exit status 66"},
		{Exit{Code: -1, Signal: "killed", TimedOut: true, timeout: time.Minute}, "killed: time limit 1m0s"},
		{Exit{Code: -1, Signal: "cpu time limit exceeded"}, "killed by signal: cpu time limit exceeded"},
		{Exit{Code: -1, Signal: "segmentation fault"}, "killed by signal: segmentation fault"},
	} {
		if got := tt.e.String(); got != tt.want {
			t.Errorf("%+v.String() = %q; want %q", tt.e, got, tt.want)
		}
	}
}

func TestRlimits(t *testing.T) {
	got := rlimits(Limits{CPU: 1500 * time.Millisecond, AddressSpace: 8 << 30, Processes: 64, OpenFiles: 256, FileSize: 1 << 20})
	want := []rlimit{
		{syscall.RLIMIT_CPU, 2}, {syscall.RLIMIT_AS, 8 << 30}, {rlimitNproc, 64},
		{syscall.RLIMIT_NOFILE, 256}, {syscall.RLIMIT_FSIZE, 1 << 20},
	}
	if len(got) != len(want) {
		t.Fatalf("rlimits = %v; want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("rlimits[%d] = %v; want %v", i, got[i], want[i])
		}
	}
	if got := rlimits(Limits{}); len(got) != 0 {
		t.Errorf("rlimits of no Limits = %v; want none", got)
	}
}

// TestHandOver checks that handOver gives a tree to a uid and restore
// gives it back: old files to their owners, new ones to the top's owner,
// and leaves alone what the uid does not own, such as a hard link to a
// stranger's file, and what a symbolic link points to.
func TestHandOver(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chown needs root")
	}
	const uid = UIDFirst
	top := t.TempDir()
	outside := t.TempDir()
	mine := filepath.Join(top, "mine")
	stranger := filepath.Join(top, "stranger")
	target := filepath.Join(outside, "target")
	for _, p := range []string{mine, stranger, target} {
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(stranger, 1234, 1234); err != nil {
		t.Fatal(err)
	}
	restore, err := handOver([]string{top}, uid)
	if err != nil {
		t.Fatal(err)
	}
	owners := func(paths ...string) (out []int) {
		for _, p := range paths {
			var st syscall.Stat_t
			if err := syscall.Lstat(p, &st); err != nil {
				t.Fatal(err)
			}
			out = append(out, int(st.Uid), int(st.Gid))
		}
		return out
	}
	if got := owners(top, mine, stranger); !equal(got, []int{uid, uid, uid, uid, uid, uid}) {
		t.Errorf("during the run, owners are %v; want all %d", got, uid)
	}
	// What the run leaves: a new file, a link to a file outside, a hard
	// link to a stranger's file (made here as root) and a new directory.
	created := filepath.Join(top, "created")
	link := filepath.Join(top, "link")
	hard := filepath.Join(top, "hard")
	sub := filepath.Join(top, "sub")
	other := filepath.Join(outside, "other")
	if err := os.WriteFile(other, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(other, 4321, 4321); err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		os.WriteFile(created, nil, 0o644), os.Lchown(created, uid, uid),
		os.Symlink(target, link), os.Lchown(link, uid, uid),
		os.Link(other, hard),
		os.Mkdir(sub, 0o700), os.Lchown(sub, uid, uid),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := restore(); err != nil {
		t.Fatal(err)
	}
	if got, want := owners(top, mine, stranger, created, link, sub, hard, target), []int{0, 0, 0, 0, 1234, 1234, 0, 0, 0, 0, 0, 0, 4321, 4321, 0, 0}; !equal(got, want) {
		t.Errorf("after restore, owners (uid, gid of top, mine, stranger, created, link, sub, hard, target) are %v; want %v", got, want)
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestResolve(t *testing.T) {
	d := t.TempDir()
	link := filepath.Join(d, "link")
	if err := os.Symlink("/usr/bin", link); err != nil {
		t.Fatal(err)
	}
	r, err := resolve(&Cmd{Path: filepath.Join(link, "true"), ReadOnly: []string{link}})
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := filepath.EvalSymlinks("/usr/bin/true"); r.path != want || r.dir != "/" {
		t.Errorf("resolve: path %q, dir %q; want %q, /", r.path, r.dir, want)
	}
	for _, c := range []*Cmd{
		nil,
		{Path: "true"},
		{Path: "/bin/true", Dir: "tmp"},
		{Path: "/bin/true", Writable: []string{"/"}},
		{Path: "/bin/true", ReadOnly: []string{"/dev"}},
		{Path: "/bin/true", Limits: Limits{FileSize: -1}},
		{Path: filepath.Join(d, "missing")},
	} {
		if _, err := resolve(c); err == nil {
			t.Errorf("resolve(%+v) succeeded", c)
		}
	}
}
