package grade

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/locklab/locklab/grade/instrument"
)

// SubmissionPackage is the import path of the submission in the scratch
// module.
const SubmissionPackage = "locklab.grade/submission"

// snapshotDir is where the scratch module holds locklab's source.
const snapshotDir = "locklab"

// writeSnapshot lays out the scratch module: go.mod requiring locklab
// (replaced by the snapshot) and locklab's own requirements, locklab's
// go.sum, the snapshot of locklab's source (the non-test Go files of its
// packages, from Options.Source, never from a directory a graded process
// could have written), and the exercise's checks program at the top.
func (g *grading) writeSnapshot() error {
	src := g.opts.Source
	write := func(rel string, data []byte) error {
		p := filepath.Join(g.scratch, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, data, 0o644)
	}
	rootMod, err := fs.ReadFile(src, "go.mod")
	if err != nil {
		return fmt.Errorf("grade: the locklab source has no go.mod: %w", err)
	}
	// Only the requirements the module cache holds: the build is
	// offline, and the checks need no module that only locklab's CLI
	// uses (cobra's Windows-only dependency is never downloaded here).
	var reqs []string
	for _, r := range requires(rootMod) {
		if path, version, ok := strings.Cut(r, " "); ok && inModCache(g.tc.modcache, path, version) {
			reqs = append(reqs, r)
		}
	}
	block := func(b *strings.Builder) {
		b.WriteString("require (\n")
		for _, r := range reqs {
			fmt.Fprintf(b, "\t%s\n", r)
		}
		b.WriteString(")\n")
	}
	var mod, snap strings.Builder
	fmt.Fprintf(&mod, "module locklab.grade\n\ngo 1.26\n\nrequire %s v0.0.0\n\n", Module)
	block(&mod)
	fmt.Fprintf(&mod, "\nreplace %s => ./%s\n", Module, snapshotDir)
	fmt.Fprintf(&snap, "module %s\n\ngo 1.26\n\n", Module)
	block(&snap)
	if err := write("go.mod", []byte(mod.String())); err != nil {
		return fmt.Errorf("grade: %w", err)
	}
	if err := write(path.Join(snapshotDir, "go.mod"), []byte(snap.String())); err != nil {
		return fmt.Errorf("grade: %w", err)
	}
	if sum, err := fs.ReadFile(src, "go.sum"); err == nil {
		for _, f := range []string{"go.sum", path.Join(snapshotDir, "go.sum")} {
			if err := write(f, sum); err != nil {
				return fmt.Errorf("grade: %w", err)
			}
		}
	}
	err = fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "testdata" {
				return fs.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(p, "_test.go") || !(strings.HasSuffix(p, ".go") || strings.HasSuffix(p, ".s")) || !strings.Contains(p, "/") {
			return nil
		}
		data, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		return write(path.Join(snapshotDir, p), data)
	})
	if err != nil {
		return fmt.Errorf("grade: copying locklab's source: %w", err)
	}
	main, err := fs.ReadFile(src, path.Join("grade/checks", g.ex.Name, "checks_main.go"))
	if err != nil {
		return fmt.Errorf("grade: no checks program for exercise %s", g.ex.Name)
	}
	// The checks programs do not build in locklab's own tree (they import
	// the submission), so they carry a build constraint; drop it here.
	if err := os.Remove(filepath.Join(g.scratch, snapshotDir, "grade", "checks", g.ex.Name, "checks_main.go")); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("grade: %w", err)
	}
	if err := write("checks_main.go", stripIgnore(main)); err != nil {
		return fmt.Errorf("grade: %w", err)
	}
	return nil
}

// swapExercises points the snapshot's exercise types at the mirrors of
// sync that the instrumented submission uses, so both share one
// sync.Mutex type.
func (g *grading) swapExercises() error {
	dir := filepath.Join(g.scratch, snapshotDir, "exercises")
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return fmt.Errorf("grade: %w", err)
	}
	for _, n := range names {
		src, err := os.ReadFile(n)
		if err != nil {
			return fmt.Errorf("grade: %w", err)
		}
		out, err := instrument.SwapImports(src)
		if err != nil {
			return fmt.Errorf("grade: %s: %w", n, err)
		}
		if err := os.WriteFile(n, out, 0o644); err != nil {
			return fmt.Errorf("grade: %w", err)
		}
	}
	return nil
}

// requires returns the module@version requirements of a go.mod file.
func requires(gomod []byte) []string {
	var out []string
	block := false
	for _, line := range strings.Split(string(gomod), "\n") {
		line, _, _ = strings.Cut(line, "//")
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case block && f[0] == ")":
			block = false
		case block && len(f) >= 2:
			out = append(out, f[0]+" "+f[1])
		case f[0] == "require" && len(f) == 2 && f[1] == "(":
			block = true
		case f[0] == "require" && len(f) >= 3:
			out = append(out, f[1]+" "+f[2])
		}
	}
	return out
}

// stripIgnore removes a "//go:build ignore" line from the top of a file.
func stripIgnore(src []byte) []byte {
	lines := bytes.SplitAfter(src, []byte("\n"))
	for i, l := range lines {
		t := bytes.TrimSpace(l)
		if bytes.Equal(t, []byte("//go:build ignore")) {
			return bytes.Join(append(lines[:i:i], lines[i+1:]...), nil)
		}
		if len(t) > 0 && !bytes.HasPrefix(t, []byte("//")) {
			break
		}
	}
	return src
}

// inModCache reports whether the module cache holds module path at
// version (its source directory, with the cache's escaping of capitals).
func inModCache(modcache, path, version string) bool {
	var b strings.Builder
	for _, r := range path {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	_, err := os.Stat(filepath.Join(modcache, filepath.FromSlash(b.String())+"@"+version))
	return err == nil
}
