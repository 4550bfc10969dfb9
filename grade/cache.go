package grade

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/locklab/locklab/internal/childproc"
)

// The sandboxed build gets a build cache of its own, a copy of a warm
// one: a build cache the sandbox shared with the grader could be
// poisoned for every later grading, and an empty one makes every build
// compile the race runtime and locklab again (tens of seconds). The warm
// cache is filled once per version of locklab's source and Go toolchain,
// by a build of an exercise's own stub: locklab's code only, built as the
// grader, outside any sandbox.

// sourceKey identifies the source and toolchain a warm cache is for.
func (g *grading) sourceKey(ctx context.Context) (string, error) {
	h := sha256.New()
	fmt.Fprintln(h, g.tc.goroot, g.tc.goCmd, "build -race -trimpath")
	if out, err := exec.CommandContext(ctx, g.tc.goCmd, "env", "GOVERSION").Output(); err == nil {
		h.Write(out)
	}
	err := fs.WalkDir(g.opts.Source, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(g.opts.Source, p)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d\n", p, len(data))
		h.Write(data)
		return nil
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// warmMu serializes filling warm caches within a process; a lock file
// does across processes.
var warmMu sync.Mutex

// warmCache returns the directory of the warm build cache, filling it
// first if needed.
func (g *grading) warmCache(ctx context.Context) (string, error) {
	key, err := g.sourceKey(ctx)
	if err != nil {
		return "", fmt.Errorf("grade: %w", err)
	}
	base := g.opts.CacheDir
	if base == "" {
		if base, err = os.UserCacheDir(); err != nil {
			base = os.TempDir()
		}
		base = filepath.Join(base, "locklab")
	}
	dir := filepath.Join(base, "grade-"+key)
	warm := filepath.Join(dir, "gocache")
	if _, err := os.Stat(filepath.Join(dir, "ready")); err == nil {
		return warm, nil
	}
	warmMu.Lock()
	defer warmMu.Unlock()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("grade: %w", err)
	}
	unlock, err := lockFile(filepath.Join(dir, "lock"))
	if err != nil {
		return "", fmt.Errorf("grade: %w", err)
	}
	defer unlock()
	if _, err := os.Stat(filepath.Join(dir, "ready")); err == nil {
		return warm, nil // filled by another process meanwhile
	}
	g.log.Info("filling the grader's build cache (once per version of locklab and Go)")
	start := time.Now()
	if err := os.RemoveAll(warm); err != nil {
		return "", fmt.Errorf("grade: %w", err)
	}
	if err := g.seed(ctx, warm); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "ready"), []byte(time.Now().UTC().Format(time.RFC3339)+"\n"), 0o644); err != nil {
		return "", fmt.Errorf("grade: %w", err)
	}
	g.log.Info("the grader's build cache is ready", zap.Duration("took", time.Since(start)))
	return warm, nil
}

// seed fills warm by building the checks of the counter exercise around
// its own stub, as the grader, outside the sandbox: only locklab's code
// is compiled.
func (g *grading) seed(ctx context.Context, warm string) error {
	ex, err := Lookup("counter")
	if err != nil {
		return err
	}
	s := &grading{ex: ex, opts: g.opts, log: g.log, res: newResult(ex, ""), tc: g.tc}
	if s.scratch, err = os.MkdirTemp("", "locklab-grade-seed-"); err != nil {
		return fmt.Errorf("grade: %w", err)
	}
	defer os.RemoveAll(s.scratch)
	if err := s.writeSnapshot(); err != nil {
		return err
	}
	stub, err := fs.ReadFile(g.opts.Source, "exercises/counter/counter.go")
	if err != nil {
		return fmt.Errorf("grade: the exercise's stub: %w", err)
	}
	ok, err := s.instrument(ctx, map[string][]byte{"counter.go": stub})
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("grade: the counter exercise's own stub does not pass the grader: %s", s.res.Check(CheckBuilds).Message)
	}
	if err := s.vendor(ctx); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, g.tc.goCmd, "build", "-race", "-trimpath", "-o", filepath.Join(s.scratch, "checks.bin"), ".")
	cmd.Dir = s.scratch
	cmd.Env = s.buildEnv(warm, filepath.Join(s.scratch, "home"))
	out := &childproc.HeadBuffer{Max: 16 << 10}
	cmd.Stdout, cmd.Stderr = out, out
	childproc.OwnGroup(cmd)
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		msg := buildMessage(out.String(), s.scratch)
		if tc := toolchainProblem(msg); tc != "" {
			return fmt.Errorf("%w: %s", ErrToolchain, tc)
		}
		return fmt.Errorf("grade: filling the build cache: %v: %s", err, msg)
	}
	return nil
}

// vendor copies the modules the checks need into the scratch module's
// vendor directory (go mod vendor, as the grader: it reads the module
// cache and parses imports, running nothing), so that the sandboxed build
// needs no module cache, which a dedicated uid may not be able to read.
func (g *grading) vendor(ctx context.Context) error {
	cmd := exec.CommandContext(ctx, g.tc.goCmd, "mod", "vendor")
	cmd.Dir = g.scratch
	cmd.Env = g.goEnv(g.tc.cache)
	out := &childproc.HeadBuffer{Max: 16 << 10}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("grade: go mod vendor: %v: %s", err, strings.TrimSpace(out.String()))
	}
	return nil
}

// buildEnv is the sandboxed build's whole environment.
func (g *grading) buildEnv(cache, home string) []string {
	env := []string{
		"PATH=" + filepath.Join(g.tc.goroot, "bin") + ":/usr/local/bin:/usr/bin:/bin",
		"HOME=" + home, "TMPDIR=" + home,
		"GOROOT=" + g.tc.goroot,
		"GOCACHE=" + cache,
		"GOMODCACHE=" + filepath.Join(home, "gomodcache"),
		"GOPATH=" + filepath.Join(home, "gopath"),
		"GOFLAGS=-mod=vendor", "GOPROXY=off", "GOSUMDB=off", "GOWORK=off", "GOTOOLCHAIN=local",
		"GOENV=off", "GOTELEMETRY=off", "CGO_ENABLED=1", "CC=" + g.tc.cc,
	}
	return env
}

// copyTree copies the regular files and directories under src to dst;
// with link, files are hard links where the file system allows. The warm
// cache's files are read-only and belong to the grader, and the sandbox
// hands a dedicated uid only the files a Writable tree owns outright
// (hard links to others' files stay theirs), so a linked entry can be
// read but never changed: the go command only adds new entries.
func copyTree(src, dst string, link bool) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if link && os.Link(p, target) == nil {
			return nil
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return err
		}
		_, err = io.Copy(out, in)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		return err
	})
}
