package sandbox_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/locklab/locklab/grade/sandbox"
)

// scratch holds what the tests build once per process: the attacker
// program and a GOCACHE. Everything in it is readable by the dedicated
// uids.
var scratch string

func TestMain(m *testing.M) {
	sandbox.Init()
	if l := os.Getenv(envGrader); l != "" {
		os.Exit(miniGrader(sandbox.Level(l), os.Args[1:]))
	}
	var err error
	if scratch, err = os.MkdirTemp("", "sandbox-test-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.Chmod(scratch, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		os.RemoveAll(scratch)
		os.Exit(code)
	}))
}

// envGrader makes the test binary a grader that runs one sandbox (see
// TestGraderDies).
const envGrader = "SANDBOX_TEST_GRADER"

// miniGrader runs args (a program and its arguments) in a sandbox at
// level l.
func miniGrader(l sandbox.Level, args []string) int {
	s, err := sandbox.New(sandbox.Auto, sandbox.WithLevel(l))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	e, err := s.Run(context.Background(), &sandbox.Cmd{Path: args[0], Args: args[1:], ReadOnly: []string{filepath.Dir(args[0])}, Timeout: time.Minute})
	fmt.Println(e, err)
	return 0
}

func TestParseMode(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    sandbox.Mode
		wantErr bool
	}{
		{"auto", sandbox.Auto, false},
		{"required", sandbox.Required, false},
		{"off", sandbox.Off, false},
		{"", "", true},
		{"on", "", true},
		{"Auto", "", true},
	} {
		got, err := sandbox.ParseMode(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParseMode(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), "auto, required, off") {
			t.Errorf("ParseMode(%q) error %q does not name the valid modes", tt.in, err)
		}
	}
}
