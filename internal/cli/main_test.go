package cli

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/locklab/locklab/grade"
)

// TestHelperMain is not a test: run by TestMainExitStatus in a child
// process, it is the locklab binary.
func TestHelperMain(t *testing.T) {
	if os.Getenv("LOCKLAB_HELPER_MAIN") != "1" {
		t.Skip("helper process for TestMainExitStatus")
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	os.Args = append([]string{"locklab"}, args...)
	os.Exit(Main())
}

// TestMainExitStatus runs Main in a child process, as the binary would
// run, with stdin a pipe, and checks the process's exit status and output
// streams: in particular nothing on stderr where a progress line would go
// only on a terminal.
func TestMainExitStatus(t *testing.T) {
	tests := []struct {
		args       []string
		stdin      string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{[]string{"list"}, "", 0, "philosophers", ""},
		{[]string{"run", "philosophers", "--variant", "hierarchy"}, "", 0, "OK:", ""},
		{[]string{"run", "bank", "--variant", "check-then-act", "--json"}, "", 1, `"outcome": "invariant"`, ""},
		{[]string{"run", "nosuch"}, "", 2, "", `locklab: unknown scenario "nosuch"`},
		{[]string{"run", "counter", "--frob"}, "", 2, "", "locklab: unknown flag: --frob"},
		{[]string{"explore", "bank", "--variant", "from-then-to", "--workers", "2", "--ops", "2"}, "", 1, "Replay: locklab explore bank", ""},
		{[]string{"explore", "bank", "--variant", "ordered", "--workers", "2", "--ops", "2", "--schedules", "50"}, "", 0, "OK: no failure in 50 schedules", ""},
		{[]string{"explore", "bank", "--replay", "ll1-garbage"}, "", 2, "", "locklab: "},
		{[]string{"step", "bank"}, cross, 1, "YOU WIN", ""},
		{[]string{"step", "bank"}, "0\nq\n", 0, "Quit before the bug showed.", ""},
		{[]string{"step", "bank"}, "", 0, "Quit before the bug showed.", ""},
	}
	for _, tt := range tests {
		name := strings.Join(tt.args, " ")
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestHelperMain$", "--"}, tt.args...)...)
			cmd.Env = append(os.Environ(), "LOCKLAB_HELPER_MAIN=1", "NO_COLOR=1")
			cmd.Stdin = strings.NewReader(tt.stdin)
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.wantCode {
				t.Errorf("locklab %s: exit %d; want %d\nstderr: %s", name, code, tt.wantCode, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.wantStdout) {
				t.Errorf("locklab %s: stdout = %q; want it to contain %q", name, stdout.String(), tt.wantStdout)
			}
			if tt.wantStderr == "" && stderr.Len() != 0 || !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("locklab %s: stderr = %q; want %q", name, stderr.String(), tt.wantStderr)
			}
		})
	}
}

// TestGradeSignal sends SIGTERM and SIGHUP to a grading in the middle of
// its run, as a CI system or a closed terminal would: the grader must
// still write a complete results file, marked, and leave no scratch
// directory and no process behind, and exit with 128+N.
func TestGradeSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs submissions with -race; skipped with -short")
	}
	dir := filepath.Join("..", "..", "testdata", "submissions", "hostile", "infinite-loop")
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			tmp := t.TempDir()
			out := filepath.Join(t.TempDir(), "results.json")
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperMain$", "--", "grade", "counter", "--dir", dir, "--format", "gradescope", "--out", out)
			cmd.Env = append(os.Environ(), "LOCKLAB_HELPER_MAIN=1", "TMPDIR="+tmp)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Signal once the checks programs run: their work directories
			// exist.
			deadline := time.Now().Add(2 * time.Minute)
			for time.Now().Before(deadline) {
				if m, _ := filepath.Glob(filepath.Join(tmp, "locklab-grade-*", "work-*")); len(m) > 0 {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			time.Sleep(500 * time.Millisecond)
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 128+int(sig) {
				t.Errorf("exit = %v; want status %d\nstderr: %s", err, 128+int(sig), stderr.String())
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatalf("no results file: %v", err)
			}
			var gs grade.GradescopeResults
			if err := json.Unmarshal(data, &gs); err != nil || len(gs.Tests) != 7 || !strings.Contains(gs.Output, "not graded: interrupted") {
				t.Errorf("results = %+v, %v; want 7 tests and the interruption said", gs, err)
			}
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Errorf("left in TMPDIR: %v", left)
			}
			procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
			for _, p := range procs {
				if b, err := os.ReadFile(p); err == nil && strings.Contains(string(b), tmp) {
					t.Errorf("a process is still running: %s: %q", p, b)
				}
			}
		})
	}
}
