package childproc_test

import (
	"context"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/locklab/locklab/internal/childproc"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestHeadBuffer(t *testing.T) {
	b := &childproc.HeadBuffer{Max: 10}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if n, err := b.Write([]byte("abcdef")); n != 6 || err != nil {
				t.Errorf("Write = %d, %v; want 6, nil", n, err)
			}
		})
	}
	wg.Wait()
	if got := b.String(); len(got) != 10 {
		t.Errorf("kept %q (%d bytes); want the first 10", got, len(got))
	}
	var zero childproc.HeadBuffer
	zero.Write([]byte("x"))
	if zero.String() != "" {
		t.Errorf("zero HeadBuffer kept %q; want nothing", zero.String())
	}
}

// A canceled child that started a grandchild takes it down with it: the
// shell waits on sleep, which would otherwise hold the output pipe open.
func TestOwnGroup(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("process groups are a Unix notion")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", "sleep 30 & wait")
	out := &childproc.HeadBuffer{Max: 1 << 10}
	cmd.Stdout = out
	childproc.OwnGroup(cmd)
	start := time.Now()
	err := cmd.Run()
	if err == nil || !strings.Contains(err.Error(), "killed") {
		t.Errorf("Run = %v; want the child killed", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Run returned after %v; the grandchild outlived the kill", d)
	}
}
