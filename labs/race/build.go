package race

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/locklab/locklab/internal/childproc"
)

// ErrToolchain is wrapped by the errors of Build when the Go toolchain
// cannot build with -race here: no go command on PATH, cgo turned off, or
// no C compiler. The wrapping error says in one line what to install.
var ErrToolchain = errors.New("the race detector is not available")

// Module is the module whose cmd/locklab Build builds.
const Module = "github.com/locklab/locklab"

// BuildOptions configure Build. The zero value builds from the working
// directory into the user's cache directory.
type BuildOptions struct {
	// Dir is a directory inside the locklab module; "" means the working
	// directory.
	Dir string
	// CacheDir is where the binary is kept; "" means DefaultCacheDir().
	CacheDir string
	// Logger logs the go commands run; nil means no logging.
	Logger *zap.Logger
}

// DefaultCacheDir returns the directory Build keeps the race-enabled
// binary in: locklab/race under os.UserCacheDir, or under os.TempDir when
// there is no user cache directory.
func DefaultCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "locklab", "race")
}

// Build builds cmd/locklab of the module that contains opts.Dir with -race
// and returns the binary's path. Call it once per invocation and reuse the
// binary for every run.
//
// It always runs go build: the go command's own build cache makes that
// cheap when nothing changed (under a second, against some forty seconds
// from a cold cache on a 2-core machine), and only the go command knows
// reliably whether anything did; a binary cached by a key of our own
// could go stale. The binary is written to a temporary name in the cache
// directory and renamed into place, so concurrent invocations never see a
// half-written file; its name is keyed by the module's directory, so two
// clones do not overwrite each other's.
//
// Build returns an error wrapping ErrToolchain, whose message says what to
// install, when there is no go command on PATH, cgo is off, or the C
// compiler is missing; and a plain error when opts.Dir is not inside the
// locklab module or the build fails for another reason.
func Build(ctx context.Context, opts BuildOptions) (string, error) {
	log := opts.Logger
	if log == nil {
		log = zap.NewNop()
	}
	dir := opts.Dir
	if dir == "" {
		var err error
		if dir, err = os.Getwd(); err != nil {
			return "", fmt.Errorf("race: %w", err)
		}
	}
	goCmd, root, err := Toolchain(ctx, "locklab race", dir)
	if err != nil {
		return "", err
	}

	cache := opts.CacheDir
	if cache == "" {
		cache = DefaultCacheDir()
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return "", fmt.Errorf("race: cache directory: %w", err)
	}
	sum := sha256.Sum256([]byte(root))
	name := "locklab-race-" + hex.EncodeToString(sum[:8])
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	bin := filepath.Join(cache, name)
	tmp, err := os.MkdirTemp(cache, "build-")
	if err != nil {
		return "", fmt.Errorf("race: %w", err)
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, name)

	start := time.Now()
	cmd := exec.CommandContext(ctx, goCmd, "build", "-race", "-o", out, Module+"/cmd/locklab")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	// Canceled, the go command's compilers and linker go with it, before
	// the scratch directory is removed.
	childproc.OwnGroup(cmd)
	dieWithParent(cmd)
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", buildError(stderr.String(), err)
	}
	log.Debug("built", zap.String("binary", bin), zap.Duration("elapsed", time.Since(start)))
	if err := os.Rename(out, bin); err != nil {
		return "", fmt.Errorf("race: %w", err)
	}
	return bin, nil
}

// Toolchain finds the go command and the root of the locklab module, and
// checks that the toolchain can build with -race (cgo on, a C compiler on
// PATH). The root comes from the first of dirs that lies inside the
// locklab module; command names the caller ("locklab race") in the message
// when none does. Toolchain problems wrap ErrToolchain and say in one line
// what to install. Both locklab race and the grader build with it.
func Toolchain(ctx context.Context, command string, dirs ...string) (goCmd, root string, err error) {
	goCmd, err = exec.LookPath("go")
	if err != nil {
		return "", "", fmt.Errorf("%w: it needs the Go toolchain, and there is no go command on PATH; install Go 1.26 or later (https://go.dev/dl/)", ErrToolchain)
	}
	if len(dirs) == 0 {
		dirs = []string{"."}
	}
	var first error
	for i, dir := range dirs {
		env, err := goEnv(ctx, goCmd, dir)
		if err != nil {
			return "", "", err
		}
		if i == 0 {
			if err := checkCgo(env["CGO_ENABLED"], env["CC"]); err != nil {
				return "", "", err
			}
		}
		root, err := moduleRoot(env["GOMOD"], dir, command)
		if err == nil {
			return goCmd, root, nil
		}
		if first == nil {
			first = err
		}
	}
	return "", "", first
}

