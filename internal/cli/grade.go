package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/locklab/locklab/grade"
	"github.com/locklab/locklab/internal/render"
)

// FormatText is the grade command's human-readable format.
const FormatText = "text"

// GradeOptions are the arguments and flags of `locklab grade`.
type GradeOptions struct {
	Deps     *Deps
	Exercise *grade.Exercise
	Dir      string
	Format   string
	Out      string
	Timeout  time.Duration
	Replay   string
}

func gradeFormats() []string { return append([]string{FormatText}, grade.Formats()...) }

// NewCmdGrade returns `locklab grade`. runF, when not nil, is called with
// the parsed and checked options instead of gradeRun.
func NewCmdGrade(deps *Deps, runF func(*GradeOptions) error) *cobra.Command {
	opts := &GradeOptions{Deps: deps, Format: FormatText, Timeout: grade.DefaultTimeout}
	cmd := &cobra.Command{
		Use:   "grade EXERCISE [--dir DIR] [--format F] [--out FILE]",
		Short: "Grade a solution of an exercise against its rubric",
		Long: `Grade the solution in DIR (default exercises/EXERCISE) of an exercise.

Only the exercise's own files are graded (locklab exercise list names
them); they are copied into a scratch module beside the exercise's checks,
built with -race, and run in their own process group with a time limit
(--timeout), a memory limit and no stdin. The rubric's checks: it builds;
no data race under the race detector; no deadlock and no broken invariant
in schedules explored by the controlled scheduler; every worker makes
progress; no goroutine leaks; no forbidden construct (os.Exit, init,
TestMain, //go:linkname, unsafe, syscall, os/exec, plugin, package-level
variables initialized by a call). A submission with a forbidden construct
is compiled but never run: it keeps at most the builds check's points.

Formats: text (a table), json, gradescope (results.json), classroom (a
GitHub Classroom runner result: pass it base64-encoded to
autograding-grading-reporter as RUNNER_RESULTS), junit (JUnit XML). --out
writes to a file, atomically: a half-written file never exists.

This needs the Go toolchain, cgo and a C compiler, and must run in a clone
of locklab (the checks import it).

Exit status: 0 full marks, 1 points lost, 2 bad usage or no toolchain.`,
		Example: `  locklab grade bank
  locklab grade bank --dir ~/work/bank --format gradescope --out /autograder/results/results.json
  locklab grade counter --format classroom | base64 -w0
  locklab grade philosophers --format junit --out report.xml
  locklab grade bank --replay ll1-...`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("%s takes one exercise (%s), got %d arguments", cmd.CommandPath(), strings.Join(exerciseNames(), ", "), len(args))
			}
			ex, err := grade.Lookup(args[0])
			if err != nil {
				return err
			}
			opts.Exercise = ex
			if !slices.Contains(gradeFormats(), opts.Format) {
				return fmt.Errorf("unknown format %q; valid: %s", opts.Format, strings.Join(gradeFormats(), ", "))
			}
			if opts.Timeout <= 0 {
				return fmt.Errorf("--timeout must be positive, got %v", opts.Timeout)
			}
			if opts.Dir == "" {
				opts.Dir = filepath.Join("exercises", ex.Name)
			}
			return nil
		},
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return exerciseNames(), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return gradeRun(cmd, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Dir, "dir", "", "the solution's directory (default exercises/EXERCISE)")
	f.StringVar(&opts.Format, "format", opts.Format, "output format: "+strings.Join(gradeFormats(), ", "))
	f.StringVar(&opts.Out, "out", "", "write the result to this file (atomically) instead of stdout")
	f.DurationVar(&opts.Timeout, "timeout", opts.Timeout, "time limit of the checks' run (the build has its own)")
	f.StringVar(&opts.Replay, "replay", "", "replay the schedule of a token a failed check gave, instead of grading")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(gradeFormats(), cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.MarkFlagDirname("dir")
	return cmd
}

func exerciseNames() []string {
	var names []string
	for _, e := range grade.Catalog() {
		names = append(names, e.Name)
	}
	return names
}

func gradeRun(cmd *cobra.Command, opts *GradeOptions) error {
	d := opts.Deps
	gopts := grade.Options{Timeout: opts.Timeout, Logger: d.logger()}
	if opts.Replay != "" {
		gopts.Replay, gopts.ReplayOut = opts.Replay, d.Out
	}
	res, err := grade.Grade(cmd.Context(), opts.Exercise, opts.Dir, gopts)
	if err != nil && res == nil {
		return err
	}
	if opts.Replay != "" {
		if err != nil {
			return err
		}
		if !res.Check(grade.CheckBuilds).Passed() || !res.Check(grade.CheckForbidden).Passed() {
			return render.Grade(d.ErrOut, res, render.Style{})
		}
		return nil
	}
	var buf bytes.Buffer
	if opts.Format == FormatText {
		st := d.style()
		if opts.Out != "" {
			st = render.Style{}
		}
		if werr := render.Grade(&buf, res, st); werr != nil {
			return werr
		}
	} else if werr := grade.Write(&buf, res, opts.Format); werr != nil {
		return werr
	}
	if opts.Out != "" {
		if werr := writeFileAtomic(opts.Out, buf.Bytes()); werr != nil {
			return werr
		}
	} else if _, werr := d.Out.Write(buf.Bytes()); werr != nil {
		return werr
	}
	switch {
	case err != nil: // a toolchain problem: the result says so, exit 2
		return err
	case !res.Full():
		return errProblem
	}
	return nil
}

// writeFileAtomic writes data to a temporary file beside name and renames
// it into place, so that name is either absent, its old content, or all
// of data.
func writeFileAtomic(name string, data []byte) (err error) {
	dir := filepath.Dir(name)
	f, err := os.CreateTemp(dir, "."+filepath.Base(name)+".tmp-")
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	defer func() {
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	if _, err = io.Copy(f, bytes.NewReader(data)); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if err = os.Rename(f.Name(), name); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	return nil
}
