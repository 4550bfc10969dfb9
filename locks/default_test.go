package locks_test

// The process default Detector, seen from outside: each scenario runs in
// a child process (this test binary, re-executed to run only
// TestHelperProcess) that never calls SetDefaultDetector, as an engineer's
// program that only swapped sync for locks. The parent reads its stderr.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/locks"
)

const childEnv = "LOCKLAB_LOCKS_CHILD"

// TestHelperProcess is the child's entry point.
func TestHelperProcess(t *testing.T) {
	switch os.Getenv(childEnv) {
	case "":
		t.Skip("runs only as a child process of the tests in default_test.go")
	case "findings":
		childFindings()
	case "crash":
		childCrash()
	case "timeout":
		childTimeout()
	case "off":
		childOff()
	}
}

// runChild runs scenario name in a child process, bounded in time.
func runChild(t *testing.T, name string, env ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1", "-test.timeout=50s")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LOCKLAB_") && !strings.HasPrefix(kv, "GORACE=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, append([]string{childEnv + "=" + name, "GORACE=atexit_sleep_ms=0"}, env...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		code = exit.ExitCode()
	default:
		t.Fatalf("child %s: %v", name, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("child %s did not finish within its time limit\nstderr:\n%s", name, errb.String())
	}
	return out.String(), errb.String(), code
}

func childFindings() {
	// A double lock, recovered: the panic value says what happened.
	var m locks.Mutex
	m.Lock() // child: first lock
	err := catch(func() { m.Lock() })
	fmt.Printf("double lock: errors.Is=%v\n", errors.Is(err, detector.ErrAborted))
	m.Unlock()

	// AB-BA between two goroutines: only they unwind.
	var a, b locks.Mutex
	var held, wg sync.WaitGroup
	held.Add(2)
	var unwound sync.Map
	for i, pair := range [][2]*locks.Mutex{{&a, &b}, {&b, &a}} {
		wg.Go(func() {
			if err := catch(func() {
				pair[0].Lock()
				defer pair[0].Unlock()
				held.Done()
				held.Wait()
				pair[1].Lock()
				pair[1].Unlock()
			}); err != nil {
				unwound.Store(i, errors.Is(err, detector.ErrAborted))
			}
		})
	}
	wg.Wait()
	n := 0
	unwound.Range(func(_, v any) bool {
		if v.(bool) {
			n++
		}
		return true
	})
	fmt.Printf("deadlock: %d unwound\n", n)

	// No process-wide abort: a contended lock still works afterwards.
	var c locks.Mutex
	count := 0
	for range 4 {
		wg.Go(func() {
			for range 500 {
				c.Lock()
				count++
				c.Unlock()
			}
		})
	}
	wg.Wait()
	fmt.Printf("contended: %d\n", count)

	// An inversion in a run that did not hang.
	var x, y locks.Mutex
	x.Lock()
	y.Lock()
	y.Unlock()
	x.Unlock()
	y.Lock()
	x.Lock()
	x.Unlock()
	y.Unlock()
}

// childCrash deadlocks with no recover anywhere: the process dies with a
// panic whose value describes the deadlock.
func childCrash() {
	var a, b locks.Mutex
	var held, wg sync.WaitGroup
	held.Add(2)
	for _, pair := range [][2]*locks.Mutex{{&a, &b}, {&b, &a}} {
		wg.Go(func() {
			pair[0].Lock()
			held.Done()
			held.Wait()
			pair[1].Lock()
		})
	}
	wg.Wait()
}

// childTimeout holds a lock while it sends on a channel nobody reads yet,
// with LOCKLAB_WAIT_TIMEOUT short: the waiter's report says the holder is
// in chan send.
func childTimeout() {
	var mu locks.Mutex
	ch := make(chan int)
	locked := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		mu.Lock()
		close(locked)
		ch <- 1 // child: send
		mu.Unlock()
	}()
	<-locked
	go func() { time.Sleep(time.Second); <-ch }()
	mu.Lock()
	mu.Unlock()
	<-done
}

// childOff runs with LOCKLAB_DETECTOR=off: no Detector at all.
func childOff() {
	fmt.Printf("default detector: %v\n", locks.DefaultDetector())
}

func TestDefaultDetectorReportsToStderr(t *testing.T) {
	stdout, stderr, code := runChild(t, "findings")
	if code != 0 {
		t.Fatalf("child exit %d; want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"double lock: errors.Is=true", "contended: 2000"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stdout, "deadlock: 1 unwound") && !strings.Contains(stdout, "deadlock: 2 unwound") {
		t.Errorf("stdout says no goroutine of the deadlock unwound:\n%s", stdout)
	}
	first := fmt.Sprintf("(taken at locks/default_test.go:%d)", line(t, "child: first lock"))
	for _, want := range []string{"locklab: double-lock: ", first, "locklab: deadlock: 2 workers wait for each other", "locklab: lock-order: "} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if n := strings.Count(stderr, "locklab: double-lock: "); n != 1 {
		t.Errorf("the double lock was printed %d times; want once", n)
	}
}

func TestDefaultDetectorPanicDescribes(t *testing.T) {
	_, stderr, code := runChild(t, "crash")
	if code == 0 {
		t.Fatalf("child exit 0; want the deadlock's panic\nstderr:\n%s", stderr)
	}
	if !strings.Contains(stderr, "panic: detector: unwound from a deadlock: 2 workers wait for each other in a cycle") {
		t.Errorf("the panic does not describe the deadlock:\n%s", stderr)
	}
}

func TestDefaultDetectorWaitTimeoutEnv(t *testing.T) {
	_, stderr, code := runChild(t, "timeout", detector.EnvWaitTimeout+"=100ms")
	if code != 0 {
		t.Fatalf("child exit %d; want 0\nstderr:\n%s", code, stderr)
	}
	want := fmt.Sprintf("now chan send at locks/default_test.go:%d", line(t, "child: send"))
	if !strings.Contains(stderr, "locklab: wait-timeout: ") || !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks the wait timeout with %q:\n%s", want, stderr)
	}
}

func TestDefaultDetectorOffEnv(t *testing.T) {
	stdout, stderr, code := runChild(t, "off", detector.EnvDetector+"=off")
	if code != 0 || !strings.Contains(stdout, "default detector: <nil>") {
		t.Errorf("child exit %d, stdout %q, stderr %q; want no default detector", code, stdout, stderr)
	}
}
