package cli

import (
	"bytes"
	"context"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestVersion(t *testing.T) {
	defer func(f func() (*debug.BuildInfo, bool)) { readBuildInfo = f }(readBuildInfo)
	readBuildInfo = func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/locklab/locklab", Version: "v0.4.0"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "48eb794c2d1f00aa11bb22cc33dd44ee55ff6677"},
				{Key: "vcs.time", Value: "2026-05-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"},
				{Key: "GOOS", Value: "linux"}, {Key: "GOARCH", Value: "amd64"}}}, true
	}
	code, stdout, stderr := locklab(t, "--version")
	want := "locklab v0.4.0 (commit 48eb794c2d1f, 2026-05-01T10:00:00Z, with uncommitted changes), built with go1.26.8 linux/amd64\n"
	if code != exitOK || stdout != want || stderr != "" {
		t.Errorf("--version = %d, %q, %q; want 0 and %q", code, stdout, stderr, want)
	}
	readBuildInfo = func() (*debug.BuildInfo, bool) { return nil, false }
	if _, stdout, _ := locklab(t, "--version"); !strings.HasPrefix(stdout, "locklab (no build information) go1.") {
		t.Errorf("--version without build info = %q", stdout)
	}
}

// TestHelpAndGroups: help on a real topic prints it; a group without a
// subcommand prints its help.
func TestHelpAndGroups(t *testing.T) {
	for _, args := range [][]string{{"help", "run"}, {"help", "exercise", "list"}, {"exercise"}, {"help"}} {
		code, stdout, stderr := locklab(t, args...)
		if code != exitOK || !strings.Contains(stdout, "Usage:") || stderr != "" {
			t.Errorf("locklab %s = %d, %q; want 0 and help", strings.Join(args, " "), code, stderr)
		}
	}
}

// TestStatusLine checks the status line a terminal gets during a wait:
// written in place, then erased; nothing when stderr is no terminal.
func TestStatusLine(t *testing.T) {
	var buf syncBuffer
	d := &Deps{ErrOut: &buf, Interactive: true, StatusDelay: time.Nanosecond}
	st := d.status("building")
	for !strings.Contains(buf.String(), "building") {
		time.Sleep(time.Millisecond)
	}
	st.Say("running")
	for !strings.Contains(buf.String(), "running") {
		time.Sleep(time.Millisecond)
	}
	st.Stop()
	st.Stop() // twice is fine
	got := buf.String()
	if !strings.HasPrefix(got, "\r\x1b[Kbuilding") || !strings.HasSuffix(got, "\r\x1b[K") {
		t.Errorf("status line = %q; want it drawn in place and erased", got)
	}
	d.Interactive = false
	if st := d.status("quiet"); st != nil {
		t.Errorf("status on a non-terminal = %v; want nil", st)
	}
	var none *statusLine
	none.Say("x")
	none.Stop() // a nil line does nothing
	if b := bar(3, 12, 8); b != "[==      ]" {
		t.Errorf("bar(3, 12, 8) = %q", b)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader.
type syncBuffer struct {
	mu  sync.Mutex // protects buf
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestRunStatus: a run on a terminal that takes a while says so on
// stderr, and erases the line before the result.
func TestRunStatus(t *testing.T) {
	deps, out, _ := testDeps()
	var errOut syncBuffer
	deps.ErrOut, deps.Interactive, deps.StatusDelay = &errOut, true, time.Nanosecond
	code := execute(context.Background(), deps, []string{"run", "toy", "--variant", "spin", "--stall", "50ms"})
	if code != exitProblem || !strings.Contains(out.String(), "LIVELOCK") {
		t.Fatalf("exit %d; want 1 and a livelock:\n%s", code, out)
	}
	if got := errOut.String(); !strings.Contains(got, "running toy/spin") || !strings.HasSuffix(got, "\r\x1b[K") {
		t.Errorf("stderr = %q; want the status line, erased", got)
	}
}
