package grade

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// toolchain is the Go toolchain a grading builds with.
type toolchain struct {
	goCmd    string // absolute path of the go command
	goroot   string
	modcache string
	cache    string // the go command's GOCACHE
	cc       string // the C compiler -race needs
}

// findToolchain finds the go command and what it uses, and checks that it
// can build with -race (cgo and a C compiler).
func findToolchain(ctx context.Context) (toolchain, error) {
	var tc toolchain
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return tc, fmt.Errorf("%w: locklab grade needs the Go toolchain, and there is no go command on PATH; install Go 1.26 or later (https://go.dev/dl/)", ErrToolchain)
	}
	if tc.goCmd, err = filepath.Abs(goCmd); err != nil {
		return tc, fmt.Errorf("grade: %w", err)
	}
	cmd := exec.CommandContext(ctx, tc.goCmd, "env", "-json", "GOROOT", "GOMODCACHE", "GOCACHE", "CGO_ENABLED", "CC")
	cmd.Dir = os.TempDir() // outside any module or workspace
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if ctx.Err() != nil {
			return tc, ctx.Err()
		}
		return tc, fmt.Errorf("%w: go env: %v: %s", ErrToolchain, err, strings.TrimSpace(stderr.String()))
	}
	env := map[string]string{}
	if err := json.Unmarshal(out, &env); err != nil {
		return tc, fmt.Errorf("grade: go env: %w", err)
	}
	tc.goroot, tc.modcache, tc.cache = env["GOROOT"], env["GOMODCACHE"], env["GOCACHE"]
	if tc.cache == "" || tc.cache == "off" {
		return tc, fmt.Errorf("%w: the go command has no build cache (GOCACHE=%q); set GOCACHE to a writable directory", ErrToolchain, tc.cache)
	}
	cc := "gcc"
	if f := strings.Fields(env["CC"]); len(f) > 0 {
		cc = f[0]
	}
	path, err := exec.LookPath(cc)
	if err != nil {
		return tc, fmt.Errorf("%w: -race needs cgo and a C compiler, and there is no %s on PATH; install gcc (Debian: apt-get install gcc)", ErrToolchain, cc)
	}
	if tc.cc, err = filepath.Abs(path); err != nil {
		return tc, fmt.Errorf("grade: %w", err)
	}
	if env["CGO_ENABLED"] != "1" && os.Getenv("CGO_ENABLED") == "0" {
		return tc, fmt.Errorf("%w: -race needs cgo, and CGO_ENABLED=0; unset it", ErrToolchain)
	}
	return tc, nil
}