// goEnv returns the go command's view of the settings Build needs, as
// seen from dir.
func goEnv(ctx context.Context, goCmd, dir string) (map[string]string, error) {
	cmd := exec.CommandContext(ctx, goCmd, "env", "-json", "GOMOD", "CGO_ENABLED", "CC")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	data, err := cmd.Output()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("race: go env: %v: %s", err, firstLine(stderr.String()))
	}
	env := map[string]string{}
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("race: go env: %w", err)
	}
	return env, nil
}

// checkCgo reports what stops cgo, which -race needs, from working:
// enabled and cc are the go command's CGO_ENABLED and CC. (The go command
// turns cgo off by itself when the default C compiler is missing.)
func checkCgo(enabled, cc string) error {
	compiler := "gcc"
	if f := strings.Fields(cc); len(f) > 0 {
		compiler = f[0]
	}
	_, ccErr := exec.LookPath(compiler)
	off := enabled != "1" && os.Getenv("CGO_ENABLED") == "0"
	switch {
	case ccErr != nil && off:
		return fmt.Errorf("%w: it needs cgo, which CGO_ENABLED=0 turns off, and a C compiler (%q is not on PATH); install gcc or clang (e.g. apt install gcc) and set CGO_ENABLED=1", ErrToolchain, compiler)
	case ccErr != nil:
		return fmt.Errorf("%w: it needs cgo and a C compiler, and %q is not on PATH; install gcc or clang (e.g. apt install gcc), or set CC to one", ErrToolchain, compiler)
	case enabled != "1":
		return fmt.Errorf("%w: it needs cgo, and CGO_ENABLED=0 turns it off; set CGO_ENABLED=1", ErrToolchain)
	}
	return nil
}

// moduleRoot returns the directory of gomod, the go.mod the go command
// found from dir, after checking that it is the locklab module's; command
// names the caller in the message.
func moduleRoot(gomod, dir, command string) (string, error) {
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("race: %s is not inside the locklab module (no go.mod): run %s in a clone of %s, which it builds with -race", dir, command, Module)
	}
	f, err := os.Open(gomod)
	if err != nil {
		return "", fmt.Errorf("race: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "module" {
			if path := strings.Trim(fields[1], `"`); path != Module {
				return "", fmt.Errorf("race: %s is module %s, not %s: run %s in a clone of %s, which it builds with -race", gomod, path, Module, command, Module)
			}
			return filepath.Dir(gomod), nil
		}
	}
	return "", fmt.Errorf("race: %s has no module line", gomod)
}

// buildError classifies a failed go build: a toolchain that cannot build
// with -race, or anything else (a compile error, say).
func buildError(output string, err error) error {
	for _, line := range strings.Split(output, "\n") {
		switch {
		case strings.Contains(line, "-race requires cgo"):
			return fmt.Errorf("%w: it needs cgo, and cgo is off; set CGO_ENABLED=1 and install gcc or clang", ErrToolchain)
		case strings.Contains(line, "C compiler") && strings.Contains(line, "not found"):
			return fmt.Errorf("%w: it needs cgo, and %s; install gcc or clang (e.g. apt install gcc), or set CC to one",
				ErrToolchain, strings.TrimPrefix(strings.TrimSpace(line), "cgo: "))
		case strings.Contains(line, "-race is not supported"):
			return fmt.Errorf("%w: %s; see https://go.dev/doc/articles/race_detector#Requirements", ErrToolchain, strings.TrimPrefix(strings.TrimSpace(line), "go: "))
		}
	}
	return fmt.Errorf("race: go build -race %s/cmd/locklab: %v: %s", Module, err, firstLine(output))
}

// CheckBinary reports whether bin is a program built with -race, such as
// one Build returned: a binary built without it would find no race and
// say so, wrongly.
func CheckBinary(bin string) error {
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		return fmt.Errorf("race: %s is not a Go program: %w", bin, err)
	}
	for _, s := range info.Settings {
		if s.Key == "-race" && s.Value == "true" {
			return nil
		}
	}
	return fmt.Errorf("race: %s was built without -race", bin)
}

// firstLine returns the first non-blank line of s.
func firstLine(s string) string {
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "# ") {
			return line
		}
	}
	return strings.TrimSpace(s)
}
