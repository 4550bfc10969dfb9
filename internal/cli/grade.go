package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/locklab/locklab/grade"
	"github.com/locklab/locklab/grade/batch"
	"github.com/locklab/locklab/grade/sandbox"
	"github.com/locklab/locklab/internal/render"
	"github.com/locklab/locklab/internal/shard"
	"github.com/locklab/locklab/internal/view"
	"github.com/locklab/locklab/labs"
)

// FormatText is the grade command's human-readable format.
const FormatText = "text"

// GradeOptions are the arguments and flags of `locklab grade`.
type GradeOptions struct {
	Deps     *Deps
	Exercise *grade.Exercise
	Dir      string
	Format   string
	JSON     bool
	Out      string
	Timeout  time.Duration
	Replay   string
	Rubric   string       // an override file
	Sandbox  string       // auto, required or off
	Pic      pictureFlags // with --replay: --view, --html, --trace, --graph

	// Batch grading: every subdirectory of Batch is a submission.
	Batch   string
	Results string // the results files' directory
	Force   bool   // grade again what an earlier batch graded
	Jobs    int    // gradings at a time; 0: batch.DefaultJobs()
	Shard   string // --shard k/n

	rubric *grade.RubricFile
	mode   sandbox.Mode
	shard  shard.Spec
}

// GradeFunc grades one submission: grade.Grade, or a test's.
type GradeFunc = batch.GradeFunc

func gradeFormats() []string { return append([]string{FormatText}, grade.Formats()...) }

// rubricHelp is the rubric as grade --help shows it.
func rubricHelp() string {
	ex := grade.Catalog()[0]
	var b strings.Builder
	for _, c := range ex.Rubric {
		pts := fmt.Sprintf("%3d", c.Points)
		if c.Gate {
			pts = "gate"
		}
		fmt.Fprintf(&b, "  %-10s %4s  %s\n", c.Name, pts, c.Means)
	}
	return b.String()
}

