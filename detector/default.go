package detector

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// The environment variables that configure NewDefault, and so the process
// default detector of package locks and the detectors of package locktest.
const (
	// EnvDetector is "off" (no detection for locks not bound to a
	// Detector), "waitfor" (actual deadlocks only: the lock-order graph
	// off, like go-deadlock's Opts.DisableLockOrderDetection) or "full"
	// (the default).
	EnvDetector = "LOCKLAB_DETECTOR"
	// EnvWaitTimeout is the wait timeout as a Go duration ("5s", "500ms");
	// "0" or "off" turns the wait watch off. The default is
	// DefaultWaitTimeout.
	EnvWaitTimeout = "LOCKLAB_WAIT_TIMEOUT"
)

// NewDefault returns a Detector set up for engineers' code and tests, the
// way the process default detector of package locks is: both graphs on;
// an actual deadlock unwinds only the goroutines in its cycle
// (UnwindCycle), so the rest of the program keeps working; a wait timeout
// of DefaultWaitTimeout; every finding written to stderr in full. The
// environment (EnvDetector, EnvWaitTimeout) adjusts that, and opts, applied
// last, override it.
func NewDefault(opts ...Option) *Detector {
	env := readEnv()
	base := []Option{
		WithOnDeadlock(UnwindCycle),
		WithWaitTimeout(env.timeout),
		WithLockOrder(env.mode != "waitfor"),
		WithOutput(os.Stderr),
	}
	return New(append(base, opts...)...)
}

// DefaultOff reports whether the environment turns detection off for
// locks that are not bound to a Detector (LOCKLAB_DETECTOR=off).
func DefaultOff() bool { return readEnv().mode == "off" }

type envConfig struct {
	mode    string
	timeout time.Duration
}

var (
	envOnce sync.Once
	env     envConfig
)

// readEnv reads the environment once; a value it cannot use is reported
// on stderr, once, and replaced by the default.
func readEnv() envConfig {
	envOnce.Do(func() {
		env = envConfig{mode: "full", timeout: DefaultWaitTimeout}
		switch v := strings.ToLower(strings.TrimSpace(os.Getenv(EnvDetector))); v {
		case "", "full", "on":
		case "off", "waitfor":
			env.mode = v
		default:
			fmt.Fprintf(os.Stderr, "locklab: %s=%q: want off, waitfor or full; using full\n", EnvDetector, v)
		}
		switch v := strings.TrimSpace(os.Getenv(EnvWaitTimeout)); v {
		case "":
		case "0", "off":
			env.timeout = 0
		default:
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				fmt.Fprintf(os.Stderr, "locklab: %s=%q: want a duration such as 5s, or off; using %v\n", EnvWaitTimeout, v, DefaultWaitTimeout)
				break
			}
			env.timeout = d
		}
	})
	return env
}
