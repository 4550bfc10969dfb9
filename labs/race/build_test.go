package race

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildToolchain checks the one-line error, naming what to install,
// for each way the toolchain can be unable to build with -race.
func TestBuildToolchain(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	onlyGo := t.TempDir() // a PATH with go and nothing else: no C compiler
	if err := os.Symlink(goCmd, filepath.Join(onlyGo, "go")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		want string // in the error
	}{
		{"no go on PATH", map[string]string{"PATH": t.TempDir()}, "no go command on PATH; install Go"},
		{"CGO_ENABLED=0", map[string]string{"CGO_ENABLED": "0"}, "CGO_ENABLED=0 turns it off; set CGO_ENABLED=1"},
		{"CC=nonexistent", map[string]string{"CC": "nonexistent"}, `"nonexistent" is not on PATH; install gcc or clang`},
		{"no C compiler", map[string]string{"PATH": onlyGo, "CC": "", "CGO_ENABLED": ""}, "is not on PATH; install gcc or clang"},
		{"no C compiler, cgo off", map[string]string{"PATH": onlyGo, "CC": "", "CGO_ENABLED": "0"}, "install gcc or clang (e.g. apt install gcc) and set CGO_ENABLED=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
				if v == "" {
					os.Unsetenv(k) // t.Setenv restores it
				}
			}
			bin, err := Build(context.Background(), BuildOptions{CacheDir: t.TempDir()})
			if !errors.Is(err, ErrToolchain) {
				t.Fatalf("Build() = %q, %v; want an error wrapping ErrToolchain", bin, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") {
				t.Errorf("Build() error = %q; want one line containing %q", msg, tt.want)
			}
		})
	}
}

func TestBuildOutsideModule(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command on PATH")
	}
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "go.mod"), []byte("module example.com/other\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		dir  string
		want string
	}{
		{"no module", t.TempDir(), "is not inside the locklab module (no go.mod): run locklab race in a clone of github.com/locklab/locklab"},
		{"another module", other, "is module example.com/other, not github.com/locklab/locklab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Build(context.Background(), BuildOptions{Dir: tt.dir, CacheDir: t.TempDir()})
			if err == nil || errors.Is(err, ErrToolchain) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Build(Dir %s) = %v; want an error containing %q", tt.name, err, tt.want)
			}
		})
	}
}

func TestBuildError(t *testing.T) {
	tests := []struct {
		output    string
		toolchain bool
		want      string
	}{
		{"go: -race requires cgo; enable cgo by setting CGO_ENABLED=1\n", true, "set CGO_ENABLED=1 and install gcc or clang"},
		{"# runtime/cgo\ncgo: C compiler \"cc9\" not found: exec: \"cc9\": executable file not found in $PATH\n", true, `C compiler "cc9" not found`},
		{"go: -race is not supported on linux/mips\n", true, "-race is not supported on linux/mips"},
		{"# github.com/locklab/locklab/labs/counter\nlabs/counter/counter.go:3:1: syntax error\n", false, "labs/counter/counter.go:3:1: syntax error"},
	}
	for _, tt := range tests {
		err := buildError(tt.output, errors.New("exit status 1"))
		if errors.Is(err, ErrToolchain) != tt.toolchain || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("buildError(%q) = %q (toolchain %v); want one line containing %q (toolchain %v)",
				tt.output, err, errors.Is(err, ErrToolchain), tt.want, tt.toolchain)
		}
	}
}

func TestBuild(t *testing.T) {
	bin := raceBinary(t)
	if err := CheckBinary(bin); err != nil {
		t.Errorf("CheckBinary(%s) = %v; want nil", bin, err)
	}
	if dir := filepath.Dir(bin); dir != cacheDir {
		t.Errorf("Build() = %s; want a binary in %s", bin, cacheDir)
	}
	entries, err := os.ReadDir(cacheDir)
	if err != nil || len(entries) != 1 {
		t.Errorf("cache directory holds %d entries (%v); want only the binary, no temporary build directory", len(entries), err)
	}
}

func TestCheckBinaryWithoutRace(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program: skipped in -short mode")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte("package main\n\nfunc main() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "plain")
	cmd := exec.Command("go", "build", "-o", bin, src)
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GO111MODULE=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if err := CheckBinary(bin); err == nil || !strings.Contains(err.Error(), "built without -race") {
		t.Errorf("CheckBinary(a program built without -race) = %v; want an error saying so", err)
	}
}
