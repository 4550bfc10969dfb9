package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/locklab/locklab/grade"
	"github.com/locklab/locklab/grade/batch"
	"github.com/locklab/locklab/grade/sandbox"
	"github.com/locklab/locklab/internal/render"
	"github.com/locklab/locklab/internal/shard"
)

// maxJobs bounds --jobs: beyond it a value is a typo, not a plan.
const maxJobs = 256

func (d *Deps) gradeFunc() GradeFunc {
	if d.Grade == nil {
		return grade.Grade
	}
	return d.Grade
}

// checkBatch checks a --batch grading's flags, before any work: the
// directory, the gradebook's and the results' destinations, the shard.
func (opts *GradeOptions) checkBatch(cmd *cobra.Command) error {
	f := cmd.Flags()
	for _, name := range []string{"dir", "replay"} {
		if f.Changed(name) {
			return fmt.Errorf("--%s grades one submission; --batch grades a directory of them: give one", name)
		}
	}
	if err := opts.checkCommon(); err != nil {
		return err
	}
	if info, err := os.Stat(opts.Batch); err != nil || !info.IsDir() {
		return fmt.Errorf("--batch %s: no directory there", opts.Batch)
	}
	if f.Changed("jobs") && (opts.Jobs < 1 || opts.Jobs > maxJobs) {
		return fmt.Errorf("--jobs must be between 1 and %d, got %d", maxJobs, opts.Jobs)
	}
	var err error
	if opts.shard, err = shard.Resolve(opts.Shard, opts.Deps.getenv); err != nil {
		return err
	}
	if opts.Out != "" {
		if err := checkOut(opts.Out); err != nil {
			return err
		}
	}
	if opts.Results == "" {
		opts.Results = filepath.Join("locklab-results", opts.Exercise.Name)
	}
	return batch.CheckResults(opts.Results)
}

// batchProgress is what the status line shows of a batch.
type batchProgress struct {
	mu sync.Mutex // protects p
	p  batch.Progress
}

func (b *batchProgress) set(p batch.Progress) {
	b.mu.Lock()
	b.p = p
	b.mu.Unlock()
}

func (b *batchProgress) line(ex string) string {
	b.mu.Lock()
	p := b.p
	b.mu.Unlock()
	s := fmt.Sprintf("grading %s: %d/%d %s %d full marks, %d lost points", ex, p.Done, p.Total, bar(p.Done, p.Total, 20), p.Full, p.Lost)
	if p.Errors > 0 {
		s += fmt.Sprintf(", %d failed", p.Errors)
	}
	if fresh := p.Done - p.Resumed; fresh > 0 && p.Elapsed > 0 {
		rate := float64(fresh) / p.Elapsed.Minutes()
		s += fmt.Sprintf("; %.1f/min", rate)
		if left := p.Total - p.Done; left > 0 {
			s += fmt.Sprintf(", about %v left", (time.Duration(float64(left) / rate * float64(time.Minute))).Round(time.Second))
		}
	}
	return s
}

func gradeBatchRun(cmd *cobra.Command, opts *GradeOptions) error {
	d := opts.Deps
	log := d.logger().Named("grade")
	listing, err := batch.Find(opts.Batch, opts.Results)
	if err != nil {
		return err
	}
	total := len(listing.Submissions)
	if total == 0 {
		msg := fmt.Sprintf("--batch %s: no submissions to grade (a submission is a subdirectory)", opts.Batch)
		if listing.IgnoredCount > 0 {
			msg += "; it holds " + batch.Summarize(listing.Ignored, listing.IgnoredCount)
		}
		return errors.New(msg)
	}
	if sh := opts.shard; sh.Sharded() {
		if sh.Size(total) == 0 {
			return fmt.Errorf("shard %s (from %s) has nothing to grade: %s has %d submissions for %d shards; use at most %d", sh, sh.Source, opts.Batch, total, sh.Count, total)
		}
		log.Info("grading one shard of the batch", zap.String("shard", sh.String()), zap.String("from", sh.Source),
			zap.Int("submissions", sh.Size(total)), zap.Int("of", total))
	}
	sb, err := sandbox.New(opts.mode, sandbox.WithLogger(d.logger()))
	if err != nil {
		return fmt.Errorf("--sandbox %s: %w", opts.mode, err)
	}
	if sb.Level() != sandbox.Namespaces && opts.mode == sandbox.Auto {
		log.Warn("the grader's sandbox is weaker than namespaces", zap.String("level", string(sb.Level())), zap.String("reason", sb.Reason()))
	}
	prog := &batchProgress{}
	st := d.status("grading " + opts.Exercise.Name)
	st.Set(func() string { return prog.line(opts.Exercise.Name) })
	bopts := batch.Options{
		Grade:     grade.Options{Timeout: opts.Timeout, Logger: log, Sandbox: sb},
		GradeFunc: d.gradeFunc(),
		Jobs:      opts.Jobs,
		Shard:     opts.shard,
		Results:   opts.Results,
		Format:    opts.Format,
		Text:      func(w io.Writer, res *grade.Result) error { return render.Grade(w, res, render.Style{}) },
		Force:     opts.Force,
		Logger:    log,
		Progress:  prog.set,
	}
	gb, err := batch.Run(cmd.Context(), opts.Exercise, listing, bopts)
	st.Stop()
	if gb == nil {
		return err
	}
	if werr := writeGradebook(d, gb, opts.Out, opts.JSON); werr != nil {
		return werr
	}
	log.Info("batch done", zap.Int("submissions", len(gb.Rows)), zap.Duration("elapsed", gb.Elapsed))
	if err != nil {
		return err // interrupted (128+N) or no toolchain (2), after the gradebook
	}
	return gradebookStatus(gb)
}

// writeGradebook writes gb to out (CSV, or JSON lines with asJSON) and a
// table to stdout, or with no out, the table or the JSON lines to stdout.
func writeGradebook(d *Deps, gb *batch.Gradebook, out string, asJSON bool) error {
	if out != "" {
		var buf bytes.Buffer
		var err error
		if asJSON {
			err = gb.WriteJSONL(&buf)
		} else {
			err = gb.WriteCSV(&buf)
		}
		if err != nil {
			return err
		}
		if err := writeFileAtomic(out, buf.Bytes()); err != nil {
			return err
		}
	}
	if asJSON && out == "" {
		return gb.WriteJSONL(d.Out)
	}
	return gb.WriteText(d.Out)
}

// gradebookStatus is a finished gradebook's exit status: a grading that
// failed (2) outweighs points lost (1).
func gradebookStatus(gb *batch.Gradebook) error {
	c := gb.Counts()
	switch {
	case c.Interrupted > 0:
		return fmt.Errorf("%d submissions were not graded (interrupted): run the batch again; it resumes", c.Interrupted)
	case c.Errors > 0:
		return fmt.Errorf("the grading of %d submissions failed (their rows say why); run the batch again to grade them again", c.Errors)
	case c.Lost > 0:
		return errProblem
	}
	return nil
}