// NewCmdGrade returns `locklab grade`. runF, when not nil, is called with
// the parsed and checked options instead of gradeRun.
func NewCmdGrade(deps *Deps, runF func(*GradeOptions) error) *cobra.Command {
	opts := &GradeOptions{Deps: deps, Format: FormatText, Timeout: grade.DefaultTimeout, Sandbox: string(sandbox.Auto)}
	cmd := &cobra.Command{
		Use:   "grade EXERCISE [--dir DIR | --batch DIR] [--format F] [--out FILE]",
		Short: "Grade a solution of an exercise, or a whole class, against its rubric",
		Long: `Grade the solution in DIR (default exercises/EXERCISE) of an exercise,
or with --batch every submission of a class.

Only the exercise's own files are graded (locklab exercise list names
them). They must import only allowed packages (sync, sync/atomic, time,
math/rand/v2, errors, fmt, slices and other plain standard library
packages, runtime.Gosched, and the exercise's types) and may not declare
func init, use //go: directives or cgo, or call their own code from a
package-level initializer. Within those rules any solution is fine:
sync.Mutex, channels, atomics, WaitGroups, Cond, Once.

The files are instrumented (every shared read and write, lock and channel
operation becomes visible to locklab's controlled scheduler, with every
line where it was), built with -race from a pristine copy of locklab's
source, and run in a sandbox (see --sandbox): natively, on real
goroutines under the race detector and the deadlock detectors, and under
the controlled scheduler, which explores thousands of interleavings.
Points are for demonstrated correctness, never for the absence of a
problem; a check that builds on another (Needs) passes only with it.

Rubric (the same for every exercise; --rubric overrides weights and effort):
` + rubricHelp() + `
A gate is worth no points, but a submission that fails one is not run
and scores 0.

--rubric FILE is JSON, every field optional:
  {"weights": {"schedules": 40, "no-leaks": 5}, "native_runs": 2,
   "schedules": 2000, "exercises": {"bank": {"schedules": 4000}}}

--sandbox: auto (the default) runs the submission's processes in Linux
namespaces (no network, a read-only view of the toolchain, nothing
outliving the grading) when the kernel allows it, else, as root, as a
dedicated unprivileged user, else with limits only, and says which;
required fails when namespaces are not available; off uses limits only.

Formats: text (a table), json, gradescope (results.json), classroom (a
GitHub Classroom runner result: pass it base64-encoded to
autograding-grading-reporter as RUNNER_RESULTS), junit (JUnit XML). --out
writes to a file, atomically: a half-written file never exists, and an
interrupted grading still writes one, marked.

--replay TOKEN replays the schedule a failed check reported, step by
step, with the submission's own lines and the values its shared reads
and writes saw.

--batch DIR grades every subdirectory of DIR as one submission (its
name is the submission's), --jobs at a time (default: one and a half
per core, since a grading keeps a core busy only part of its time),
each in its own sandbox, with a progress line on a terminal. It writes
each submission's results file, in --format, to --results DIR (default
locklab-results/EXERCISE), and a gradebook: one row per submission, one column per check (points,
or pass/fail for a gate), with its status (graded, error: the grading
failed, with why; interrupted). The gradebook goes to --out as CSV, or
as JSON lines with --json, or to stdout as a table; with --out the table
goes to stdout too. A batch resumes: a submission graded before, and
unchanged since (same files, rubric, grader and --timeout), is not
graded again unless --force. One grading that crashes, hangs or fails
is that row's error; the others are graded.

--shard k/n grades every n-th submission (sorted by name) from the k-th,
for a CI matrix or a cluster; without it, the environment of a
Kubernetes Indexed Job (JOB_COMPLETION_INDEX, with LOCKLAB_SHARDS set to
the Job's completions), Bazel (TEST_SHARD_INDEX, TEST_TOTAL_SHARDS) or
GitLab (CI_NODE_INDEX, CI_NODE_TOTAL) is honoured. locklab merge puts
the shards' --json gradebooks together.

This needs the Go toolchain, cgo and a C compiler.

Exit status: 0 full marks (replay: the schedule passes; batch: every
submission), 1 points lost (replay: the failure reproduced; batch: by
some submission), 2 bad usage, a bad token, no toolchain, a batch with
no submission, or (batch) a grading that failed, 128+N when stopped by
signal N (130 for Ctrl-C, 143 for SIGTERM), after writing the results
so far, marked as interrupted.`,
		Example: `  locklab grade bank
  locklab grade bank --dir ~/work/bank --format gradescope --out /autograder/results/results.json
  locklab grade counter --format classroom | base64 -w0
  locklab grade philosophers --format junit --out report.xml
  locklab grade bank --rubric rubric.json --sandbox required
  locklab grade bank --replay ll1-...
  locklab grade bank --batch submissions/ --out gradebook.csv
  locklab grade bank --batch submissions/ --shard 2/4 --json --out gradebook-2.jsonl`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("%s takes one exercise (%s), got %d arguments", cmd.CommandPath(), strings.Join(exerciseNames(), ", "), len(args))
			}
			ex, err := grade.Lookup(args[0])
			if err != nil {
				return err
			}
			opts.Exercise = ex
			if opts.Batch != "" {
				return opts.checkBatch(cmd)
			}
			if cmd.Flags().Changed("shard") {
				return errors.New("--shard splits a --batch; grade one submission without it")
			}
			for _, name := range []string{"results", "force", "jobs"} {
				if cmd.Flags().Changed(name) {
					return fmt.Errorf("--%s applies to --batch only", name)
				}
			}
			if opts.JSON {
				if cmd.Flags().Changed("format") && opts.Format != grade.FormatJSON {
					return fmt.Errorf("--json and --format %s contradict each other; give one", opts.Format)
				}
				opts.Format = grade.FormatJSON
			}
			if err := opts.checkCommon(); err != nil {
				return err
			}
			if opts.Pic.any() || opts.Pic.View != "" {
				if opts.Replay == "" {
					return errors.New("--view, --html, --trace and --graph draw a replayed schedule: give --replay TOKEN, the token a failed check printed")
				}
				// JSON on stdout is one more thing written there.
				if err := opts.Pic.check(opts.Format == grade.FormatJSON && opts.Out == ""); err != nil {
					return err
				}
			}
			if opts.Replay != "" {
				if opts.Format != FormatText && opts.Format != grade.FormatJSON {
					return fmt.Errorf("--replay writes text or json, not %s", opts.Format)
				}
				if err := grade.CheckToken(opts.Exercise, opts.Replay); err != nil {
					return err
				}
			}
			if opts.Dir == "" {
				opts.Dir = filepath.Join("exercises", ex.Name)
			}
			if info, err := os.Stat(opts.Dir); err != nil || !info.IsDir() {
				return fmt.Errorf("--dir %s: no submission directory there", opts.Dir)
			}
			if opts.Out != "" {
				if err := checkOut(opts.Out); err != nil {
					return err
				}
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
			if opts.Batch != "" {
				return gradeBatchRun(cmd, opts)
			}
			return gradeRun(cmd, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Dir, "dir", "", "the solution's directory (default exercises/EXERCISE)")
	f.StringVar(&opts.Format, "format", opts.Format, "output format: "+strings.Join(gradeFormats(), ", "))
	f.BoolVar(&opts.JSON, "json", false, "the same as --format json")
	f.StringVar(&opts.Out, "out", "", "write the result to this file (atomically) instead of stdout")
	f.DurationVar(&opts.Timeout, "timeout", opts.Timeout, "time limit of each checks program's run (the build has its own)")
	f.StringVar(&opts.Replay, "replay", "", "replay the schedule of a token a failed check gave, instead of grading")
	opts.Pic.add(cmd, true, true)
	f.StringVar(&opts.Rubric, "rubric", "", "a JSON file overriding the rubric's weights and effort")
	f.StringVar(&opts.Sandbox, "sandbox", opts.Sandbox, "isolation of the submission's processes: auto, required or off")
	f.StringVar(&opts.Batch, "batch", "", "grade every subdirectory of this directory as a submission")
	f.StringVar(&opts.Results, "results", "", "with --batch: the directory of the results files (default locklab-results/EXERCISE)")
	f.BoolVar(&opts.Force, "force", false, "with --batch: grade again the submissions an earlier batch graded")
	f.IntVar(&opts.Jobs, "jobs", 0, fmt.Sprintf("with --batch: gradings at a time, 1 to %d (default: 1.5 per core, here %d)", maxJobs, batch.DefaultJobs()))
	f.StringVar(&opts.Shard, "shard", "", "with --batch: grade shard k of n (k/n, from 1) of the submissions")
	_ = cmd.MarkFlagDirname("batch")
	_ = cmd.MarkFlagDirname("results")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(gradeFormats(), cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("sandbox", cobra.FixedCompletions([]string{"auto", "required", "off"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.MarkFlagDirname("dir")
	_ = cmd.MarkFlagFilename("rubric", "json")
	return cmd
}

// checkCommon checks the flags a single grading and a batch share.
func (opts *GradeOptions) checkCommon() error {
	if !slices.Contains(gradeFormats(), opts.Format) {
		return fmt.Errorf("--format: %w", &labs.UnknownError{What: "format", Name: opts.Format, Valid: gradeFormats()})
	}
	if opts.Timeout <= 0 {
		return fmt.Errorf("--timeout must be positive, got %v", opts.Timeout)
	}
	modes := []string{string(sandbox.Auto), string(sandbox.Required), string(sandbox.Off)}
	if !slices.Contains(modes, opts.Sandbox) {
		return fmt.Errorf("--sandbox: %w", &labs.UnknownError{What: "mode", Name: opts.Sandbox, Valid: modes})
	}
	var err error
	if opts.mode, err = sandbox.ParseMode(opts.Sandbox); err != nil {
		return fmt.Errorf("--sandbox: %w", err)
	}
	if opts.Rubric != "" {
		if opts.rubric, err = grade.LoadRubric(opts.Rubric); err != nil {
			// encoding/json's errors start "json: ": the file is JSON,
			// the reader needs what is wrong with it.
			return errors.New(strings.Replace(err.Error(), ": json: ", ": ", 1))
		}
		opts.Exercise = opts.rubric.Apply(opts.Exercise)
	}
	return nil
}

func exerciseNames() []string {
	var names []string
	for _, e := range grade.Catalog() {
		names = append(names, e.Name)
	}
	return names
}

// checkOut checks, before any work, that --out can be written: its
// directory exists and is writable, and it is not a directory.
func checkOut(name string) error {
	if info, err := os.Stat(name); err == nil && info.IsDir() {
		return fmt.Errorf("--out %s: is a directory", name)
	}
	dir := filepath.Dir(name)
	f, err := os.CreateTemp(dir, "."+filepath.Base(name)+".check-")
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("--out %s: cannot write in %s: %v", name, dir, err)
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

func gradeRun(cmd *cobra.Command, opts *GradeOptions) error {
	d := opts.Deps
	sb, err := sandbox.New(opts.mode, sandbox.WithLogger(d.logger()))
	if err != nil {
		return fmt.Errorf("--sandbox %s: %w", opts.mode, err)
	}
	if sb.Level() != sandbox.Namespaces && opts.mode == sandbox.Auto {
		d.logger().Warn("the grader's sandbox is weaker than namespaces", zap.String("level", string(sb.Level())), zap.String("reason", sb.Reason()))
	}
	gopts := grade.Options{Timeout: opts.Timeout, Logger: d.logger(), Sandbox: sb, Replay: opts.Replay}
	st := d.status("grading " + opts.Exercise.Name + " " + opts.Dir + " (the first grading after an update also fills the grader's build cache, about a minute)")
	res, err := d.gradeFunc()(cmd.Context(), opts.Exercise, opts.Dir, gopts)
	st.Stop()
	if res == nil {
		return err
	}
	if opts.Replay != "" && res.Replay != nil {
		return writeReplay(d, opts, res, err)
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
	if werr := output(d.Out, opts.Out, buf.Bytes()); werr != nil {
		return werr
	}
	switch {
	case err != nil: // a toolchain problem (exit 2) or an interruption (128+N)
		return err
	case res.ReplayError != "":
		return errors.New(res.ReplayError)
	case !res.Full():
		return errProblem
	}
	return nil
}

func writeReplay(d *Deps, opts *GradeOptions, res *grade.Result, err error) error {
	var buf bytes.Buffer
	switch opts.Format {
	case FormatText:
		st := opts.Pic.style(d)
		if opts.Out != "" {
			st = render.Style{View: opts.Pic.View}
		}
		if werr := render.GradeReplay(&buf, res, st); werr != nil {
			return werr
		}
	case grade.FormatJSON:
		if werr := grade.Write(&buf, res, grade.FormatJSON); werr != nil {
			return werr
		}
	default:
		return fmt.Errorf("--replay writes text or json, not %s", opts.Format)
	}
	if !opts.Pic.replacesReport() || opts.Out != "" {
		if werr := output(d.Out, opts.Out, buf.Bytes()); werr != nil {
			return werr
		}
	}
	if opts.Pic.any() {
		s := &labs.Scenario{Name: res.Exercise, Workers: "worker", Ops: "call"}
		v := &labs.Variant{Name: "submission", Kind: labs.Fixed}
		if werr := opts.Pic.write(d, view.FromFailure(s, v, res.Replay)); werr != nil {
			return werr
		}
	}
	if err != nil {
		return err
	}
	if res.Replay.Outcome.Problem() {
		return errProblem
	}
	return nil
}

// output writes data to the file out (atomically) or, with none, to w.
func output(w io.Writer, out string, data []byte) error {
	if out != "" {
		return writeFileAtomic(out, data)
	}
	_, err := w.Write(data)
	return err
}

// writeFileAtomic writes data to a temporary file beside name and renames
// it into place, so that name is either absent, its old content, or all
// of data. Errors name the --out flag and the target, not the temporary
// file.
func writeFileAtomic(name string, data []byte) error { return writeFlagFile("--out", name, data) }

// writeFlagFile is writeFileAtomic for the file of another flag.
func writeFlagFile(flag, name string, data []byte) (err error) {
	dir := filepath.Dir(name)
	f, err := os.CreateTemp(dir, "."+filepath.Base(name)+".tmp-")
	if err != nil {
		return fmt.Errorf("%s %s: %v", flag, name, unwrapPath(err))
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
	if err == nil {
		err = os.Rename(f.Name(), name)
	}
	if err != nil {
		return fmt.Errorf("%s %s: %v", flag, name, unwrapPath(err))
	}
	return nil
}

// unwrapPath drops the path from an *os.PathError or *os.LinkError, which
// would name the temporary file.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
