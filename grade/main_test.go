package grade

import (
	"os"
	"os/exec"
	"testing"

	"go.uber.org/goleak"

	"github.com/locklab/locklab/grade/sandbox"
)

// testTmp is this test process's own TMPDIR, so that what gradings
// leave behind (nothing, they must not) is told apart from what tests of
// other packages, running at the same time, are doing.
var testTmp string

func TestMain(m *testing.M) {
	sandbox.Init() // the sandbox's init helper is this test binary, started again
	dir, err := os.MkdirTemp("", "locklab-grade-test-")
	if err != nil {
		panic(err)
	}
	testTmp = dir
	os.Chmod(dir, 0o711) // the sandbox's dedicated uids must reach their scratch inside
	os.Setenv("TMPDIR", dir)
	code := 0
	goleak.VerifyTestMain(m, goleak.Cleanup(func(c int) { code = c }))
	os.RemoveAll(dir)
	os.Exit(code)
}

// needToolchain skips a test that builds and runs submissions when that
// cannot work here.
func needToolchain(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs submissions with -race; skipped with -short")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
}

// testSandbox is the sandbox the tests grade in: auto, as locklab grade
// uses by default (LOCKLAB_TEST_SANDBOX=off|required, or a level, uid or
// none, overrides it).
func testSandbox(t *testing.T) *sandbox.Sandbox {
	t.Helper()
	mode, opts := sandbox.Auto, []sandbox.Option(nil)
	switch m := os.Getenv("LOCKLAB_TEST_SANDBOX"); m {
	case "":
	case string(sandbox.Unprivileged), string(sandbox.None):
		opts = append(opts, sandbox.WithLevel(sandbox.Level(m)))
	default:
		var err error
		if mode, err = sandbox.ParseMode(m); err != nil {
			t.Fatal(err)
		}
	}
	sb, err := sandbox.New(mode, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return sb
}
