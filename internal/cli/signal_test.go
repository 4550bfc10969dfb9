package cli

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/locklab/locklab/labs/race"
)

// helper is a locklab process run by TestHelperMain, with a mark in its
// environment that every process it starts inherits, so that the test
// can find them (and any left behind).
type helper struct {
	cmd            *exec.Cmd
	mark           string
	stdin          io.WriteCloser
	stdout, stderr *lockedBuffer
}

// lockedBuffer is a buffer a process writes while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex // protects b
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func startHelper(t *testing.T, env []string, args ...string) *helper {
	t.Helper()
	h := &helper{mark: fmt.Sprintf("SIGTEST_MARK=%s-%d", strings.ReplaceAll(t.Name(), "/", "-"), time.Now().UnixNano()),
		stdout: &lockedBuffer{}, stderr: &lockedBuffer{}}
	h.cmd = exec.Command(os.Args[0], append([]string{"-test.run=^TestHelperMain$", "--"}, args...)...)
	h.cmd.Env = append(append(os.Environ(), "LOCKLAB_HELPER_MAIN=1", "NO_COLOR=1", h.mark), env...)
	h.cmd.Stdout, h.cmd.Stderr = h.stdout, h.stderr
	var err error
	if h.stdin, err = h.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := h.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if h.cmd.ProcessState == nil {
			h.cmd.Process.Kill()
			h.cmd.Wait()
		}
	})
	return h
}

