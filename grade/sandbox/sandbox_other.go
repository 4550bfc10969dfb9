//go:build !linux

package sandbox

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"time"
)

// Init must be called first thing in main, and in TestMain of any package
// whose tests run sandboxes. On this system there is no init helper, and
// Init only records that it was called.
func Init() { initCalled.Store(true) }

func choose(mode Mode, force Level) (Level, string, error) {
	unavailable := fmt.Errorf("%w: sandboxes need Linux (this is %s)", ErrUnavailable, runtime.GOOS)
	switch {
	case force == Namespaces, force == Unprivileged, force == "" && mode == Required:
		return "", "", unavailable
	case mode == Off || force == None:
		return None, "--sandbox off: only a process group and the time limit", nil
	}
	return None, "sandboxes need Linux (this is " + runtime.GOOS + "): only a process group and the time limit", nil
}

// run runs c directly: no rlimits, no namespaces.
func (s *Sandbox) run(ctx context.Context, c *Cmd, r *resolved) (*Exit, error) {
	cmd := exec.Command(r.path, c.Args...)
	cmd.Args[0] = c.Path
	cmd.Env = c.Env
	if cmd.Env == nil {
		cmd.Env = []string{}
	}
	cmd.Dir = r.dir
	cmd.Stdin, cmd.Stdout, cmd.Stderr = c.Stdin, c.Stdout, c.Stderr
	cmd.ExtraFiles = c.ExtraFiles
	cmd.WaitDelay = time.Second
	ownGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("sandbox: start: %w", err)
	}
	started := time.Now()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var timer <-chan time.Time
	if c.Timeout > 0 {
		t := time.NewTimer(c.Timeout)
		defer t.Stop()
		timer = t.C
	}
	timedOut := false
	var werr error
	select {
	case werr = <-done:
	case <-timer:
		timedOut = true
		killGroup(cmd)
		werr = <-done
	case <-ctx.Done():
		killGroup(cmd)
		werr = <-done
	}
	killGroup(cmd)
	e := &Exit{Code: cmd.ProcessState.ExitCode(), TimedOut: timedOut, Elapsed: time.Since(started), Level: s.level, timeout: c.Timeout}
	if e.Code < 0 {
		e.Signal = "killed"
	}
	if !timedOut && ctx.Err() != nil {
		return e, fmt.Errorf("sandbox: %w", ctx.Err())
	}
	var ee *exec.ExitError
	if werr != nil && !errors.As(werr, &ee) && !errors.Is(werr, exec.ErrWaitDelay) {
		return e, fmt.Errorf("sandbox: %w", werr)
	}
	return e, nil
}