// others returns the processes other than h's own that carry h's mark:
// its children, and theirs.
func (h *helper) others() []string {
	var pids []string
	envs, _ := filepath.Glob("/proc/[0-9]*/environ")
	for _, e := range envs {
		pid := filepath.Base(filepath.Dir(e))
		if pid == strconv.Itoa(h.cmd.Process.Pid) {
			continue
		}
		b, err := os.ReadFile(e)
		if err != nil {
			continue
		}
		for _, kv := range strings.Split(string(b), "\x00") {
			if kv == h.mark {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

// waitFor polls cond for up to two minutes; it fails t if cond never
// holds.
func (h *helper) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
		if h.cmd.ProcessState != nil {
			break
		}
	}
	t.Fatalf("never saw %s\nstdout: %s\nstderr: %s", what, h.stdout, h.stderr)
}

// stop sends sig and checks that locklab exits 128+N, leaving no process
// of its own behind.
func (h *helper) stop(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := h.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	err := h.cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 128+int(sig) {
		t.Errorf("exit = %v; want status %d\nstdout: %s\nstderr: %s", err, 128+int(sig), h.stdout, h.stderr)
	}
	if left := h.others(); len(left) > 0 {
		t.Errorf("processes left running: %v", left)
	}
}

// TestSignalRaceAll stops race --all in the middle of its runs: the
// children are killed, and the matrix of the runs made so far is
// written, marked.
func TestSignalRaceAll(t *testing.T) {
	if testing.Short() {
		t.Skip("builds locklab with -race and runs it: skipped in -short mode")
	}
	bin, err := buildRace()
	if errors.Is(err, race.ErrToolchain) {
		t.Skipf("race.Build: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		sig  syscall.Signal
		json bool
	}{{syscall.SIGTERM, false}, {syscall.SIGHUP, true}} {
		t.Run(tt.sig.String(), func(t *testing.T) {
			args := []string{"race", "--all", "--runs", "50"}
			if tt.json {
				args = append(args, "--json")
			}
			h := startHelper(t, []string{RaceBinaryEnv + "=" + bin}, args...)
			h.waitFor(t, "a race child", func() bool { return len(h.others()) > 0 })
			h.stop(t, tt.sig)
			out := h.stdout.String()
			if tt.json {
				if !strings.Contains(out, `"interrupted": true`) {
					t.Errorf("stdout = %s; want observations marked interrupted", out)
				}
			} else if !strings.Contains(out, "INTERRUPTED: ") || !strings.Contains(out, "SCENARIO") {
				t.Errorf("stdout = %s; want the matrix so far, marked", out)
			}
		})
	}
}

// TestSignalGoDeadlock stops run --detector godeadlock while its child is
// stuck in go-deadlock's locks: the child is killed, the partial result
// written, marked.
func TestSignalGoDeadlock(t *testing.T) {
	for _, tt := range []struct {
		sig  syscall.Signal
		json bool
	}{{syscall.SIGTERM, false}, {syscall.SIGHUP, true}, {syscall.SIGINT, false}} {
		t.Run(tt.sig.String(), func(t *testing.T) {
			// 1,000 meals each: the ring closes long before they are eaten,
			// where 3 meals each were sometimes eaten before the signal.
			args := []string{"run", "philosophers", "--buggy", "--detector", "godeadlock", "--ops", "1000", "--stall", "30s", "--timeout", "1m"}
			if tt.json {
				args = append(args, "--json")
			}
			h := startHelper(t, nil, args...)
			h.waitFor(t, "the go-deadlock child", func() bool { return len(h.others()) > 0 })
			time.Sleep(200 * time.Millisecond) // let it deadlock
			h.stop(t, tt.sig)
			out := h.stdout.String()
			if tt.json && !strings.Contains(out, `"outcome": "interrupted"`) || !tt.json && !strings.Contains(out, "INTERRUPTED after ") {
				t.Errorf("stdout = %s; want the partial result, marked", out)
			}
		})
	}
}

// TestSignalExplore stops a long exploration: it says how far it got,
// and that this is no clean bill.
func TestSignalExplore(t *testing.T) {
	for _, tt := range []struct {
		sig  syscall.Signal
		json bool
	}{{syscall.SIGTERM, false}, {syscall.SIGHUP, true}} {
		t.Run(tt.sig.String(), func(t *testing.T) {
			args := []string{"--log-level", "debug", "explore", "philosophers", "--variant", "hierarchy", "--schedules", "10000000"}
			if tt.json {
				args = append(args, "--json")
			}
			h := startHelper(t, nil, args...)
			h.waitFor(t, "the exploration start", func() bool { return strings.Contains(h.stderr.String(), "locklab.explore") })
			time.Sleep(200 * time.Millisecond)
			h.stop(t, tt.sig)
			out := h.stdout.String()
			if tt.json && !strings.Contains(out, `"interrupted": true`) ||
				!tt.json && !strings.Contains(out, "INTERRUPTED: philosophers/hierarchy explored in ") {
				t.Errorf("stdout = %s; want how far it got, marked", out)
			}
		})
	}
}

// TestSignalStep stops a game waiting for the player's move: it still
// says how to replay the path taken.
func TestSignalStep(t *testing.T) {
	h := startHelper(t, nil, "step", "bank", "--variant", "from-then-to")
	io.WriteString(h.stdin, "0\n")
	h.waitFor(t, "the second prompt", func() bool { return strings.Count(h.stdout.String(), "(u undo, q quit)>") >= 2 })
	h.stop(t, syscall.SIGHUP)
	if out := h.stdout.String(); !strings.Contains(out, "Replay: locklab explore bank --variant from-then-to --replay ll1-") {
		t.Errorf("stdout = %s; want the replay command of the path taken", out)
	}
	h.stdin.Close()
}

// TestSignalGradeBatch stops a batch while a submission hangs: the
// gradebook is written with the rows done and the rest marked, the hung
// submission's results file is written and marked, no sandbox or
// scratch is left, and the next batch grades only what was not done.
func TestSignalGradeBatch(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs submissions with -race; skipped with -short")
	}
	subs := filepath.Join("..", "..", "testdata", "submissions")
	class := t.TempDir()
	for name, from := range map[string]string{"a-reference": "counter/reference", "b-hangs": "hostile/infinite-loop"} {
		os.MkdirAll(filepath.Join(class, name), 0o755)
		data, err := os.ReadFile(filepath.Join(subs, from, "counter.go"))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(class, name, "counter.go"), data, 0o644)
	}
	tmp := t.TempDir()
	os.Chmod(tmp, 0o711) // the sandbox's uids reach their scratch inside
	results, book := filepath.Join(t.TempDir(), "results"), filepath.Join(t.TempDir(), "gradebook.csv")
	args := []string{"--log-level", "info", "grade", "counter", "--batch", class, "--jobs", "1", "--timeout", "20s",
		"--results", results, "--out", book, "--format", "json"}
	h := startHelper(t, []string{"TMPDIR=" + tmp}, args...)
	h.waitFor(t, "a-reference graded", func() bool {
		_, err := os.Stat(filepath.Join(results, ".locklab", "a-reference.json"))
		return err == nil
	})
	h.waitFor(t, "b-hangs running", func() bool {
		m, _ := filepath.Glob(filepath.Join(tmp, "locklab-grade-*", "work-*"))
		return len(m) > 0
	})
	time.Sleep(300 * time.Millisecond)
	h.stop(t, syscall.SIGTERM)
	f, err := os.Open(book)
	if err != nil {
		t.Fatalf("no gradebook: %v", err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) != 3 {
		t.Fatalf("gradebook = %v, %v; want a header and 2 rows", rows, err)
	}
	status := rows[0][len(rows[0])-3] // status, results, message
	if status != "status" || rows[1][0] != "a-reference" || rows[1][1] != "100" || rows[1][len(rows[1])-3] != "graded" ||
		rows[2][0] != "b-hangs" || rows[2][len(rows[2])-3] != "interrupted" {
		t.Errorf("gradebook rows = %q; want a-reference graded 100, b-hangs interrupted", rows)
	}
	if data, err := os.ReadFile(filepath.Join(results, "b-hangs.json")); err != nil || !strings.Contains(string(data), `"interrupted": true`) {
		t.Errorf("b-hangs.json = %.200s, %v; want the partial result, marked", data, err)
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("left in TMPDIR: %v", left)
	}
	// Resumed: only b-hangs is graded again (and loses its points).
	h = startHelper(t, []string{"TMPDIR=" + tmp}, args[2:]...)
	err = h.cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitProblem || !strings.Contains(h.stdout.String(), "1 already graded by an earlier batch") {
		t.Errorf("resumed batch = %v:\n%s\n%s; want exit 1 and a-reference not graded again", err, h.stdout, h.stderr)
	}
}
